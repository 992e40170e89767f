"""Compiled loops over several pairs' windows at once: one call per candle time, not per pair.

A live candle time brings one candle for each of many pairs (``IndicatorEngine.compute_rows``);
calling TA-Lib or the pivot kernel once per pair costs about a microsecond per call and pair
before any work. These loops take every pair's window as one row of a (pairs, length) matrix
(``_shared.window_matrix``: right-aligned, pair ``p``'s window starts at ``starts[p]``) and give
the last ``take`` values of each, shape (take, pairs), **bit for bit** what the per-pair calls
give on windows without NaN: they are TA-Lib's own loops (same comparisons, same additions in the
same order: ``tests/unit/indicators/test_across.py``), or the pivot kernel's. A window with a NaN
keeps the per-pair calls (TA-Lib skips a NaN-led start its own way).

numba loads on the first call, as the pivot kernel's live path already loads it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

import numpy as np

from cryptotrader.domain.market import CandleArrays
from cryptotrader.indicators._shared import Matrix, window_matrix

Kernel = Callable[..., Any]


PROBES = 4
"""Candles ``_extremes_py`` looks back for a period whose extreme is unique, before stepping the
window from its start instead."""


def _extremes_py(  # noqa: C901 - one tight loop, compiled by numba
    values: Any, starts: Any, period: int, take: int, highest: bool
) -> Any:
    """TA-Lib MAX/MAXINDEX (``highest``) or MIN/MININDEX over each window, its last ``take``.

    TA-Lib's loop: the extreme is rescanned from the period's oldest candle (first of equals
    wins) when it leaves the period, else replaced by a new candle at least as extreme (last of
    equals wins); indexes count from the window's start. Its index is always one of the
    period's extremes, so after a period whose extreme is unique it is that one whatever came
    before: the loop starts there (found within ``PROBES`` candles before the rows), in TA-Lib's
    state, or else at the window's start as TA-Lib does.
    """
    pairs, n = values.shape
    out = np.full((take, pairs), np.nan)
    out_at = np.zeros((take, pairs), dtype=np.int32)
    for p in range(pairs):
        s = starts[p]
        m = n - s
        first = m - take  # the window's index of the first row given
        best_at = -1
        best = 0.0
        begin = period - 1
        for t in range(first - 1, max(period - 2, first - 1 - PROBES), -1):
            at = t - period + 1
            count = 1
            for i in range(t - period + 2, t + 1):
                tmp = values[p, s + i]
                if tmp == values[p, s + at]:
                    count += 1
                elif (tmp > values[p, s + at]) if highest else (tmp < values[p, s + at]):
                    at = i
                    count = 1
            if count == 1:
                best_at = at
                best = values[p, s + at]
                begin = t + 1
                break
        trailing = begin - period + 1
        for today in range(begin, m):
            tmp = values[p, s + today]
            if best_at < trailing:
                best_at = trailing
                best = values[p, s + best_at]
                for i in range(best_at + 1, today + 1):
                    tmp = values[p, s + i]
                    if (tmp > best) if highest else (tmp < best):
                        best_at = i
                        best = tmp
            elif (tmp >= best) if highest else (tmp <= best):
                best_at = today
                best = tmp
            if today >= first:
                out[today - first, p] = best
                out_at[today - first, p] = best_at
            trailing += 1
    return out, out_at


def _levels_rows_py(  # noqa: C901, PLR0912, PLR0915, PLR0917 - one loop: numba calls no plain helper
    high: Any,
    low: Any,
    close: Any,
    starts: Any,
    window: int,
    max_levels: int,
    lookback: int,
    take: int,
) -> Any:
    """``_kernels.pivot_levels`` over each window, its last ``take`` rows.

    The pivots of ``_kernels.pivots`` and the loop of ``_kernels._levels_py`` unchanged, writing
    only the rows wanted.
    """
    pairs, n = close.shape
    support = np.full((take, pairs), np.nan)
    resistance = np.full((take, pairs), np.nan)
    above_all = np.zeros((take, pairs))
    below_all = np.zeros((take, pairs))
    highs = np.empty(max_levels)
    highs_at = np.empty(max_levels, dtype=np.int64)
    lows = np.empty(max_levels)
    lows_at = np.empty(max_levels, dtype=np.int64)
    for p in range(pairs):
        s = starts[p]
        m = n - s
        first = m - take
        # ``_kernels.pivots``: beyond the ``window`` candles before, not behind those after (on
        # numbers without NaN, TA-Lib MAX/MIN's comparisons are these)
        is_high = np.zeros(m, dtype=np.bool_)
        is_low = np.zeros(m, dtype=np.bool_)
        for i in range(window, m - window):
            x = high[p, s + i]
            pivot = True
            for k in range(s + i - window, s + i):
                if not x > high[p, k]:
                    pivot = False
                    break
            for k in range(s + i + 1, s + i + window + 1):
                if not pivot or not x >= high[p, k]:
                    pivot = False
                    break
            is_high[i] = pivot
            x = low[p, s + i]
            pivot = True
            for k in range(s + i - window, s + i):
                if not x < low[p, k]:
                    pivot = False
                    break
            for k in range(s + i + 1, s + i + window + 1):
                if not pivot or not x <= low[p, k]:
                    pivot = False
                    break
            is_low[i] = pivot
        n_highs = 0
        n_lows = 0
        for j in range(m):
            i = j - window  # the pivot candidate confirmed by candle j
            if i >= 0 and is_high[i]:
                highs[n_highs % max_levels] = high[p, s + i]
                highs_at[n_highs % max_levels] = i
                n_highs += 1
            if i >= 0 and is_low[i]:
                lows[n_lows % max_levels] = low[p, s + i]
                lows_at[n_lows % max_levels] = i
                n_lows += 1
            if j < first:
                continue
            price = close[p, s + j]
            oldest = j - lookback
            best_res = np.inf
            seen_high = False
            for k in range(min(n_highs, max_levels)):
                if highs_at[k] >= oldest:
                    seen_high = True
                    if price <= highs[k] < best_res:
                        best_res = highs[k]
            best_sup = -np.inf
            seen_low = False
            for k in range(min(n_lows, max_levels)):
                if lows_at[k] >= oldest:
                    seen_low = True
                    if best_sup < lows[k] <= price:
                        best_sup = lows[k]
            r = j - first
            if best_res < np.inf:
                resistance[r, p] = best_res
            elif seen_high:
                above_all[r, p] = 1.0
            if best_sup > -np.inf:
                support[r, p] = best_sup
            elif seen_low:
                below_all[r, p] = 1.0
    return support, resistance, above_all, below_all


def _sums_py(values: Any, starts: Any, period: int, take: int) -> Any:
    """TA-Lib SUM over each window, its last ``take`` rows.

    TA-Lib's running total, stepped from the window's start (its last bits depend on where the
    window starts): the same additions and subtractions in the same order.
    """
    pairs, n = values.shape
    out = np.full((take, pairs), np.nan)
    for p in range(pairs):
        s = starts[p]
        first = n - s - take
        total = 0.0
        for i in range(period - 1):
            if s + i < n:
                total += values[p, s + i]
        for today in range(period - 1, n - s):
            total += values[p, s + today]
            value = total
            total -= values[p, s + today - period + 1]
            if today >= first:
                out[today - first, p] = value
    return out


def _true_ranges_py(high: Any, low: Any, close: Any, starts: Any) -> Any:
    """TA-Lib TRANGE of each window, its first candle's range high - low (``atr.true_range``)."""
    pairs, n = close.shape
    out = np.zeros((pairs, n))
    for p in range(pairs):
        s = starts[p]
        if s < n:
            out[p, s] = high[p, s] - low[p, s]
        for i in range(s + 1, n):
            greatest = high[p, i] - low[p, i]
            above = abs(close[p, i - 1] - high[p, i])
            if above > greatest:  # noqa: PLR1730 - TA-Lib's comparisons, as it makes them
                greatest = above
            below = abs(close[p, i - 1] - low[p, i])
            if below > greatest:  # noqa: PLR1730 - as above
                greatest = below
            out[p, i] = greatest
    return out


