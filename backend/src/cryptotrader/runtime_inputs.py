"""What a run is about, checked before anything is built: the market, the locks, the database.

``RunOptions`` says how to run; ``resolve_markets`` reads the series (files to replay, a given
synthetic series, or live data); ``check_live`` lists every lock still closed between the bots
and real money; ``check_source`` refuses to mix two markets or two replays into one database's
bots.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptotrader.clock import Clock
from cryptotrader.config import Settings
from cryptotrader.domain.enums import BotKind
from cryptotrader.domain.market import CandleArrays
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.engines.workers.market_data import Series
from cryptotrader.errors import ConfigurationError, UserInputError
from cryptotrader.marketdata.io import read_ohlcv
from cryptotrader.marketdata.naming import parse_series_name
from cryptotrader.marketdata.resample import resample
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.repositories import pairs as platform_pairs
from cryptotrader.persistence.repositories import settings as stored_settings
from cryptotrader.persistence.uow import UnitOfWork
from cryptotrader.strategies.base import BaseStrategy
from cryptotrader.strategies.evaluation import build_indicator_engine, warmup

ENGINE_NAMES = ("market-data", "indicator", "decision", "order", "portfolio", "notifier")
SOURCE_KEY = "runtime.source"


@dataclass(frozen=True, slots=True)
class RunOptions:
    """How to run.

    Attributes:
        replay: a candle file (or several, one per pair) to replay instead of live data.
        candles: a series to replay given directly (the demo's synthetic market).
        source: the name of the candles' source (default: ``replay``, or the exchange's name).
        speed: N x the series' real pace; None: as fast as possible.
        pair: the market (default: the file's name; a replay whose name does not tell it is
            refused rather than recorded under ``runtime.pair``).
        pairs: live, the markets to trade together (``--pair`` repeated); none: every active
            pair of ``/config/pairs`` on the exchange (``live_markets``), else ``runtime.pair``.
        timeframe: candles' timeframe (a file is resampled to it).
        fear_greed: a Fear & Greed history CSV (default: the API, cached; neutral offline).
        live: trade real money (needs ``confirm_real_money`` and the settings' locks).
        confirm_real_money: the explicit confirmation flag.
        engines: which engines this process runs.
        consumer: this process's member name in each consumer group.
        database_url: overrides the settings' database (the demo's own file).
        inline_database: run SQLite on the event loop's thread (``Database(inline=True)``):
            for a process that serves nothing else (no API), never for one that does.
    """

    replay: Path | tuple[Path, ...] | None = None
    candles: CandleArrays | None = None
    source: str | None = None
    speed: float | None = None
    pair: str | None = None
    pairs: tuple[str, ...] = ()
    timeframe: str | None = None
    fear_greed: Path | None = None
    live: bool = False
    confirm_real_money: bool = False
    engines: tuple[str, ...] = ENGINE_NAMES
    consumer: str = "1"
    database_url: str | None = None
    inline_database: bool = False

    @property
    def replays(self) -> tuple[Path, ...]:
        """The files to replay (none for live data)."""
        if self.replay is None:
            return ()
        return (self.replay,) if isinstance(self.replay, Path) else tuple(self.replay)


@dataclass(frozen=True, slots=True)
class Market:
    """The series a run trades, and its candles when it is a replay."""

    series: Series
    candles: CandleArrays | None

    @property
    def replay(self) -> bool:
        """True for a replay (recorded or synthetic candles)."""
        return self.candles is not None


def resolve_markets(settings: Settings, options: RunOptions) -> list[Market]:
    """The series to trade, sorted by symbol: replayed files, given candles, or live.

    Each file is resampled to ``timeframe`` and is one pair's series.

    Raises:
        UserInputError: an unreadable file, a timeframe or pair that cannot be told, two files
            of one pair, files of different timeframes or quote assets, or ``--pair`` with
            several files.
    """
    timeframe = Timeframe.parse(options.timeframe) if options.timeframe else None
    if options.candles is not None:
        tf = timeframe or Timeframe.parse(settings.runtime.timeframe)
        pair = Pair.parse(options.pair or settings.runtime.pair)
        return [Market(Series(options.source or "demo", pair, tf), options.candles)]
    files = options.replays
    if not files:
        tf = timeframe or Timeframe.parse(settings.runtime.timeframe)
        given = options.pairs or (options.pair or settings.runtime.pair,)
        return _live(settings.exchange.name, sorted({Pair.parse(p) for p in given}, key=str), tf)
    if options.pairs:
        raise UserInputError(
            "--pair names the live pairs; a replay's pairs are told by its files' names "
            "(or by one --pair with one file)"
        )
    if options.pair and len(files) > 1:
        raise UserInputError(
            "--pair names the pair of one file; with several files each file's name tells its "
            "pair (EXCHANGE_BASE-QUOTE_TIMEFRAME.csv)"
        )
    markets = sorted(
        (_replayed(file, options, timeframe) for file in files),
        key=lambda m: m.series.pair.symbol,
    )
    _check_together(markets, files)
    return markets


def _live(exchange: str, chosen: Sequence[Pair], timeframe: Timeframe) -> list[Market]:
    """Live markets of one exchange, sorted by symbol: one quote asset (one paper account)."""
    quotes = sorted({p.quote for p in chosen})
    if len(quotes) > 1:
        raise UserInputError(
            f"the pairs {', '.join(p.symbol for p in chosen)} are quoted in {', '.join(quotes)}: "
            "the bots' capital is in one asset; trade pairs of one quote asset together"
        )
    return [Market(Series(exchange, p, timeframe), None) for p in chosen]


async def live_markets(
    database: Database, settings: Settings, options: RunOptions, markets: list[Market]
) -> list[Market]:
    """The live markets: the pairs given, else every active pair of ``/config/pairs``.

    Without ``--pair``, live data trades every active pair the exchange has in
    ``trading_pairs`` (``/config/pairs``), plus any pair with an open trade (a deactivated pair
    keeps its protection until it closes, and paper stops fill on its candles); when there is
    none, ``runtime.pair``. A replay's markets are returned as they are.

    Raises:
        UserInputError: the pairs are quoted in several assets.
    """
    if any(m.replay for m in markets) or options.pairs or options.pair:
        return markets
    exchange = settings.exchange.name
    async with UnitOfWork(database) as uow:
        listed = await platform_pairs.active_pairs(session=uow.session, exchange=exchange)
        held = await platform_pairs.open_trade_pairs(session=uow.session)
    chosen = {Pair.parse(symbol) for symbol in (*listed, *held)}
    if not chosen:
        return markets
    return _live(exchange, sorted(chosen, key=str), markets[0].series.timeframe)


def _replayed(file: Path, options: RunOptions, timeframe: Timeframe | None) -> Market:
    """One replayed file's series; its pair told by ``--pair`` or its name, never guessed."""
    named = parse_series_name(file)
    told = Pair.parse(options.pair) if options.pair else named.pair
    if told is None:
        # A guess (``runtime.pair``) would record the file's trades under another market.
        raise UserInputError(
            f"{file}: cannot tell its pair from the name (expected "
            "EXCHANGE_BASE-QUOTE_TIMEFRAME.csv, e.g. binance_SOL-USDT_1h.csv); pass --pair"
        )
    read = read_ohlcv(file)
    chosen = timeframe or read.timeframe
    if chosen is None:
        raise UserInputError(f"{file}: cannot tell the timeframe; pass --timeframe")
    candles = read.arrays
    if read.timeframe is not None and chosen is not read.timeframe:
        candles = resample(candles, read.timeframe, chosen)
    # Candles recorded from an exchange are stored under its name, as `data import` stores them,
    # so that the API's backtests find what a replay stored.
    source = options.source or named.exchange or "replay"
    return Market(Series(source, told, chosen), candles)


