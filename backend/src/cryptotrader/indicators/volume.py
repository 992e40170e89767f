"""Volume: relative volume (against its moving average) and On-Balance Volume (TA-Lib)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import talib
from pydantic import Field

from cryptotrader.domain.market import CandleArrays, FloatArray
from cryptotrader.indicators._shared import window_rows
from cryptotrader.indicators.base import Indicator, IndicatorParams, Series, last_row
from cryptotrader.indicators.registry import register_indicator
from cryptotrader.indicators.streaming import attached, talib_rows


def _volumes(volume: FloatArray, average: FloatArray, obv: FloatArray) -> Series:
    """The relative volume from the volume and its average (elementwise)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        relative = np.where(average > 0, volume / average, 0.0)
    relative[np.isnan(average)] = np.nan
    return {"volume_rel": relative, "volume_sma": average, "obv": obv}


class VolumeParams(IndicatorParams):
    """Averaging window and the relative-volume levels that count as a spike or a lull."""

    period: int = Field(default=20, ge=1)
    spike: float = Field(default=1.5, gt=1, description="relative volume at or above: spike")
    full_strength: float = Field(
        default=3.0, gt=1, description="relative volume giving |strength| 1"
    )
    low: float = Field(default=0.5, gt=0, lt=1, description="relative volume below: lull")


@register_indicator("volume")
class Volume(Indicator[VolumeParams]):
    """Relative volume (volume / SMA(volume, period)) and OBV.

    Volume confirms price: on a spike the strength takes the sign of the candle's close-to-close
    change and grows from 0 at ``spike`` to 1 at ``full_strength``; otherwise it is 0. Labels:
    ``volume_spike_up``, ``volume_spike_down``, ``low_volume``, ``normal_volume``.
    """

    params_model = VolumeParams
    rows_strength = True

    @property
    def key(self) -> str:
        """``volume``."""
        return "volume"

    @property
    def columns(self) -> tuple[str, ...]:
        """``volume_rel``, ``volume_sma``, ``obv``."""
        return ("volume_rel", "volume_sma", "obv")

    @property
    def warmup(self) -> int:
        """One averaging window."""
        return self.params.period - 1

    @property
    def memory(self) -> int | None:
        """The averaging window, and the previous close (the strength's direction)."""
        return self.params.period

    @property
    def level_columns(self) -> tuple[str, ...]:
        """OBV: a running sum from the first candle."""
        return ("obv",)

    def compute(self, candles: CandleArrays) -> Series:
        """Relative volume, its average and TA-Lib OBV."""
        average = talib.SMA(candles.volume, timeperiod=self.params.period)
        obv = talib.OBV(candles.close, candles.volume)
        return _volumes(candles.volume, average, obv)

    def compute_rows(
        self, windows: Sequence[CandleArrays], take: int, stacked: CandleArrays
    ) -> Series:
        """TA-Lib over each window; the relative volume once, on every window's rows.

        Streamed where the series have streams (``streaming.talib_rows``).
        """
        n = self.params.period
        if attached(windows):  # the series' streams, stepped (``streaming.talib_rows``)
            (average,) = talib_rows(windows, take, "SMA", ("volume",), timeperiod=n)
            (obv,) = talib_rows(windows, take, "OBV", ("close", "volume"))
            return _volumes(stacked.volume, average, obv)
        average = window_rows(windows, take, lambda c: talib.SMA(c.volume, timeperiod=n))
        obv = window_rows(windows, take, lambda c: talib.OBV(c.close, c.volume))
        return _volumes(stacked.volume, average, obv)

    def strength(self, values: Series, candles: CandleArrays, start: int = 0) -> FloatArray:
        """See the class docstring."""
        p = self.params
        relative = values["volume_rel"][start:]
        close = candles.close
        change = np.empty_like(relative)
        if change.shape[0]:
            # close-to-close change; the very first candle has no previous close: use its open
            previous = close[start - 1] if start > 0 else candles.open[0]
            change[0] = close[start] - previous
            np.subtract(close[start + 1 :], close[start:-1], out=change[1:])
        with np.errstate(invalid="ignore"):
            size = np.clip((relative - p.spike) / (p.full_strength - p.spike), 0.0, 1.0)
            size = np.where(relative >= p.spike, np.maximum(size, 1e-9), 0.0)
        size[np.isnan(relative)] = np.nan
        result: FloatArray = np.sign(change) * size
        return result

    def label(self, values: Series, candles: CandleArrays, index: int, strength: float) -> str:
        """Spike direction, lull, or normal."""
        return self._size(values["volume_rel"][index], strength)

    def rows_labels(
        self, values: Series, candles: CandleArrays, strengths: list[float]
    ) -> list[str] | None:
        """``label`` of every pair's last row."""
        relative = last_row(values["volume_rel"])
        return [self._size(r, s) for r, s in zip(relative, strengths, strict=True)]

    def _size(self, relative: float, strength: float) -> str:
        if relative >= self.params.spike:
            if strength == 0:
                return "volume_spike"
            return "volume_spike_up" if strength > 0 else "volume_spike_down"
        if relative < self.params.low:
            return "low_volume"
        return "normal_volume"
