"""Moving Average Convergence Divergence, computed by TA-Lib."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import talib
from pydantic import Field, model_validator

from cryptotrader.domain.market import CandleArrays, FloatArray
from cryptotrader.indicators._shared import atr
from cryptotrader.indicators.base import (
    Indicator,
    IndicatorParams,
    Series,
    ema_memory,
    last_row,
    wilder_memory,
)
from cryptotrader.indicators.registry import register_indicator
from cryptotrader.indicators.streaming import talib_rows


class MacdParams(IndicatorParams):
    """EMA periods, and the histogram size (as a fraction of price) that counts as full strength."""

    fast: int = Field(default=12, ge=2)
    slow: int = Field(default=26, ge=3)
    signal: int = Field(default=9, ge=1)
    atr_period: int = Field(default=14, ge=1)
    saturation: float = Field(
        default=0.25, gt=0, description="|histogram| / ATR giving strength tanh(1) ~ 0.76"
    )

    @model_validator(mode="after")
    def _ordered(self) -> MacdParams:
        if self.fast >= self.slow:
            raise ValueError("fast must be shorter than slow")
        return self


@register_indicator("macd")
class Macd(Indicator[MacdParams]):
    """MACD line, signal line and histogram.

    Strength is ``tanh(histogram / ATR / saturation)``: positive when the MACD line is above its
    signal line; measured in ATRs so that one setting reads alike on every timeframe.
    Labels: ``bullish_cross`` / ``bearish_cross`` on the candle where the histogram changes sign,
    else ``bullish_rising``, ``bullish_falling``, ``bearish_falling``,
    ``bearish_rising`` (sign, then whether the histogram grew).
    """

    params_model = MacdParams
    rows_strength = True

    @property
    def _prefix(self) -> str:
        p = self.params
        default = (p.fast, p.slow, p.signal) == (12, 26, 9)
        return "macd" if default else f"macd_{p.fast}_{p.slow}_{p.signal}"

    @property
    def columns(self) -> tuple[str, ...]:
        """``macd``, ``macd_signal``, ``macd_hist`` (suffixed with the periods when not default)."""
        prefix = self._prefix
        return (prefix, f"{prefix}_signal", f"{prefix}_hist")

    @property
    def warmup(self) -> int:
        """Slow EMA then signal EMA."""
        return self.params.slow + self.params.signal - 2

    @property
    def memory(self) -> int | None:
        """The slow EMA, then the signal EMA of its line; the ATR of the strength."""
        p = self.params
        return max(ema_memory(p.slow) + ema_memory(p.signal), wilder_memory(p.atr_period))

    def compute(self, candles: CandleArrays) -> Series:
        """MACD of the closes."""
        p = self.params
        line, signal, hist = talib.MACD(
            candles.close, fastperiod=p.fast, slowperiod=p.slow, signalperiod=p.signal
        )
        return dict(zip(self.columns, (line, signal, hist), strict=True))

    def compute_rows(
        self, windows: Sequence[CandleArrays], take: int, stacked: CandleArrays
    ) -> Series:
        """The last ``take`` rows of each window's MACD (streamed: ``streaming.talib_rows``)."""
        p = self.params
        rows = talib_rows(
            windows,
            take,
            "MACD",
            ("close",),
            3,
            fastperiod=p.fast,
            slowperiod=p.slow,
            signalperiod=p.signal,
        )
        return dict(zip(self.columns, rows, strict=True))

    def strength(self, values: Series, candles: CandleArrays, start: int = 0) -> FloatArray:
        """See the class docstring."""
        hist = values[self.columns[2]][start:]
        scale = atr(candles, self.params.atr_period)[start:] * self.params.saturation
        with np.errstate(invalid="ignore", divide="ignore"):
            result: FloatArray = np.tanh(hist / scale)
        result[scale == 0] = 0.0  # no range, no momentum
        return result

    def label(self, values: Series, candles: CandleArrays, index: int, strength: float) -> str:
        """Cross, or sign and slope of the histogram."""
        hist = values[self.columns[2]]
        return self._cross(hist[index], hist[index - 1] if index > 0 else np.nan)

    def rows_labels(
        self, values: Series, candles: CandleArrays, strengths: list[float]
    ) -> list[str] | None:
        """``label`` of every pair's last row (and the one before: at least two rows)."""
        hist = values[self.columns[2]]
        pairs = zip(last_row(hist), last_row(hist[:-1]), strict=True)
        return [self._cross(now, before) for now, before in pairs]

    @staticmethod
    def _cross(now: float, before: float) -> str:
        if not np.isnan(before):
            if before <= 0 < now:
                return "bullish_cross"
            if before >= 0 > now:
                return "bearish_cross"
        side = "bullish" if now > 0 else "bearish"
        if np.isnan(before) or now == before:
            return side
        return f"{side}_rising" if now > before else f"{side}_falling"
