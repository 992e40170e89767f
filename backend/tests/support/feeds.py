"""A market-data feed running on a local Binance-shaped REST server, and what it published.

The polled and the streamed feed tests share it: the candles (from ``../shared/data``), the REST
server that lists them, and the wiring of a feed to a database, a bus and real ccxt.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from cryptotrader.bus import InProcessBus, topics
from cryptotrader.bus.messages import CandlesClosed
from cryptotrader.bus.protocol import Delivery
from cryptotrader.clock import TestClock
from cryptotrader.domain.market import CandleArrays
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.engines.workers.market_data import LiveFeed, Publisher, Series
from cryptotrader.exchanges.ccxt.venue import CcxtVenue
from cryptotrader.exchanges.ccxt.venues import create_venue
from cryptotrader.marketdata.io import read_ohlcv
from cryptotrader.persistence.candles import SqlCandleStore
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.migrate import upgrade
from cryptotrader.retry import RetryPolicy
from tests.support.binance_server import BinanceServer
from tests.support.exchange_server import Listing, running

H1 = Timeframe.H1
FORMING = 300
"""The candle forming when a test starts (the server's clock is one second into it)."""


def hourly_candles(shared_data: Path) -> CandleArrays:
    """The first 400 hours of BTC/USDT."""
    return read_ohlcv(shared_data / "binance_BTC-USDT_1h.csv.gz").arrays.slice(0, 400)


@contextlib.contextmanager
def binance_rest(hours: CandleArrays) -> Iterator[BinanceServer]:
    """A local Binance REST server listing BTCUSDT's hours, its clock inside candle FORMING."""
    binance = BinanceServer(now_ms=int(hours.timestamps[FORMING]) + 1_000)
    binance.list_market(Listing("BTCUSDT", "BTC", "USDT", {H1: hours}))
    with running(binance):
        yield binance


@dataclass
class RunningFeed:
    """A feed running on the local servers, and what it published."""

    feed: LiveFeed
    clock: TestClock
    store: SqlCandleStore
    series: Series
    runs: list[CandlesClosed] = field(default_factory=list)
    origins: list[int] = field(default_factory=list)
    published: asyncio.Event = field(default_factory=asyncio.Event)


@contextlib.asynccontextmanager
async def running_feed(
    rest: BinanceServer,
    tmp_path: Path,
    make_feed: Callable[[CcxtVenue, TestClock], LiveFeed],
) -> AsyncIterator[RunningFeed]:
    """Real ccxt on ``rest``, the feed ``make_feed`` builds on it running; stopped on exit."""
    clock = TestClock(rest.now_ms)
    database = Database(f"sqlite:///{tmp_path / 'db.sqlite'}")
    await upgrade(database)
    bus = InProcessBus(clock=clock)
    venue = create_venue(
        "binance",
        credentials=None,
        clock=clock,
        retry=RetryPolicy(attempts=1),
        base_url=rest.base_url,
        timeout_s=5,
    )
    series = Series("binance", Pair.parse("BTC/USDT"), H1)
    feed = make_feed(venue, clock)
    state = RunningFeed(feed, clock, SqlCandleStore(database), series)

    async def collect(delivery: Delivery) -> None:
        assert isinstance(delivery.message, CandlesClosed)
        state.runs.append(delivery.message)
        state.published.set()

    async def remember(origin: int) -> None:
        state.origins.append(origin)

    await bus.subscribe(topics.CANDLES, group="test", consumer="t", handler=collect)
    publisher = Publisher(bus=bus, store=state.store, clock=clock, series=series)
    stop = asyncio.Event()
    task = asyncio.create_task(
        feed.run(publisher, start_ms=None, history_from_ms=None, on_history=remember, stop=stop)
    )
    try:
        yield state
    finally:
        stop.set()
        await task
        await venue.close()
        await bus.close()
        await database.dispose()
