"""Intermediate series several indicators need, computed once per candle series.

Results are memoised per ``CandleArrays`` object (identity), and dropped with it.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import talib

from cryptotrader.domain.market import CandleArrays, FloatArray
from cryptotrader.indicators.streaming import talib_rows

_ATR: weakref.WeakKeyDictionary[CandleArrays, dict[int, FloatArray]] = weakref.WeakKeyDictionary()
_STACKED: weakref.WeakKeyDictionary[CandleArrays, tuple[Sequence[CandleArrays], int]] = (
    weakref.WeakKeyDictionary()
)
"""Candles stacked from several pairs' windows (``stack_rows``): the windows and rows taken."""

_HLC = ("high", "low", "close")
_FIELDS = ("timestamps", "open", "high", "low", "close", "volume")


def atr(candles: CandleArrays, period: int) -> FloatArray:
    """TA-Lib ATR of ``candles`` (memoised; callers must not modify the returned array).

    Of candles from ``stack_rows``: each window's ATR over the whole window, its rows stacked.
    """
    per_series = _ATR.setdefault(candles, {})
    values = per_series.get(period)
    if values is None:
        stacked = _STACKED.get(candles)
        if stacked is None:
            values = talib.ATR(candles.high, candles.low, candles.close, timeperiod=period)
        else:
            windows, take = stacked  # streamed where the live engines keep streams
            (values,) = talib_rows(windows, take, "ATR", _HLC, timeperiod=period)
        values.flags.writeable = False
        per_series[period] = values
    return values


def stack_rows(windows: Sequence[CandleArrays], take: int) -> CandleArrays:
    """The last ``take`` candles of each window, as columns of shape (take, pairs).

    What an indicator's ``strength`` reads of them (``Indicator.rows_strength``) is what it reads
    of each window's last rows; ``atr`` of them is each window's ATR, taken on those rows.
    """
    stacked = CandleArrays(
        *(np.stack([getattr(w, f)[-take:] for w in windows], axis=1) for f in _FIELDS)
    )
    _STACKED[stacked] = (windows, take)
    return stacked


def window_rows(
    windows: Sequence[CandleArrays],
    take: int,
    function: Callable[[CandleArrays], npt.NDArray[Any]],
) -> npt.NDArray[Any]:
    """``function`` over each window (what needs its history), its last ``take`` values stacked.

    Shape (take, pairs): an indicator's ``compute_rows`` finishes on them what is elementwise.
    """
    return np.stack([function(window)[-take:] for window in windows], axis=1)
