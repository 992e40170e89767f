"""Accumulation/Distribution line (Chaikin), computed by TA-Lib."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import talib
from pydantic import Field

from cryptotrader.domain.market import CandleArrays, FloatArray
from cryptotrader.indicators.base import Indicator, IndicatorParams, Series
from cryptotrader.indicators.registry import register_indicator
from cryptotrader.indicators.streaming import talib_rows


class AdiParams(IndicatorParams):
    """Window over which money flow is measured, and the flow that counts as meaningful."""

    lookback: int = Field(default=20, ge=1)
    threshold: float = Field(default=0.1, ge=0, lt=1, description="|flow| below this: neutral")


@register_indicator("adi")
class Adi(Indicator[AdiParams]):
    """ADI and its normalised money flow.

    ``adi_flow`` = (ADI[t] - ADI[t - lookback]) / sum of volume over the window: each candle adds
    between -volume and +volume to the ADI, so the flow lies in [-1, 1] (Chaikin money flow).
    Strength is the flow, 0 when ``|flow| < threshold``. Labels: ``accumulation``,
    ``distribution``, ``neutral``.
    """

    params_model = AdiParams
    rows_strength = True

    @property
    def columns(self) -> tuple[str, ...]:
        """``adi``, ``adi_flow``."""
        return ("adi", "adi_flow")

    @property
    def warmup(self) -> int:
        """``adi`` is defined at once; the flow needs ``lookback`` candles."""
        return self.params.lookback

    @property
    def memory(self) -> int | None:
        """The flow's lookback: a difference of the running sum, which cancels where it starts."""
        return self.params.lookback

    @property
    def level_columns(self) -> tuple[str, ...]:
        """ADI: a running sum from the first candle."""
        return ("adi",)

    def compute(self, candles: CandleArrays) -> Series:
        """TA-Lib AD, and its normalised change over the lookback."""
        n = self.params.lookback
        adi = talib.AD(candles.high, candles.low, candles.close, candles.volume)
        flow = np.full_like(adi, np.nan)
        if adi.shape[0] > n:
            volume_sum = talib.SUM(candles.volume, timeperiod=n)[n:]
            change = np.subtract(adi[n:], adi[:-n], out=flow[n:])
            with np.errstate(invalid="ignore", divide="ignore"):
                np.divide(change, volume_sum, out=change)
            change[volume_sum == 0] = 0.0  # no volume, no money flow
        return {"adi": adi, "adi_flow": flow}

    def compute_rows(
        self, windows: Sequence[CandleArrays], take: int, stacked: CandleArrays
    ) -> Series:
        """AD's and SUM's rows (streamed: ``streaming.talib_rows``), the flow as ``compute``'s.

        AD's ``take + lookback`` last rows give the change over the lookback of the last
        ``take``: the same subtraction and division of the same numbers as over each window.
        """
        n = self.params.lookback
        if min(len(w) for w in windows) < take + n:  # a row's flow reads before the window
            return super().compute_rows(windows, take, stacked)
        (adi,) = talib_rows(windows, take + n, "AD", ("high", "low", "close", "volume"))
        (volume_sum,) = talib_rows(windows, take, "SUM", ("volume",), timeperiod=n)
        change = np.subtract(adi[n:], adi[:-n])
        with np.errstate(invalid="ignore", divide="ignore"):
            np.divide(change, volume_sum, out=change)
        change[volume_sum == 0] = 0.0  # no volume, no money flow
        return {"adi": adi[n:], "adi_flow": change}

    def strength(self, values: Series, candles: CandleArrays, start: int = 0) -> FloatArray:
        """See the class docstring."""
        flow = values["adi_flow"][start:]
        clipped = np.clip(flow, -1.0, 1.0)  # guards float rounding only
        result: FloatArray = np.where(np.abs(flow) < self.params.threshold, 0.0, clipped)
        return result

    def label(self, values: Series, candles: CandleArrays, index: int, strength: float) -> str:
        """Accumulation when money flows in, distribution when it flows out."""
        return self._flow(strength)

    def rows_labels(
        self, values: Series, candles: CandleArrays, strengths: list[float]
    ) -> list[str] | None:
        """``label`` of every pair's last row (its strength's sign)."""
        return [self._flow(strength) for strength in strengths]

    @staticmethod
    def _flow(strength: float) -> str:
        if strength > 0:
            return "accumulation"
        if strength < 0:
            return "distribution"
        return "neutral"
