"""Backtest/live parity over two pairs: ``run --replay A --replay B`` trades as the backtest does.

The runtime replays BTC/USDT and ETH/USDT 1h candles (the real series from ../shared/data, cut to
the same months so that the replay stays short) in a real ``cryptotrader`` process; the
multi-pair portfolio backtest (``engines.backtest.multipair``) runs the same strategies on the
same files. Per pair and bot, every trade must agree to the last decimal (entry and exit time and
price, quantity, stop and take-profit, fees, P&L, reason, confidence), which holds only if both
follow the same order inside a candle time (stops, exits, entries in sorted-symbol order, each
sized on the capital left by the ones before) and the same cross-pair limits.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from cryptotrader.domain.enums import BotKind, ExitReason
from cryptotrader.marketdata.io import read_ohlcv, write_ohlcv
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.repositories import bots
from cryptotrader.persistence.uow import UnitOfWork
from tests.support.parity import backtest_pairs, expected_pair_rows, stored_pair_rows

CLI = [sys.executable, "-m", "cryptotrader"]
START_MS, END_MS = 1_609_459_200_000, 1_656_633_600_000
"""2021-01-01 to 2022-07-01 UTC: 18 months of each pair (the ETH/USDT 1h file ends in 2022-10);
the conservative bot's daily trend filter is warm after ~200 days."""


def _cut(source: Path, target: Path) -> Path:
    """``source``'s candles from START_MS to END_MS, written under the same name into ``target``."""
    read = read_ohlcv(source)
    stamps = read.arrays.timestamps
    keep = np.flatnonzero((stamps >= START_MS) & (stamps < END_MS))
    path = target / source.name.removesuffix(".gz")
    write_ohlcv(read.frame.iloc[keep[0] : keep[-1] + 1], path)
    return path


@pytest.mark.shared_data
@pytest.mark.timeout(3600)  # a whole replay in a process: slow when the machine is loaded
def test_run_replay_of_two_pairs_when_compared_with_the_multi_pair_backtest_gives_the_same_trades(
    shared_data: Path, tmp_path: Path
) -> None:
    files = [
        _cut(shared_data / f"binance_{pair}_1h.csv.gz", tmp_path)
        for pair in ("ETH-USDT", "BTC-USDT")
    ]
    fear_greed = shared_data / "alternative-me_fear-greed_1d.csv"
    home = tmp_path / "home"
    env = dict(os.environ, CRYPTOTRADER_DATA_DIR=str(home))
    replays = [arg for path in files for arg in ("--replay", str(path))]
    done = subprocess.run(  # noqa: S603 - our own entry point, fixed arguments
        [*CLI, "run", *replays, "--fear-greed", str(fear_greed)],
        env=env,
        capture_output=True,
        text=True,
        timeout=3000,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    expected = backtest_pairs(files, fear_greed)
    database = Database(f"sqlite:///{home / 'cryptotrader.db'}")
    try:
        got, capital = asyncio.run(_stored(database))
    finally:
        asyncio.run(database.dispose())
    want = expected_pair_rows(expected)
    for symbol in ("BTC/USDT", "ETH/USDT"):
        assert len(want[symbol, BotKind.AGGRESSIVE]) > 20, symbol
    assert len(want["BTC/USDT", BotKind.SAFE]) + len(want["ETH/USDT", BotKind.SAFE]) > 10
    for key, rows in want.items():
        assert got.get(key, []) == rows, key
    assert set(got) <= set(want)
    # Capital: each trade's P&L is booked at 8 decimals; the backtest sums exactly.
    moved = sum((r.amount for r in expected.reallocations), Decimal(0))
    for outcome in (expected.safe, expected.aggressive):
        closed = [t for t in outcome.trades if t.exit_reason is not ExitReason.END_OF_DATA]
        final = outcome.metrics.initial_capital + sum(
            (t.pnl or Decimal(0) for t in closed), Decimal(0)
        )
        final += moved if outcome.bot is BotKind.SAFE else -moved
        assert abs(capital[outcome.bot] - final) <= len(closed) * Decimal("5e-9")


async def _stored(
    database: Database,
) -> tuple[dict[tuple[str, BotKind], list[tuple[object, ...]]], dict[BotKind, Decimal]]:
    rows = await stored_pair_rows(database)
    async with UnitOfWork(database) as uow:
        capital = {row.type: row.capital for row in await bots.list_bots(session=uow.session)}
    return rows, capital
