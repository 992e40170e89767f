"""Relative Strength Index (Wilder), computed by TA-Lib."""

from __future__ import annotations

from collections.abc import Sequence

import talib
from pydantic import Field, model_validator

from cryptotrader.domain.market import CandleArrays, FloatArray
from cryptotrader.indicators.base import (
    Indicator,
    IndicatorParams,
    Series,
    last_row,
    piecewise_extremes,
    wilder_memory,
)
from cryptotrader.indicators.registry import register_indicator
from cryptotrader.indicators.streaming import talib_rows


class RsiParams(IndicatorParams):
    """RSI period and the levels that count as oversold (bullish) and overbought (bearish)."""

    period: int = Field(default=14, ge=2, le=1000)
    oversold: float = Field(default=30.0, gt=0, lt=100)
    overbought: float = Field(default=70.0, gt=0, lt=100)

    @model_validator(mode="after")
    def _ordered(self) -> RsiParams:
        if self.oversold >= self.overbought:
            raise ValueError("oversold must be below overbought")
        return self


@register_indicator("rsi")
class Rsi(Indicator[RsiParams]):
    """RSI: momentum oscillator in [0, 100].

    Strength is 0 between ``oversold`` and ``overbought``; below ``oversold`` it rises linearly to
    +1 at RSI 0 (mean reversion up expected), above ``overbought`` it falls to -1 at RSI 100.
    Labels: ``oversold``, ``overbought``, ``neutral``.
    """

    params_model = RsiParams
    rows_strength = True

    @property
    def columns(self) -> tuple[str, ...]:
        """``rsi_<period>``."""
        return (f"rsi_{self.params.period}",)

    @property
    def warmup(self) -> int:
        """TA-Lib's RSI needs ``period`` price changes."""
        return self.params.period

    @property
    def memory(self) -> int | None:
        """Wilder's smoothing of the gains and losses (``wilder_memory``)."""
        return wilder_memory(self.params.period)

    def compute(self, candles: CandleArrays) -> Series:
        """RSI of the closes."""
        return {self.columns[0]: talib.RSI(candles.close, timeperiod=self.params.period)}

    def compute_rows(
        self, windows: Sequence[CandleArrays], take: int, stacked: CandleArrays
    ) -> Series:
        """The last ``take`` rows of each window's RSI (streamed: ``streaming.talib_rows``)."""
        (rsi,) = talib_rows(windows, take, "RSI", ("close",), timeperiod=self.params.period)
        return {self.columns[0]: rsi}

    def strength(self, values: Series, candles: CandleArrays, start: int = 0) -> FloatArray:
        """See the class docstring."""
        p = self.params
        rsi = values[self.columns[0]][start:]
        return piecewise_extremes(rsi, p.oversold, p.overbought, 0.0, 100.0)

    def label(self, values: Series, candles: CandleArrays, index: int, strength: float) -> str:
        """``oversold``, ``overbought`` or ``neutral``."""
        return self._band(values[self.columns[0]][index])

    def rows_labels(
        self, values: Series, candles: CandleArrays, strengths: list[float]
    ) -> list[str] | None:
        """``label`` of every pair's last row."""
        return [self._band(value) for value in last_row(values[self.columns[0]])]

    def _band(self, value: float) -> str:
        if value <= self.params.oversold:
            return "oversold"
        if value >= self.params.overbought:
            return "overbought"
        return "neutral"
