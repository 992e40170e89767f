"""The classic fast/slow simple moving average cross, used to cross-check the backtester."""

from __future__ import annotations

import numpy as np
from pydantic import Field, model_validator

from cryptotrader.domain.enums import BotKind
from cryptotrader.domain.market import FloatArray
from cryptotrader.strategies.base import BoolArray, StrategyParams, search_range
from cryptotrader.strategies.declared import Strategy, Window, indicator, param
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
class SmaCrossStrategy(Strategy[SmaCrossParams]):
    """Buy when SMA(fast) crosses above SMA(slow); sell when it crosses below.

    The rating is the sign of ``SMA(fast) - SMA(slow)`` (+1, -1, 0; NaN during warm-up); a cross
    up is a candle rated > 0 after one rated <= 0, so ``lookback`` is 2. Confidence is 1: a cross
    is all or nothing. Trades for the aggressive bot.
    """

    params_model = SmaCrossParams
    target_bot = BotKind.AGGRESSIVE
    lookback = 2
    fast_sma: Window = indicator("sma", period=param("fast"))
    slow_sma: Window = indicator("sma", period=param("slow"))

    def rate(self) -> FloatArray:
        """Sign of the fast average minus the slow one."""
        result: FloatArray = np.sign(self.fast_sma - self.slow_sma)
        return result

    def buy(self, rating: Window) -> BoolArray:
        """The fast average crossed above the slow one on this candle."""
        result: BoolArray = (rating > 0) & (rating.ago(1) <= 0)
        return result

    def sell(self, rating: Window) -> BoolArray:
        """The fast average crossed below the slow one on this candle."""
        result: BoolArray = (rating < 0) & (rating.ago(1) >= 0)
        return result
