"""The CLI's trade tables: at 80 columns the dates, prices and P&L in full; wider, everything."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from rich.table import Table

from cryptotrader.domain.trades import Trade
from cryptotrader.engines.backtest.tables import Column, fitted_table

__all__ = ["Column", "fitted_table", "positions_table", "price", "trades_table", "when"]


def when(moment: datetime | None) -> str:
    """``2024-03-01 14:00`` (UTC, as stored); empty when there is none."""
    return "" if moment is None else f"{moment:%Y-%m-%d %H:%M}"


def price(value: Decimal | None) -> str:
    """Two decimals, thousands grouped; empty when there is none."""
    return "" if value is None else f"{value:,.2f}"


def trades_table(title: str, trades: Sequence[tuple[int, Trade]], width: int) -> Table:
    """Stored trades, newest first: at 80 columns the dates, prices and P&L; wider, everything.

    Quantity and exit time go first, then why it closed, then the id; the opening time, the
    entry and exit prices and the P&L stay longest.
    """
    rows = [trade for _, trade in trades]
    columns = [
        Column("id", [str(i) for i, _ in trades], keep=4, justify="right"),
        Column("bot", [t.bot.value for t in rows], keep=6, label=True),
        Column("pair", [t.pair.symbol for t in rows], keep=5, label=True),
        Column("opened", [when(t.entry_time) for t in rows], keep=9),
        Column("entry", [price(t.entry_price) for t in rows], keep=9, justify="right"),
        Column("quantity", [f"{t.quantity.normalize():f}" for t in rows], keep=1, justify="right"),
        Column("closed", [when(t.exit_time) for t in rows], keep=2),
        Column("exit", [price(t.exit_price) for t in rows], keep=9, justify="right"),
        Column("why", [_reason(t) for t in rows], keep=3),
        Column("P&L", [_pnl(t) for t in rows], keep=10, justify="right"),
    ]
    return fitted_table(title, columns, width)


def positions_table(positions: Sequence[Trade], width: int) -> Table:
    """Open positions: when and at what each opened, and where it would stop or take profit."""
    columns = [
        Column("bot", [t.bot.value for t in positions], keep=6, label=True),
        Column("pair", [t.pair.symbol for t in positions], keep=5, label=True),
        Column("opened", [when(t.entry_time) for t in positions], keep=9),
        Column("entry", [price(t.entry_price) for t in positions], keep=9, justify="right"),
        Column(
            "quantity", [f"{t.quantity.normalize():f}" for t in positions], keep=1, justify="right"
        ),
        Column("stop-loss", [price(t.stop_loss) for t in positions], keep=8, justify="right"),
        Column("take-profit", [price(t.take_profit) for t in positions], keep=7, justify="right"),
    ]
    return fitted_table(f"{len(positions)} open position(s)", columns, width)


def _reason(trade: Trade) -> str:
    return "" if trade.exit_reason is None else trade.exit_reason.value.replace("_", " ")


def _pnl(trade: Trade) -> str:
    return "open" if trade.pnl is None else f"{trade.pnl:+,.2f}"
