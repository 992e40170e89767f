"""The in-process transport's reads and acks over several streams (``read_new_many``,
``ack_many``), as the Redis one does them for a worker's partitions."""

from __future__ import annotations

import asyncio

import pytest

from cryptotrader.bus.memory import InMemoryTransport

pytestmark = pytest.mark.asyncio


async def test_one_read_brings_each_stream_s_new_entries_in_order_with_their_stream() -> None:
    transport = InMemoryTransport()
    for stream in ("a", "b", "c"):
        await transport.ensure_group(stream, "g")
    await transport.add("a", {"data": "a1"})
    await transport.add("b", {"data": "b1"})
    await transport.add("a", {"data": "a2"})

    found = await transport.read_new_many(["a", "b", "c"], "g", "w", 10, 0)

    assert [(s, dict(e.fields or {})["data"]) for s, e in found] == [
        ("a", "a1"),
        ("a", "a2"),
        ("b", "b1"),
    ]
    assert await transport.read_new_many(["a", "b", "c"], "g", "w", 10, 0) == []


async def test_count_is_per_stream_and_ack_many_clears_each_stream_s_pending() -> None:
    transport = InMemoryTransport()
    for stream in ("a", "b"):
        await transport.ensure_group(stream, "g")
        for n in range(3):
            await transport.add(stream, {"data": f"{stream}{n}"})

    found = await transport.read_new_many(["a", "b"], "g", "w", 2, 0)
    assert [dict(e.fields or {})["data"] for _, e in found] == ["a0", "a1", "b0", "b1"]

    await transport.ack_many("g", [("a", [e.entry_id for s, e in found if s == "a"])])
    assert [
        dict(e.fields or {})["data"] for e in await transport.read_pending("a", "g", "w", 10)
    ] == []
    assert [
        dict(e.fields or {})["data"] for e in await transport.read_pending("b", "g", "w", 10)
    ] == [
        "b0",
        "b1",
    ]


async def test_a_read_waits_for_an_entry_on_any_stream() -> None:
    transport = InMemoryTransport()
    for stream in ("a", "b"):
        await transport.ensure_group(stream, "g")
    reading = asyncio.create_task(transport.read_new_many(["a", "b"], "g", "w", 10, 10_000))
    await asyncio.sleep(0)
    assert not reading.done()
    await transport.add("b", {"data": "b1"})
    found = await asyncio.wait_for(reading, 5)
    assert [(s, dict(e.fields or {})["data"]) for s, e in found] == [("b", "b1")]
