"""The runtime on live data streams its candles: ``open_runtime`` wires the WebSocket feed.

The configured exchange (Binance, whose kline stream ccxt pro speaks) is pointed at the local
REST and stream servers by ``exchange.base_url`` and ``exchange.stream_url``; the market data,
indicator and decision engines run as ``cryptotrader run`` runs them, and the candles they decide
on arrive over the stream (the first after the connection from REST, as the feed's rule says).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cryptotrader.bootstrap.runtime import open_runtime
from cryptotrader.bus import topics
from cryptotrader.bus.messages import CandlesClosed, DecisionsMade
from cryptotrader.bus.protocol import Delivery
from cryptotrader.config import load_settings
from cryptotrader.domain.market import CandleArrays
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.engines.workers.market_data import StreamFeed
from cryptotrader.marketdata.io import read_ohlcv
from cryptotrader.runtime_inputs import RunOptions
from tests.support.binance_server import BinanceServer
from tests.support.binance_stream_server import BinanceStreamServer, streaming
from tests.support.exchange_server import Listing, running

pytestmark = pytest.mark.asyncio(loop_scope="function")

H1 = Timeframe.H1
NOW = 300
STREAM = "btcusdt@kline_1h"


@pytest.fixture
def hours(shared_data: Path) -> CandleArrays:
    return read_ohlcv(shared_data / "binance_BTC-USDT_1h.csv.gz").arrays.slice(0, 400)


@pytest.fixture
def servers(
    hours: CandleArrays, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[BinanceServer, BinanceStreamServer]]:
    rest = BinanceServer(now_ms=int(hours.timestamps[NOW]) + 1_000)
    rest.list_market(Listing("BTCUSDT", "BTC", "USDT", {H1: hours}))
    with running(rest), streaming() as ws:
        monkeypatch.setenv("CRYPTOTRADER_EXCHANGE__BASE_URL", rest.base_url)
        monkeypatch.setenv("CRYPTOTRADER_EXCHANGE__STREAM_URL", ws.url)
        monkeypatch.setenv("CRYPTOTRADER_EXCHANGE__TIMEOUT_S", "5")
        monkeypatch.setenv("CRYPTOTRADER_RUNTIME__TIMEFRAME", "1h")
        monkeypatch.setenv("CRYPTOTRADER_RUNTIME__POLL_INTERVAL_S", "0.05")
        monkeypatch.setenv("CRYPTOTRADER_RUNTIME__HISTORY_CANDLES", "300")
        yield rest, ws


def kline(
    hours: CandleArrays, i: int, *, whole: bool
) -> tuple[int, float, float, float, float, float]:
    o = float(hours.open[i])
    if not whole:  # an early update: its open, not yet its extremes nor its close
        return (int(hours.timestamps[i]), o, o, o, o, 0.0)
    return (
        int(hours.timestamps[i]),
        o,
        float(hours.high[i]),
        float(hours.low[i]),
        float(hours.close[i]),
        float(hours.volume[i]),
    )


async def until(condition: Callable[[], bool], what: str, push: Callable[[], object]) -> None:
    """Poll (deadline 60 s), updating the forming candle every 0.1 s as Binance does."""
    deadline = time.monotonic() + 60
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        push()
        await asyncio.sleep(0.1)


@pytest.mark.shared_data
async def test_paper_run_on_live_data_decides_on_candles_streamed_from_the_exchange(
    servers: tuple[BinanceServer, BinanceStreamServer], hours: CandleArrays
) -> None:
    rest, ws = servers
    options = RunOptions(engines=("market-data", "indicator", "decision"))
    runtime = await open_runtime(load_settings(), options)
    runs: list[CandlesClosed] = []
    decided: list[DecisionsMade] = []

    async def collect(delivery: Delivery) -> None:
        if isinstance(delivery.message, CandlesClosed):
            runs.append(delivery.message)
        elif isinstance(delivery.message, DecisionsMade):
            decided.append(delivery.message)

    await runtime.bus.subscribe(topics.CANDLES, group="test", consumer="t", handler=collect)
    await runtime.bus.subscribe(topics.SIGNALS, group="test", consumer="t", handler=collect)
    opened = [int(t) for t in hours.timestamps]
    try:
        await runtime.start()
        await runtime.wait_ready()
        feed = runtime.feed
        assert isinstance(feed, StreamFeed)
        primed = runs[-1].candles.open_times[-1]
        i = opened.index(primed) + 1  # the candle forming for the stream
        await until(
            lambda: ws.subscribers(STREAM) == 1,
            "the subscription",
            lambda: None,
        )
        # Joined in its middle: candle i comes from REST once it closes.
        rest.now_ms = opened[i + 1] + 1_000
        ws.push("BTCUSDT", H1, kline(hours, i, whole=False), closed=False)
        ws.push("BTCUSDT", H1, kline(hours, i, whole=True), closed=True)
        await until(
            lambda: runs[-1].candles.open_times[-1] == opened[i],
            f"candle {i}",
            lambda: ws.push("BTCUSDT", H1, kline(hours, i + 1, whole=False), closed=False),
        )
        assert feed.from_stream == 0
        # Seen whole on this connection: candle i + 1 comes from the stream.
        rest.now_ms = opened[i + 2] + 1_000
        ws.push("BTCUSDT", H1, kline(hours, i + 1, whole=True), closed=True)
        await until(
            lambda: runs[-1].candles.open_times[-1] == opened[i + 1],
            f"candle {i + 1}",
            lambda: ws.push("BTCUSDT", H1, kline(hours, i + 2, whole=False), closed=False),
        )
        assert feed.from_stream == 1
        await until(
            lambda: bool(decided) and decided[-1].candles.open_times[-1] == opened[i + 1],
            "the decisions on the streamed candle",
            lambda: None,
        )
    finally:
        runtime.stop.set()
        await runtime.close()
    published = [t for run in runs for t in run.candles.open_times]
    assert published[-2:] == [opened[i], opened[i + 1]]
    assert len(published) == len(set(published))  # none twice
    assert runtime.error is None
