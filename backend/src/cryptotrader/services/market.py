"""Market data for people: stored candle series, candles, latest indicators and signals.

Indicators and signals come from the engines' latest bus events when this process has seen one
for the market; otherwise they are computed on the stored candles by the same
``IndicatorEngine`` and ``DecisionEngine`` the bots use (in a worker thread, so that the event
loop never waits on the computation).
"""

from __future__ import annotations

import asyncio
import math
import tempfile
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO, Literal

from cryptotrader.clock import Clock
from cryptotrader.domain.bots import DEFAULT_STRATEGY, BotConfig
from cryptotrader.domain.enums import BotKind, Side
from cryptotrader.domain.market import CandleArrays
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.signals import IndicatorSignal, TradingSignal
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.domain.values import ms_from_utc, utc_from_ms
from cryptotrader.engines.bot_config import stored_config
from cryptotrader.engines.decision import DecisionEngine
from cryptotrader.errors import UserInputError
from cryptotrader.indicators.engine import IndicatorEngine, MultiTimeframeResult
from cryptotrader.marketdata.importing import (
    ImportNames,
    UnknownSeriesError,
    prepare_import,
    stage_csv,
)
from cryptotrader.marketdata.store import StoredSeries
from cryptotrader.persistence.candles import SqlCandleStore
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.repositories import bots, ohlcv, trade_queries
from cryptotrader.persistence.repositories.pairs import ensure_pair
from cryptotrader.persistence.repositories.trade_queries import TradeFilter
from cryptotrader.persistence.uow import UnitOfWork
from cryptotrader.services import audit
from cryptotrader.services.context import Actor, Origin, Permission
from cryptotrader.services.errors import InvalidField, NotFound
from cryptotrader.services.latest_events import LatestEvents
from cryptotrader.strategies import create_strategy
from cryptotrader.strategies.context import context_arrays
from cryptotrader.strategies.evaluation import build_indicator_engine

MAX_CANDLES = 5000
COMPUTE_CANDLES = 1500
MAX_CHART_CANDLES = 2000
MAX_CHART_TRADES = 500
CHART_INDICATORS = ("sma", "ema", "bollinger", "rsi", "macd")
"""What a chart draws: SMA/EMA/Bollinger over the candles, RSI and MACD in panes."""
Source = Literal["engine", "computed"]
UPLOAD_EXCHANGE = "upload"
"""The exchange name of an uploaded series whose file name and form give none."""
UNPACKED_PER_UPLOADED = 16
"""A .csv.gz may decompress to at most this many times the largest upload."""
_UPLOAD_FIELDS = ImportNames(exchange="exchange", pair="pair", timeframe="timeframe")


@dataclass(frozen=True, slots=True)
class ImportedSeries:
    """What an upload stored: the series as it is now, and what the file held."""

    series: StoredSeries
    candles: int
    gaps: int
    missing: int


@dataclass(frozen=True, slots=True)
class IndicatorsView:
    """Every indicator's reading of a market's latest candle."""

    exchange: str
    pair: str
    timeframe: Timeframe
    candle_time: datetime
    source: Source
    indicators: dict[str, IndicatorSignal]


@dataclass(frozen=True, slots=True)
class SignalsView:
    """The latest signal of each bot on a market."""

    exchange: str
    pair: str
    timeframe: Timeframe
    signals: list[tuple[TradingSignal, Source]]


@dataclass(frozen=True, slots=True)
class ChartMarker:
    """A trade's entry or exit, placed on the candle it happened in."""

    trade_id: int
    bot: BotKind
    kind: Literal["entry", "exit"]
    side: Side
    at: datetime
    candle_time: datetime
    price: Decimal
    pnl: Decimal | None


@dataclass(frozen=True, slots=True)
class ChartView:
    """Candles, indicator series aligned with them (None before warm-up), trade markers."""

    exchange: str
    pair: str
    timeframe: Timeframe
    candles: CandleArrays
    series: dict[str, list[float | None]]
    markers: list[ChartMarker]


