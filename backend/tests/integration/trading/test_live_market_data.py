"""Live market data: real ccxt (the Binance venue) polling a local Binance-shaped server.

Only closed candles are published, never the one still forming; each run says which candle it
follows and carries the forming candle's open as the price after its close; every published
candle is in the candle store first.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from cryptotrader.clock import TestClock
from cryptotrader.domain.market import CandleArrays
from cryptotrader.engines.workers.market_data import LiveFeed
from cryptotrader.exchanges.ccxt.venue import CcxtVenue
from tests.support.binance_server import BinanceServer
from tests.support.feeds import FORMING, H1, binance_rest, running_feed

pytestmark = pytest.mark.asyncio(loop_scope="function")


@pytest.fixture
def server(hours: CandleArrays) -> Iterator[BinanceServer]:
    with binance_rest({"BTC/USDT": hours}) as binance:
        yield binance


@pytest.mark.shared_data
async def test_live_feed_when_candles_close_publishes_each_once_with_the_next_open(
    server: BinanceServer, hours: CandleArrays, tmp_path: Path
) -> None:
    def polled(venue: CcxtVenue, clock: TestClock) -> LiveFeed:
        return LiveFeed(venue=venue, clock=clock, poll_interval_s=0.05, history=100)

    async with running_feed(server, tmp_path, polled) as feed:
        runs, clock, got = feed.runs, feed.clock, feed.published
        await asyncio.wait_for(got.wait(), 60)
        first = runs[0]
        assert first.candles.open_times == [int(hours.timestamps[FORMING - 1])]  # last closed
        assert first.next_open == float(hours.open[FORMING])  # the forming candle's open
        assert first.previous_open_ms == int(hours.timestamps[FORMING - 2])
        assert feed.origins == [first.history_from_ms]
        # One hour later the forming candle has closed: it is published next, chained.
        got.clear()
        server.now_ms = clock.timestamp_ms() + 3_600_000
        clock.set(server.now_ms)
        await asyncio.wait_for(got.wait(), 60)
        second = runs[1]
        assert second.candles.open_times == [int(hours.timestamps[FORMING])]
        assert second.previous_open_ms == first.candles.open_times[-1]
        assert second.next_open == float(hours.open[FORMING + 1])
        await asyncio.sleep(0.2)
        assert len(runs) == 2  # polling again publishes nothing new
        stored = await feed.store.read_arrays(
            exchange="binance", pair=feed.series.pair, timeframe=H1
        )
    assert int(stored.timestamps[-1]) == int(hours.timestamps[FORMING])  # never the forming one
    assert len(stored) == 100
