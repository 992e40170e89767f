"""``history``: a reader that went away catches up from the last entry id it saw, on both buses,
and learns when entries it never saw were already trimmed away."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis

from cryptotrader.bus import InProcessBus, StreamBus, topics
from cryptotrader.bus.messages import AlertRaised
from cryptotrader.clock import TestClock
from tests.integration.conftest import REDIS_URL


def alert(clock: TestClock, number: int) -> AlertRaised:
    return AlertRaised(timestamp=clock.now(), kind="test", text=f"alert {number}")


@pytest.mark.asyncio
async def test_bus_history_returns_the_messages_after_a_cursor_in_order_in_pages(
    bus: StreamBus, clock: TestClock
) -> None:
    ids = [await bus.publish(topics.ALERTS, alert(clock, n)) for n in range(5)]
    everything = await bus.history(topics.ALERTS, after="0-0", count=100)
    assert [entry_id for entry_id, _ in everything.messages] == ids
    assert not everything.gap
    first = await bus.history(topics.ALERTS, after=ids[1], count=2)
    assert [m.text for _, m in first.messages] == ["alert 2", "alert 3"]  # type: ignore[attr-defined]
    assert first.last_id == ids[3]
    rest = await bus.history(topics.ALERTS, after=ids[3], count=2)
    assert [m.text for _, m in rest.messages] == ["alert 4"]  # type: ignore[attr-defined]
    done = await bus.history(topics.ALERTS, after=ids[4], count=2)
    assert done.messages == []
    assert done.last_id is None
    assert not done.gap


@pytest.mark.asyncio
async def test_bus_history_when_the_cursor_was_trimmed_reports_a_gap(
    bus: StreamBus, clock: TestClock
) -> None:
    ids = [await bus.publish(topics.ALERTS, alert(clock, n)) for n in range(6)]
    if isinstance(bus, InProcessBus):
        trimmed: StreamBus = InProcessBus(maxlen=3, clock=clock)
        ids = [await trimmed.publish(topics.ALERTS, alert(clock, n)) for n in range(6)]
    else:
        trimmed = bus
        client = Redis.from_url(REDIS_URL)
        try:
            await client.xtrim(bus.stream(topics.ALERTS), maxlen=3, approximate=False)
        finally:
            await client.aclose()
    lost = await trimmed.history(topics.ALERTS, after=ids[0], count=100)
    assert lost.gap
    assert [entry_id for entry_id, _ in lost.messages] == ids[3:]
    kept = await trimmed.history(topics.ALERTS, after=ids[3], count=100)
    assert not kept.gap
    assert [entry_id for entry_id, _ in kept.messages] == ids[4:]
