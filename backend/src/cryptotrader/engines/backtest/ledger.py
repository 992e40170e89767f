"""From the kernel's float trade table to money: ``Decimal`` trades, capital, and the equity curve.

Floats become money by correct rounding to 8 decimals (``f"{x:.8f}"``); quantities are whole
amount steps, so exact. Each fill's fee is ``price x quantity x fee rate`` rounded half-up to
1e-8, and a trade's P&L is ``(exit - entry) x quantity - fees`` (``Trade.pnl``), so the capital
after the run is exactly the initial capital plus the sum of the trades' P&L.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, getcontext

import numpy as np

from cryptotrader.domain.enums import BotKind, ExitReason, Side, TradeStatus
from cryptotrader.domain.fills import (
    REASON_END,
    REASON_SIGNAL,
    REASON_STOP,
    REASON_TAKE,
    fee_of,
    money,
)
from cryptotrader.domain.market import FloatArray, IntArray
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.domain.trades import Trade, figure
from cryptotrader.domain.trusted import trusted
from cryptotrader.engines.backtest import _kernel as k
from cryptotrader.engines.backtest.metrics import TradeOutcomes
from cryptotrader.strategies.base import BoolArray

CENT = Decimal("0.01")
REASONS = {
    REASON_SIGNAL: ExitReason.SIGNAL,
    REASON_STOP: ExitReason.STOP_LOSS,
    REASON_TAKE: ExitReason.TAKE_PROFIT,
    REASON_END: ExitReason.END_OF_DATA,
}


def fills(
    row: list[float], fee_rate: Decimal, amount_step: Decimal
) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """``(entry price, exit price, quantity, fees)`` of one row of the kernel's trade table."""
    entry = money(row[k.COL_ENTRY_PRICE])
    exit_ = money(row[k.COL_EXIT_PRICE])
    quantity = int(row[k.COL_STEPS]) * amount_step
    fees = fee_of(entry, quantity, fee_rate) + fee_of(exit_, quantity, fee_rate)
    return entry, exit_, quantity, fees


def net_pnl(row: list[float], fee_rate: Decimal, amount_step: Decimal) -> Decimal:
    """Net P&L of one row of the kernel's trade table (``Trade.pnl`` of its trade)."""
    entry, exit_, quantity, fees = fills(row, fee_rate, amount_step)
    return (exit_ - entry) * quantity - fees


@dataclass(frozen=True, slots=True)
class FillTimes:
    """(bar, phase) -> the fill's UTC time: the bar's open (open, intrabar) or close (close)."""

    timestamps: IntArray
    timeframe: Timeframe

    def ms(self, bar: int, phase: int) -> int:
        """Epoch milliseconds of a fill."""
        return int(self.many_ms(np.array([bar]), np.array([phase]))[0])

    def many_ms(self, bars: IntArray, phases: IntArray) -> IntArray:
        """Epoch milliseconds of many fills at once."""
        opened = self.timestamps[bars]
        closed = self.timeframe.bucket_end(opened)
        result: IntArray = np.where(phases == k.PHASE_CLOSE, closed, opened)
        return result

    def datetimes(self, bars: IntArray, phases: IntArray) -> list[datetime]:
        """UTC datetimes of many fills at once."""
        naive = self.many_ms(bars, phases).astype("datetime64[ms]").astype(object)
        return [moment.replace(tzinfo=UTC) for moment in naive.tolist()]


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many small acyclic objects.

    Tens of thousands of trades would otherwise trigger collections that traverse every live
    object, about a third of the ledger's time; nothing built here forms a cycle.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


_TRADE_FIELDS = frozenset(Trade.model_fields)


def _trusted_trade(**values: object) -> Trade:
    """A ``Trade`` from values this module built and checked, not validated again.

    ``domain.trusted``: every field given, in the model's order.

    ``tests/unit/engines/backtest/test_fills.py`` checks the result equals a validated ``Trade``.
    """
    return trusted(Trade, values, _TRADE_FIELDS)


def _prices(values: FloatArray) -> list[Decimal]:
    return [Decimal(f"{value:.8f}") for value in values.tolist()]


@dataclass(frozen=True, slots=True)
class Ledger:
    """What the closed trades leave: the capital, the fees, and each trade's exact outcome."""

    final_capital: Decimal
    fees_paid: Decimal
    outcomes: TradeOutcomes


class TradeBook:
    """The kernel's trades as ``Trade`` objects, built on first use and then kept.

    A backtest's figures come from the table (``build_ledger``); a report, a chart or the
    portfolio reads the ``Trade`` objects, which cost most of a run to build, so only then.
    """

    __slots__ = ("_built", "_recipe")

    def __init__(
        self,
        table: FloatArray,
        *,
        fee_rate: Decimal,
        amount_step: Decimal,
        stops: tuple[Decimal, Decimal],
        times: FillTimes,
        bot: BotKind,
        pair: Pair,
    ) -> None:
        self._recipe = (table, fee_rate, amount_step, stops, times, bot, pair)
        self._built: tuple[Trade, ...] | None = None

    @property
    def table(self) -> FloatArray:
        """The kernel's float trade table the trades come from."""
        return self._recipe[0]

    @property
    def trades(self) -> tuple[Trade, ...]:
        """Every closed trade with exact ``Decimal`` money, in the table's order."""
        if self._built is None:
            with _collector_paused():
                self._built = _build(self)
        return self._built