class MarketService:
    """Reads candles and derives indicators and signals.

    Args:
        database: the candle store and the bots' configuration.
        latest: the latest engine events seen on the bus.
    """

    def __init__(
        self,
        *,
        database: Database,
        latest: LatestEvents,
        clock: Clock,
        max_upload_bytes: int = 32 * 1024 * 1024,
    ) -> None:
        self._database = database
        self._store = SqlCandleStore(database)
        self._latest = latest
        self._clock = clock
        self._max_unpacked = max_upload_bytes * UNPACKED_PER_UPLOADED

    async def series(self, actor: Actor) -> list[StoredSeries]:
        """Every stored candle series."""
        actor.require(Permission.READ)
        return await self._store.series()

    async def import_file(
        self,
        actor: Actor,
        stream: BinaryIO,
        name: str,
        origin: Origin,
        *,
        exchange: str | None = None,
        pair: Pair | None = None,
        timeframe: Timeframe | None = None,
    ) -> ImportedSeries:
        """Validate an uploaded candle file and store it as a series (upsert), audited.

        The series is the one given, else told from the file name (``data import``'s rules),
        the exchange else ``upload``. Nothing is written unless the whole file is valid.

        Raises:
            InvalidField: the file (``file``) breaks a rule, the message naming the line and
                column; or the pair or timeframe cannot be told (that field).
        """
        actor.require(Permission.CONFIGURE)
        with tempfile.TemporaryDirectory(prefix="cryptotrader-upload-") as directory:
            path = await asyncio.to_thread(
                self._stage, stream, name, Path(directory), self._max_unpacked
            )
            try:
                prepared = await asyncio.to_thread(
                    prepare_import,
                    path,
                    exchange=exchange,
                    pair=pair,
                    timeframe=timeframe,
                    default_exchange=UPLOAD_EXCHANGE,
                    names=_UPLOAD_FIELDS,
                )
            except UserInputError as exc:
                # the messages name the staged copy: name the file as the user sent it
                message = str(exc).replace(str(path), name)
                field = exc.missing[0] if isinstance(exc, UnknownSeriesError) else "file"
                raise InvalidField(field, message) from None
        arrays = prepared.source.arrays
        async with UnitOfWork(self._database) as uow:
            pair_id = await ensure_pair(
                session=uow.session, exchange=prepared.exchange, pair=prepared.pair
            )
            await ohlcv.upsert_candles(
                session=uow.session, pair_id=pair_id, timeframe=prepared.timeframe, candles=arrays
            )
            await audit.record(
                uow.session,
                self._clock,
                origin,
                actor=actor.name,
                action="market.import",
                target=f"series:{prepared.exchange} {prepared.pair} {prepared.timeframe}",
                after={
                    "file": name,
                    "candles": len(arrays),
                    "first": utc_from_ms(int(arrays.timestamps[0])).isoformat(),
                    "last": utc_from_ms(int(arrays.timestamps[-1])).isoformat(),
                },
            )
            await uow.commit()
        key = (prepared.exchange, prepared.pair, prepared.timeframe)
        stored = next(
            s for s in await self._store.series() if (s.exchange, s.pair, s.timeframe) == key
        )
        gaps = prepared.source.gaps
        return ImportedSeries(
            series=stored,
            candles=len(arrays),
            gaps=len(gaps),
            missing=sum(gap.missing for gap in gaps),
        )

    @staticmethod
    def _stage(stream: BinaryIO, name: str, directory: Path, max_bytes: int) -> Path:
        try:
            return stage_csv(stream, name, directory, max_bytes=max_bytes)
        except UserInputError as exc:
            raise InvalidField("file", str(exc)) from None

    async def candles(
        self,
        actor: Actor,
        *,
        exchange: str,
        pair: Pair,
        timeframe: Timeframe,
        start: datetime | None,
        end: datetime | None,
        limit: int,
    ) -> CandleArrays:
        """The newest ``limit`` stored candles with ``start <= open time < end``."""
        actor.require(Permission.READ)
        arrays = await self._store.read_arrays(
            exchange=exchange,
            pair=pair,
            timeframe=timeframe,
            start_ms=None if start is None else int(start.timestamp() * 1000),
            end_ms=None if end is None else int(end.timestamp() * 1000),
        )
        keep = min(limit, MAX_CANDLES)
        return arrays.slice(max(0, len(arrays) - keep), len(arrays))

    async def _recent(self, exchange: str, pair: Pair, timeframe: Timeframe) -> CandleArrays:
        last = await self._store.last_timestamp(exchange=exchange, pair=pair, timeframe=timeframe)
        if last is None:
            raise NotFound(f"no stored candles for {exchange} {pair} {timeframe}")
        start = last - (COMPUTE_CANDLES - 1) * timeframe.milliseconds
        arrays = await self._store.read_arrays(
            exchange=exchange, pair=pair, timeframe=timeframe, start_ms=start
        )
        return arrays.slice(max(0, len(arrays) - COMPUTE_CANDLES), len(arrays))

    async def indicators(
        self, actor: Actor, *, exchange: str, pair: Pair, timeframe: Timeframe
    ) -> IndicatorsView:
        """The latest readings: the engine's event if seen, else computed on stored candles.

        Raises:
            NotFound: no event seen and no candle stored for this market.
        """
        actor.require(Permission.READ)
        event = self._latest.indicators(pair.symbol, timeframe)
        if event is not None:
            return IndicatorsView(
                exchange, pair.symbol, timeframe, event.candle_time, "engine", event.to_domain()
            )
        arrays = await self._recent(exchange, pair, timeframe)
        signals = await asyncio.to_thread(_compute_indicators, arrays, timeframe)
        candle_time = utc_from_ms(int(arrays.timestamps[-1]))
        return IndicatorsView(exchange, pair.symbol, timeframe, candle_time, "computed", signals)

    async def chart(
        self,
        actor: Actor,
        *,
        exchange: str,
        pair: Pair,
        timeframe: Timeframe,
        limit: int,
        bot: BotKind | None = None,
    ) -> ChartView:
        """The newest ``limit`` candles with their indicator series and the trades on them.

        The series are computed on ``limit`` plus the indicators' warm-up candles, so the first
        candle shown already has its readings when history allows. The chart ends at the candle
        the engines last computed when this process has seen one (a replay stores its whole
        file up front; the chart follows the replay, not the file's end). Markers are the
        pair's trades on any venue (paper trades are recorded on ``paper``).

        Raises:
            NotFound: no candle stored for this market.
        """
        actor.require(Permission.READ)
        keep = min(limit, MAX_CHART_CANDLES)
        last = await self._store.last_timestamp(exchange=exchange, pair=pair, timeframe=timeframe)
        if last is None:
            raise NotFound(f"no stored candles for {exchange} {pair} {timeframe}")
        event = self._latest.indicators(pair.symbol, timeframe)
        if event is not None:
            last = min(last, ms_from_utc(event.candle_time))
        warmup = IndicatorEngine.with_default_set(CHART_INDICATORS).warmup
        start = last - (keep + warmup - 1) * timeframe.milliseconds
        arrays = await self._store.read_arrays(
            exchange=exchange, pair=pair, timeframe=timeframe, start_ms=start, end_ms=last + 1
        )
        keep = min(keep, len(arrays))
        series = await asyncio.to_thread(_chart_series, arrays, timeframe, keep)
        shown = arrays.slice(len(arrays) - keep, len(arrays))
        first_ms = int(shown.timestamps[0])
        until = utc_from_ms(int(shown.timestamps[-1]) + timeframe.milliseconds)
        async with UnitOfWork(self._database, read_only=True) as uow:
            records, _ = await trade_queries.search_trades(
                session=uow.session,
                where=TradeFilter(
                    bot=bot,
                    symbol=pair.symbol,
                    opened_from=utc_from_ms(first_ms),
                    opened_until=until,
                ),
                limit=MAX_CHART_TRADES,
                offset=0,
            )
        step = timeframe.milliseconds
        markers: list[ChartMarker] = []
        for record in records:
            trade = record.trade
            points: list[tuple[Literal["entry", "exit"], datetime, Decimal, Decimal | None]] = [
                ("entry", trade.entry_time, trade.entry_price, None)
            ]
            if trade.exit_time is not None and trade.exit_price is not None:
                points.append(("exit", trade.exit_time, trade.exit_price, trade.booked_pnl))
            for kind, at, price, pnl in points:
                at_ms = ms_from_utc(at)
                markers.append(
                    ChartMarker(
                        trade_id=record.id,
                        bot=trade.bot,
                        kind=kind,
                        side=trade.side,
                        at=at,
                        candle_time=utc_from_ms(at_ms - (at_ms - first_ms) % step),
                        price=price,
                        pnl=pnl,
                    )
                )
        markers.sort(key=lambda m: (m.at, m.trade_id))
        return ChartView(exchange, pair.symbol, timeframe, shown, series, markers)

    async def signals(
        self, actor: Actor, *, exchange: str, pair: Pair, timeframe: Timeframe
    ) -> SignalsView:
        """Each bot's latest signal: the engine's if seen, else its strategy on stored candles.

        Raises:
            NotFound: a bot has no event and no candle is stored for this market.
        """
        actor.require(Permission.READ)
        async with UnitOfWork(self._database, read_only=True) as uow:
            configs = {
                row.type: stored_config(row) for row in await bots.list_bots(session=uow.session)
            }
        found: list[tuple[TradingSignal, Source]] = []
        arrays: CandleArrays | None = None
        for bot in BotKind:
            event = self._latest.signal(pair.symbol, timeframe, bot)
            if event is not None:
                found.append((event.to_domain(), "engine"))
                continue
            arrays = arrays if arrays is not None else await self._recent(exchange, pair, timeframe)
            config = configs.get(bot) or BotConfig(strategy=DEFAULT_STRATEGY[bot])
            signal = await asyncio.to_thread(_decide, config, bot, pair, arrays, timeframe)
            found.append((signal, "computed"))
        return SignalsView(exchange, pair.symbol, timeframe, found)