def _check_together(markets: list[Market], files: tuple[Path, ...]) -> None:
    """Several files trade together: one pair each, one timeframe, one quote asset."""
    if len(markets) < 2:
        return
    symbols = [m.series.pair.symbol for m in markets]
    twice = sorted({s for s in symbols if symbols.count(s) > 1})
    if twice:
        raise UserInputError(f"two files of {', '.join(twice)}: give one file per pair")
    timeframes = sorted({m.series.timeframe.value for m in markets})
    if len(timeframes) > 1:
        raise UserInputError(
            f"the files are of different timeframes ({', '.join(timeframes)}): pass --timeframe"
        )
    quotes = sorted({m.series.pair.quote for m in markets})
    if len(quotes) > 1:
        raise UserInputError(
            f"the pairs are quoted in {', '.join(quotes)}: the bots' capital is in one asset; "
            f"replay pairs of one quote asset together ({len(files)} files given)"
        )


def warmup_needed(strategies: Mapping[BotKind, BaseStrategy[Any]]) -> int:
    """Closed candles the bots' strategies need before their rules can fire (as the backtest)."""
    return max((warmup(s, build_indicator_engine(s)) + 1 for s in strategies.values()), default=0)


def check_warmup(market: Market, needed: int, history: int) -> None:
    """Refuse a series too short for the strategies' warm-up, before anything is stored.

    A replay that short would store its candles and trade nothing, without a word; live, the
    history loaded at start (``runtime.history_candles``) must cover the warm-up too (the
    exchange's own history is checked by ``LiveFeed`` when it first answers).

    Raises:
        UserInputError: the replay or the configured history is shorter than the warm-up.
    """
    series = market.series
    if market.candles is not None and len(market.candles) < needed:
        raise UserInputError(
            f"{series.pair} {series.timeframe}: {len(market.candles)} candles are too few for "
            f"the bots' strategies: their warm-up needs at least {needed}"
        )
    if market.candles is None and history < needed:
        raise ConfigurationError(
            f"runtime.history_candles = {history} is too few for the bots' strategies: their "
            f"warm-up needs at least {needed} {series.timeframe} candles"
        )


