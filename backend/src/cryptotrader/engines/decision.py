"""DecisionEngine: indicator results + a strategy -> a ``TradingSignal`` for one pair and bot.

The engine evaluates the strategy's rule (the one a backtest evaluates over every candle) on the
last ``strategy.lookback`` candles with the given market context, and reads the last row. Each
signal carries its reasons: the score, and every indicator's contribution
``weight x strength / total weight`` (the contributions add up to the weighted score).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from cryptotrader.domain.enums import BotKind, SignalAction
from cryptotrader.domain.market import FloatArray
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.signals import IndicatorResult, MarketContext, TradingSignal
from cryptotrader.domain.values import utc_from_ms
from cryptotrader.errors import UserInputError
from cryptotrader.strategies.base import BaseStrategy, Decisions, StrategyInputs
from cryptotrader.strategies.context import ContextArrays
from cryptotrader.strategies.evaluation import evaluate_rule


def contributions(indicators: IndicatorResult, index: int = -1) -> dict[str, float]:
    """Each weighted indicator's share of the score at row ``index`` (0 where not yet known)."""
    return row_contributions(indicators.strengths, indicators.weights, index)


def row_contributions(
    strengths: Mapping[str, FloatArray], weights: Mapping[str, float], index: int
) -> dict[str, float]:
    """``contributions`` from strength columns and weights."""
    used = {k: w for k, w in weights.items() if w > 0 and k in strengths}
    total = sum(used.values())
    if total <= 0:
        return {}
    shares: dict[str, float] = {}
    for key, weight in used.items():
        strength = float(strengths[key][index])
        shares[key] = 0.0 if math.isnan(strength) else weight * strength / total
    return shares


def rows_contributions(
    strengths: Mapping[str, FloatArray], weights: Mapping[str, float], rows: Sequence[int]
) -> list[dict[str, float]]:
    """``row_contributions`` of each of ``rows``, computed a column at a time.

    The same arithmetic in float64 (``weight x strength / total``, NaN as 0), so each row's
    shares are exactly ``row_contributions``'s; a run's buy and sell rows are most of its rows.
    """
    used = {k: w for k, w in weights.items() if w > 0 and k in strengths}
    total = sum(used.values())
    if total <= 0:
        return [{} for _ in rows]
    at = np.asarray(rows, dtype=np.intp)
    columns = []
    for key, weight in used.items():
        strength = np.asarray(strengths[key], dtype=np.float64)[at]
        shares = weight * strength / total
        shares[np.isnan(strength)] = 0.0
        columns.append(shares.tolist())
    keys = list(used)
    return [dict(zip(keys, row, strict=True)) for row in zip(*columns, strict=True)]


class DecisionEngine:
    """Turns the latest indicator results into a trading signal with one strategy.

    Args:
        strategy: the decision rule.
        pair: the market the indicators were computed on.
        target_bot: the bot the signals are for; the strategy's own by default.

    Example:
        >>> engine = DecisionEngine(strategy=create_strategy("conservative"),
        ...                         pair=Pair.parse("BTC/USDT"))  # doctest: +SKIP
        >>> engine.evaluate(result, MarketContext()).action  # doctest: +SKIP
        <SignalAction.HOLD: 'hold'>
    """

    def __init__(
        self, *, strategy: BaseStrategy[Any], pair: Pair, target_bot: BotKind | None = None
    ) -> None:
        self.strategy = strategy
        self.pair = pair
        self.target_bot = target_bot or strategy.target_bot

    def decide(self, inputs: StrategyInputs) -> Decisions:
        """The rule on every row of a run of candles (with its ``lookback`` earlier rows).

        Row ``t`` is what ``evaluate`` gives on the candle of row ``t``: the rule reads at most
        ``lookback`` rows back and the market context of its own row (docs/strategies.md), so a
        run is decided at once instead of candle by candle.

        Raises:
            StrategyError: the strategy raised or returned malformed values.
        """
        return evaluate_rule(self.strategy, inputs)

    def evaluate(self, indicators: IndicatorResult, context: MarketContext) -> TradingSignal:
        """The signal of the last candle of ``indicators`` (computed with strengths).

        Raises:
            UserInputError: no candle, or the indicators were computed without strengths.
            StrategyError: the strategy raised or returned malformed values.
        """
        n = len(indicators)
        if n == 0:
            raise UserInputError("no candle to decide on")
        if self.strategy.reads_strengths and indicators.signals and not indicators.strengths:
            raise UserInputError("compute the indicators with strengths to decide")
        rows = min(self.strategy.lookback, n)
        inputs = StrategyInputs(
            series={k: v[n - rows :] for k, v in indicators.series.items()},
            strengths={k: v[n - rows :] for k, v in indicators.strengths.items()},
            weights=indicators.weights,
            context=ContextArrays.broadcast(context, rows),
        )
        decisions = evaluate_rule(self.strategy, inputs)
        action = SignalAction.HOLD
        if decisions.exits[-1]:
            action = SignalAction.SELL
        elif decisions.entries[-1]:
            action = SignalAction.BUY
        score = float(decisions.score[-1])
        return TradingSignal(
            timestamp=utc_from_ms(int(indicators.timestamps[-1])),
            pair=self.pair,
            timeframe=indicators.timeframe,
            action=action,
            confidence=float(decisions.confidence[-1]),
            score=0.0 if math.isnan(score) else max(-1.0, min(1.0, score)),
            strategy=self.strategy.name,
            target_bot=self.target_bot,
            contributions=contributions(indicators),
            indicators=dict(indicators.signals),
        )
