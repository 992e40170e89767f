"""A candle time's sales recorded in the transaction that writes its entries: the same trades.

When every sale of a candle time filled and closed its position, the order engine records the
sales (fills, closed trades, settlement) and decides and writes the entries in one transaction
(``order_batch._sales_then``): one commit fewer before the last pair's order. The entries must
be decided on exactly what the sales' own commit would have left (the positions gone, the
capital settled and reallocated, the day's realised P&L). A two-pair replay with the aggressive
bot on ``bench_flip`` (a trade on almost every candle, so exits and entries share most candle
times) is run with the transactions joined and apart: the same trades, trade by trade, and the
same capital; joined, fewer commits.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path
from typing import Any

import bench.runtime_flip  # noqa: F401 - registers bench_flip
import pytest
from bench.runtime import use_flip

from cryptotrader.bootstrap.runtime import open_runtime
from cryptotrader.config import Settings
from cryptotrader.engines import order_batch
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.migrate import upgrade
from cryptotrader.persistence.repositories import bots, trades
from cryptotrader.persistence.uow import UnitOfWork
from cryptotrader.runtime_inputs import RunOptions
from tests.support.builders import read_shared_csv

ROWS = 500  # daily candles per pair: the warm-up (201), then about ten months of flips
NAMES = ("binance_BTC-USDT_1d.csv", "binance_ETH-USDT_1d.csv")


def _settings(folder: Path) -> Settings:
    settings = Settings(data_dir=folder)
    return settings.model_copy(
        update={
            "runtime": settings.runtime.model_copy(
                update={"max_open_positions": 4, "max_positions_per_bot": 2}
            )
        }
    )


async def _replay(files: tuple[Path, ...], folder: Path) -> tuple[list[Any], list[Any]]:
    """Every trade (as stored) and bot (capital, ratio) after the replay."""
    settings = _settings(folder)
    database = Database(settings.database_url)
    await upgrade(database)
    await use_flip(database)
    await database.dispose()
    runtime = await open_runtime(settings, RunOptions(replay=files))
    try:
        await runtime.start()
        await asyncio.wait_for(runtime.wait(), timeout=900)
        async with UnitOfWork(runtime.database) as uow:
            listed = await trades.list_trades(session=uow.session, limit=100_000)
            rows = await bots.list_bots(session=uow.session)
    finally:
        await runtime.close()
    stored = sorted(
        (
            t.bot,
            t.pair.symbol,
            t.entry_time,
            t.exit_time,
            t.quantity,
            t.entry_price,
            t.exit_price,
            t.fees,
            t.pnl,
            t.status,
        )
        for _, t in listed
    )
    return stored, sorted((r.type, r.capital, r.current_risk_ratio) for r in rows)


@pytest.mark.shared_data
@pytest.mark.timeout(1800)
def test_sales_recorded_with_the_entries_give_the_trades_of_sales_recorded_apart(
    shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = []
    for name in NAMES:
        path = tmp_path / name
        read_shared_csv(shared_data / name, rows=ROWS).to_csv(path, index=False)
        files.append(path)
    joined_path, commit = order_batch._sales_then, order_batch._commit
    # entries written and sent apart from their fills in both runs: apart, the entries after the
    # sales would otherwise be filled with their write (test_entries_with_fills.py), one commit
    # fewer there, which is not what this test counts
    monkeypatch.setattr(order_batch._Account, "fills_within", lambda _: False)
    outcomes: list[str] = []
    commits = {"joined": 0, "apart": 0}
    run = "joined"

    async def counted(*args: Any) -> Any:
        entered = await joined_path(*args)
        outcomes.append("joined" if entered is not None and entered.sent is not None else "apart")
        return entered

    async def committed(uow: Any) -> None:  # a batch's transaction (exits' or entries')
        commits[run] += 1
        await commit(uow)

    monkeypatch.setattr(order_batch, "_commit", committed)
    monkeypatch.setattr(order_batch, "_sales_then", counted)
    trades_joined, bots_joined = asyncio.run(_replay(tuple(files), tmp_path / "joined"))

    async def apart(sold: Any, account: Any, _then: Any, _failed: Any) -> None:
        await order_batch._record_sales(sold, account)  # as before: committed alone

    run = "apart"
    monkeypatch.setattr(order_batch, "_sales_then", apart)
    trades_apart, bots_apart = asyncio.run(_replay(tuple(files), tmp_path / "apart"))

    assert outcomes.count("joined") >= 5, outcomes  # the path under test ran, several times
    assert len(trades_joined) >= 100
    assert trades_joined == trades_apart
    assert bots_joined == bots_apart
    assert all(isinstance(capital, Decimal) for _, capital, _ in bots_joined)
    assert commits["joined"] == commits["apart"] - outcomes.count("joined")  # one each fewer
