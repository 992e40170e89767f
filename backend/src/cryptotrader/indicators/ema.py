"""Exponential moving average of the closes, computed by TA-Lib."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import talib

from cryptotrader.domain.market import CandleArrays
from cryptotrader.indicators._trend import MovingAverageIndicator, MovingAverageParams
from cryptotrader.indicators.base import Series, ema_memory
from cryptotrader.indicators.registry import register_indicator
from cryptotrader.indicators.streaming import talib_rows


@register_indicator("ema")
class Ema(MovingAverageIndicator):
    """EMA (default period 50), read as a trend filter; see ``MovingAverageIndicator``."""

    def __init__(
        self,
        params: Mapping[str, Any] | MovingAverageParams | None = None,
        *,
        weight: float | None = None,
    ):
        if not isinstance(params, MovingAverageParams):
            params = {"period": 50, **(params or {})}
        super().__init__(params, weight=weight)

    @property
    def average_memory(self) -> int:
        """Recursive: until the seed is forgotten (``ema_memory``)."""
        return ema_memory(self.params.period)

    def compute(self, candles: CandleArrays) -> Series:
        """TA-Lib EMA (seeded with the SMA of the first window, as TA-Lib does)."""
        return {self.columns[0]: talib.EMA(candles.close, timeperiod=self.params.period)}

    def compute_rows(
        self, windows: Sequence[CandleArrays], take: int, stacked: CandleArrays
    ) -> Series:
        """The last ``take`` rows of each window's EMA (streamed: ``streaming.talib_rows``)."""
        (average,) = talib_rows(windows, take, "EMA", ("close",), timeperiod=self.params.period)
        return {self.columns[0]: average}
