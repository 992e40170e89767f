"""Market data on local Binance-shaped servers (REST and kline stream), and what it published.

The polled, streamed and several-pairs feed tests and the live runtime tests share it: the
candles (from ``../shared/data``), the servers that serve them (``local_binance`` points the
runtime's settings at them), the klines a test pushes, polling with a deadline, and the wiring
of a feed to a database, a bus and real ccxt.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from cryptotrader.bus import InProcessBus, topics
from cryptotrader.bus.messages import CandlesClosed
from cryptotrader.bus.protocol import Delivery
from cryptotrader.clock import TestClock
from cryptotrader.config import load_settings
from cryptotrader.domain.market import CandleArrays
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.domain.values import utc_from_ms
from cryptotrader.engines.workers.market_data import LiveFeed, Publisher, Series
from cryptotrader.engines.workers.runs import candle_run
from cryptotrader.exchanges.ccxt.venue import CcxtVenue
from cryptotrader.exchanges.ccxt.venues import create_venue
from cryptotrader.marketdata.io import read_ohlcv
from cryptotrader.persistence.candles import SqlCandleStore
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.migrate import upgrade
from cryptotrader.persistence.repositories import pairs
from cryptotrader.persistence.uow import UnitOfWork
from cryptotrader.retry import RetryPolicy
from tests.support.binance_server import BinanceServer
from tests.support.binance_stream_server import BinanceStreamServer, streaming
from tests.support.exchange_server import Listing, running

H1 = Timeframe.H1
FORMING = 300
"""The candle forming when a test starts (the server's clock is one second into it)."""
Kline = tuple[int, float, float, float, float, float]


def scaled(candles: CandleArrays, by: float) -> CandleArrays:
    """``candles``' prices divided by ``by``: a market of its own (no third real series of the
    same hours is in ../shared/data; only its symbol is invented)."""
    return CandleArrays(
        timestamps=candles.timestamps.copy(),
        open=candles.open / by,
        high=candles.high / by,
        low=candles.low / by,
        close=candles.close / by,
        volume=candles.volume.copy(),
    )


def market_id(symbol: str) -> str:
    """Binance's id of a pair (``BTC/USDT``: ``BTCUSDT``)."""
    return symbol.replace("/", "")


def whole(candles: CandleArrays, i: int) -> Kline:
    """Candle ``i`` as its last kline update carries it."""
    return (
        int(candles.timestamps[i]),
        float(candles.open[i]),
        float(candles.high[i]),
        float(candles.low[i]),
        float(candles.close[i]),
        float(candles.volume[i]),
    )


def partial(candles: CandleArrays, i: int) -> Kline:
    """An early update of candle ``i``: its open, extremes and a close it has not reached."""
    o = float(candles.open[i])
    return (int(candles.timestamps[i]), o, o * 1.01, o * 0.99, o * 1.005, 0.25)


async def until(
    condition: Callable[[], bool],
    what: str,
    pushing: Callable[[], object] | None = None,
    *,
    deadline_s: float = 90,
) -> None:
    """Poll ``condition`` until a deadline; ``pushing`` is called every 0.1 s meanwhile.

    Binance sends the forming candle's update every 2 s; ccxt wakes a watcher on the next
    message after its call, so tests keep updating the forming candle as Binance does.
    """
    deadline = time.monotonic() + deadline_s
    pushed = 0.0
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        if pushing is not None and time.monotonic() - pushed > 0.1:
            pushing()
            pushed = time.monotonic()
        await asyncio.sleep(0.02)


@contextlib.contextmanager
def local_binance(
    markets: Mapping[str, CandleArrays], monkeypatch: pytest.MonkeyPatch, *, now: int = FORMING
) -> Iterator[tuple[BinanceServer, BinanceStreamServer]]:
    """REST and kline-stream servers listing ``markets`` (by symbol), the settings pointed at them.

    The REST clock is one second into candle ``now``; the runtime polls every 0.05 s, reads 300
    candles of history, on 1h candles.
    """
    with binance_rest(markets, now=now) as rest, streaming() as ws:
        monkeypatch.setenv("CRYPTOTRADER_EXCHANGE__BASE_URL", rest.base_url)
        monkeypatch.setenv("CRYPTOTRADER_EXCHANGE__STREAM_URL", ws.url)
        monkeypatch.setenv("CRYPTOTRADER_EXCHANGE__TIMEOUT_S", "5")
        monkeypatch.setenv("CRYPTOTRADER_RUNTIME__TIMEFRAME", "1h")
        monkeypatch.setenv("CRYPTOTRADER_RUNTIME__POLL_INTERVAL_S", "0.05")
        monkeypatch.setenv("CRYPTOTRADER_RUNTIME__HISTORY_CANDLES", "300")
        yield rest, ws


async def listed(
    *symbols: str, also: Callable[[AsyncSession], Awaitable[None]] | None = None
) -> None:
    """Store active pairs in ``/config/pairs`` before a run, as ``POST /api/config/pairs`` does
    (and what ``also`` writes in the same transaction), in the settings' database."""
    database = Database(load_settings().database_url)
    await upgrade(database)
    try:
        async with UnitOfWork(database) as uow:
            for symbol in symbols:
                await pairs.ensure_pair(
                    session=uow.session, exchange="binance", pair=Pair.parse(symbol)
                )
            if also is not None:
                await also(uow.session)
            await uow.commit()
    finally:
        await database.dispose()


@dataclass
class Wired:
    """What a feed under test runs on: a test clock, a database, a bus and real ccxt."""

    clock: TestClock
    database: Database
    bus: InProcessBus
    venue: CcxtVenue
    store: SqlCandleStore


@contextlib.asynccontextmanager
async def wired(rest: BinanceServer, tmp_path: Path) -> AsyncIterator[Wired]:
    """A fresh SQLite database, an in-process bus and ccxt's Binance on ``rest``; closed on exit."""
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
    try:
        yield Wired(clock, database, bus, venue, SqlCandleStore(database))
    finally:
        await venue.close()
        await bus.close()
        await database.dispose()


def hourly_candles(shared_data: Path, symbol: str = "BTC/USDT") -> CandleArrays:
    """The first 400 hours of ``symbol`` on Binance."""
    name = f"binance_{symbol.replace('/', '-')}_1h.csv.gz"
    return read_ohlcv(shared_data / name).arrays.slice(0, 400)


def three_markets(shared_data: Path) -> dict[str, CandleArrays]:
    """BTC/USDT's and ETH/USDT's first 400 hours, and SOL/USDT: BTC's prices divided by 100."""
    btc = hourly_candles(shared_data)
    eth = hourly_candles(shared_data, "ETH/USDT")
    assert (btc.timestamps == eth.timestamps).all()
    return {"BTC/USDT": btc, "ETH/USDT": eth, "SOL/USDT": scaled(btc, 100.0)}


@contextlib.contextmanager
def binance_rest(
    markets: Mapping[str, CandleArrays], *, now: int = FORMING
) -> Iterator[BinanceServer]:
    """A local Binance REST server listing ``markets`` (by symbol) in 1h candles, its clock one
    second into candle ``now`` of the first."""
    first = next(iter(markets.values()))
    rest = BinanceServer(now_ms=int(first.timestamps[now]) + 1_000)
    for symbol, candles in markets.items():
        base, quote = symbol.split("/")
        rest.list_market(Listing(market_id(symbol), base, quote, {H1: candles}))
    with running(rest):
        yield rest


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
    async with wired(rest, tmp_path) as on:
        series = Series("binance", Pair.parse("BTC/USDT"), H1)
        feed = make_feed(on.venue, on.clock)
        state = RunningFeed(feed, on.clock, on.store, series)

        async def collect(delivery: Delivery) -> None:
            assert isinstance(delivery.message, CandlesClosed)
            state.runs.append(delivery.message)
            state.published.set()

        async def remember(origin: int) -> None:
            state.origins.append(origin)

        await on.bus.subscribe(topics.CANDLES, group="test", consumer="t", handler=collect)
        publisher = Publisher(bus=on.bus, store=on.store, clock=on.clock, series=series)
        stop = asyncio.Event()
        task = asyncio.create_task(
            feed.run(publisher, start_ms=None, history_from_ms=None, on_history=remember, stop=stop)
        )
        try:
            yield state
        finally:
            stop.set()
            await task


def simultaneous(
    minutes: CandleArrays, symbols: Sequence[str], length: int, stride: int
) -> dict[str, CandleArrays]:
    """``length`` candle times of real minutes for each symbol: pair ``k`` takes the stretch
    starting at ``stride * (k + 1)``, stamped onto the first ``length`` times (same times,
    different prices)."""
    stamps = minutes.timestamps[:length]
    series = {}
    for k, symbol in enumerate(symbols):
        part = minutes.slice(stride * (k + 1), stride * (k + 1) + length)
        series[symbol] = CandleArrays(
            stamps, part.open, part.high, part.low, part.close, part.volume
        )
    return series


def minute_run(
    candles: CandleArrays, pair: str, start: int, stop: int, batch: Sequence[str]
) -> CandlesClosed:
    """The ``CandlesClosed`` of ``candles[start:stop]`` of one pair of 1m, as the market data's
    batch replay publishes it (a candle time of the pairs ``batch``)."""
    run = candles.slice(start, stop)
    times = candles.timestamps
    return CandlesClosed(
        timestamp=utc_from_ms(int(Timeframe.M1.bucket_end(run.timestamps[-1:])[0])),
        exchange="binance",
        pair=Pair.parse(pair),
        timeframe=Timeframe.M1,
        candles=candle_run(run),
        previous_open_ms=int(times[start - 1]) if start else None,
        history_from_ms=int(times[0]),
        next_open=float(candles.open[stop]),
        next_open_ms=int(times[stop]),
        batch=sorted(batch),
        batch_ms=int(times[start]),
    )
