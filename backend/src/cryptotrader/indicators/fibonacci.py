"""Fibonacci retracements of the latest swing (highest high and lowest low of a window)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import talib
from pydantic import Field

from cryptotrader.domain.market import CandleArrays, FloatArray
from cryptotrader.indicators._across import extremes, matrices
from cryptotrader.indicators._shared import window_rows
from cryptotrader.indicators.base import Indicator, IndicatorParams, Series
from cryptotrader.indicators.registry import register_indicator
from cryptotrader.indicators.streaming import attached, talib_rows

Indexes = npt.NDArray[np.integer[Any]] | npt.NDArray[np.float64]
"""TA-Lib's MAXINDEX and MININDEX (int32; float64 from ``talib_rows``: the same numbers)."""
RATIOS: tuple[float, ...] = (0.236, 0.382, 0.5, 0.618, 0.786)
KEY_RATIOS: tuple[float, ...] = (0.382, 0.5, 0.618)


def _column(ratio: float) -> str:
    return f"fib_{round(ratio * 1000):03d}"


def _levels(high: FloatArray, low: FloatArray, high_at: Indexes, low_at: Indexes) -> Series:
    """The swing's direction and levels from its extremes and where they are (elementwise)."""
    trend = np.where(high_at >= low_at, 1.0, -1.0)
    trend[np.isnan(high)] = np.nan
    span = high - low
    # Up-swing levels hang from the high, down-swing levels rise from the low.
    anchor = np.where(trend > 0, high, low)
    step = -trend * span
    out: Series = {"fib_high": high, "fib_low": low, "fib_trend": trend}
    for ratio in RATIOS:
        out[_column(ratio)] = anchor + ratio * step
    return out


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
    rows_strength = True

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

    @property
    def memory(self) -> int | None:
        """One window (TA-Lib MAX/MIN and their indexes)."""
        return self.params.lookback - 1

    def compute(self, candles: CandleArrays) -> Series:
        """Swing extremes and their order from TA-Lib MAX/MIN/MAXINDEX/MININDEX."""
        n = self.params.lookback
        return _levels(
            talib.MAX(candles.high, timeperiod=n),
            talib.MIN(candles.low, timeperiod=n),
            talib.MAXINDEX(candles.high, timeperiod=n),
            talib.MININDEX(candles.low, timeperiod=n),
        )

    def compute_rows(
        self, windows: Sequence[CandleArrays], take: int, stacked: CandleArrays
    ) -> Series:
        """TA-Lib's values over every window; the levels once, on the rows.

        Streamed where the series have streams (the indexes as floats: the same comparisons);
        else TA-Lib's loops over every window in one call (``_across``), or one TA-Lib call per
        window and function where a window has a NaN.
        """
        n = self.params.lookback
        if attached(windows):  # the series' streams, stepped (``streaming.talib_rows``)
            (top,) = talib_rows(windows, take, "MAX", ("high",), timeperiod=n)
            (bottom,) = talib_rows(windows, take, "MIN", ("low",), timeperiod=n)
            (top_at,) = talib_rows(windows, take, "MAXINDEX", ("high",), timeperiod=n)
            (bottom_at,) = talib_rows(windows, take, "MININDEX", ("low",), timeperiod=n)
            return _levels(top, bottom, top_at, bottom_at)
        found = matrices(windows, stacked, ("high", "low"))
        if found is not None:
            (high, starts), (low, _) = found
            top, top_at = extremes(high, starts, n, take, highest=True)
            bottom, bottom_at = extremes(low, starts, n, take, highest=False)
            return _levels(top, bottom, top_at, bottom_at)
        return _levels(
            window_rows(windows, take, lambda c: talib.MAX(c.high, timeperiod=n)),
            window_rows(windows, take, lambda c: talib.MIN(c.low, timeperiod=n)),
            window_rows(windows, take, lambda c: talib.MAXINDEX(c.high, timeperiod=n)),
            window_rows(windows, take, lambda c: talib.MININDEX(c.low, timeperiod=n)),
        )

    @staticmethod
    def _retraced(values: Series, close: FloatArray) -> tuple[FloatArray, FloatArray]:
        """How far the close has retraced the swing (0 at its end, 1 at its start), and the span."""
        high, low, trend = values["fib_high"], values["fib_low"], values["fib_trend"]
        span = high - low
        with np.errstate(invalid="ignore", divide="ignore"):
            retraced = np.where(trend > 0, high - close, close - low) / span
        return retraced, span

    @staticmethod
    def _nearest_key(retraced: FloatArray) -> FloatArray:
        """The key ratio nearest to each retracement (midpoints split the three key levels)."""
        low_mid = (KEY_RATIOS[0] + KEY_RATIOS[1]) / 2
        high_mid = (KEY_RATIOS[1] + KEY_RATIOS[2]) / 2
        nearest: FloatArray = np.where(
            retraced < low_mid,
            KEY_RATIOS[0],
            np.where(retraced < high_mid, KEY_RATIOS[1], KEY_RATIOS[2]),
        )
        return nearest

    def strength(self, values: Series, candles: CandleArrays, start: int = 0) -> FloatArray:
        """See the class docstring."""
        tail = {k: values[k][start:] for k in ("fib_high", "fib_low", "fib_trend")}
        close = candles.close[start:]
        retraced, span = self._retraced(tail, close)
        distance = np.abs(retraced - self._nearest_key(retraced)) * span / close
        closeness = np.clip(1.0 - distance / self.params.tolerance, 0.0, 1.0)
        closeness[span == 0] = 0.0  # no swing, no levels
        result: FloatArray = tail["fib_trend"] * closeness
        return result

    def label(self, values: Series, candles: CandleArrays, index: int, strength: float) -> str:
        """The key level being touched, or ``between_levels``."""
        if strength == 0:
            return "between_levels"
        window = {k: v[index : index + 1] for k, v in values.items()}
        retraced, _ = self._retraced(window, candles.close[index : index + 1])
        return self._level(strength, self._nearest_key(retraced)[0])

    def rows_labels(
        self, values: Series, candles: CandleArrays, strengths: list[float]
    ) -> list[str] | None:
        """``label`` of every pair's last row: the same elementwise arithmetic on the row."""
        last = {k: values[k][-1] for k in ("fib_high", "fib_low", "fib_trend")}
        with np.errstate(invalid="ignore"):
            retraced, _ = self._retraced(last, candles.close[-1])
            nearest = self._nearest_key(retraced).tolist()
        return [
            "between_levels" if s == 0 else self._level(s, n)
            for s, n in zip(strengths, nearest, strict=True)
        ]

    @staticmethod
    def _level(strength: float, nearest: float) -> str:
        role = "support" if strength > 0 else "resistance"
        return f"{role}_{nearest:g}"
