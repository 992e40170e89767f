"""Candles: one OHLCV bar, and the column-array form the engines compute on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Self

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, model_validator

from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.domain.values import Price, Quantity, UtcDatetime

OHLCV_COLUMNS: tuple[str, ...] = ("open", "high", "low", "close", "volume")

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class Candle(BaseModel):
    """One closed OHLCV bar; ``timestamp`` is its open time (UTC), as exchanges label candles."""

    model_config = ConfigDict(frozen=True)

    pair: Pair
    timeframe: Timeframe
    timestamp: UtcDatetime
    open: Price
    high: Price
    low: Price
    close: Price
    volume: Quantity

    @model_validator(mode="after")
    def _check_range(self) -> Self:
        if self.high < max(self.open, self.close) or self.low > min(self.open, self.close):
            raise ValueError("high/low must bracket open and close")
        return self


@dataclass(frozen=True, slots=True, eq=False, weakref_slot=True)
class CandleArrays:
    """A candle series as contiguous float64 columns plus int64 epoch-millisecond open times.

    Hot paths (indicators, resampling, backtests) work on these arrays: a tz-aware pandas index is
    much slower in numeric loops. Build one with ``candle_arrays(frame)`` from ``marketdata``.
    Equality is identity, so that intermediate results (ATR ...) can be memoised per series.
    """

    timestamps: IntArray
    open: FloatArray
    high: FloatArray
    low: FloatArray
    close: FloatArray
    volume: FloatArray

    def __len__(self) -> int:
        return int(self.timestamps.shape[0])

    def slice(self, start: int, stop: int) -> CandleArrays:
        """Rows ``start:stop`` (views, no copy)."""
        return CandleArrays(
            timestamps=self.timestamps[start:stop],
            open=self.open[start:stop],
            high=self.high[start:stop],
            low=self.low[start:stop],
            close=self.close[start:stop],
            volume=self.volume[start:stop],
        )
