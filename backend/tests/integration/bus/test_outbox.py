"""The transactional outbox: events written with their change, sent after it, never lost.

Real SQLite and PostgreSQL, the in-process bus and Redis; the crash is a ``kill -9`` of a
process (``tests.support.outbox_crash``) that committed its changes with their events.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from cryptotrader.bus import Delivery, RedisBus, StreamBus, topics
from cryptotrader.bus.messages import AlertRaised
from cryptotrader.clock import TestClock
from cryptotrader.outbox import Outbox, prune_inbox
from cryptotrader.persistence import Database, UnitOfWork, deferred
from cryptotrader.persistence.repositories import checkpoints, inbox
from cryptotrader.persistence.repositories import outbox as rows
from cryptotrader.persistence.tables import ProcessedMessageRow
from tests.integration.bus.test_bus_delivery import eventually
from tests.integration.conftest import FAST, REDIS_URL, close_bus, open_bus, require_redis
from tests.support.outbox_crash import STEPS, T0, events

BACKEND = Path(__file__).parents[3]


def alert(text: str) -> AlertRaised:
    return AlertRaised(timestamp=T0, kind="trade_closed", severity="info", text=text)


async def outbox_rows(database: Database) -> int:
    async with UnitOfWork(database, read_only=True) as uow:
        return await rows.count(session=uow.session)


async def sent(bus: StreamBus, topic: str) -> list[str]:
    page = await bus.history(topic, after="0-0", count=1000)
    return [message.message_id for _, message in page.messages]


@pytest.mark.asyncio
async def test_outbox_when_committed_sends_in_order_then_deletes(
    database: Database, bus: StreamBus
) -> None:
    outbox = Outbox(database, bus)
    first, second, third = alert("1"), alert("2"), alert("3")
    async with UnitOfWork(database) as uow:
        await checkpoints.save_checkpoint(
            session=uow.session, engine="t", key="k", value={"n": 1}, at=T0
        )
        await outbox.add(uow.session, [(topics.ALERTS, first), (topics.ALERTS, second)])
        await outbox.add(uow.session, [(topics.ALERTS, third)])
        assert await rows.count(session=uow.session) == 2  # written with the change
        await uow.commit()
        assert await sent(bus, topics.ALERTS) == []  # committed, sent when the block ends
    assert await sent(bus, topics.ALERTS) == [first.message_id, second.message_id, third.message_id]
    await outbox.close()
    assert await outbox_rows(database) == 0
    assert outbox.published == 3


@pytest.mark.asyncio
async def test_outbox_in_a_deferred_transaction_writes_one_row_for_all_its_events(
    database: Database, bus: StreamBus
) -> None:
    outbox = Outbox(database, bus)
    first, second, third = alert("1"), alert("2"), alert("3")
    async with UnitOfWork(database) as uow, deferred.defer(uow.session):
        await outbox.add(uow.session, [(topics.ALERTS, first), (topics.ALERTS, second)])
        await outbox.add(uow.session, [(topics.ALERTS, third)])
        assert await rows.count(session=uow.session) == 0  # gathered until the flush
        await deferred.flush(uow.session)
        assert await rows.count(session=uow.session) == 1  # one insert for the transaction
        await uow.commit()
    assert await sent(bus, topics.ALERTS) == [first.message_id, second.message_id, third.message_id]

    async def failing_change() -> None:
        async with UnitOfWork(database) as uow, deferred.defer(uow.session):
            await outbox.add(uow.session, [(topics.ALERTS, alert("never"))])
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        await failing_change()
    await outbox.close()
    assert await outbox_rows(database) == 0
    assert outbox.published == 3


@pytest.mark.asyncio
async def test_outbox_sends_a_transactions_events_on_several_channels_in_one_call(
    database: Database, bus: StreamBus, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One transport call (one round trip on Redis) for all the rows of a flush, channels mixed:
    an order engine's transaction holds orders, alerts and positions events."""
    calls: list[int] = []  # entries per outermost call (the in-process one adds one by one)
    inside: list[bool] = []
    transport = bus.transport
    add, add_many, add_each = transport.add, transport.add_many, transport.add_each

    async def one(stream: str, fields: Any) -> str:
        if not inside:
            calls.append(1)
        return await add(stream, fields)

    async def many(stream: str, entries: Any) -> list[str]:
        calls.append(len(entries))
        inside.append(True)
        try:
            return await add_many(stream, entries)
        finally:
            inside.pop()

    async def each(entries: Any) -> list[str]:
        calls.append(len(entries))
        inside.append(True)
        try:
            return await add_each(entries)
        finally:
            inside.pop()

    monkeypatch.setattr(transport, "add", one)
    monkeypatch.setattr(transport, "add_many", many)
    monkeypatch.setattr(transport, "add_each", each)
    outbox = Outbox(database, bus)
    (first, moved), (third, _) = events(1), events(2)
    async with UnitOfWork(database) as uow:
        await outbox.add(uow.session, [first, moved])
        await outbox.add(uow.session, [third])
        await uow.commit()
    assert calls == [3]
    assert await sent(bus, topics.ALERTS) == [first[1].message_id, third[1].message_id]
    assert await sent(bus, topics.REBALANCE) == [moved[1].message_id]
    await outbox.close()


