"""Running a strategy: its indicators, its inputs, and its rule behind a safety wrapper.

``evaluate_rule`` is the only place a strategy's code is called. It hands the rule read-only
views (a rule cannot corrupt the engine's arrays), turns any exception into ``StrategyError``
naming the strategy, and checks what comes back (shapes, types, confidence range). A row that is
both an entry and an exit is an exit: selling wins.
"""

from __future__ import annotations

import inspect
import logging
from typing import Any

import numpy as np

from cryptotrader.domain.market import FloatArray
from cryptotrader.domain.signals import IndicatorResult
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.errors import StrategyError, UserInputError
from cryptotrader.indicators import Indicator, create_indicator, indicator_class
from cryptotrader.indicators.engine import CandleInput, IndicatorEngine, MultiTimeframeResult
from cryptotrader.strategies.base import BaseStrategy, Decisions, StrategyInputs
from cryptotrader.strategies.context import ContextArrays, context_arrays

logger = logging.getLogger(__name__)


def build_indicator_engine(strategy: BaseStrategy[Any], **dependencies: Any) -> IndicatorEngine:
    """An ``IndicatorEngine`` with the strategy's declared indicators.

    ``dependencies`` (e.g. ``fear_greed=DailySeries``) go to the indicators that accept them.
    """
    indicators: list[Indicator[Any]] = []
    for spec in strategy.indicators:
        accepted = inspect.signature(indicator_class(spec.name).__init__).parameters
        extra = {k: v for k, v in dependencies.items() if k in accepted}
        indicators.append(create_indicator(spec.name, spec.params, weight=spec.weight, **extra))
    return IndicatorEngine(indicators)


def warmup(strategy: BaseStrategy[Any], engine: IndicatorEngine) -> int:
    """Candles needed before the rule can fire: the indicators' warm-up plus its lookback."""
    return engine.warmup + strategy.lookback


def compute_inputs(
    strategy: BaseStrategy[Any],
    engine: IndicatorEngine,
    candles: CandleInput,
    timeframe: Timeframe,
) -> StrategyInputs:
    """Every indicator over ``candles`` (and the strategy's higher timeframe), as rule inputs."""
    return compute_strategy_indicators(strategy, engine, candles, timeframe)[1]


def compute_strategy_indicators(
    strategy: BaseStrategy[Any],
    engine: IndicatorEngine,
    candles: CandleInput,
    timeframe: Timeframe,
) -> tuple[IndicatorResult, StrategyInputs]:
    """``compute_inputs``, with the base timeframe's result (its readings of the last candle)."""
    higher = strategy.higher_timeframe(timeframe)
    strengths = strategy.reads_strengths
    if higher is not None and timeframe.divides(higher) and higher is not timeframe:
        multi = engine.compute_from_base(candles, timeframe, [higher], with_strengths=strengths)
        base = multi.results[timeframe]
        context = context_arrays(multi, higher)
    else:
        base = engine.compute(candles, timeframe, with_strengths=strengths)
        context = context_arrays(MultiTimeframeResult(timeframe, {timeframe: base}))
    inputs = StrategyInputs(
        series=base.series, strengths=base.strengths, weights=base.weights, context=context
    )
    return base, inputs


def _read_only(values: FloatArray) -> FloatArray:
    view = values.view()
    view.flags.writeable = False
    return view


def _guarded(inputs: StrategyInputs) -> StrategyInputs:
    context = inputs.context
    return StrategyInputs(
        series={k: _read_only(v) for k, v in inputs.series.items()},
        strengths={k: _read_only(v) for k, v in inputs.strengths.items()},
        weights=dict(inputs.weights),
        context=ContextArrays(*(_read_only(getattr(context, f)) for f in context.__slots__)),
    )


def _checked(name: str, what: str, values: Any, length: int, dtype: type) -> Any:
    array = np.asarray(values)
    if array.shape != (length,):
        raise StrategyError(
            f"strategy {name!r}: {what} has shape {array.shape}, expected ({length},)"
        )
    return array.astype(dtype, copy=False)


def evaluate_rule(strategy: BaseStrategy[Any], inputs: StrategyInputs) -> Decisions:
    """The strategy's decisions for every row of ``inputs``.

    Raises:
        StrategyError: the strategy raised or returned malformed arrays.
    """
    guarded = _guarded(inputs)
    n = len(inputs)
    name = strategy.name
    try:
        score = strategy.score(guarded)
        buy = strategy.should_buy(score, guarded)
        sell = strategy.should_sell(score, guarded)
        confidence = strategy.confidence(score, guarded)
    except (StrategyError, UserInputError):
        raise
    except Exception as exc:
        logger.exception("strategy %s raised", name)
        raise StrategyError(f"strategy {name!r} failed: {exc!r}") from exc
    score = _checked(name, "score", score, n, np.float64)
    exits = _checked(name, "should_sell", sell, n, np.bool_)
    entries = _checked(name, "should_buy", buy, n, np.bool_) & ~exits
    confidence = _checked(name, "confidence", confidence, n, np.float64)
    if not np.all((confidence >= 0) & (confidence <= 1)):
        raise StrategyError(f"strategy {name!r}: confidence outside [0, 1]")
    return Decisions(score=score, entries=entries, exits=exits, confidence=confidence)
