"""The test and market clocks: the time they give, made once per move."""

from __future__ import annotations

from datetime import UTC, datetime

from cryptotrader.clock import MarketClock, TestClock


def test_now_is_the_clock_time_and_made_once_while_the_clock_stands() -> None:
    clock = TestClock(1_700_000_000_123)
    first = clock.now()

    assert first == datetime.fromtimestamp(1_700_000_000.123, tz=UTC)
    assert clock.now() is first  # not built again: a replay asks ~20,000 times a candle time

    clock.advance(60_000)
    assert clock.now() == datetime.fromtimestamp(1_700_000_060.123, tz=UTC)
    assert clock.now() is not first
    assert clock.now().tzinfo is UTC


def test_a_market_clock_moves_its_now_with_what_it_observes() -> None:
    clock = MarketClock()
    assert clock.now() == datetime.fromtimestamp(0, tz=UTC)

    clock.observe(3_600_000)
    seen = clock.now()
    clock.observe(60_000)  # earlier: the clock stays

    assert seen == datetime(1970, 1, 1, 1, tzinfo=UTC)
    assert clock.now() is seen
