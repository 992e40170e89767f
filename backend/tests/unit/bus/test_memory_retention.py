"""The in-process bus keeps the entries every group has acked encoded, not as live objects.

The retention held as messages was a heap the garbage collector walked (issue 15, collections of
4-115 ms at 50 pairs); encoded entries are strings it does not track. A late reader (``history``,
a group created from the start) must still get messages equal to those published, and an entry
still in flight must stay the very object its consumers got.
"""

from __future__ import annotations

import asyncio
import gc
from datetime import UTC, datetime

import pytest

from cryptotrader.bus import InProcessBus, topics
from cryptotrader.bus.codec import MessageFields, decode
from cryptotrader.bus.memory import InMemoryTransport
from cryptotrader.bus.messages import AlertRaised, BusMessage

pytestmark = pytest.mark.asyncio

STREAM = "alerts"


def alert(number: int) -> AlertRaised:
    return AlertRaised(
        timestamp=datetime(2026, 12, 5, 10, number % 60, tzinfo=UTC),
        kind="test",
        text=f"alert {number}",
        details={"n": str(number), "nested": "x" * number},
    )


def alive(kind: type) -> int:
    """How many objects of ``kind`` the collector tracks."""
    return sum(1 for found in gc.get_objects() if type(found) is kind)


async def consume(transport: InMemoryTransport, group: str, count: int) -> list[BusMessage]:
    """Read ``count`` new entries as ``group`` and ack them; their messages."""
    entries = await transport.read_new(STREAM, group, "c", count, 0)
    await transport.ack(STREAM, group, [entry.entry_id for entry in entries])
    return [decode(topics.ALERTS, entry.fields or {}) for entry in entries]


async def test_acked_entries_once_settled_are_not_tracked_by_the_collector() -> None:
    transport = InMemoryTransport(live=10_000, idle_s=3600)
    await transport.ensure_group(STREAM, "g")
    for number in range(200):
        await transport.add(STREAM, MessageFields(alert(number)))
    await consume(transport, "g", 200)
    gc.collect()
    before = alive(AlertRaised)

    transport.settle()
    gc.collect()

    assert before - alive(AlertRaised) == 200  # no published alert is retained any more
    stored = transport._streams[STREAM].entries
    assert len(stored) == 200
    assert not any(gc.is_tracked(fields) for fields in stored.values())
    await transport.close()


async def test_history_and_a_late_group_get_messages_equal_to_those_published() -> None:
    bus = InProcessBus()
    transport = bus.transport
    assert isinstance(transport, InMemoryTransport)
    await transport.ensure_group(bus.stream(topics.ALERTS), "g")
    published = [alert(number) for number in range(30)]
    for message in published:
        await bus.publish(topics.ALERTS, message)
    entries = await transport.read_new(STREAM, "g", "c", 30, 0)
    assert [decode(topics.ALERTS, e.fields or {}) for e in entries] == published
    await transport.ack(STREAM, "g", [entry.entry_id for entry in entries])
    transport.settle()
    assert not any(gc.is_tracked(f) for f in transport._streams[STREAM].entries.values())

    page = await bus.history(topics.ALERTS, after="0-0", count=100)
    await transport.ensure_group(STREAM, "late", from_start=True)
    late = await transport.read_new(STREAM, "late", "c", 100, 0)

    assert [message for _, message in page.messages] == published
    assert [decode(topics.ALERTS, entry.fields or {}) for entry in late] == published
    assert [entry.entry_id for entry in late] == [entry.entry_id for entry in entries]
    await bus.close()


async def test_an_entry_a_group_has_not_acked_stays_the_published_object() -> None:
    transport = InMemoryTransport(live=0, idle_s=3600)
    await transport.ensure_group(STREAM, "fast")
    await transport.ensure_group(STREAM, "slow")
    message = alert(1)
    await transport.add(STREAM, MessageFields(message))
    await consume(transport, "fast", 10)
    read = await transport.read_new(STREAM, "slow", "c", 10, 0)  # delivered, not acked

    transport.settle()
    await transport.add(STREAM, MessageFields(alert(2)))  # live=0: add settles what it may

    again = await transport.read_pending(STREAM, "slow", "c", 10)
    assert isinstance(again[0].fields, MessageFields)
    assert again[0].fields.message is message
    await transport.ack(STREAM, "slow", [read[0].entry_id])
    transport.settle()
    assert not isinstance(transport._streams[STREAM].entries[1], MessageFields)
    await transport.close()


async def test_add_keeps_only_the_newest_live_acked_entries_as_objects() -> None:
    transport = InMemoryTransport(live=5, idle_s=3600)
    await transport.ensure_group(STREAM, "g")
    for number in range(20):
        await transport.add(STREAM, MessageFields(alert(number)))
        await consume(transport, "g", 1)

    stored = transport._streams[STREAM].entries
    objects = [seq for seq, fields in stored.items() if isinstance(fields, MessageFields)]
    assert objects == list(range(16, 21))  # the newest 5 (entry ids start at 1)
    await transport.close()


async def test_a_pause_without_entries_encodes_every_acked_entry() -> None:
    transport = InMemoryTransport(live=10_000, idle_s=0.01)
    await transport.ensure_group(STREAM, "g")
    published = [alert(number) for number in range(3)]
    for message in published:
        await transport.add(STREAM, MessageFields(message))
    await consume(transport, "g", 3)
    stored = transport._streams[STREAM].entries

    deadline = asyncio.get_running_loop().time() + 10
    while any(isinstance(f, MessageFields) for f in stored.values()):
        assert asyncio.get_running_loop().time() < deadline, "never encoded when idle"
        await asyncio.sleep(0.01)
    assert [decode(topics.ALERTS, f) for f in stored.values()] == published
    await transport.close()


async def test_with_live_none_acked_entries_stay_objects_until_settled() -> None:
    transport = InMemoryTransport(live=None, idle_s=0.0)
    await transport.ensure_group(STREAM, "g")
    for number in range(5):
        await transport.add(STREAM, MessageFields(alert(number)))
        await consume(transport, "g", 1)
    await asyncio.sleep(0.05)  # an idle moment passes: nothing is encoded

    stored = transport._streams[STREAM].entries
    assert all(isinstance(fields, MessageFields) for fields in stored.values())
    transport.settle()
    assert not any(isinstance(fields, MessageFields) for fields in stored.values())
    await transport.close()
