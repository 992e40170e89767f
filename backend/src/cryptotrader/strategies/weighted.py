"""What the conservative and aggressive strategies share: a weighted indicator score and filters.

``score = sum(weight_i x strength_i) / sum(weight_i)`` over every indicator with weight > 0
(the technical set; sentiment, choppiness and ATR have weight 0 and act as context). A buy needs
``score >= buy_threshold`` and every enabled filter: higher-timeframe trend up, choppiness at or
below ``max_choppiness``, Fear & Greed at or below ``max_fear_greed`` (unknown sentiment never
blocks: it is context, not a reason to stop). A sell is ``score <= sell_threshold``, or the
higher-timeframe trend turning down when trend agreement is required. Confidence is
``min(1, score / full_confidence)`` for positive scores.
"""

from __future__ import annotations

import numpy as np
from pydantic import Field, model_validator

from cryptotrader.domain.market import FloatArray
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.indicators.defaults import DEFAULT_SET
from cryptotrader.strategies.base import (
    BoolArray,
    IndicatorSpec,
    StrategyParams,
    search_range,
)
from cryptotrader.strategies.context import nan_to_zero
from cryptotrader.strategies.declared import Strategy, Window, votes

#: The higher timeframe whose trend a base timeframe's candles consult by default.
TREND_TIMEFRAME: dict[Timeframe, Timeframe] = {
    Timeframe.M1: Timeframe.H1,
    Timeframe.M5: Timeframe.H1,
    Timeframe.M15: Timeframe.H4,
    Timeframe.M30: Timeframe.H4,
    Timeframe.H1: Timeframe.H4,
    Timeframe.H4: Timeframe.D1,
    Timeframe.D1: Timeframe.W1,
}
_CONTEXT_ONLY = {"fear_greed": 0.0, "google_trends": 0.0}


class WeightedParams(StrategyParams):
    """Thresholds and filters of a weighted-score strategy."""

    buy_threshold: float = Field(
        gt=0, le=1, description="score at or above: buy", json_schema_extra=search_range(0.05, 0.6)
    )
    sell_threshold: float = Field(
        ge=-1, lt=1, description="score at or below: sell", json_schema_extra=search_range(-0.5, 0)
    )
    full_confidence: float = Field(
        default=0.5,
        gt=0,
        le=1,
        description="score of confidence 1",
        json_schema_extra=search_range(0.1, 1.0),
    )
    max_choppiness: float = Field(
        default=100.0,
        ge=0,
        le=100,
        description="100: no filter",
        json_schema_extra=search_range(30, 100, step=5),
    )
    max_fear_greed: float = Field(
        default=100.0,
        ge=0,
        le=100,
        description="100: no filter",
        json_schema_extra=search_range(50, 100, step=5),
    )
    require_trend_agreement: bool = False
    trend_timeframe: Timeframe | None = Field(
        default=None, description="higher timeframe of the trend filter; None: see TREND_TIMEFRAME"
    )

    @model_validator(mode="after")
    def _ordered(self) -> WeightedParams:
        if self.sell_threshold >= self.buy_threshold:
            raise ValueError("sell_threshold must be below buy_threshold")
        return self


class WeightedStrategy(Strategy[WeightedParams]):
    """Base of ``conservative`` and ``aggressive``; see the module docstring for the rule."""

    params_model = WeightedParams
    vote: Window = votes(
        tuple(
            IndicatorSpec(name, params, _CONTEXT_ONLY.get(name, weight))
            for name, params, weight in DEFAULT_SET
        )
    )
    """The full built-in set, weighted; sentiment indicators as context (weight 0)."""

    def higher_timeframe(self, base: Timeframe) -> Timeframe | None:
        """``trend_timeframe``, or the default for ``base``; None without trend agreement."""
        if not self.params.require_trend_agreement:
            return None
        return self.params.trend_timeframe or TREND_TIMEFRAME.get(base)

    def rate(self) -> FloatArray:
        """Weighted average of the strengths of the indicators with weight > 0."""
        return self.vote

    def buy(self, rating: Window) -> BoolArray:
        """Score high enough and every enabled filter passed."""
        p = self.params
        context = self.context
        buy: BoolArray = rating >= p.buy_threshold
        if p.max_choppiness < 100:
            buy &= context.choppiness <= p.max_choppiness
        if p.max_fear_greed < 100:
            buy &= ~(context.fear_greed > p.max_fear_greed)
        if p.require_trend_agreement:
            buy &= context.higher_trend > 0
        return buy

    def sell(self, rating: Window) -> BoolArray:
        """Score low enough, or the higher-timeframe trend turned down."""
        sell: BoolArray = rating <= self.params.sell_threshold
        if self.params.require_trend_agreement:
            sell |= self.context.higher_trend < 0
        return sell

    def confidence_of(self, rating: Window) -> FloatArray:
        """``min(1, score / full_confidence)``, 0 for scores <= 0 or unknown."""
        scaled = np.clip(rating / self.params.full_confidence, 0.0, 1.0)
        return nan_to_zero(scaled)