def _chart_series(
    arrays: CandleArrays, timeframe: Timeframe, keep: int
) -> dict[str, list[float | None]]:
    engine = IndicatorEngine.with_default_set(CHART_INDICATORS)
    result = engine.compute(arrays, timeframe, with_strengths=False)
    return {
        name: [None if math.isnan(v) else v for v in values[len(values) - keep :].tolist()]
        for name, values in result.series.items()
    }


def _compute_indicators(arrays: CandleArrays, timeframe: Timeframe) -> dict[str, IndicatorSignal]:
    return dict(IndicatorEngine.with_default_set().compute(arrays, timeframe).signals)


def _decide(
    config: BotConfig, bot: BotKind, pair: Pair, arrays: CandleArrays, timeframe: Timeframe
) -> TradingSignal:
    strategy = create_strategy(config.strategy, config.params)
    engine = build_indicator_engine(strategy)
    higher = strategy.higher_timeframe(timeframe)
    multi: MultiTimeframeResult
    if higher is not None and timeframe.divides(higher) and higher is not timeframe:
        multi = engine.compute_from_base(arrays, timeframe, [higher])
        context = context_arrays(multi, higher)
    else:
        multi = MultiTimeframeResult(timeframe, {timeframe: engine.compute(arrays, timeframe)})
        context = context_arrays(multi)
    base = multi.results[timeframe]
    decision = DecisionEngine(strategy=strategy, pair=pair, target_bot=bot)
    return decision.evaluate(base, context.at(len(context) - 1))
