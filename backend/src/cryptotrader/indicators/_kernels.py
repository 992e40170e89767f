"""Compiled loops for the indicators TA-Lib has no function for.

numba is imported lazily: commands that never compute these indicators do not pay for it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np

from cryptotrader.domain.market import FloatArray

PivotKernel = Callable[..., tuple[FloatArray, FloatArray, FloatArray, FloatArray]]


def _pivot_levels_py(  # noqa: C901, PLR0912, PLR0915, PLR0917 - one tight loop, compiled by numba
    high: Any, low: Any, close: Any, window: int, max_levels: int, lookback: int
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
        i = j - window
        if i >= window:
            is_high = True
            is_low = True
            for m in range(i - window, i + window + 1):
                if m == i:
                    continue
                if (m < i and high[m] >= high[i]) or (m > i and high[m] > high[i]):
                    is_high = False
                if (m < i and low[m] <= low[i]) or (m > i and low[m] < low[i]):
                    is_low = False
            if is_high:
                slot = n_highs % max_levels
                highs[slot] = high[i]
                highs_at[slot] = i
                n_highs += 1
            if is_low:
                slot = n_lows % max_levels
                lows[slot] = low[i]
                lows_at[slot] = i
                n_lows += 1
        price = close[j]
        best_res = np.inf
        seen_high = False
        for s in range(min(n_highs, max_levels)):
            if highs_at[s] >= j - lookback:
                seen_high = True
                if price <= highs[s] < best_res:
                    best_res = highs[s]
        best_sup = -np.inf
        seen_low = False
        for s in range(min(n_lows, max_levels)):
            if lows_at[s] >= j - lookback:
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


@cache
def _compiled() -> PivotKernel:
    import numba  # noqa: PLC0415 - deferred: importing numba costs most of a second

    kernel: PivotKernel = numba.njit(cache=True, nogil=True)(_pivot_levels_py)
    return kernel


def pivot_levels(  # noqa: PLR0917 - mirrors the compiled kernel's positional signature
    high: FloatArray,
    low: FloatArray,
    close: FloatArray,
    window: int,
    max_levels: int,
    lookback: int,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Nearest support/resistance among the remembered confirmed pivots, for every candle.

    Returns ``(support, resistance, above_all, below_all)``: levels are NaN where none applies;
    the flags are 1.0 where the close is beyond every remembered pivot on that side.
    """
    return _compiled()(high, low, close, window, max_levels, lookback)