@pytest.mark.asyncio
async def test_outbox_when_rolled_back_drops_the_events_with_the_change(
    database: Database, bus: StreamBus
) -> None:
    outbox = Outbox(database, bus)

    async def failing_change() -> None:
        async with UnitOfWork(database) as uow:
            await outbox.add(uow.session, [(topics.ALERTS, alert("never"))])
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        await failing_change()
    async with UnitOfWork(database) as uow:
        await outbox.add(uow.session, [(topics.ALERTS, alert("not committed"))])
    await outbox.close()
    assert await outbox_rows(database) == 0
    assert await sent(bus, topics.ALERTS) == []


@pytest.mark.asyncio
async def test_outbox_when_held_sends_what_a_crash_left_first_then_its_own_in_order(
    database: Database, bus: StreamBus
) -> None:
    dead = Outbox(database, bus)
    dead.hold()  # a process that committed and died before sending
    left = [alert(f"left {i}") for i in range(3)]
    async with UnitOfWork(database) as uow:
        await dead.add(uow.session, [(topics.ALERTS, m) for m in left])
        await uow.commit()
    restarted = Outbox(database, bus)
    restarted.hold()
    own = alert("own")
    async with UnitOfWork(database) as uow:  # the new process writes before it has recovered
        await restarted.add(uow.session, [(topics.ALERTS, own)])
        await uow.commit()
    assert await sent(bus, topics.ALERTS) == []
    assert await restarted.recover() == 3
    assert await sent(bus, topics.ALERTS) == [*(m.message_id for m in left), own.message_id]
    await restarted.close()
    assert await outbox_rows(database) == 0


@pytest.mark.asyncio
async def test_outbox_when_two_relays_recover_at_once_sends_each_row_once(
    database: Database, bus: StreamBus
) -> None:
    dead = Outbox(database, bus)
    dead.hold()
    left = [alert(f"left {i}") for i in range(1200)]
    for first in range(0, len(left), 4):  # 300 rows: more than a page
        async with UnitOfWork(database) as uow:
            await dead.add(uow.session, [(topics.ALERTS, m) for m in left[first : first + 4]])
            await uow.commit()
    other = Database(database.url.render_as_string(hide_password=False), schema=database.schema)
    try:
        one, two = Outbox(database, bus), Outbox(other, bus)
        await asyncio.gather(one.recover(), two.recover())
    finally:
        await other.dispose()
    assert one.published + two.published == len(left)
    page = await bus.history(topics.ALERTS, after="0-0", count=5000)
    assert [m.message_id for _, m in page.messages] == [m.message_id for m in left]
    assert await outbox_rows(database) == 0


