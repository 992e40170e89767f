"""Indicator worker: closed candles in, each bot's strategy inputs (and the latest readings) out.

Parity with the backtest is by construction: the inputs are computed by the backtest's own
function (``strategies.evaluation.compute_strategy_indicators``) over the **whole loaded history**
of the series, never over a rolling window. A window would change every indicator with memory
(EMA, RSI, MACD, ADI ...) and so, near a threshold, decisions; over the full history an
indicator's value at a candle depends only on the candles up to it (no indicator looks ahead:
``tests/unit/engines/backtest/test_no_lookahead.py``), so computing a run of candles at once
gives each candle exactly the values it gets candle by candle, and exactly the backtest's.

A bot's strategy changed through the API (``BotReconfigured`` on ``commands``) is swapped in at
the start of the next run of candles, so both the inputs and the rule (the decision worker
builds it from the ``strategy`` and ``params`` the inputs carry) change at the same candle.

The history is kept in memory and reloaded from the candle store when a run does not follow the
last one (a restart, a gap in delivery): the store holds every candle the market data engine
published, from ``history_from_ms`` on.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import numpy as np

from cryptotrader.bus import topics
from cryptotrader.bus.messages import (
    BotReconfigured,
    BusMessage,
    CandlesClosed,
    IndicatorsComputed,
    RuleInputs,
    StrategyInputsComputed,
)
from cryptotrader.bus.protocol import Delivery, MessageBus
from cryptotrader.domain.enums import BotKind
from cryptotrader.domain.market import CandleArrays
from cryptotrader.domain.signals import IndicatorSignal
from cryptotrader.domain.values import utc_from_ms
from cryptotrader.engines.workers.runs import candle_run, concat, run_arrays
from cryptotrader.errors import UserInputError
from cryptotrader.indicators.engine import IndicatorEngine
from cryptotrader.persistence.candles import SqlCandleStore
from cryptotrader.strategies import create_strategy
from cryptotrader.strategies.base import BaseStrategy, StrategyInputs
from cryptotrader.strategies.evaluation import build_indicator_engine, compute_strategy_indicators

log = logging.getLogger(__name__)

SeriesKey = tuple[str, str, str]
Applied = Callable[[BotReconfigured, int], Awaitable[list[tuple[str, BusMessage]]]]
"""Records a change applied from the candle opened at the given ms; returns events to publish."""


class IndicatorWorker:
    """Consumes ``candles``, publishes ``StrategyInputsComputed`` and ``IndicatorsComputed``.

    Args:
        bus: the message bus.
        store: where the series' history is read from after a restart.
        strategies: each bot's strategy.
        dependencies: keyword dependencies of indicators (``fear_greed=DailySeries``).
    """

    def __init__(
        self,
        *,
        bus: MessageBus,
        store: SqlCandleStore,
        strategies: Mapping[BotKind, BaseStrategy[Any]],
        dependencies: Mapping[str, Any] | None = None,
        on_applied: Applied | None = None,
    ) -> None:
        self._bus = bus
        self._store = store
        self._strategies = dict(strategies)
        self._deps = dict(dependencies or {})
        self._engines: dict[BotKind, IndicatorEngine] = {
            bot: build_indicator_engine(strategy, **self._deps)
            for bot, strategy in strategies.items()
        }
        self._history: dict[SeriesKey, CandleArrays] = {}
        self._pending: dict[BotKind, tuple[BotReconfigured, BaseStrategy[Any]]] = {}
        self._on_applied = on_applied

    @property
    def pending(self) -> frozenset[BotKind]:
        """Bots whose new strategy applies at the next run of candles."""
        return frozenset(self._pending)

    async def reconfigure(self, delivery: Delivery) -> None:
        """Take a bot's new strategy (``commands``); it applies from the next candle on.

        A change the registry refuses (the API validated it: a version mismatch between the
        processes) keeps the running strategy and says so.
        """
        message = delivery.message
        if not isinstance(message, BotReconfigured) or message.bot not in self._strategies:
            return
        try:
            strategy = create_strategy(message.strategy, message.params)
        except UserInputError as exc:
            log.error("%s bot: cannot apply %s: %s", message.bot, message.strategy, exc)
            return
        self._pending[message.bot] = (message, strategy)

    async def handle(self, delivery: Delivery) -> None:
        """Compute the inputs of a run of closed candles and publish them."""
        message = delivery.message
        if not isinstance(message, CandlesClosed):
            return
        key = (message.exchange, message.pair.symbol, message.timeframe.value)
        history = await self._loaded(key, message)
        run = run_arrays(message.candles)
        if len(history):
            run = run.slice(
                int(np.searchsorted(run.timestamps, history.timestamps[-1], "right")), len(run)
            )
        if not len(run):
            return  # a run delivered again: nothing new
        full = concat(history, run)
        self._history[key] = full
        first = len(history)
        applied = self._apply_pending()
        inputs, readings = await asyncio.to_thread(self._compute, full, message, first)
        await self._bus.publish(
            topics.INDICATORS,
            StrategyInputsComputed(
                timestamp=message.timestamp,
                exchange=message.exchange,
                pair=message.pair,
                timeframe=message.timeframe,
                candles=candle_run(run),
                next_open=message.next_open,
                next_open_ms=message.next_open_ms,
                final=message.final,
                batch=message.batch,
                batch_ms=message.batch_ms,
                inputs=inputs,
            ),
        )
        await self._bus.publish(
            topics.INDICATORS,
            IndicatorsComputed.from_domain(
                readings,
                pair=message.pair,
                timeframe=message.timeframe,
                candle_time=utc_from_ms(int(run.timestamps[-1])),
                at=message.timestamp,
            ),
        )
        for change in applied:
            events = (
                []
                if self._on_applied is None
                else await self._on_applied(change, int(run.timestamps[0]))
            )
            for topic, event in events:
                await self._bus.publish(topic, event)

    def _apply_pending(self) -> list[BotReconfigured]:
        """Swap in the strategies changed since the last run: they decide from this run on."""
        applied = []
        for bot, (change, strategy) in self._pending.items():
            self._strategies[bot] = strategy
            self._engines[bot] = build_indicator_engine(strategy, **self._deps)
            applied.append(change)
            log.info("%s bot: %s from the next candle on", bot, strategy.name)
        self._pending.clear()
        return applied

    async def _loaded(self, key: SeriesKey, message: CandlesClosed) -> CandleArrays:
        """The history before the run: the one kept when the run follows it, else the store's."""
        kept = self._history.get(key)
        previous = message.previous_open_ms
        if (
            kept is not None
            and previous is not None
            and len(kept)
            and kept.timestamps[-1] >= previous
        ):
            return kept
        exchange, symbol, timeframe = key
        loaded = await self._store.read_arrays(
            exchange=exchange,
            pair=message.pair,
            timeframe=message.timeframe,
            start_ms=message.history_from_ms,
            end_ms=message.candles.open_times[0],
        )
        if previous is not None and (not len(loaded) or loaded.timestamps[-1] != previous):
            log.warning("%s %s %s: the stored history misses candles", exchange, symbol, timeframe)
        log.info("%s %s %s: %d candles of history loaded", exchange, symbol, timeframe, len(loaded))
        return loaded

    def _compute(
        self, candles: CandleArrays, message: CandlesClosed, first: int
    ) -> tuple[dict[BotKind, RuleInputs], dict[str, IndicatorSignal]]:
        inputs: dict[BotKind, RuleInputs] = {}
        readings: dict[str, IndicatorSignal] = {}
        for bot, strategy in self._strategies.items():
            result, rows = compute_strategy_indicators(
                strategy, self._engines[bot], candles, message.timeframe
            )
            readings.update(result.signals)
            inputs[bot] = _rule_inputs(strategy, rows, first)
        return inputs, readings


def _rule_inputs(strategy: BaseStrategy[Any], rows: StrategyInputs, first: int) -> RuleInputs:
    """The rows a strategy needs for the candles from ``first`` on (and its lookback before)."""
    lead = min(strategy.lookback - 1, first)
    start = first - lead
    wanted = strategy.series_read()
    series = {
        name: values[start:].tolist()
        for name, values in rows.series.items()
        if wanted is None or name in wanted
    }
    strengths = (
        {name: values[start:].tolist() for name, values in rows.strengths.items()}
        if strategy.reads_strengths
        else {}
    )
    context = {name: getattr(rows.context, name)[start:].tolist() for name in _CONTEXT}
    return RuleInputs(
        strategy=strategy.name,
        params=strategy.params.model_dump(mode="json"),
        lead=lead,
        series=series,
        strengths=strengths,
        weights=dict(rows.weights),
        context=context,
    )


_CONTEXT = ("fear_greed", "volatility", "relative_volume", "choppiness", "trend", "higher_trend")