def build_ledger(book: TradeBook, *, initial_capital: Decimal) -> Ledger:
    """Capital, fees and trade outcomes of ``book`` with exact money, without building trades.

    The same figures as summing the ``Trade`` objects' ``Decimal`` P&L (``fills`` row by row),
    computed in integers of the smallest money unit; when a figure could need more digits than
    the ``Decimal`` context keeps (where ``Decimal`` rounds), the trades are built and summed.
    """
    table, fee_rate, amount_step = book._recipe[:3]
    exact = _integer_ledger(table, initial_capital, fee_rate, amount_step)
    if exact is not None:
        return exact
    trades = book.trades
    capital, fees_paid = initial_capital, Decimal(0)
    for trade in trades:
        pnl = trade.pnl  # not ``or 0``: a zero P&L's exponent is the original sum's
        capital += Decimal(0) if pnl is None else pnl
        fees_paid += trade.fees
    return Ledger(capital, fees_paid, TradeOutcomes.of_trades(trades))


def _build(book: TradeBook) -> tuple[Trade, ...]:
    table, fee_rate, amount_step, stops, times, bot, pair = book._recipe
    entry_price = table[:, k.COL_ENTRY_PRICE]
    entries = _prices(entry_price)
    exits = _prices(table[:, k.COL_EXIT_PRICE])
    stop_prices = _prices(entry_price * (1 - float(stops[0])))
    take_prices = _prices(entry_price * (1 + float(stops[1])))
    quantities = [int(steps) * amount_step for steps in table[:, k.COL_STEPS].tolist()]
    columns = [k.COL_ENTRY_BAR, k.COL_ENTRY_PHASE, k.COL_EXIT_BAR, k.COL_EXIT_PHASE]
    bars: IntArray = table[:, columns].astype(np.int64)
    entry_times = times.datetimes(bars[:, 0], bars[:, 1])
    exit_times = times.datetimes(bars[:, 2], bars[:, 3])
    reasons = [REASONS[int(code)] for code in table[:, k.COL_REASON].tolist()]
    figures = {value: figure(value) for value in set(table[:, k.COL_CONFIDENCE].tolist())}
    confidence = [figures[value] for value in table[:, k.COL_CONFIDENCE].tolist()]
    return tuple(
        _trusted_trade(
            bot=bot,
            pair=pair,
            side=Side.BUY,
            quantity=quantity,
            entry_price=entry,
            entry_time=entry_times[i],
            stop_loss=stop_prices[i],
            take_profit=take_prices[i],
            exit_price=exit_,
            exit_time=exit_times[i],
            exit_reason=reasons[i],
            fees=fee_of(entry, quantity, fee_rate) + fee_of(exit_, quantity, fee_rate),
            confidence=confidence[i],
            status=TradeStatus.CLOSED,
        )
        for i, (entry, exit_, quantity) in enumerate(zip(entries, exits, quantities, strict=True))
    )


def _units(value: Decimal) -> tuple[int, int]:
    """``value`` as ``(units, scale)``: ``units * 10**-scale`` with ``scale >= 0``."""
    scale = max(0, -int(value.as_tuple().exponent))
    return int(value.scaleb(scale)), scale


_HALF_ULP = 2.0**-52
_EXACT_BELOW = 2.0**51


def money_units(values: FloatArray) -> IntArray | None:
    """``money(x)`` of each value as a count of 1e-8, rounded alike; None if one is not finite.

    ``x * 1e8`` rounded to the nearest integer is the correctly rounded amount unless the
    product's own rounding could have moved it across a half: those few are formatted exactly.
    """
    if not np.isfinite(values).all():
        return None
    scaled = values * 1e8
    size = np.abs(scaled)
    if size.shape[0] and size.max() >= _EXACT_BELOW:
        return None
    result: IntArray = np.rint(scaled).astype(np.int64)
    near_half = np.abs(scaled - np.floor(scaled) - 0.5) <= 2 * size * _HALF_ULP
    for i in np.flatnonzero(near_half).tolist():
        result[i] = int(money(float(values[i])).scaleb(8))
    return result