@pytest.mark.asyncio
async def test_outbox_when_abandoned_rows_age_the_sweep_sends_them(
    database: Database, bus: StreamBus
) -> None:
    clock = TestClock(1_770_820_200_000)
    dead = Outbox(database, bus, clock=clock)
    dead.hold()
    old = alert("old")
    async with UnitOfWork(database) as uow:
        await dead.add(uow.session, [(topics.ALERTS, old)])
        await uow.commit()
    live = Outbox(database, bus, clock=clock)
    assert await live.recover(older_than=timedelta(seconds=10)) == 0  # maybe still being sent
    clock.advance(11_000)
    assert await live.recover(older_than=timedelta(seconds=10)) == 1
    assert await sent(bus, topics.ALERTS) == [old.message_id]


@pytest.mark.asyncio
async def test_prune_inbox_when_run_forgets_old_claims_and_keeps_recent_ones(
    database: Database,
) -> None:
    now = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)
    async with UnitOfWork(database) as uow:
        for message_id, age in (("old", timedelta(days=8)), ("recent", timedelta(days=6))):
            await inbox.claim_message(
                session=uow.session, consumer="notifier", message_id=message_id, at=now - age
            )
        await uow.commit()
    clock = TestClock(int(now.timestamp() * 1000))
    assert await prune_inbox(database, clock=clock, horizon=timedelta(days=7)) == 1
    async with UnitOfWork(database, read_only=True) as uow:
        kept = (await uow.session.execute(select(ProcessedMessageRow.message_id))).scalars()
        assert list(kept) == ["recent"]


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", ["committed", "published"])
async def test_outbox_when_killed_after_commit_delivers_after_restart_exactly_once(
    database: Database, mode: str
) -> None:
    require_redis()
    bus, prefix = await open_bus("redis", TestClock(0), FAST)
    assert prefix is not None
    applied: dict[str, list[str]] = {topics.ALERTS: [], topics.REBALANCE: []}
    deliveries = 0

    async def idempotent(delivery: Delivery) -> None:  # claim, apply, commit: every consumer
        nonlocal deliveries
        message_id = delivery.message.message_id
        async with UnitOfWork(database) as uow:
            fresh = await inbox.claim_message(
                session=uow.session, consumer=delivery.group, message_id=message_id, at=T0
            )
            await uow.commit()
        if fresh:
            applied[delivery.topic].append(message_id)
        deliveries += 1

    try:
        for topic in applied:
            await bus.subscribe(topic, group="app", consumer="app-1", handler=idempotent)
        url = database.url.render_as_string(hide_password=False)
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.support.outbox_crash", url, database.schema or "",
            REDIS_URL, prefix, mode, stdout=asyncio.subprocess.PIPE, cwd=BACKEND,
        )  # fmt: skip
        assert process.stdout is not None
        assert await asyncio.wait_for(process.stdout.readline(), 60) == b"ready\n"
        process.send_signal(signal.SIGKILL)
        assert await asyncio.wait_for(process.wait(), 60) == -signal.SIGKILL

        async with UnitOfWork(database, read_only=True) as uow:  # the changes were committed
            for step in range(STEPS):
                saved = await checkpoints.load_checkpoint(
                    session=uow.session, engine="outbox-test", key=str(step)
                )
                assert saved == {"step": step}
        assert await outbox_rows(database) == STEPS  # and their events with them
        expected = {
            topic: [m.message_id for step in range(STEPS) for t, m in events(step) if t == topic]
            for topic in applied
        }
        if mode == "committed":
            assert await sent(bus, topics.ALERTS) == []
        else:
            await eventually(lambda: applied == expected)

        restarted_bus = await RedisBus.connect(REDIS_URL, prefix=prefix)
        try:
            restarted = Outbox(database, restarted_bus)
            restarted.hold()
            assert await restarted.recover() == 2 * STEPS
            await eventually(lambda: deliveries == (4 if mode == "published" else 2) * STEPS)
        finally:
            await restarted_bus.close()
        assert applied == expected  # each once, in order per topic
        assert await outbox_rows(database) == 0
    finally:
        await close_bus(bus, prefix)
