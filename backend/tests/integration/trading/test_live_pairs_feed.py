"""Several live pairs: real ccxt (REST) and ccxt pro (stream) on local Binance servers, grouped.

Three markets are streamed over one ccxt pro client: BTC/USDT and ETH/USDT (their real first 400
hours) and SOL/USDT, whose candles here are BTC's divided by 100 (no third real series of those
hours is in ../shared/data; only the symbol is invented). ``PairsLiveFeed`` publishes each closed
candle time of every pair as one batch in sorted-symbol order; the connection is dropped in the
middle of a candle (each pair back-fills the candle that closed meanwhile from REST, with its
true values, and the three are still one batch); a pair whose candle is late is published on its
own after the bounded wait, never dropped; every candle of every pair is published once, chained.
A pair added while running (``add_pair``) joins the batches; an unknown one is refused alone; a
pair removed (``remove_pair``) is no longer waited for.
Nothing of ccxt is patched. No assertion is timed: conditions are polled with deadlines.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from cryptotrader.bus import topics
from cryptotrader.bus.messages import CandlesClosed
from cryptotrader.bus.protocol import Delivery
from cryptotrader.config import load_settings
from cryptotrader.domain.market import CandleArrays
from cryptotrader.domain.pairs import Pair
from cryptotrader.engines.workers.market_data import (
    LiveFeed,
    PairsLiveFeed,
    Publisher,
    Series,
    StreamFeed,
)
from cryptotrader.errors import UserInputError
from cryptotrader.exchanges.ccxt.stream import CcxtCandleStream
from cryptotrader.persistence.candles import SqlCandleStore
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.repositories import ohlcv
from cryptotrader.persistence.repositories import settings as stored_settings
from cryptotrader.persistence.uow import UnitOfWork
from cryptotrader.runtime_inputs import SOURCE_KEY
from tests.support.binance_server import BinanceServer
from tests.support.binance_stream_server import BinanceStreamServer
from tests.support.exchange_server import Listing
from tests.support.feeds import (
    FORMING,
    H1,
    local_binance,
    market_id,
    partial,
    three_markets,
    until,
    whole,
    wired,
)

pytestmark = pytest.mark.shared_data

SYMBOLS = ("BTC/USDT", "ETH/USDT", "SOL/USDT")


@pytest.fixture
def markets(shared_data: Path) -> dict[str, CandleArrays]:
    return three_markets(shared_data)


@pytest.fixture
def servers(
    markets: dict[str, CandleArrays], monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[BinanceServer, BinanceStreamServer]]:
    with local_binance(markets, monkeypatch) as servers:
        yield servers


@pytest.fixture
def rest(servers: tuple[BinanceServer, BinanceStreamServer]) -> BinanceServer:
    return servers[0]


@pytest.fixture
def ws(servers: tuple[BinanceServer, BinanceStreamServer]) -> BinanceStreamServer:
    return servers[1]


@dataclass
class Running:
    feed: PairsLiveFeed
    store: SqlCandleStore
    lane: Callable[[str], tuple[Publisher, LiveFeed]]
    stream: CcxtCandleStream
    runs: list[CandlesClosed] = field(default_factory=list)
    task: asyncio.Task[None] | None = None

    def of(self, symbol: str) -> list[CandlesClosed]:
        return [r for r in self.runs if r.pair.symbol == symbol]

    def times(self, symbol: str) -> list[int]:
        return [t for r in self.of(symbol) for t in r.candles.open_times]


@contextlib.asynccontextmanager
async def pairs_feed(
    rest: BinanceServer, ws: BinanceStreamServer, tmp_path: Path, symbols: tuple[str, ...]
) -> AsyncIterator[Running]:
    """The grouped feed of ``symbols``, streamed over one ccxt pro client, running."""
    stream = CcxtCandleStream("binance", base_url=rest.base_url, stream_url=ws.url, timeout_s=5)
    async with wired(rest, tmp_path) as on:

        def lane(symbol: str) -> tuple[Publisher, LiveFeed]:
            series = Series("binance", Pair.parse(symbol), H1)
            publisher = Publisher(bus=on.bus, store=on.store, clock=on.clock, series=series)
            feed = StreamFeed(
                venue=on.venue,
                stream=stream,
                clock=on.clock,
                poll_interval_s=0.05,
                history=100,
                min_history=50,
                stall_s=60,
            )
            return publisher, feed

        lanes = [lane(symbol) for symbol in symbols]
        grouped = PairsLiveFeed(lanes=lanes, wait_s=60)
        state = Running(grouped, on.store, lane, stream)

        async def collect(delivery: Delivery) -> None:
            assert isinstance(delivery.message, CandlesClosed)
            state.runs.append(delivery.message)

        async def remember(symbol: str, origin: int) -> None:
            return None

        await on.bus.subscribe(topics.CANDLES, group="test", consumer="t", handler=collect)
        stop = asyncio.Event()
        task = state.task = asyncio.create_task(
            grouped.run(
                starts=dict.fromkeys(symbols),
                origins=dict.fromkeys(symbols),
                on_history=remember,
                stop=stop,
            )
        )
        try:
            yield state
        finally:
            stop.set()
            with contextlib.suppress(UserInputError):
                await task
            await stream.close()


def replaced(before: tuple[object, ...], after: tuple[object, ...]) -> bool:
    """One connection before and after, not the same client."""
    return len(before) == len(after) == 1 and after[0] is not before[0]


def check_back_filled(
    back_filled: list[CandlesClosed], markets: dict[str, CandleArrays], opened: list[int]
) -> None:
    """Candle 300 of every pair, one batch, with REST's values (not the stream's stale ones)."""
    assert [r.pair.symbol for r in back_filled] == list(SYMBOLS)
    assert {tuple(r.batch) for r in back_filled} == {SYMBOLS}
    assert {r.batch_ms for r in back_filled} == {opened[FORMING]}
    for run in back_filled:
        candles = markets[run.pair.symbol]
        assert run.candles.open_times == [opened[FORMING]]
        assert run.previous_open_ms == opened[FORMING - 1]
        assert run.candles.high == [float(candles.high[FORMING])]
        assert run.candles.close == [float(candles.close[FORMING])]
        assert run.next_open == float(candles.open[FORMING + 1])


@pytest.mark.asyncio(loop_scope="function")
async def test_three_pairs_streamed_are_grouped_by_candle_time_through_a_drop_and_a_late_pair(
    rest: BinanceServer,
    ws: BinanceStreamServer,
    markets: dict[str, CandleArrays],
    tmp_path: Path,
) -> None:
    opened = [int(t) for t in markets["BTC/USDT"].timestamps]

    def push_all(i: int, *, closed: bool = False, only: tuple[str, ...] = SYMBOLS) -> None:
        for symbol in only:
            kline = whole(markets[symbol], i) if closed else partial(markets[symbol], i)
            ws.push(market_id(symbol), H1, kline, closed=closed)

    async with pairs_feed(rest, ws, tmp_path, SYMBOLS) as running:
        feed, runs = running.feed, running.runs
        # Primed from REST: each pair's last closed candle, the three as one batch.
        await until(lambda: len(runs) == 3, "the history")
        assert [r.pair.symbol for r in runs] == list(SYMBOLS)  # sorted-symbol order
        assert {tuple(r.batch) for r in runs} == {SYMBOLS}
        assert {r.batch_ms for r in runs} == {opened[FORMING - 1]}
        streams = [f"{market_id(s).lower()}@kline_1h" for s in SYMBOLS]
        await until(lambda: all(ws.subscribers(s) == 1 for s in streams), "the subscriptions")
        assert ws.accepted == 1  # one connection carries the three pairs

        # Candle 300 forms; the connection drops in its middle; it closes meanwhile.
        push_all(FORMING)
        await asyncio.sleep(0.2)
        assert len(runs) == 3  # nothing has closed
        before = running.stream.connection()
        assert ws.drop() == 1
        rest.now_ms = opened[FORMING + 1] + 1_000
        await until(
            lambda: len(runs) == 6,
            "candle 300 of every pair",
            pushing=lambda: push_all(FORMING + 1),
        )
        assert ws.accepted >= 2
        # ccxt pro replaced its client: what StreamFeed compares to tell a reconnect it did not
        # see as an error (a pair busy publishing when the connection dropped)
        assert replaced(before, running.stream.connection())
        check_back_filled(runs[3:6], markets, opened)

        # Candle 301 closes; SOL/USDT's stream stays silent: after the bounded wait the other
        # two go as a batch without it, and its candle, when it comes, goes on its own.
        feed.wait_s = 5  # BTC's and ETH's closes may come seconds apart on a loaded machine
        rest.now_ms = opened[FORMING + 2] + 1_000
        push_all(FORMING + 1, closed=True)
        await until(
            lambda: len(runs) == 8,
            "candle 301 of BTC and ETH",
            pushing=lambda: push_all(FORMING + 2, only=SYMBOLS[:2]),
        )
        assert [r.pair.symbol for r in runs[6:8]] == ["BTC/USDT", "ETH/USDT"]
        assert {tuple(r.batch) for r in runs[6:8]} == {("BTC/USDT", "ETH/USDT")}
        assert running.times("SOL/USDT")[-1] == opened[FORMING]
        assert feed.late == 0
        await until(
            lambda: len(runs) == 9,
            "the late candle 301 of SOL",
            pushing=lambda: push_all(FORMING + 2, only=SYMBOLS[2:]),
        )
        late = runs[8]
        assert late.pair.symbol == "SOL/USDT"
        assert late.candles.open_times == [opened[FORMING + 1]]
        assert late.batch == []  # traded on its own
        assert late.previous_open_ms == opened[FORMING]
        assert feed.late == 1

        # Candle 302: every pair in time again, one batch of three.
        feed.wait_s = 60
        rest.now_ms = opened[FORMING + 3] + 1_000
        push_all(FORMING + 2, closed=True)
        await until(
            lambda: len(runs) == 12,
            "candle 302 of every pair",
            pushing=lambda: push_all(FORMING + 3),
        )
        assert [r.pair.symbol for r in runs[9:12]] == list(SYMBOLS)
        assert {tuple(r.batch) for r in runs[9:12]} == {SYMBOLS}
        assert {r.batch_ms for r in runs[9:12]} == {opened[FORMING + 2]}

    for symbol in SYMBOLS:
        published = running.times(symbol)
        assert published == opened[FORMING - 1 : FORMING + 3], symbol  # each once, none missed
        chained = [r.previous_open_ms for r in running.of(symbol)[1:]]
        assert chained == published[:-1], symbol


@pytest.mark.asyncio(loop_scope="function")
async def test_an_unknown_symbol_or_a_short_history_refuses_every_pair_before_anything_is_stored(
    rest: BinanceServer, ws: BinanceStreamServer, markets: dict[str, CandleArrays], tmp_path: Path
) -> None:
    young = markets["ETH/USDT"].slice(FORMING - 20, 400)  # 20 closed candles: a new listing
    rest.list_market(Listing("NEWUSDT", "NEW", "USDT", {H1: young}))
    symbols = ("BTC/USDT", "NEW/USDT", "NOPE/USDT")
    async with pairs_feed(rest, ws, tmp_path, symbols) as running:
        assert running.task is not None
        with pytest.raises(UserInputError) as refused:
            await asyncio.wait_for(running.task, 60)
        message = str(refused.value)
        assert "\n" not in message
        assert "binance has no spot market NOPE/USDT" in message
        assert "20 closed NEW/USDT 1h candles, too few" in message
        assert "has no spot market BTC/USDT" not in message
        assert running.runs == []  # nothing published
        for symbol in symbols:  # nothing stored, under any pair
            stored = await running.store.read_arrays(
                exchange="binance", pair=Pair.parse(symbol), timeframe=H1
            )
            assert not len(stored), symbol
        assert ws.accepted == 0  # no stream opened


@pytest.mark.asyncio(loop_scope="function")
async def test_pairs_added_and_removed_while_running_a_bad_one_refused_alone(
    rest: BinanceServer, ws: BinanceStreamServer, markets: dict[str, CandleArrays], tmp_path: Path
) -> None:
    opened = [int(t) for t in markets["BTC/USDT"].timestamps]

    def push(i: int, symbols: tuple[str, ...]) -> None:
        for symbol in symbols:
            ws.push(market_id(symbol), H1, partial(markets[symbol], i), closed=False)

    async with pairs_feed(rest, ws, tmp_path, SYMBOLS[:2]) as running:
        feed, runs = running.feed, running.runs
        await until(lambda: len(runs) == 2, "the history")
        with pytest.raises(UserInputError, match="binance has no spot market NOPE/USDT"):
            await feed.add_pair(*running.lane("NOPE/USDT"))
        await feed.add_pair(*running.lane("SOL/USDT"))
        # its last closed candle, a time already published: on its own, not counted late
        await until(lambda: running.times("SOL/USDT") == [opened[FORMING - 1]], "SOL's history")
        assert running.of("SOL/USDT")[0].batch == []
        assert feed.late == 0
        streams = [f"{market_id(s).lower()}@kline_1h" for s in SYMBOLS]
        await until(lambda: all(ws.subscribers(s) == 1 for s in streams), "the subscriptions")
        rest.now_ms = opened[FORMING + 1] + 1_000
        await until(
            lambda: len(runs) == 6,
            "candle 300 of every pair",
            pushing=lambda: push(FORMING + 1, SYMBOLS),
        )
        assert [r.pair.symbol for r in runs[3:]] == list(SYMBOLS)
        assert {tuple(r.batch) for r in runs[3:]} == {SYMBOLS}
        assert running.task is not None
        assert not running.task.done()  # the refused pair stopped nothing

        # ETH removed: the next candle time goes as soon as BTC and SOL are in (a wait for ETH
        # would outlast the deadline), ETH's not published.
        feed.wait_s = 600
        await feed.remove_pair("ETH/USDT")
        assert feed.symbols == ["BTC/USDT", "SOL/USDT"]
        rest.now_ms = opened[FORMING + 2] + 1_000
        await until(
            lambda: len(runs) == 8,
            "candle 301 of BTC and SOL",
            pushing=lambda: push(FORMING + 2, ("BTC/USDT", "SOL/USDT")),
        )
        assert {tuple(r.batch) for r in runs[6:]} == {("BTC/USDT", "SOL/USDT")}
        assert not running.task.done()
    assert running.times("NOPE/USDT") == []
    assert running.times("ETH/USDT") == opened[FORMING - 1 : FORMING + 1]


def run_cli(args: list[str]) -> int:
    from cryptotrader.cli import main

    try:
        main(args)
    except SystemExit as exit_info:
        return exit_info.code if isinstance(exit_info.code, int) else 1
    return 0


def test_run_with_an_unknown_pair_says_so_in_one_line_and_binds_nothing(
    servers: tuple[BinanceServer, BinanceStreamServer], capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["run", "--no-api", "--pair", "ETH/USDT", "--pair", "NOPE/USDT", "--pair", "BTC/USDT"]
    code = run_cli(args)
    err = capsys.readouterr().err
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "binance has no spot market NOPE/USDT" in lines[0]
    asyncio.run(nothing_recorded())


async def nothing_recorded() -> None:
    database = Database(load_settings().database_url)
    try:
        async with UnitOfWork(database) as uow:
            assert await stored_settings.get_setting(session=uow.session, key=SOURCE_KEY) is None
            assert await ohlcv.stored_series(session=uow.session) == []
    finally:
        await database.dispose()