def check_live(settings: Settings, options: RunOptions) -> None:
    """Refuse live trading unless every lock between the bots and real money is open.

    Raises:
        ConfigurationError: the list of the locks still closed.
    """
    if not options.live:
        return
    closed = []
    if not options.confirm_real_money:
        closed.append("the --i-understand-real-money flag")
    closed += settings.live_locks_closed()
    if options.replay is not None or options.candles is not None:
        closed.append("live data (a replay is always paper)")
    if closed:
        raise ConfigurationError("live trading needs " + "; ".join(closed))


async def check_source(database: Database, market: Market | Sequence[Market], clock: Clock) -> bool:
    """Record the run's market (or set of markets) on first use; refuse another one later.

    A set of series (several replayed pairs) binds the database as a whole: the same files
    again resume it, any other set, or one of its pairs alone, is refused.

    Returns True when this call recorded it (the database was new to trading).

    Raises:
        UserInputError: the database trades another market or replay.
    """
    source = _source(market)
    async with UnitOfWork(database) as uow:
        stored = await stored_settings.get_setting(session=uow.session, key=SOURCE_KEY)
        if stored is None:
            await stored_settings.put_setting(
                session=uow.session,
                key=SOURCE_KEY,
                value=source,
                at=clock.now(),
                updated_by="runtime",
            )
            await uow.commit()
            return True
    if (
        stored != source
        and _live_key(stored) is not None
        and _live_key(stored) == _live_key(source)
    ):
        # live: the pairs follow /config/pairs from one start to the next; the exchange and the
        # timeframe bind the database
        async with UnitOfWork(database) as uow:
            await stored_settings.put_setting(
                session=uow.session, key=SOURCE_KEY, value=source, at=clock.now(),
                updated_by="runtime",
            )  # fmt: skip
            await uow.commit()
        return False
    if stored != source:
        raise UserInputError(
            f"this database trades {_describe(stored)}, not {_describe(source)}: use another "
            "data directory (CRYPTOTRADER_DATA_DIR) or DATABASE_URL for another market or replay"
        )
    return False


async def release_source(database: Database) -> None:
    """Unbind a database from the market of a run that failed before its first candle.

    An offline ``run`` then leaves the database free for the next run's market or replay.
    """
    async with UnitOfWork(database) as uow:
        await stored_settings.delete_setting(session=uow.session, key=SOURCE_KEY)
        await uow.commit()


def describe_market(market: Market | Sequence[Market]) -> str:
    """The market in words: ``live BTC/USDT 1h from binance``, ``a replay of ...``."""
    return _describe(_source(market))


def _source(market: Market | Sequence[Market]) -> dict[str, Any]:
    if not isinstance(market, Market):
        if len(market) == 1:
            return _source(market[0])
        return {"markets": [_source(m) for m in sorted(market, key=lambda m: m.series.pair.symbol)]}
    series = market.series
    source: dict[str, Any] = {
        "source": series.source,
        "pair": series.pair.symbol,
        "timeframe": series.timeframe.value,
    }
    if market.candles is not None:
        source["first_ms"] = int(market.candles.timestamps[0])
        source["candles"] = len(market.candles)
    return source


def _live_key(source: dict[str, Any]) -> tuple[str, str] | None:
    """Live markets' exchange and timeframe (what binds a database to live data); None: replay."""
    ones: list[dict[str, Any]] = source.get("markets", [source])
    if any("candles" in one for one in ones):
        return None
    keys = {(str(one.get("source")), str(one.get("timeframe"))) for one in ones}
    return next(iter(keys)) if len(keys) == 1 else None


def _describe(source: dict[str, Any]) -> str:
    if "markets" in source:
        key = _live_key(source)
        if key is not None:  # live pairs of one exchange and timeframe: each pair named once
            pairs = ", ".join(str(one.get("pair")) for one in source["markets"])
            return f"live {pairs} {key[1]} from {key[0]}"
        return " and ".join(_describe(one) for one in source["markets"])
    text = f"{source.get('pair')} {source.get('timeframe')} from {source.get('source')}"
    if "candles" in source:
        return f"a replay of {text} ({source['candles']} candles)"
    return f"live {text}"
