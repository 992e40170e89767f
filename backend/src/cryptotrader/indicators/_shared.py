"""Intermediate series several indicators need, computed once per candle series.

Results are memoised per ``CandleArrays`` object (identity), and dropped with it.
"""

from __future__ import annotations

import weakref

import talib

from cryptotrader.domain.market import CandleArrays, FloatArray

_ATR: weakref.WeakKeyDictionary[CandleArrays, dict[int, FloatArray]] = weakref.WeakKeyDictionary()


def atr(candles: CandleArrays, period: int) -> FloatArray:
    """TA-Lib ATR of ``candles`` (memoised; callers must not modify the returned array)."""
    per_series = _ATR.setdefault(candles, {})
    values = per_series.get(period)
    if values is None:
        values = talib.ATR(candles.high, candles.low, candles.close, timeperiod=period)
        values.flags.writeable = False
        per_series[period] = values
    return values