def _integer_ledger(
    table: FloatArray, initial_capital: Decimal, fee_rate: Decimal, amount_step: Decimal
) -> Ledger | None:
    """``build_ledger``'s figures in integers; None where ``Decimal`` could have rounded.

    Prices are counts of 1e-8 and quantities counts of ``10**-q`` (``steps x amount_step``), so
    each fee (``price x quantity x rate`` rounded half-up to 1e-8) and each P&L
    (``(exit - entry) x quantity - fees``, in ``10**-(8 + q)``) is an exact integer.
    """
    entries = money_units(table[:, k.COL_ENTRY_PRICE])
    exits = money_units(table[:, k.COL_EXIT_PRICE])
    step, q = _units(amount_step)
    rate, f = _units(fee_rate)
    if entries is None or exits is None or step <= 0 or rate < 0:
        return None
    if table.shape[0] == 0:
        return Ledger(initial_capital, Decimal(0), TradeOutcomes([], 0, []))
    if entries.min() < 0 or exits.min() < 0:
        return None
    quantity = table[:, k.COL_STEPS].astype(np.int64).astype(object)
    if step != 1:
        quantity = quantity * step
    limit = 10 ** getcontext().prec
    if max(int(entries.max()), int(exits.max()), 1) * int(quantity.max()) * max(rate, 1) >= limit:
        return None
    # every operation below is one pass of Python integers: the ones multiplying by 1 are skipped
    priced = quantity * rate if rate != 1 else quantity
    entry, exit_ = entries.astype(object), exits.astype(object)
    divisor = 10 ** (q + f)
    half = divisor // 2
    fees = (entry * priced + half) // divisor + (exit_ * priced + half) // divisor
    capital, capital_scale = _units(initial_capital)
    scale = max(8 + q, capital_scale)
    pnl = (exit_ - entry) * quantity - (fees * 10**q if q else fees)
    if scale > 8 + q:
        pnl = pnl * 10 ** (scale - 8 - q)
    capital *= 10 ** (scale - capital_scale)
    fees_paid = int(fees.sum())
    pnl_float = np.asarray(pnl / 10**scale, dtype=float)  # each correctly rounded
    # the exact sum of |P&L| stays under the limit if its float sum, with a wide margin, does
    spread = abs(capital) + float(np.abs(pnl_float).sum()) * 10.0**scale * (1 + 1e-6)
    if spread >= 0.999 * float(limit) or fees_paid >= limit:
        return None
    notional = (entries / 1e8) * (quantity / 10**q).astype(float)
    returns = (pnl_float / notional).tolist()
    return Ledger(
        Decimal(capital + int(pnl.sum())).scaleb(-scale),
        Decimal(fees_paid).scaleb(-8),
        TradeOutcomes(pnl.tolist(), scale, returns),
    )


def equity_curve(
    table: FloatArray,
    close: FloatArray,
    *,
    initial_capital: float,
    fee: float,
    step: float,
    transfers: Sequence[tuple[int, float]] = (),
) -> tuple[FloatArray, BoolArray]:
    """Equity at every close (cash plus the position marked at the close), and where it is held.

    ``transfers`` are ``(bar, amount)`` cash movements (reallocations between bots); the mask is
    True at the closes with an open position.

    Cash and holding change only at the bars of a fill or a transfer: they are summed over those
    bars, in bar order (the same float additions as a running sum over every bar, whose other
    bars add 0.0), then spread over the bars until the next change.
    """
    n = close.shape[0]
    entry_bar = table[:, k.COL_ENTRY_BAR].astype(np.int64)
    exit_bar = table[:, k.COL_EXIT_BAR].astype(np.int64)
    steps = table[:, k.COL_STEPS].astype(np.int64)
    quantity = steps * step
    cost = table[:, k.COL_ENTRY_PRICE] * quantity * (1.0 + fee)
    proceeds = table[:, k.COL_EXIT_PRICE] * quantity * (1.0 - fee)
    moved = np.array([bar for bar, _ in transfers], dtype=np.int64)
    bars, where = np.unique(np.concatenate((entry_bar, exit_bar, moved)), return_inverse=True)
    entered, exited, moved_at = np.split(where, [entry_bar.shape[0], 2 * entry_bar.shape[0]])
    events = bars.shape[0]
    cash_delta = np.bincount(entered, weights=-cost, minlength=events)
    cash_delta += np.bincount(exited, weights=proceeds, minlength=events)
    for at, (_, amount) in zip(moved_at.tolist(), transfers, strict=True):
        cash_delta[at] += amount
    held = np.zeros(events, dtype=np.int64)
    np.add.at(held, entered, steps)
    np.add.at(held, exited, -steps)
    inside = int(np.searchsorted(bars, n))  # a fill at bar n (none) would not show at a close
    lengths = np.diff(bars[:inside], prepend=0, append=n)
    cash = np.concatenate(([0.0], np.cumsum(cash_delta)[:inside]))
    holding = np.concatenate(([0], np.cumsum(held)[:inside]))
    marked = np.repeat(holding * step, lengths)  # the amount held at each close (step > 0)
    curve: FloatArray = np.repeat(initial_capital + cash, lengths) + marked * close
    return curve, marked > 0
