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
Matrix = tuple[FloatArray, npt.NDArray[np.int64]]
"""Several windows' values as the rows of one (pairs, length) array, and where each starts."""
_MATRICES: weakref.WeakKeyDictionary[CandleArrays, dict[tuple[str, int], Matrix | None]] = (
    weakref.WeakKeyDictionary()
)


def stack_columns(columns: Sequence[npt.NDArray[Any]]) -> npt.NDArray[Any]:
    """``np.stack(columns, axis=1)`` (the same array, C-ordered), in half its time.

    A candle time stacks some forty such lists of 50 short rows; ``np.stack`` expands each.
    """
    out: npt.NDArray[Any] = np.ascontiguousarray(np.array(columns).T)
    return out


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
    columns = (stack_columns([getattr(w, f)[-take:] for w in windows]) for f in _FIELDS)
    stacked = CandleArrays(*columns)
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
    return stack_columns([function(window)[-take:] for window in windows])


def window_matrix(
    windows: Sequence[CandleArrays], stacked: CandleArrays, field: str, reach: int = 0
) -> Matrix | None:
    """Field ``field`` of the whole windows (``stacked``: their rows), for ``_across``'s loops.

    Row ``p`` is window ``p``'s values, right-aligned (its last value in the last column) from
    column ``starts[p]`` on, zeros before; with ``reach``, only each window's last ``reach``
    values (a loop that reads no further back copies no more). None when a window has a NaN
    there (TA-Lib skips a NaN-led start its own way: those windows keep the per-pair calls).
    Memoised per ``stacked``, field and reach.
    """
    per_field = _MATRICES.setdefault(stacked, {})
    key = (field, reach)
    if key in per_field:
        return per_field[key]
    columns = [getattr(w, field) for w in windows]
    if reach:
        columns = [c[-reach:] for c in columns]
    lengths = np.array([len(c) for c in columns], dtype=np.int64)
    n = int(lengths.max(initial=0))
    if lengths.min(initial=0) == n:  # the live case: every window as long
        values = np.array(columns, dtype=np.float64)
    else:
        values = np.zeros((len(windows), n))
        for p, column in enumerate(columns):
            values[p, n - len(column) :] = column
    # a NaN makes the sum NaN (an infinity does not matter to the loops: no NaN, no fallback)
    made: Matrix | None = None if np.isnan(values.sum()) else (values, n - lengths)
    per_field[key] = made
    return made
