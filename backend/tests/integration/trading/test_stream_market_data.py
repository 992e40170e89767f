"""Streamed live candles: real ccxt pro on a local Binance kline stream, REST back-fills.

The stream server speaks Binance's WebSocket protocol (``tests/support/binance_stream_server``),
the REST server Binance's ``/api/v3`` (``tests/support/binance_server``); ccxt is pointed at them
by its URLs, nothing of it is patched. The connection is dropped in the middle of a candle: the
candle that closed meanwhile is back-filled from REST with its true values (not the stale update
the stream's cache kept from before the drop), and every closed candle is published once, in
order, each run chained to the one before.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from cryptotrader.clock import TestClock
from cryptotrader.domain.market import CandleArrays
from cryptotrader.engines.workers.market_data import StreamFeed
from cryptotrader.exchanges.ccxt.stream import CcxtCandleStream, stream_offered
from cryptotrader.exchanges.ccxt.venue import CcxtVenue
from tests.support.binance_server import BinanceServer
from tests.support.binance_stream_server import BinanceStreamServer, streaming
from tests.support.feeds import (
    FORMING,
    H1,
    RunningFeed,
    binance_rest,
    partial,
    running_feed,
    until,
    whole,
)

STREAM = "btcusdt@kline_1h"
KLINES = "/api/v3/klines"


@pytest.fixture
def rest(hours: CandleArrays) -> Iterator[BinanceServer]:
    with binance_rest({"BTC/USDT": hours}) as binance:
        yield binance


@pytest.fixture
def ws() -> Iterator[BinanceStreamServer]:
    with streaming() as server:
        yield server


@pytest.mark.asyncio(loop_scope="function")
async def test_binance_streams_its_candles_in_ccxt_pro() -> None:
    assert stream_offered("binance")
    assert not stream_offered("no-such-exchange")


@contextlib.asynccontextmanager
async def stream_feed(
    rest: BinanceServer, ws: BinanceStreamServer, tmp_path: Path
) -> AsyncIterator[RunningFeed]:
    """Real ccxt (REST) and ccxt pro (stream) on the local servers, the feed running."""
    stream = CcxtCandleStream("binance", base_url=rest.base_url, stream_url=ws.url, timeout_s=5)

    def streamed(venue: CcxtVenue, clock: TestClock) -> StreamFeed:
        return StreamFeed(
            venue=venue, stream=stream, clock=clock, poll_interval_s=0.05, history=100, stall_s=60
        )

    try:
        async with running_feed(rest, tmp_path, streamed) as running:
            yield running
    finally:
        await stream.close()


@pytest.mark.shared_data
@pytest.mark.asyncio(loop_scope="function")
async def test_stream_feed_when_the_connection_drops_mid_candle_backfills_once_from_rest(
    rest: BinanceServer, ws: BinanceStreamServer, hours: CandleArrays, tmp_path: Path
) -> None:
    opened = [int(t) for t in hours.timestamps]
    async with stream_feed(rest, ws, tmp_path) as running:
        feed, runs = running.feed, running.runs
        assert isinstance(feed, StreamFeed)
        # Primed from REST: the last closed candle, then the stream is subscribed.
        await until(lambda: len(runs) == 1, "the history")
        assert runs[0].candles.open_times == [opened[FORMING - 1]]
        await until(lambda: ws.subscribers(STREAM) == 1, "the subscription")
        # Candle 300 forms; the connection drops in its middle.
        assert ws.push("BTCUSDT", H1, partial(hours, FORMING), closed=False) == 1
        await asyncio.sleep(0.2)
        assert len(runs) == 1  # nothing has closed
        assert ws.drop() == 1
        # Meanwhile candle 300 closes; the client reconnects and sees candle 301 forming.
        rest.now_ms = opened[FORMING + 1] + 1_000
        await until(lambda: ws.accepted >= 2 and ws.subscribers(STREAM) == 1, "the reconnect")
        await until(
            lambda: len(runs) == 2,
            "candle 300",
            pushing=lambda: ws.push("BTCUSDT", H1, partial(hours, FORMING + 1), closed=False),
        )
        back_filled = runs[1]
        assert back_filled.candles.open_times == [opened[FORMING]]
        assert back_filled.previous_open_ms == opened[FORMING - 1]
        # its true values (REST), not the stale update received before the drop
        assert back_filled.candles.high == [float(hours.high[FORMING])]
        assert back_filled.candles.close == [float(hours.close[FORMING])]
        assert back_filled.next_open == float(hours.open[FORMING + 1])
        assert feed.from_stream == 0
        # Candle 301 was joined in its middle: still from REST when it closes.
        rest.now_ms = opened[FORMING + 2] + 1_000
        ws.push("BTCUSDT", H1, whole(hours, FORMING + 1), closed=True)
        await until(
            lambda: len(runs) == 3,
            "candle 301",
            pushing=lambda: ws.push("BTCUSDT", H1, partial(hours, FORMING + 2), closed=False),
        )
        assert runs[2].candles.open_times == [opened[FORMING + 1]]
        assert feed.from_stream == 0
        # Candle 302 was seen whole on one connection: taken from the stream, no REST call.
        klines_before = len(rest.calls(KLINES))
        rest.now_ms = opened[FORMING + 3] + 1_000
        ws.push("BTCUSDT", H1, whole(hours, FORMING + 2), closed=True)
        await until(
            lambda: len(runs) == 4,
            "candle 302",
            pushing=lambda: ws.push("BTCUSDT", H1, partial(hours, FORMING + 3), closed=False),
        )
        streamed = runs[3]
        assert streamed.candles.open_times == [opened[FORMING + 2]]
        assert streamed.candles.close == [float(hours.close[FORMING + 2])]
        assert streamed.next_open == float(hours.open[FORMING + 3])  # the forming candle's
        assert feed.from_stream == 1
        assert len(rest.calls(KLINES)) == klines_before
        # More updates of the forming candle publish nothing.
        ws.push("BTCUSDT", H1, partial(hours, FORMING + 3), closed=False)
        await asyncio.sleep(0.2)
        assert len(runs) == 4
        stored = await running.store.read_arrays(
            exchange="binance", pair=running.series.pair, timeframe=H1
        )
    published = [t for run in runs for t in run.candles.open_times]
    assert published == opened[FORMING - 1 : FORMING + 3]  # each once, none missed
    assert [r.previous_open_ms for r in runs[1:]] == published[:-1]
    assert int(stored.timestamps[-1]) == opened[FORMING + 2]  # never the forming one
    assert float(stored.close[-3]) == float(hours.close[FORMING])  # REST's, not the stale one
