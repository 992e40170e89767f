"""The WebSocket hub's Redis consumer groups: deleted at stop, and after a crash by the next hub."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from redis.asyncio import Redis

from cryptotrader.api.metrics import ApiMetrics
from cryptotrader.api.ws.frames import WS_TOPICS
from cryptotrader.api.ws.hub import Hub
from cryptotrader.bus import topics
from cryptotrader.bus.redis_streams import RedisBus
from cryptotrader.bus.stream_bus import StreamBus
from cryptotrader.clock import TestClock
from cryptotrader.services.ephemeral import RedisStore
from cryptotrader.services.latest_events import LatestEvents
from tests.integration.conftest import FAST, REDIS_URL, close_bus, open_bus


async def _groups(client: Redis, stream: str) -> set[str]:
    return {str(group["name"]) for group in await client.xinfo_groups(stream)}


@pytest.mark.asyncio
async def test_hub_groups_when_a_process_died_are_deleted_by_the_next_hub_and_at_stop(
    clock: TestClock,
) -> None:
    bus, prefix = await open_bus("redis", clock)
    assert prefix is not None
    client = Redis.from_url(REDIS_URL, decode_responses=True)
    store_prefix = f"{prefix}api:{uuid.uuid4().hex}:"
    stream = f"{prefix}{topics.ALERTS}"

    def hub(lease_s: int = 60, on: StreamBus = bus) -> Hub:
        store = RedisStore(Redis.from_url(REDIS_URL, decode_responses=True), prefix=store_prefix)
        return Hub(
            bus=on,
            latest=LatestEvents(),
            metrics=ApiMetrics(),
            queue_size=8,
            store=store,
            lease_s=lease_s,
        )

    try:
        await client.xgroup_create(stream, "order", id="$", mkstream=True)  # not a hub's
        alive = hub()
        await alive.start()
        other_process = await RedisBus.connect(REDIS_URL, prefix=prefix, options=FAST)
        crashed = hub(lease_s=1, on=other_process)
        await crashed.start()
        await other_process.close()  # the process dies (kill -9): no stop, no more renewals
        assert crashed._lease is not None
        crashed._lease.cancel()
        await asyncio.sleep(1.3)  # its lease runs out; its groups stay
        assert await _groups(client, stream) == {"order", alive.group, crashed.group}
        second = hub()
        await second.start()
        for channel in WS_TOPICS.values():
            groups = await _groups(client, f"{prefix}{channel}")
            assert crashed.group not in groups
            assert {alive.group, second.group} <= groups
        assert "order" in await _groups(client, stream)
        await second.stop()
        assert await _groups(client, stream) == {"order", alive.group}
        await alive.stop()
        assert await _groups(client, stream) == {"order"}
        leases = [key async for key in client.scan_iter(match=f"{store_prefix}ws-hub:*")]
        assert leases == []
    finally:
        await client.aclose()
        await close_bus(bus, prefix)
