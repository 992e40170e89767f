"""The WebSocket hub's Redis consumer groups: deleted at stop, and after a crash by the next hub."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path

import pytest
from redis.asyncio import Redis

from cryptotrader.api.metrics import ApiMetrics
from cryptotrader.api.ws.frames import WS_TOPICS
from cryptotrader.api.ws.hub import Client, Hub
from cryptotrader.bus import topics
from cryptotrader.bus.redis_streams import RedisBus
from cryptotrader.bus.stream_bus import StreamBus
from cryptotrader.clock import TestClock
from cryptotrader.outbox import Outbox
from cryptotrader.persistence import Database, UnitOfWork
from cryptotrader.services.ephemeral import RedisStore
from cryptotrader.services.latest_events import LatestEvents
from tests.integration.bus.test_bus_group_lost import until
from tests.integration.bus.test_outbox_redis_lost import STEPS, alert
from tests.integration.conftest import FAST, REDIS_URL, close_bus, open_bus
from tests.support.faults import private_redis


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


def _frames(client: Client) -> list[str]:
    """The ``message_id`` of every frame queued for ``client`` (taken off its queue)."""
    found = []
    while not client.queue.empty():
        found.append(json.loads(client.queue.get_nowait())["data"]["message_id"])
    return found


@pytest.mark.asyncio
@pytest.mark.timeout(300)
async def test_hub_when_redis_restarts_empty_forwards_what_the_outbox_sends_again(
    database: Database, tmp_path: Path
) -> None:
    """A private Redis killed and started empty under a hub: its groups are gone with the
    streams; the outbox sends again what it sent in the last minutes, often before the hub's
    next read, so the hub's groups are created again before the stream's first entry (as every
    consumer's: ``bus/consumer.py``) and its clients get each event again with its
    ``message_id`` (the app drops what it has seen). A group created again at the stream's
    end forwarded none of them."""
    with private_redis(tmp_path / "redis") as redis:
        bus = await RedisBus.connect(redis.url, options=FAST)
        hub_bus = await RedisBus.connect(redis.url, options=FAST)
        store = RedisStore(Redis.from_url(redis.url, decode_responses=True))
        hub = Hub(
            bus=hub_bus, latest=LatestEvents(), metrics=ApiMetrics(), queue_size=64, store=store
        )
        await hub.start()
        client = hub.connect()
        client.topics.add("alerts")
        outbox = Outbox(database, bus)
        assert await outbox.check_epoch() == 0  # the epoch recorded: nothing lost yet
        stop = asyncio.Event()
        relay = asyncio.create_task(outbox.run(stop))
        sent = [f"alert-{step}" for step in range(STEPS)]
        try:
            for step in range(STEPS):
                async with UnitOfWork(database) as uow:
                    await outbox.add(uow.session, [(topics.ALERTS, alert(step))])
                    await uow.commit()
            await until(lambda: client.queue.qsize() == STEPS)
            assert _frames(client) == sent

            await asyncio.to_thread(redis.restart_empty)  # every stream and group gone
            await until(lambda: outbox.published == 2 * STEPS)  # sent again: a new epoch
            await until(lambda: client.queue.qsize() == STEPS)
            assert _frames(client) == sent  # each once more, in order
        finally:
            stop.set()
            await relay
            await hub.stop()
            await hub_bus.close()
            await bus.close()
