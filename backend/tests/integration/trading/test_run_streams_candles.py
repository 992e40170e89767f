"""The runtime on live data streams its candles: ``open_runtime`` wires the WebSocket feed.

The configured exchange (Binance, whose kline stream ccxt pro speaks) is pointed at the local
REST and stream servers by ``exchange.base_url`` and ``exchange.stream_url``; the market data,
indicator and decision engines run as ``cryptotrader run`` runs them, and the candles they decide
on arrive over the stream (the first after the connection from REST, as the feed's rule says).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cryptotrader.bootstrap.runtime import open_runtime
from cryptotrader.bus import topics
from cryptotrader.bus.messages import CandlesClosed, DecisionsMade
from cryptotrader.bus.protocol import Delivery
from cryptotrader.config import load_settings
from cryptotrader.domain.market import CandleArrays
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.engines.workers.market_data import PairsLiveFeed, StreamFeed
from cryptotrader.runtime_inputs import RunOptions
from tests.support.binance_server import BinanceServer
from tests.support.binance_stream_server import BinanceStreamServer
from tests.support.feeds import local_binance, partial, until, whole

pytestmark = pytest.mark.asyncio(loop_scope="function")

H1 = Timeframe.H1
NOW = 300
STREAM = "btcusdt@kline_1h"


@pytest.fixture
def servers(
    hours: CandleArrays, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[BinanceServer, BinanceStreamServer]]:
    with local_binance({"BTC/USDT": hours}, monkeypatch, now=NOW) as servers:
        yield servers


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
        # one live pair is fed as several are (pairs may join while running)
        assert isinstance(runtime.feed, PairsLiveFeed)
        feed = runtime.feed.lanes[0][1]
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
        ws.push("BTCUSDT", H1, partial(hours, i), closed=False)
        ws.push("BTCUSDT", H1, whole(hours, i), closed=True)
        await until(
            lambda: runs[-1].candles.open_times[-1] == opened[i],
            f"candle {i}",
            lambda: ws.push("BTCUSDT", H1, partial(hours, i + 1), closed=False),
        )
        assert feed.from_stream == 0
        # Seen whole on this connection: candle i + 1 comes from the stream.
        rest.now_ms = opened[i + 2] + 1_000
        ws.push("BTCUSDT", H1, whole(hours, i + 1), closed=True)
        await until(
            lambda: runs[-1].candles.open_times[-1] == opened[i + 1],
            f"candle {i + 1}",
            lambda: ws.push("BTCUSDT", H1, partial(hours, i + 2), closed=False),
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
