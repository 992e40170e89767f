"""Choose the bus from the settings: Redis Streams when ``REDIS_URL`` is set, else in-process."""

from __future__ import annotations

from cryptotrader.bus.memory import InProcessBus
from cryptotrader.bus.redis_streams import RedisBus
from cryptotrader.bus.stream_bus import StreamBus
from cryptotrader.clock import Clock
from cryptotrader.config import Settings


async def open_bus(settings: Settings, *, clock: Clock | None = None) -> StreamBus:
    """The configured bus, connected.

    Raises:
        OperationalError: ``REDIS_URL`` is set but Redis cannot be reached (one line).
    """
    if settings.redis_url:
        return await RedisBus.connect(
            settings.redis_url, clock=clock, partitions=settings.bus_partitions
        )
    return InProcessBus(clock=clock)
