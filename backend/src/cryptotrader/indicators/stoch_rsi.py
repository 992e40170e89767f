"""Stochastic RSI, computed by TA-Lib."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import talib
from pydantic import Field, model_validator
from talib._ta_lib import MA_Type  # the typed enum TA-Lib expects for matype

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


class StochRsiParams(IndicatorParams):
    """TA-Lib STOCHRSI periods (RSI period, %K window, %D smoothing) and its extreme zones.

    TA-Lib's %K is the raw stochastic of RSI over ``fastk_period``; %D is its SMA over
    ``fastd_period``. Defaults follow the common 14/14/3 set-up.
    """

    period: int = Field(default=14, ge=2)
    fastk_period: int = Field(default=14, ge=1)
    fastd_period: int = Field(default=3, ge=1)
    oversold: float = Field(default=20.0, gt=0, lt=100)
    overbought: float = Field(default=80.0, gt=0, lt=100)

    @model_validator(mode="after")
    def _ordered(self) -> StochRsiParams:
        if self.oversold >= self.overbought:
            raise ValueError("oversold must be below overbought")
        return self


@register_indicator("stoch_rsi")
class StochRsi(Indicator[StochRsiParams]):
    """Stochastic RSI %K and %D in [0, 100].

    Strength from %D: 0 inside [oversold, overbought], +1 at 0 and -1 at 100. Labels:
    ``bullish_cross`` / ``bearish_cross`` when %K crosses %D inside the matching extreme zone,
    else ``oversold``, ``overbought`` or ``neutral``.
    """

    params_model = StochRsiParams
    rows_strength = True

    @property
    def key(self) -> str:
        """``stochrsi``."""
        return "stochrsi"

    @property
    def columns(self) -> tuple[str, ...]:
        """``stochrsi_k``, ``stochrsi_d``."""
        return ("stochrsi_k", "stochrsi_d")

    @property
    def warmup(self) -> int:
        """RSI, then the %K window, then the %D smoothing."""
        p = self.params
        return p.period + p.fastk_period + p.fastd_period - 2

    @property
    def memory(self) -> int | None:
        """The RSI's, then the %K window and the %D smoothing."""
        p = self.params
        return wilder_memory(p.period) + p.fastk_period - 1 + p.fastd_period - 1

    def compute(self, candles: CandleArrays) -> Series:
        """TA-Lib STOCHRSI of the closes."""
        p = self.params
        k, d = talib.STOCHRSI(
            candles.close,
            timeperiod=p.period,
            fastk_period=p.fastk_period,
            fastd_period=p.fastd_period,
            fastd_matype=MA_Type.SMA,
        )
        return {"stochrsi_k": k, "stochrsi_d": d}

    def compute_rows(
        self, windows: Sequence[CandleArrays], take: int, stacked: CandleArrays
    ) -> Series:
        """The last ``take`` rows of each window's STOCHRSI (streamed: ``streaming.talib_rows``)."""
        p = self.params
        k, d = talib_rows(
            windows,
            take,
            "STOCHRSI",
            ("close",),
            2,
            timeperiod=p.period,
            fastk_period=p.fastk_period,
            fastd_period=p.fastd_period,
            fastd_matype=MA_Type.SMA,
        )
        return {"stochrsi_k": k, "stochrsi_d": d}

    def strength(self, values: Series, candles: CandleArrays, start: int = 0) -> FloatArray:
        """See the class docstring."""
        p = self.params
        d = values["stochrsi_d"][start:]
        return piecewise_extremes(d, p.oversold, p.overbought, 0.0, 100.0)

    def label(self, values: Series, candles: CandleArrays, index: int, strength: float) -> str:
        """Cross in an extreme zone, else the zone."""
        k, d = values["stochrsi_k"], values["stochrsi_d"]
        if index > 0:
            return self._zone(k[index], d[index], k[index - 1], d[index - 1])
        return self._zone(k[index], d[index], np.nan, np.nan)

    def rows_labels(
        self, values: Series, candles: CandleArrays, strengths: list[float]
    ) -> list[str] | None:
        """``label`` of every pair's last row (and the one before: at least two rows)."""
        k, d = values["stochrsi_k"], values["stochrsi_d"]
        rows = zip(last_row(k), last_row(d), last_row(k[:-1]), last_row(d[:-1]), strict=True)
        return [self._zone(*row) for row in rows]

    def _zone(self, k: float, d: float, k_before: float, d_before: float) -> str:
        p = self.params
        if not np.isnan(k_before) and not np.isnan(d_before):
            was_below = k_before <= d_before
            if was_below and k > d and d <= p.oversold:
                return "bullish_cross"
            if not was_below and k < d and d >= p.overbought:
                return "bearish_cross"
        if d <= p.oversold:
            return "oversold"
        if d >= p.overbought:
            return "overbought"
        return "neutral"
