"""The in-process transport's batches: ``add_each`` is ``add`` on each entry, in one pass.

``add_each`` (the outbox's transaction of events, ``publish_many``) appends without a
coroutine per entry and wakes each stream's readers once; the oldest entry after a trim is the
one after the last trimmed. The entries, their ids, the trims and what readers see must be
what ``add`` one after the other made. An event published with its JSON (the outbox's row holds
it) keeps that text: the entry is not encoded a second time once acked.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cryptotrader.bus import InProcessBus, topics
from cryptotrader.bus.codec import DATA_FIELD, MessageFields, decode
from cryptotrader.bus.memory import InMemoryTransport
from cryptotrader.bus.messages import AlertRaised
from cryptotrader.outbox import encode_each

STREAMS = ("a", "b", "c")


async def snapshot(transport: InMemoryTransport) -> list[object]:
    """Everything a reader can see of each stream."""
    seen: list[object] = []
    for stream in STREAMS:
        seen.append(await transport.entries(stream, 1000))
        seen.append(await transport.entries_after(stream, "0-0", 1000))
        seen.append(await transport.trimmed_through(stream))
    return seen


@settings(max_examples=150, deadline=None)
@given(
    maxlen=st.integers(min_value=1, max_value=6),
    batches=st.lists(
        st.lists(st.tuples(st.sampled_from(STREAMS), st.integers(0, 99)), max_size=8),
        max_size=12,
    ),
)
def test_add_each_makes_what_add_one_after_the_other_made(
    maxlen: int, batches: list[list[tuple[str, int]]]
) -> None:
    async def run() -> None:
        one, each = InMemoryTransport(maxlen=maxlen), InMemoryTransport(maxlen=maxlen)
        for stream in STREAMS:  # a group from the start: what it reads must match too
            await one.ensure_group(stream, "g", from_start=True)
            await each.ensure_group(stream, "g", from_start=True)
        for batch in batches:
            entries = [(stream, {"n": str(n)}) for stream, n in batch]
            ids = [await one.add(stream, fields) for stream, fields in entries]
            assert await each.add_each(entries) == ids
            assert await snapshot(each) == await snapshot(one)
        for stream in STREAMS:
            read_one = await one.read_new(stream, "g", "c", 1000, 0)
            read_each = await each.read_new(stream, "g", "c", 1000, 0)
            assert [(e.entry_id, e.fields) for e in read_each] == [
                (e.entry_id, e.fields) for e in read_one
            ]
            late_one, late_each = f"late{stream}", f"late{stream}"
            await one.ensure_group(stream, late_one, from_start=True)
            await each.ensure_group(stream, late_each, from_start=True)
            first_one = await one.read_new(stream, late_one, "c", 1, 0)
            first_each = await each.read_new(stream, late_each, "c", 1, 0)
            assert [e.entry_id for e in first_each] == [e.entry_id for e in first_one]

    asyncio.run(run())


@pytest.mark.asyncio
async def test_waiting_readers_are_woken_by_a_batch() -> None:
    transport = InMemoryTransport()
    for stream, group in (("a", "g"), ("a", "h"), ("b", "h")):
        await transport.ensure_group(stream, group)
    reader = asyncio.create_task(transport.read_new("a", "g", "c", 10, 60_000))
    both = asyncio.create_task(transport.read_new_many(["a", "b"], "h", "c", 10, 60_000))
    await asyncio.sleep(0.01)  # both wait now

    await transport.add_each([("b", {"n": "1"}), ("a", {"n": "2"}), ("a", {"n": "3"})])
    read = await asyncio.wait_for(reader, 5)
    read_both = await asyncio.wait_for(both, 5)

    assert [e.fields for e in read] == [{"n": "2"}, {"n": "3"}]
    assert [(stream, e.fields) for stream, e in read_both] == [
        ("a", {"n": "2"}),
        ("a", {"n": "3"}),
        ("b", {"n": "1"}),
    ]


@pytest.mark.asyncio
async def test_an_event_published_with_its_text_is_not_encoded_again() -> None:
    bus = InProcessBus(live=0)  # every acked entry encoded at once
    alert = AlertRaised(
        timestamp=datetime(2026, 12, 5, tzinfo=UTC), kind="k", text="t", details={"a": "b"}
    )
    events = [(topics.ALERTS, alert)]
    _, texts = encode_each(events)
    try:
        await bus.publish_each(events, texts)
        bus.transport.settle()  # type: ignore[attr-defined]
        (entry,) = await bus.transport.entries(bus.stream(topics.ALERTS), 10)
    finally:
        await bus.close()

    assert entry[1][DATA_FIELD] is texts[0]  # the outbox's text itself: no second encoding
    assert decode(topics.ALERTS, entry[1]) == alert


def test_message_fields_with_a_text_read_it_and_without_encode_it() -> None:
    alert = AlertRaised(timestamp=datetime(2026, 12, 5, tzinfo=UTC), kind="k", text="t")
    text = alert.model_dump_json()

    assert MessageFields(alert, text)[DATA_FIELD] is text
    assert MessageFields(alert)[DATA_FIELD] == text
    assert MessageFields(alert, text).encoded() == MessageFields(alert).encoded()
