"""Simple moving average of the closes, computed by TA-Lib."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import talib

from cryptotrader.domain.market import CandleArrays
from cryptotrader.indicators._trend import MovingAverageIndicator, MovingAverageParams
from cryptotrader.indicators.base import Series
from cryptotrader.indicators.registry import register_indicator
from cryptotrader.indicators.streaming import talib_rows


@register_indicator("sma")
class Sma(MovingAverageIndicator):
    """SMA (default period 200), read as a trend filter; see ``MovingAverageIndicator``."""

    def __init__(
        self,
        params: Mapping[str, Any] | MovingAverageParams | None = None,
        *,
        weight: float | None = None,
    ):
        if not isinstance(params, MovingAverageParams):
            params = {"period": 200, **(params or {})}
        super().__init__(params, weight=weight)

    def compute(self, candles: CandleArrays) -> Series:
        """TA-Lib SMA."""
        return {self.columns[0]: talib.SMA(candles.close, timeperiod=self.params.period)}

    def compute_rows(
        self, windows: Sequence[CandleArrays], take: int, stacked: CandleArrays
    ) -> Series:
        """The last ``take`` rows of each window's SMA (streamed: ``streaming.talib_rows``)."""
        (average,) = talib_rows(windows, take, "SMA", ("close",), timeperiod=self.params.period)
        return {self.columns[0]: average}
