"""A consumer group that vanishes (Redis restarted empty, the group dropped) is created again.

Before, a consumer whose stream and group were gone logged ``NOGROUP`` once a second forever
and never consumed again. The restart is real: a private ``redis-server`` without persistence,
killed with SIGKILL and started empty on the same port while a consumer blocks on it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from cryptotrader.bus import Delivery, RedisBus, StreamBus, topics
from cryptotrader.bus.messages import AlertRaised, ControlBot
from cryptotrader.clock import TestClock
from tests.integration.bus.test_bus_delivery import command, recorder
from tests.integration.conftest import FAST
from tests.support.faults import private_redis


async def until(condition: Callable[[], bool], within: float = 60.0) -> None:
    async with asyncio.timeout(within):
        while not condition():  # noqa: ASYNC110 - polling state that handlers change
            await asyncio.sleep(0.01)


def names(seen: list[Delivery]) -> list[str]:
    return [d.message.requested_by for d in seen if isinstance(d.message, ControlBot)]


@pytest.mark.asyncio
async def test_consumer_when_redis_restarts_empty_recreates_its_group_and_gets_every_new_message(
    tmp_path: Path, clock: TestClock
) -> None:
    with private_redis(tmp_path / "redis") as redis:
        consumer = await RedisBus.connect(redis.url, clock=clock, options=FAST)
        publisher = await RedisBus.connect(redis.url, clock=clock, options=FAST)
        try:
            seen: list[Delivery] = []
            await consumer.subscribe(
                topics.COMMANDS, group="portfolio", consumer="c1", handler=recorder(seen)
            )
            for n in range(3):
                await publisher.publish(topics.COMMANDS, command(n))
            await until(lambda: len(seen) == 3)

            await asyncio.to_thread(redis.restart_empty)  # the consumer is blocked in XREADGROUP
            restarted = time.monotonic()
            # Published at once: the stream exists again before the consumer recreates its group.
            for n in range(3, 6):
                await publisher.publish(topics.COMMANDS, command(n))
            await until(lambda: len(seen) == 6)
            recovered_s = time.monotonic() - restarted

            await publisher.publish(topics.COMMANDS, command(6))
            await until(lambda: len(seen) == 7)
            await asyncio.sleep(0.3)  # nothing else comes
            assert names(seen) == [f"user-{n}" for n in range(7)]
            assert await consumer.groups(topics.COMMANDS) == ["portfolio"]
            print(f"consumer recovered {recovered_s:.2f} s after the restart")  # noqa: T201
        finally:
            await publisher.close()
            await consumer.close()


@pytest.mark.asyncio
async def test_bus_when_a_group_is_dropped_while_consuming_the_consumer_goes_on(
    bus: StreamBus,
) -> None:
    seen: list[Delivery] = []
    await bus.subscribe(topics.COMMANDS, group="g", consumer="c", handler=recorder(seen))
    await bus.publish(topics.COMMANDS, command(0))
    await until(lambda: len(seen) == 1)

    await bus.drop_group(topics.COMMANDS, "g")
    await bus.publish(topics.COMMANDS, command(1))

    # Created again before the first retained entry: at least once, never missed.
    await until(lambda: "user-1" in names(seen))
    assert set(names(seen)) == {"user-0", "user-1"}
    assert await bus.groups(topics.COMMANDS) == ["g"]


@pytest.mark.asyncio
async def test_bus_subscribe_from_start_when_messages_came_before_the_group_reads_them(
    bus: StreamBus,
) -> None:
    await bus.publish(topics.COMMANDS, command(0))  # no group yet: nobody would read it
    await bus.publish(topics.COMMANDS, command(1))
    early: list[Delivery] = []
    late: list[Delivery] = []
    await bus.subscribe(
        topics.COMMANDS, group="engine", consumer="c", handler=recorder(early), from_start=True
    )
    await bus.subscribe(topics.COMMANDS, group="hub", consumer="c", handler=recorder(late))
    await bus.publish(topics.COMMANDS, command(2))

    await until(lambda: len(early) == 3 and len(late) == 1)
    assert names(early) == ["user-0", "user-1", "user-2"]
    assert names(late) == ["user-2"]


@pytest.mark.asyncio
async def test_consumer_behind_more_than_the_outbox_resends_when_redis_restarts_empty_says_so(
    tmp_path: Path, clock: TestClock
) -> None:
    """The outbox sends again only its last ``resent_s`` (5 min; 1 s here) after an empty
    restart: a consumer further behind when its group vanished lost what it had not read before
    that, and says it loudly (a critical ``events_lost`` alert, and a log line); one that had
    read everything published says nothing, however long it was idle and Redis away."""
    options = replace(FAST, batch_size=2, resent_s=1.0)
    with private_redis(tmp_path / "redis") as redis:
        consumer = await RedisBus.connect(redis.url, clock=clock, options=options)
        publisher = await RedisBus.connect(redis.url, clock=clock, options=FAST)
        watcher = await RedisBus.connect(redis.url, clock=clock, options=FAST)
        try:
            gate = asyncio.Event()
            slow_seen: list[Delivery] = []
            idle_seen: list[Delivery] = []

            async def slow(delivery: Delivery) -> None:
                slow_seen.append(delivery)
                await gate.wait()

            await consumer.subscribe(topics.COMMANDS, group="behind", consumer="c", handler=slow)
            idle = await consumer.subscribe(
                topics.COMMANDS, group="idle", consumer="c", handler=recorder(idle_seen)
            )
            for n in range(6):
                await publisher.publish(topics.COMMANDS, command(n))
            await until(lambda: len(slow_seen) == 1 and len(idle_seen) == 6)
            await asyncio.sleep(1.5)  # "behind" has read 2 of 6, "idle" everything: 1.5 s ago

            await asyncio.to_thread(redis.kill)
            await asyncio.sleep(1.5)  # down longer than resent_s: "idle" lost nothing all the same
            await asyncio.to_thread(redis.start)  # empty
            alerts: list[Delivery] = []
            await watcher.subscribe(
                topics.ALERTS, group="w", consumer="w", handler=recorder(alerts), from_start=True
            )
            gate.set()  # "behind" finishes its batch and finds its group gone
            await until(lambda: len(alerts) == 1 and idle.loop.groups_recreated == 1)
            await asyncio.sleep(0.3)  # nothing else comes
            (alert,) = [d.message for d in alerts]
            assert isinstance(alert, AlertRaised)
            assert (alert.kind, alert.severity) == ("events_lost", "critical")
            assert alert.details["topic"] == topics.COMMANDS
            assert alert.details["group"] == "behind"
            assert float(alert.details["behind_s"]) >= 1.0
        finally:
            await watcher.close()
            await publisher.close()
            await consumer.close()
