"""Backtest/live parity: ``cryptotrader run --replay`` trades exactly as the backtest does.

The runtime (market data -> indicators -> decisions -> orders -> portfolio over the bus, the
paper exchange, the database) replays a real series in a real ``cryptotrader`` process; the
portfolio backtest runs the same strategies on the same candles. Every trade must agree to the
last decimal: entry and exit time and price, quantity, stop and take-profit, fees, P&L, reason
and confidence; a trade the backtest closes at the end of the data is still open in the runtime.
The series (BTC/USDT 4h, 2017-2022, with gaps) exercises the conservative bot's daily trend
filter and the Fear & Greed filter. The same check on 8 years of 1h candles (72,540 candles,
1,091 trades) is in bench/runtime.py.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from cryptotrader.domain.enums import BotKind
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.repositories import bots
from cryptotrader.persistence.uow import UnitOfWork
from tests.support.parity import backtest, expected_rows, stored_rows

CLI = [sys.executable, "-m", "cryptotrader"]


@pytest.mark.shared_data
@pytest.mark.timeout(3600)  # a whole replay in a process: slow when the machine is loaded
def test_run_replay_when_compared_with_the_backtest_gives_the_same_trades(
    shared_data: Path, tmp_path: Path
) -> None:
    series = shared_data / "binance_BTC-USDT_4h.csv"
    fear_greed = shared_data / "alternative-me_fear-greed_1d.csv"
    env = dict(os.environ, CRYPTOTRADER_DATA_DIR=str(tmp_path))
    done = subprocess.run(  # noqa: S603 - our own entry point, fixed arguments
        [*CLI, "run", "--replay", str(series), "--fear-greed", str(fear_greed)],
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    expected = backtest(series, fear_greed)
    database = Database(f"sqlite:///{tmp_path / 'cryptotrader.db'}")
    try:
        got = asyncio.run(_stored(database))
    finally:
        asyncio.run(database.dispose())
    rows, capital = got
    want = expected_rows(expected)
    assert len(want[BotKind.SAFE]) > 50
    assert len(want[BotKind.AGGRESSIVE]) > 200
    for bot in BotKind:
        assert rows[bot] == want[bot], bot
    # Capital: each trade's P&L is booked at 8 decimals (NUMERIC(20, 8)); the backtest sums exactly.
    for bot, result in ((BotKind.SAFE, expected.safe), (BotKind.AGGRESSIVE, expected.aggressive)):
        closed = [t for t in result.trades if t.exit_reason != "end_of_data"]
        final = result.metrics.initial_capital + sum(
            (t.pnl or Decimal(0) for t in closed), Decimal(0)
        )
        moved = sum((r.amount for r in expected.reallocations), Decimal(0))
        final += moved if bot is BotKind.SAFE else -moved
        assert abs(capital[bot] - final) <= len(closed) * Decimal("5e-9")


async def _stored(
    database: Database,
) -> tuple[dict[BotKind, list[tuple[object, ...]]], dict[BotKind, Decimal]]:
    rows = await stored_rows(database)
    async with UnitOfWork(database) as uow:
        capital = {row.type: row.capital for row in await bots.list_bots(session=uow.session)}
    return rows, capital
