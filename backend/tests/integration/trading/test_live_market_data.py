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

from cryptotrader.bus import InProcessBus, topics
from cryptotrader.bus.messages import CandlesClosed
from cryptotrader.bus.protocol import Delivery
from cryptotrader.clock import TestClock
from cryptotrader.domain.market import CandleArrays
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.engines.workers.market_data import LiveFeed, Publisher, Series
from cryptotrader.exchanges.ccxt.venues import create_venue
from cryptotrader.marketdata.io import read_ohlcv
from cryptotrader.persistence.candles import SqlCandleStore
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.migrate import upgrade
from cryptotrader.retry import RetryPolicy
from tests.support.binance_server import BinanceServer
from tests.support.exchange_server import Listing, running

pytestmark = pytest.mark.asyncio(loop_scope="function")

H1 = Timeframe.H1
FORMING = 300


@pytest.fixture
def hours(shared_data: Path) -> CandleArrays:
    return read_ohlcv(shared_data / "binance_BTC-USDT_1h.csv.gz").arrays.slice(0, 400)


@pytest.fixture
def server(hours: CandleArrays) -> Iterator[BinanceServer]:
    binance = BinanceServer(now_ms=int(hours.timestamps[FORMING]) + 1_000)
    binance.list_market(Listing("BTCUSDT", "BTC", "USDT", {H1: hours}))
    with running(binance):
        yield binance


@pytest.mark.shared_data
async def test_live_feed_when_candles_close_publishes_each_once_with_the_next_open(
    server: BinanceServer, hours: CandleArrays, tmp_path: Path
) -> None:
    clock = TestClock(server.now_ms)
    database = Database(f"sqlite:///{tmp_path / 'db.sqlite'}")
    await upgrade(database)
    bus = InProcessBus(clock=clock)
    runs: list[CandlesClosed] = []
    got = asyncio.Event()

    async def collect(delivery: Delivery) -> None:
        assert isinstance(delivery.message, CandlesClosed)
        runs.append(delivery.message)
        got.set()

    await bus.subscribe(topics.CANDLES, group="test", consumer="t", handler=collect)
    venue = create_venue(
        "binance",
        credentials=None,
        clock=clock,
        retry=RetryPolicy(attempts=1),
        base_url=server.base_url,
        timeout_s=5,
    )
    store = SqlCandleStore(database)
    series = Series("binance", Pair.parse("BTC/USDT"), H1)
    publisher = Publisher(bus=bus, store=store, clock=clock, series=series)
    feed = LiveFeed(venue=venue, clock=clock, poll_interval_s=0.05, history=100)
    stop = asyncio.Event()
    origins: list[int] = []

    async def remember(origin: int) -> None:
        origins.append(origin)

    task = asyncio.create_task(
        feed.run(publisher, start_ms=None, history_from_ms=None, on_history=remember, stop=stop)
    )
    try:
        await asyncio.wait_for(got.wait(), 60)
        first = runs[0]
        assert first.candles.open_times == [int(hours.timestamps[FORMING - 1])]  # last closed
        assert first.next_open == float(hours.open[FORMING])  # the forming candle's open
        assert first.previous_open_ms == int(hours.timestamps[FORMING - 2])
        assert origins == [first.history_from_ms]
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
    finally:
        stop.set()
        await task
        await venue.close()
        await bus.close()
    stored = await store.read_arrays(exchange="binance", pair=series.pair, timeframe=H1)
    assert int(stored.timestamps[-1]) == int(hours.timestamps[FORMING])  # never the forming one
    assert len(stored) == 100
    await database.dispose()
