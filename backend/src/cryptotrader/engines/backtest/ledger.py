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
from decimal import Decimal

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
from cryptotrader.domain.trades import Trade
from cryptotrader.engines.backtest import _kernel as k
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


@dataclass(frozen=True, slots=True)
class Ledger:
    """Closed trades as domain objects, and the capital they leave."""

    trades: tuple[Trade, ...]
    final_capital: Decimal
    fees_paid: Decimal


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
    """A ``Trade`` from values this module built and checked, without validating them again.

    What ``BaseModel.model_construct`` does, minus its per-field default handling (every field
    is given): a third of the cost, which matters for tens of thousands of trades.
    ``tests/unit/engines/backtest/test_fills.py`` checks the result equals a validated ``Trade``.
    """
    trade: Trade = object.__new__(Trade)
    object.__setattr__(trade, "__dict__", values)
    object.__setattr__(trade, "__pydantic_fields_set__", set(_TRADE_FIELDS))
    object.__setattr__(trade, "__pydantic_extra__", None)
    object.__setattr__(trade, "__pydantic_private__", None)
    return trade


def _prices(values: FloatArray) -> list[Decimal]:
    return [Decimal(f"{value:.8f}") for value in values.tolist()]


def build_ledger(
    table: FloatArray,
    *,
    initial_capital: Decimal,
    fee_rate: Decimal,
    amount_step: Decimal,
    stops: tuple[Decimal, Decimal],
    times: FillTimes,
    bot: BotKind,
    pair: Pair,
) -> Ledger:
    """``Trade`` objects from the kernel's table, with exact money (``fills`` row by row)."""
    with _collector_paused():
        return _build(table, initial_capital, fee_rate, amount_step, stops, times, bot, pair)


def _build(  # noqa: PLR0917 - private twin of build_ledger's keywords
    table: FloatArray,
    initial_capital: Decimal,
    fee_rate: Decimal,
    amount_step: Decimal,
    stops: tuple[Decimal, Decimal],
    times: FillTimes,
    bot: BotKind,
    pair: Pair,
) -> Ledger:
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
    confidence = table[:, k.COL_CONFIDENCE].tolist()
    trades: list[Trade] = []
    capital = initial_capital
    fees_paid = Decimal(0)
    for i, (entry, exit_, quantity) in enumerate(zip(entries, exits, quantities, strict=True)):
        fees = fee_of(entry, quantity, fee_rate) + fee_of(exit_, quantity, fee_rate)
        trades.append(
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
                fees=fees,
                confidence=confidence[i],
                status=TradeStatus.CLOSED,
            )
        )
        capital += (exit_ - entry) * quantity - fees
        fees_paid += fees
    return Ledger(tuple(trades), capital, fees_paid)


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
    """
    n = close.shape[0]
    entry_bar = table[:, k.COL_ENTRY_BAR].astype(np.int64)
    exit_bar = table[:, k.COL_EXIT_BAR].astype(np.int64)
    steps = table[:, k.COL_STEPS].astype(np.int64)
    quantity = steps * step
    cost = table[:, k.COL_ENTRY_PRICE] * quantity * (1.0 + fee)
    proceeds = table[:, k.COL_EXIT_PRICE] * quantity * (1.0 - fee)
    cash_delta = np.bincount(entry_bar, weights=-cost, minlength=n)
    cash_delta += np.bincount(exit_bar, weights=proceeds, minlength=n)
    for bar, amount in transfers:
        cash_delta[bar] += amount
    held = np.zeros(n + 1, dtype=np.int64)
    np.add.at(held, entry_bar, steps)
    np.add.at(held, exit_bar, -steps)
    holding = np.cumsum(held[:n])
    curve: FloatArray = initial_capital + np.cumsum(cash_delta) + holding * step * close
    return curve, holding > 0
