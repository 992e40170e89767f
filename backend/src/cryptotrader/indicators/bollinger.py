"""Bollinger Bands, computed by TA-Lib."""

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
)
from cryptotrader.indicators.registry import register_indicator
from cryptotrader.indicators.streaming import talib_rows


class BollingerParams(IndicatorParams):
    """Window, band width in standard deviations, and the %B zones that count as band touches."""

    period: int = Field(default=20, ge=2)
    std_dev: float = Field(default=2.0, gt=0)
    lower_zone: float = Field(
        default=0.2, description="%B at or below which price hugs the lower band"
    )
    upper_zone: float = Field(
        default=0.8, description="%B at or above which price hugs the upper band"
    )

    @model_validator(mode="after")
    def _ordered(self) -> BollingerParams:
        if self.lower_zone >= self.upper_zone:
            raise ValueError("lower_zone must be below upper_zone")
        return self


@register_indicator("bollinger")
class Bollinger(Indicator[BollingerParams]):
    """Bands around an SMA; also %B (position of the close within the bands) and width.

    Mean-reversion reading: strength 0 while %B is inside [lower_zone, upper_zone], rising to +1
    as %B reaches 0 (close on the lower band) and -1 as it reaches 1; beyond the bands it stays
    at +/-1. Labels: ``below_lower_band``, ``near_lower_band``, ``middle``, ``near_upper_band``,
    ``above_upper_band``.
    """

    params_model = BollingerParams
    rows_strength = True

    @property
    def _prefix(self) -> str:
        p = self.params
        return "bb" if (p.period, p.std_dev) == (20, 2.0) else f"bb_{p.period}_{p.std_dev:g}"

    @property
    def key(self) -> str:
        """``bb`` (suffixed with the parameters when not default)."""
        return self._prefix

    @property
    def columns(self) -> tuple[str, ...]:
        """Upper, middle and lower bands, then %B and relative width."""
        prefix = self._prefix
        return tuple(
            f"{prefix}_{part}" for part in ("upper", "middle", "lower", "percent_b", "width")
        )

    @property
    def warmup(self) -> int:
        """One full window."""
        return self.params.period - 1

    @property
    def memory(self) -> int | None:
        """One window."""
        return self.params.period - 1

    def compute(self, candles: CandleArrays) -> Series:
        """Bands of the closes, %B and (upper - lower) / middle."""
        return self._bands(self._talib(candles), candles.close)

    def compute_rows(
        self, windows: Sequence[CandleArrays], take: int, stacked: CandleArrays
    ) -> Series:
        """TA-Lib's bands of each window (streamed); %B and the width once, on every row."""
        p = self.params
        upper, middle, lower = talib_rows(
            windows,
            take,
            "BBANDS",
            ("close",),
            3,
            timeperiod=p.period,
            nbdevup=p.std_dev,
            nbdevdn=p.std_dev,
            matype=MA_Type.SMA,
        )
        return self._bands((upper, middle, lower), stacked.close)

    def _talib(self, candles: CandleArrays) -> tuple[FloatArray, FloatArray, FloatArray]:
        p = self.params
        upper, middle, lower = talib.BBANDS(
            candles.close,
            timeperiod=p.period,
            nbdevup=p.std_dev,
            nbdevdn=p.std_dev,
            matype=MA_Type.SMA,
        )
        return upper, middle, lower

    def _bands(self, bands: tuple[FloatArray, FloatArray, FloatArray], close: FloatArray) -> Series:
        """%B and the width from the bands (elementwise; the bands' arrays are reused)."""
        upper, middle, lower = bands
        # In-place arithmetic: on a million candles every temporary array costs page faults.
        span = upper - lower
        flat = span == 0
        percent_b = close - lower
        with np.errstate(invalid="ignore", divide="ignore"):
            np.divide(percent_b, span, out=percent_b)
            percent_b[flat] = 0.5  # no band width: the close sits on the average
            width = np.divide(span, middle, out=span)
        return dict(zip(self.columns, (upper, middle, lower, percent_b, width), strict=True))

    def strength(self, values: Series, candles: CandleArrays, start: int = 0) -> FloatArray:
        """See the class docstring."""
        p = self.params
        percent_b = values[self.columns[3]][start:]
        return piecewise_extremes(percent_b, p.lower_zone, p.upper_zone, 0.0, 1.0)

    def label(self, values: Series, candles: CandleArrays, index: int, strength: float) -> str:
        """Where the close sits relative to the bands."""
        return self._zone(values[self.columns[3]][index])

    def rows_labels(
        self, values: Series, candles: CandleArrays, strengths: list[float]
    ) -> list[str] | None:
        """``label`` of every pair's last row."""
        return [self._zone(percent_b) for percent_b in last_row(values[self.columns[3]])]

    def _zone(self, percent_b: float) -> str:
        if percent_b < 0:
            return "below_lower_band"
        if percent_b > 1:
            return "above_upper_band"
        if percent_b <= self.params.lower_zone:
            return "near_lower_band"
        if percent_b >= self.params.upper_zone:
            return "near_upper_band"
        return "middle"
