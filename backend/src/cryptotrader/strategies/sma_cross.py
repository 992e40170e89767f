"""The classic fast/slow simple moving average cross, used to cross-check the backtester."""

from __future__ import annotations

import numpy as np
from pydantic import Field, model_validator

from cryptotrader.domain.enums import BotKind
from cryptotrader.domain.market import FloatArray
from cryptotrader.strategies.base import (
    BaseStrategy,
    BoolArray,
    IndicatorSpec,
    StrategyInputs,
    StrategyParams,
    previous,
    search_range,
)
from cryptotrader.strategies.registry import register_strategy


class SmaCrossParams(StrategyParams):
    """Periods of the fast and slow simple moving averages of the closes."""

    fast: int = Field(default=20, ge=1, le=10_000, json_schema_extra=search_range(5, 50))
    slow: int = Field(default=50, ge=2, le=10_000, json_schema_extra=search_range(20, 200))

    @model_validator(mode="after")
    def _ordered(self) -> SmaCrossParams:
        if self.fast >= self.slow:
            raise ValueError("fast must be shorter than slow")
        return self


@register_strategy("sma_cross")
class SmaCrossStrategy(BaseStrategy[SmaCrossParams]):
    """Buy when SMA(fast) crosses above SMA(slow); sell when it crosses below.

    ``score`` is the sign of ``SMA(fast) - SMA(slow)`` (+1, -1, 0; NaN during warm-up). A cross
    up is a row whose score is > 0 while the previous row's was <= 0 (a cross down mirrors it),
    so ``lookback`` is 2. Confidence is 1: a cross is all or nothing. Trades for the aggressive
    bot by default.
    """

    params_model = SmaCrossParams
    target_bot = BotKind.AGGRESSIVE
    lookback = 2
    reads_strengths = False

    @property
    def indicators(self) -> tuple[IndicatorSpec, ...]:
        """SMA(fast) and SMA(slow)."""
        return (
            IndicatorSpec("sma", {"period": self.params.fast}),
            IndicatorSpec("sma", {"period": self.params.slow}),
        )

    def series_read(self) -> tuple[str, ...]:
        """The two averages."""
        return (f"sma_{self.params.fast}", f"sma_{self.params.slow}")

    def score(self, inputs: StrategyInputs) -> FloatArray:
        """Sign of the fast average minus the slow one."""
        fast = inputs.series[f"sma_{self.params.fast}"]
        slow = inputs.series[f"sma_{self.params.slow}"]
        result: FloatArray = np.sign(fast - slow)
        return result

    def should_buy(self, score: FloatArray, inputs: StrategyInputs) -> BoolArray:
        """The fast average crossed above the slow one on this candle."""
        result: BoolArray = (score > 0) & (previous(score) <= 0)
        return result

    def should_sell(self, score: FloatArray, inputs: StrategyInputs) -> BoolArray:
        """The fast average crossed below the slow one on this candle."""
        result: BoolArray = (score < 0) & (previous(score) >= 0)
        return result

    def confidence(self, score: FloatArray, inputs: StrategyInputs) -> FloatArray:
        """Always 1."""
        return np.ones(score.shape[0])