_PLAIN: dict[str, Kernel] = {
    "extremes": _extremes_py,
    "levels": _levels_rows_py,
    "sums": _sums_py,
    "true_ranges": _true_ranges_py,
}


@cache
def _compiled(name: str) -> Kernel:
    import numba  # noqa: PLC0415 - deferred: importing numba costs most of a second

    kernel: Kernel = numba.njit(cache=True, nogil=True)(_PLAIN[name])
    return kernel


def kernel(name: str, *, compiled: bool = True) -> Kernel:
    """The loop ``name`` compiled (``compiled=False``: as plain Python, for the tests)."""
    return _compiled(name) if compiled else _PLAIN[name]


def matrices(
    windows: Sequence[CandleArrays], stacked: CandleArrays, fields: tuple[str, ...], reach: int = 0
) -> list[Matrix] | None:
    """``window_matrix`` of each field (``reach``: the last values only), None if one has a NaN."""
    made = [window_matrix(windows, stacked, f, reach) for f in fields]
    return None if any(m is None for m in made) else [m for m in made if m is not None]


def extremes(
    values: np.ndarray, starts: np.ndarray, period: int, take: int, *, highest: bool
) -> tuple[np.ndarray, np.ndarray]:
    """TA-Lib MAX and MAXINDEX (or MIN, MININDEX) of each window's last ``take`` rows."""
    out, out_at = kernel("extremes")(values, starts, period, take, highest)
    return out, out_at
