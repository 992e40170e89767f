"""Terminal tables at 80 and 120 columns: every date and price in full, no cell wrapped or cut."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from rich.console import Console
from rich.table import Table

from cryptotrader.cli import main
from cryptotrader.cli._common import console as cli_console
from cryptotrader.cli._tables import positions_table, trades_table
from cryptotrader.config import load_settings
from cryptotrader.domain.enums import BotKind, ExitReason, RiskLevel, TradeStatus
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.trades import Trade
from cryptotrader.engines.backtest.tables import Column, fitted_table
from cryptotrader.persistence.migrate import open_database
from cryptotrader.persistence.repositories import bots, trades
from cryptotrader.persistence.uow import UnitOfWork

START = datetime(2024, 3, 1, 14, 0, tzinfo=UTC)


def trade(hour: int, bot: BotKind, *, closed: bool = True, pair: str = "BTC/USDT") -> Trade:
    exit_: dict[str, object] = {}
    if closed:
        exit_ = {
            "exit_price": Decimal("90360.12") + hour,
            "exit_time": START + timedelta(hours=hour + 5),
            "exit_reason": ExitReason.PROTECTION_FAILED if hour % 2 else ExitReason.TAKE_PROFIT,
            "status": TradeStatus.CLOSED,
        }
    return Trade.model_validate(
        {
            "bot": bot,
            "pair": Pair.parse(pair),
            "quantity": Decimal("0.01234567"),
            "entry_price": Decimal("88123.45"),
            "entry_time": START + timedelta(hours=hour),
            "stop_loss": Decimal("85000"),
            "take_profit": Decimal("95000.5"),
            "fees": Decimal("1.2"),
            **exit_,
        }
    )


def rendered(table: Table, width: int) -> list[str]:
    screen = Console(width=width, record=True, file=io.StringIO())
    screen.print(table)
    return screen.export_text().splitlines()


def whole(lines: list[str], width: int, *cells: str) -> None:
    """Each cell printed in full on one line, no line wider than the terminal, nothing cut."""
    text = "\n".join(lines)
    assert "…" not in text
    assert all(len(line) <= width for line in lines), text
    for cell in cells:
        assert any(cell in line for line in lines), (cell, text)


LISTED = [
    (1171 - hour, trade(hour, BotKind.AGGRESSIVE if hour % 2 else BotKind.SAFE, closed=hour > 0))
    for hour in range(4)
]


def test_trades_at_80_columns_keep_dates_prices_and_pnl_whole() -> None:
    lines = rendered(trades_table("4 trades (newest first, times in UTC)", LISTED, 80), 80)
    whole(lines, 80, "2024-03-01 14:00", "88,123.45", "90,361.12", "+26.43", "open", "aggressive")
    assert lines[0].strip() == "4 trades (newest first, times in UTC): BTC/USDT"  # one pair
    assert len(lines) == 2 + 2 + len(LISTED) + 2  # title, blank, header, rule, rows: no wrap
    assert "not shown at 80 columns: quantity, closed, why" in lines[-1]  # said, in table order


def test_trades_at_120_columns_show_every_detail() -> None:
    lines = rendered(trades_table("4 trades", LISTED, 120), 120)
    whole(lines, 120, "BTC/USDT", "2024-03-01 20:00", "protection failed", "1171", "0.01234567")
    whole(lines, 120, "take profit", "+26.44")
    assert "not shown" not in "\n".join(lines)
    assert len(lines) == 2 + 2 + len(LISTED) + 1  # no row wrapped


def test_trades_of_several_pairs_keep_the_pair_column() -> None:
    listed = [(1, trade(1, BotKind.SAFE)), (2, trade(2, BotKind.SAFE, pair="ETH/USDT"))]
    lines = rendered(trades_table("2 trades", listed, 80), 80)
    whole(lines, 80, "BTC/USDT", "ETH/USDT", "2024-03-01 15:00", "90,362.12")
    assert lines[0].strip() == "2 trades: safe"  # one bot: said once, in the title


def test_open_positions_read_at_80_and_120_columns() -> None:
    held = [trade(0, BotKind.SAFE, closed=False), trade(1, BotKind.AGGRESSIVE, closed=False)]
    lines = rendered(positions_table(held, 80), 80)
    whole(lines, 80, "2024-03-01 15:00", "88,123.45", "85,000.00", "95,000.50", "0.01234567")
    lines = rendered(positions_table(held, 120), 120)
    whole(lines, 120, "BTC/USDT", "95,000.50")
    assert "not shown" not in "\n".join(lines)


def test_a_table_wider_than_the_terminal_drops_the_lowest_columns_first() -> None:
    columns = [
        Column("a", ["x" * 30], keep=3),
        Column("b", ["y" * 30], keep=1),
        Column("c", ["z" * 30], keep=2),
    ]
    lines = rendered(fitted_table("t", columns, 70), 70)
    whole(lines, 70, "x" * 30, "z" * 30)
    assert "not shown at 70 columns: b" in lines[-1]
    lines = rendered(fitted_table("t", columns[:1], 10), 10)  # the last column always stays
    assert "x" in "\n".join(lines)


@pytest.mark.parametrize("width", [80, 120])
def test_the_trades_command_reads_at_the_terminals_width(
    width: int, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    async def store() -> None:
        database = await open_database(load_settings().database_url)
        try:
            async with UnitOfWork(database) as uow:
                for kind in BotKind:
                    await bots.create_bot(
                        session=uow.session, name=kind.value, kind=kind, capital=Decimal(1000),
                        risk_level=RiskLevel.LOW, risk_ratio=Decimal("0.01"),
                    )  # fmt: skip
                for _, stored in reversed(LISTED):
                    await trades.add_trade(session=uow.session, trade=stored, exchange="replay")
                await uow.commit()
        finally:
            await database.dispose()

    asyncio.run(store())
    monkeypatch.setattr(cli_console, "width", width)
    with pytest.raises(SystemExit) as exit_info:
        main(["trades"])
    out, _ = capsys.readouterr()
    assert exit_info.value.code == 0
    lines = out.splitlines()
    whole(lines, width, "2024-03-01 17:00", "88,123.45", "90,363.12", "+26.45", "open")
    assert "P&L by pair" in out
