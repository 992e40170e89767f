"""Choose the bus from the settings: Redis Streams when ``REDIS_URL`` is set, else in-process."""

from __future__ import annotations

from cryptotrader.bus.memory import LIVE_ENTRIES, InProcessBus
from cryptotrader.bus.redis_streams import RedisBus
from cryptotrader.bus.stream_bus import StreamBus
from cryptotrader.clock import Clock
from cryptotrader.config import Settings


async def open_bus(
    settings: Settings, *, clock: Clock | None = None, encode_acked: bool = True
) -> StreamBus:
    """The configured bus, connected.

    ``encode_acked``: False keeps the in-process bus's acked entries as objects (a replay at full
    speed: see ``InMemoryTransport``'s ``live``).

    Raises:
        OperationalError: ``REDIS_URL`` is set but Redis cannot be reached (one line).
    """
    if settings.redis_url:
        return await RedisBus.connect(
            settings.redis_url, clock=clock, partitions=settings.bus_partitions
        )
    return InProcessBus(clock=clock, live=LIVE_ENTRIES if encode_acked else None)
