"""Market data for people: stored candle series, candles, latest indicators and signals.

Indicators and signals come from the engines' latest bus events when this process has seen one
for the market; otherwise they are computed on the stored candles by the same
``IndicatorEngine`` and ``DecisionEngine`` the bots use (in a worker thread, so that the event
loop never waits on the computation).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from cryptotrader.domain.bots import DEFAULT_STRATEGY, BotConfig
from cryptotrader.domain.enums import BotKind
from cryptotrader.domain.market import CandleArrays
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.signals import IndicatorSignal, TradingSignal
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.domain.values import utc_from_ms
from cryptotrader.engines.decision import DecisionEngine
from cryptotrader.engines.indicator import IndicatorEngine, MultiTimeframeResult
from cryptotrader.marketdata.store import StoredSeries
from cryptotrader.persistence.candles import SqlCandleStore
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.repositories import bots
from cryptotrader.persistence.uow import UnitOfWork
from cryptotrader.services.bots import stored_config
from cryptotrader.services.context import Actor, Permission
from cryptotrader.services.errors import NotFound
from cryptotrader.services.latest_events import LatestEvents
from cryptotrader.strategies import create_strategy
from cryptotrader.strategies.context import context_arrays
from cryptotrader.strategies.evaluation import build_indicator_engine

MAX_CANDLES = 5000
COMPUTE_CANDLES = 1500
Source = Literal["engine", "computed"]


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


class MarketService:
    """Reads candles and derives indicators and signals.

    Args:
        database: the candle store and the bots' configuration.
        latest: the latest engine events seen on the bus.
    """

    def __init__(self, *, database: Database, latest: LatestEvents) -> None:
        self._database = database
        self._store = SqlCandleStore(database)
        self._latest = latest

    async def series(self, actor: Actor) -> list[StoredSeries]:
        """Every stored candle series."""
        actor.require(Permission.READ)
        return await self._store.series()

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

    async def signals(
        self, actor: Actor, *, exchange: str, pair: Pair, timeframe: Timeframe
    ) -> SignalsView:
        """Each bot's latest signal: the engine's if seen, else its strategy on stored candles.

        Raises:
            NotFound: a bot has no event and no candle is stored for this market.
        """
        actor.require(Permission.READ)
        async with UnitOfWork(self._database) as uow:
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
