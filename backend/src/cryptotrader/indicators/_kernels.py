"""Compiled loops for the indicators TA-Lib has no function for.

numba is imported lazily: commands that never compute these indicators do not pay for it. A long
input (a replay's runs, a catch-up) is computed by numpy instead while numba is not loaded yet
(``pivot_levels``): importing numba and loading the cached kernel cost ~0.23 s of CPU, more than
a whole replay's calls take in numpy; a short input (a live candle) loads the compiled kernel.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np
import talib

from cryptotrader.domain.market import FloatArray

PivotKernel = Callable[..., tuple[FloatArray, FloatArray, FloatArray, FloatArray]]


def pivots(high: FloatArray, low: FloatArray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Masks of pivot highs and lows, at the candle of the pivot itself (vectorised, TA-Lib).

    A pivot high is strictly above the ``window`` highs before it and not below the ``window``
    highs after it (so a plateau yields one pivot, its first candle); lows mirror this.
    """
    n = high.shape[0]
    is_high = np.zeros(n, dtype=np.bool_)
    is_low = np.zeros(n, dtype=np.bool_)
    if n < 2 * window + 1:
        return is_high, is_low
    max_w = talib.MAX(high, timeperiod=window)  # max_w[k] = max(high[k-window+1 .. k])
    min_w = talib.MIN(low, timeperiod=window)
    mid = slice(window, n - window)
    is_high[mid] = (high[mid] > max_w[window - 1 : n - window - 1]) & (
        high[mid] >= max_w[2 * window :]
    )
    is_low[mid] = (low[mid] < min_w[window - 1 : n - window - 1]) & (
        low[mid] <= min_w[2 * window :]
    )
    return is_high, is_low


def _levels_py(  # noqa: C901, PLR0912, PLR0917 - one tight loop, compiled by numba
    high: Any,
    low: Any,
    close: Any,
    is_high: Any,
    is_low: Any,
    window: int,
    max_levels: int,
    lookback: int,
) -> Any:
    n = close.shape[0]
    support = np.full(n, np.nan)
    resistance = np.full(n, np.nan)
    above_all = np.zeros(n)
    below_all = np.zeros(n)
    highs = np.empty(max_levels)
    highs_at = np.empty(max_levels, dtype=np.int64)
    lows = np.empty(max_levels)
    lows_at = np.empty(max_levels, dtype=np.int64)
    n_highs = 0
    n_lows = 0
    for j in range(n):
        i = j - window  # the pivot candidate confirmed by candle j
        if i >= 0 and is_high[i]:
            highs[n_highs % max_levels] = high[i]
            highs_at[n_highs % max_levels] = i
            n_highs += 1
        if i >= 0 and is_low[i]:
            lows[n_lows % max_levels] = low[i]
            lows_at[n_lows % max_levels] = i
            n_lows += 1
        price = close[j]
        oldest = j - lookback
        best_res = np.inf
        seen_high = False
        for s in range(min(n_highs, max_levels)):
            if highs_at[s] >= oldest:
                seen_high = True
                if price <= highs[s] < best_res:
                    best_res = highs[s]
        best_sup = -np.inf
        seen_low = False
        for s in range(min(n_lows, max_levels)):
            if lows_at[s] >= oldest:
                seen_low = True
                if best_sup < lows[s] <= price:
                    best_sup = lows[s]
        if best_res < np.inf:
            resistance[j] = best_res
        elif seen_high:
            above_all[j] = 1.0
        if best_sup > -np.inf:
            support[j] = best_sup
        elif seen_low:
            below_all[j] = 1.0
    return support, resistance, above_all, below_all


def _levels_np(  # noqa: PLR0917 - the same positional signature as the loop
    high: FloatArray,
    low: FloatArray,
    close: FloatArray,
    is_high: np.ndarray,
    is_low: np.ndarray,
    window: int,
    max_levels: int,
    lookback: int,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """``_levels_py`` over whole arrays: the same values, bit for bit (it only selects prices).

    At candle ``j`` the loop remembers the last ``max_levels`` pivots confirmed by ``j`` (pivot
    ``i`` is confirmed at ``i + window``) and keeps those at or after ``j - lookback``: here the
    ``m``-th newest of them is found for every candle at once by counting the pivots confirmed.
    """
    n = close.shape[0]
    at = np.arange(n)
    oldest = at - lookback
    support, below_all = _side(low, close, is_low, at - window, oldest, max_levels, above=False)
    resistance, above_all = _side(high, close, is_high, at - window, oldest, max_levels, above=True)
    return support, resistance, above_all, below_all


def _side(  # noqa: PLR0917 - one side of ``_levels_np``
    level: FloatArray,
    close: FloatArray,
    is_pivot: np.ndarray,
    confirmed_to: np.ndarray,
    oldest: np.ndarray,
    max_levels: int,
    *,
    above: bool,
) -> tuple[FloatArray, FloatArray]:
    """The nearest remembered pivot on one side of each close, and the beyond-every-pivot flag."""
    n = close.shape[0]
    pivots_at = np.flatnonzero(is_pivot)
    count = np.searchsorted(pivots_at, confirmed_to, side="right")  # pivots confirmed by j
    best = np.full(n, np.inf if above else -np.inf)
    seen = np.zeros(n, dtype=np.bool_)
    for m in range(min(max_levels, pivots_at.shape[0])):
        number = count - 1 - m  # the m-th newest pivot remembered at j, if any
        held = number >= 0
        where = pivots_at[np.where(held, number, 0)]
        kept = held & (where >= oldest)
        seen |= kept
        price = level[where]
        if above:  # the loop's ``close <= high < best``
            take = kept & (close <= price) & (price < best)
        else:  # ``best < low <= close``
            take = kept & (best < price) & (price <= close)
        best = np.where(take, price, best)
    found = best < np.inf if above else best > -np.inf
    nearest = np.where(found, best, np.nan)
    beyond = np.where(~found & seen, 1.0, 0.0)
    return nearest, beyond


NUMPY_FROM = 1024
"""From this many candles, ``pivot_levels`` computes in numpy while numba is not loaded."""


@cache
def _compiled() -> PivotKernel:
    import numba  # noqa: PLC0415 - deferred: importing numba costs most of a second

    kernel: PivotKernel = numba.njit(cache=True, nogil=True)(_levels_py)
    return kernel


def pivot_levels(  # noqa: PLR0917 - mirrors the compiled kernel's positional signature
    high: FloatArray,
    low: FloatArray,
    close: FloatArray,
    window: int,
    max_levels: int,
    lookback: int,
    *,
    compiled: bool = True,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Nearest support/resistance among the remembered confirmed pivots, for every candle.

    Returns ``(support, resistance, above_all, below_all)``: levels are NaN where none applies;
    the flags are 1.0 where the close is beyond every remembered pivot on that side.
    ``compiled=False`` runs the same loop as plain Python (tests compare the two). With
    ``compiled``, an input of ``NUMPY_FROM`` candles or more is computed by numpy (the same
    values) while numba is not loaded: a replay never loads it for this indicator.
    """
    is_high, is_low = pivots(high, low, window)
    if not compiled:
        kernel: PivotKernel = _levels_py
    elif close.shape[0] >= NUMPY_FROM and "numba" not in sys.modules:
        kernel = _levels_np
    else:
        kernel = _compiled()
    return kernel(high, low, close, is_high, is_low, window, max_levels, lookback)
