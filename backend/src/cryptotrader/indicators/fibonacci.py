"""Fibonacci retracements of the latest swing (highest high and lowest low of a window)."""

from __future__ import annotations

import numpy as np
import talib
from pydantic import Field

from cryptotrader.domain.market import CandleArrays, FloatArray
from cryptotrader.indicators.base import Indicator, IndicatorParams, Series
from cryptotrader.indicators.registry import register_indicator

RATIOS: tuple[float, ...] = (0.236, 0.382, 0.5, 0.618, 0.786)
KEY_RATIOS: tuple[float, ...] = (0.382, 0.5, 0.618)


def _column(ratio: float) -> str:
    return f"fib_{round(ratio * 1000):03d}"


class FibonacciParams(IndicatorParams):
    """Swing window and how close (fraction of price) to a level counts as touching it."""

    lookback: int = Field(default=100, ge=2)
    tolerance: float = Field(default=0.005, gt=0, lt=1)


@register_indicator("fibonacci")
class Fibonacci(Indicator[FibonacciParams]):
    """Retracement levels of the swing inside the last ``lookback`` candles.

    In an up-swing (the low came before the high) level r sits at ``high - r * (high - low)``
    and acts as support; in a down-swing at ``low + r * (high - low)`` and acts as resistance.
    Strength: near a key level (0.382, 0.5, 0.618) within ``tolerance``, ``+-(1 - distance /
    tolerance)`` (+ for support, - for resistance); else 0. Labels: ``support_0.618``,
    ``resistance_0.5`` ... or ``between_levels``.
    """

    params_model = FibonacciParams

    @property
    def key(self) -> str:
        """``fibonacci``."""
        return "fibonacci"

    @property
    def columns(self) -> tuple[str, ...]:
        """Swing high and low, direction (+1 up, -1 down), then one column per ratio."""
        return ("fib_high", "fib_low", "fib_trend", *(_column(r) for r in RATIOS))

    @property
    def warmup(self) -> int:
        """One full window."""
        return self.params.lookback - 1

    def compute(self, candles: CandleArrays) -> Series:
        """Swing extremes and their order from TA-Lib MAX/MIN/MAXINDEX/MININDEX."""
        n = self.params.lookback
        high = talib.MAX(candles.high, timeperiod=n)
        low = talib.MIN(candles.low, timeperiod=n)
        high_at = talib.MAXINDEX(candles.high, timeperiod=n).astype(np.float64)
        low_at = talib.MININDEX(candles.low, timeperiod=n).astype(np.float64)
        trend = np.where(high_at >= low_at, 1.0, -1.0)
        trend[np.isnan(high)] = np.nan
        span = high - low
        out: Series = {"fib_high": high, "fib_low": low, "fib_trend": trend}
        for ratio in RATIOS:
            out[_column(ratio)] = np.where(trend > 0, high - ratio * span, low + ratio * span)
        return out

    def _nearest(self, values: Series, close: FloatArray) -> tuple[FloatArray, FloatArray]:
        distance = np.full_like(close, np.inf)
        nearest = np.zeros_like(close)
        for ratio in KEY_RATIOS:
            with np.errstate(invalid="ignore"):
                d = np.abs(close - values[_column(ratio)]) / close
                closer = d < distance
            distance = np.where(closer, d, distance)
            nearest = np.where(closer, ratio, nearest)
        return distance, nearest

    def strength(self, values: Series, candles: CandleArrays, start: int = 0) -> FloatArray:
        """See the class docstring."""
        tail = {k: v[start:] for k, v in values.items()}
        distance, _ = self._nearest(tail, candles.close[start:])
        closeness = np.clip(1.0 - distance / self.params.tolerance, 0.0, 1.0)
        result: FloatArray = tail["fib_trend"] * closeness
        return result

    def label(self, values: Series, candles: CandleArrays, index: int, strength: float) -> str:
        """The key level being touched, or ``between_levels``."""
        if strength == 0:
            return "between_levels"
        window = slice(index, index + 1)
        _, nearest = self._nearest({k: v[window] for k, v in values.items()}, candles.close[window])
        role = "support" if strength > 0 else "resistance"
        return f"{role}_{nearest[0]:g}"
