"""Choppiness Index: is the market trending or moving sideways?"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import talib
from pydantic import Field, model_validator

from cryptotrader.domain.market import CandleArrays, FloatArray
from cryptotrader.indicators._across import extremes, kernel, matrices
from cryptotrader.indicators._shared import window_rows
from cryptotrader.indicators.atr import true_range
from cryptotrader.indicators.base import Indicator, IndicatorParams, Series, last_row
from cryptotrader.indicators.registry import register_indicator
from cryptotrader.indicators.streaming import TRUE_RANGE, attached, talib_rows


def _chop(tr_sum: FloatArray, span: FloatArray, n: int) -> FloatArray:
    """The index from the true ranges' sum and the price span of the window (elementwise)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        chop: FloatArray = np.where(
            span > 0, 100.0 * np.log10(tr_sum / span) / math.log10(n), 100.0
        )
    chop[np.isnan(span)] = np.nan
    return chop


class ChoppinessParams(IndicatorParams):
    """Window and the Fibonacci-derived levels separating trend from chop."""

    period: int = Field(default=14, ge=2)
    trending_below: float = Field(default=38.2, gt=0, lt=100)
    choppy_above: float = Field(default=61.8, gt=0, lt=100)

    @model_validator(mode="after")
    def _ordered(self) -> ChoppinessParams:
        if self.trending_below >= self.choppy_above:
            raise ValueError("trending_below must be below choppy_above")
        return self


@register_indicator("choppiness")
class Choppiness(Indicator[ChoppinessParams]):
    """CHOP = 100 * log10(sum(TR, n) / (max(high, n) - min(low, n))) / log10(n), in [0, 100].

    The true range of the first candle is its high - low (as ATR(1) defines it). Not
    directional: strength is 0 (default weight 0); strategies use it to avoid choppy markets.
    Labels: ``trending``, ``choppy``, ``neutral``.
    """

    params_model = ChoppinessParams
    rows_strength = True
    default_weight = 0.0

    @property
    def columns(self) -> tuple[str, ...]:
        """``chop_<period>``."""
        return (f"chop_{self.params.period}",)

    @property
    def warmup(self) -> int:
        """One full window."""
        return self.params.period - 1

    @property
    def memory(self) -> int | None:
        """One window of true ranges, each reading the previous close."""
        return self.params.period

    def compute(self, candles: CandleArrays) -> Series:
        """CHOP from TA-Lib TRANGE/SUM/MAX/MIN."""
        n = self.params.period
        tr_sum = talib.SUM(true_range(candles), timeperiod=n)
        span = talib.MAX(candles.high, timeperiod=n) - talib.MIN(candles.low, timeperiod=n)
        return {self.columns[0]: _chop(tr_sum, span, n)}

    def compute_rows(
        self, windows: Sequence[CandleArrays], take: int, stacked: CandleArrays
    ) -> Series:
        """TA-Lib's values over every window; the index once, on the rows.

        Streamed where the series have streams; else TA-Lib's loops over every window in one
        call (``_across``), or one TA-Lib call per window and function where a window has a NaN.
        """
        n = self.params.period
        if attached(windows):  # the series' streams, stepped (``streaming.talib_rows``)
            (tr_sum,) = talib_rows(windows, take, "SUM", (TRUE_RANGE,), timeperiod=n)
            (top,) = talib_rows(windows, take, "MAX", ("high",), timeperiod=n)
            (bottom,) = talib_rows(windows, take, "MIN", ("low",), timeperiod=n)
            return {self.columns[0]: _chop(tr_sum, top - bottom, n)}
        found = matrices(windows, stacked, ("high", "low", "close"))
        if found is not None:
            (high, starts), (low, _), (close, _) = found
            ranges = kernel("true_ranges")(high, low, close, starts)
            tr_sum = kernel("sums")(ranges, starts, n, take)
            top, _ = extremes(high, starts, n, take, highest=True)
            bottom, _ = extremes(low, starts, n, take, highest=False)
            return {self.columns[0]: _chop(tr_sum, top - bottom, n)}
        tr_sum = window_rows(windows, take, lambda c: talib.SUM(true_range(c), timeperiod=n))
        high = window_rows(windows, take, lambda c: talib.MAX(c.high, timeperiod=n))
        low = window_rows(windows, take, lambda c: talib.MIN(c.low, timeperiod=n))
        return {self.columns[0]: _chop(tr_sum, high - low, n)}

    def strength(self, values: Series, candles: CandleArrays, start: int = 0) -> FloatArray:
        """0 once defined (NaN during warm-up)."""
        result: FloatArray = values[self.columns[0]][start:] * 0.0
        return result

    def label(self, values: Series, candles: CandleArrays, index: int, strength: float) -> str:
        """Trending, choppy, or in between."""
        return self._regime(values[self.columns[0]][index])

    def rows_labels(
        self, values: Series, candles: CandleArrays, strengths: list[float]
    ) -> list[str] | None:
        """``label`` of every pair's last row."""
        return [self._regime(chop) for chop in last_row(values[self.columns[0]])]

    def _regime(self, chop: float) -> str:
        if chop < self.params.trending_below:
            return "trending"
        if chop > self.params.choppy_above:
            return "choppy"
        return "neutral"
