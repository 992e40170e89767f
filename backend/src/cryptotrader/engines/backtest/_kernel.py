"""The simulation kernel: one long-only position at a time, bar by bar, compiled by numba.

Conventions (docs/backtesting.md): a signal at the close of bar t fills at the open of bar t+1
(``fill_close``: at the close of bar t, vectorbt's convention); every fill pays ``slippage``
(buys higher, sells lower) and ``fee`` on its notional; stop-loss and take-profit are fractions of
the entry fill price, checked inside every bar the position is open (from its entry bar when it
entered at an open) against the bar's open, high and low:

* the open at or below the stop fills at the open (a gap: the worse of stop and open);
* the open at or above the take-profit fills at the open (a resting limit order fills at the
  better price, as on an exchange);
* otherwise a low at or below the stop fills at the stop and a high at or above the take-profit
  at the take-profit; when both are touched the stop is assumed first, unless finer candles
  (``use_detail``) show the order: they are walked with the same rules, and the first that
  decides wins.

Sizing mirrors ``risk.sizing`` in floats (risk-based, or ``stake`` of the cash). An open
position is closed at the last close (``END_OF_DATA``). With ``max_events`` the kernel stops after
that many closed trades or refused entries and says where to resume (portfolio backtests).
numba is imported lazily: commands that never backtest do not pay for it. ``for_bars`` runs the
same function uncompiled when that is faster: loading numba and the cached machine code costs
~0.5-0.9 s of CPU, walking a bar in Python ~0.3 us, so 8 years of hourly candles (72,540 bars,
~25 ms) finish long before numba would have loaded. Both give the same floats (no fast-math).
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np

from cryptotrader.domain.fills import REASON_END, REASON_SIGNAL, touch

PHASE_OPEN, PHASE_INTRABAR, PHASE_CLOSE = 0, 1, 2
# Columns of the trade table the kernel returns (float64; bars and codes are whole numbers).
(
    COL_ENTRY_BAR,
    COL_ENTRY_PHASE,
    COL_ENTRY_PRICE,
    COL_EXIT_BAR,
    COL_EXIT_PHASE,
    COL_EXIT_PRICE,
    COL_STEPS,
    COL_REASON,
    COL_CONFIDENCE,
) = range(9)
N_COLUMNS = 9


def size_steps(  # noqa: PLR0917 - compiled helper, positional by numba's rules
    cash: float,
    available: float,
    price: float,
    stop: float,
    confidence: float,
    risk_ratio: float,
    stake: float,
    fee: float,
    step: float,
    min_amount: float,
    min_notional: float,
) -> int:
    """Whole amount steps to buy (0: refused); the float twin of ``risk.sizing``.

    ``cash`` is the capital the risk is a share of, ``available`` the cash the cost must fit in:
    the same for one position at a time, less when other pairs' positions hold some of it.
    """
    affordable = available / (price * (1.0 + fee))
    if stake > 0.0:
        quantity = (available * stake) / (price * (1.0 + fee))
    else:
        quantity = min(cash * risk_ratio * confidence / (price - stop), affordable)
    if not quantity > 0.0:
        return 0
    steps = math.floor(quantity / step)
    if (steps + 1) * step <= quantity:  # float division landed just below a whole step
        steps += 1
    elif steps * step > quantity:
        steps -= 1
    amount = steps * step
    if steps <= 0 or amount < min_amount or amount * price < min_notional:
        return 0
    return int(steps)


def open_trade(  # noqa: PLR0917 - compiled helper, positional by numba's rules
    trades: Any, row: int, bar: int, phase: int, price: float, steps: int, confidence: float
) -> None:
    """Write the entry of trade ``row`` (its exit is written by ``close_trade``)."""
    trades[row, COL_ENTRY_BAR] = bar
    trades[row, COL_ENTRY_PHASE] = phase
    trades[row, COL_ENTRY_PRICE] = price
    trades[row, COL_STEPS] = steps
    trades[row, COL_CONFIDENCE] = confidence


def enter(  # noqa: PLR0917 - compiled helper, positional by numba's rules
    trades: Any, row: int, bar: int, phase: int, level: float, confidence: float, cash: float,
    slip: float, fee: float, sl: float, tp: float, risk_ratio: float, stake: float,
    step: float, min_amount: float, min_notional: float,
) -> tuple[float, float, float, float]:  # fmt: skip
    """Buy at ``level`` plus slippage, sized on ``cash``; returns ``(quantity, cash, stop, take)``.

    Quantity 0.0: the entry is refused (too small) and nothing is written; otherwise the entry of
    trade ``row`` is written. Both entries (a signal at the next open, or at the close) go
    through here, as every exit goes through ``close_trade``.
    """
    price = level * (1.0 + slip)
    stop = price * (1.0 - sl)
    take = price * (1.0 + tp)
    steps = size_steps(
        cash, cash, price, stop, confidence, risk_ratio, stake, fee, step, min_amount, min_notional
    )
    if steps == 0:
        return 0.0, cash, stop, take
    quantity = steps * step
    open_trade(trades, row, bar, phase, price, steps, confidence)
    return quantity, cash - price * quantity * (1.0 + fee), stop, take


def close_trade(  # noqa: PLR0917 - compiled helper, positional by numba's rules
    trades: Any,
    row: int,
    bar: int,
    phase: int,
    level: float,
    reason: int,
    quantity: float,
    slip: float,
    fee: float,
) -> float:
    """Sell the position of trade ``row`` at ``level`` less slippage; returns the cash it brings.

    Every exit (a signal at the next open or at the close, a stop or take-profit inside the bar,
    the end of the data) goes through here, so they cannot drift apart.
    """
    price = level * (1.0 - slip)
    trades[row, COL_EXIT_BAR] = bar
    trades[row, COL_EXIT_PHASE] = phase
    trades[row, COL_EXIT_PRICE] = price
    trades[row, COL_REASON] = reason
    return price * quantity * (1.0 - fee)


def simulate(  # noqa: C901, PLR0912, PLR0915, PLR0917 - one tight loop, compiled by numba
    o: Any, h: Any, lo: Any, c: Any, entries: Any, exits: Any, confidence: Any,
    start: int, cash: float, fee: float, slip: float, sl: float, tp: float,
    risk_ratio: float, stake: float, step: float, min_amount: float, min_notional: float,
    fill_close: bool, d_open: Any, d_high: Any, d_low: Any, d_start: Any, d_stop: Any,
    use_detail: bool, max_events: int,
) -> Any:  # fmt: skip
    """Run from bar ``start``, flat; returns ``(trades, refused_bars, cash, next_start)``."""
    n = c.shape[0]
    # Rows needed: one per entry signal at most, and never more than the events allowed (plus
    # the position closed at the end). A portfolio run stops after each event: sizing the
    # buffers by the events keeps each call's cost to the bars it walks, not the whole series.
    capacity = 1
    if max_events < n - start:
        capacity = max_events + 1
    else:
        for t in range(start, n):
            if entries[t]:
                capacity += 1
    trades = np.zeros((capacity, N_COLUMNS))
    refused = np.zeros(capacity, dtype=np.int64)
    n_trades = 0
    n_refused = 0
    events = 0
    in_position = False
    pending_entry = False
    pending_exit = False
    quantity = 0.0
    stop = 0.0
    take = 0.0
    entry_bar = -1
    for t in range(start, n):
        if pending_exit:
            pending_exit = False
            cash += close_trade(
                trades, n_trades, t, PHASE_OPEN, o[t], REASON_SIGNAL, quantity, slip, fee
            )
            n_trades += 1
            in_position = False
            events += 1
            if events >= max_events:
                return trades[:n_trades], refused[:n_refused], cash, t
        if pending_entry:
            pending_entry = False
            quantity, cash, stop, take = enter(
                trades, n_trades, t, PHASE_OPEN, o[t], confidence[t - 1], cash,
                slip, fee, sl, tp, risk_ratio, stake, step, min_amount, min_notional,
            )  # fmt: skip
            if quantity == 0.0:
                refused[n_refused] = t
                n_refused += 1
                events += 1
                if events >= max_events:
                    return trades[:n_trades], refused[:n_refused], cash, t
            else:
                in_position = True
                entry_bar = t
        if in_position and not (fill_close and entry_bar == t):
            reason, level = touch(o[t], h[t], lo[t], stop, take)
            if reason != 0 and use_detail:
                for k in range(d_start[t], d_stop[t]):
                    finer, finer_level = touch(d_open[k], d_high[k], d_low[k], stop, take)
                    if finer != 0:
                        reason, level = finer, finer_level
                        break
            if reason != 0:
                cash += close_trade(
                    trades, n_trades, t, PHASE_INTRABAR, level, reason, quantity, slip, fee
                )
                n_trades += 1
                in_position = False
                events += 1
                if events >= max_events:
                    return trades[:n_trades], refused[:n_refused], cash, t
        if in_position:
            if exits[t]:
                if not fill_close:
                    pending_exit = True
                else:
                    cash += close_trade(
                        trades, n_trades, t, PHASE_CLOSE, c[t], REASON_SIGNAL, quantity, slip, fee
                    )
                    n_trades += 1
                    in_position = False
                    events += 1
                    if events >= max_events:
                        return trades[:n_trades], refused[:n_refused], cash, t + 1
        elif entries[t] and t < n - 1:
            if not fill_close:
                pending_entry = True
            else:
                quantity, cash, stop, take = enter(
                    trades, n_trades, t, PHASE_CLOSE, c[t], confidence[t], cash,
                    slip, fee, sl, tp, risk_ratio, stake, step, min_amount, min_notional,
                )  # fmt: skip
                if quantity == 0.0:
                    refused[n_refused] = t
                    n_refused += 1
                    events += 1
                    if events >= max_events:
                        return trades[:n_trades], refused[:n_refused], cash, t + 1
                else:
                    in_position = True
                    entry_bar = t
    if in_position:
        cash += close_trade(
            trades, n_trades, n - 1, PHASE_CLOSE, c[n - 1], REASON_END, quantity, slip, fee
        )
        n_trades += 1
    return trades[:n_trades], refused[:n_refused], cash, n


Kernel = Callable[..., tuple[Any, Any, float, int]]

#: The module functions ``simulate`` calls, replaced by their compiled twins in ``compiled``.
HELPERS = ("size_steps", "touch", "open_trade", "enter", "close_trade")

#: Below this many bars a process without numba runs the kernel in Python (see the module doc).
INTERPRETED_MAX_BARS = 500_000


def for_bars(bars: int) -> Kernel:
    """The kernel to walk ``bars`` bars: compiled once numba is loaded or for long runs."""
    if bars <= INTERPRETED_MAX_BARS and "numba" not in sys.modules:
        return simulate
    return compiled()


@cache
def compiled() -> Kernel:
    """The numba-compiled ``simulate`` (compiled once, cached on disk)."""
    import numba  # noqa: PLC0415 - deferred: importing numba costs most of a second

    jit = numba.njit(cache=True, nogil=True)
    module = globals()  # the kernel must call the compiled helpers: rebind them in place
    for name in HELPERS:
        module[name] = jit(module[name])
    kernel: Kernel = jit(simulate)
    return kernel
