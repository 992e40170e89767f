"""A replay's quiet candle times (nothing can trade) stepped at once leave what ``step_all`` leaves.

``TradingWorker._quiet_step`` moves the paper market, the clock and the checkpoint's step without
the full step's awaits, with or without positions open (their stop-loss / take-profit pairs
resting out of the candle's reach); in a long batch, whole stretches of such candle times are
found over the run's arrays and skipped at once (``_quiet_until``, ``_skip``). The same replays
run twice in this process, with and without them, must leave the same database: every trade,
every order, the paper account (balances, orders, market state as last saved) and every engine
checkpoint. One pair (BTC/USDT
4h with its gaps) and two pairs traded together (BTC and ETH daily: several rows per candle
time). What this guards is the quiet test: a candle time taken as quiet that could have
traded (an entry, an exit, a stop or take-profit reached) changes the trades.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from cryptotrader.bootstrap.runtime import open_runtime
from cryptotrader.config import Settings
from cryptotrader.engines.workers.trading import TradingWorker
from cryptotrader.engines.writer_lease import LEASE_ENGINE
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.tables import EngineCheckpointRow, OrderRow
from cryptotrader.persistence.uow import UnitOfWork
from cryptotrader.runtime_inputs import RunOptions
from tests.support.builders import read_shared_csv
from tests.support.parity import stored_pair_rows

pytestmark = pytest.mark.asyncio(loop_scope="function")


async def _replay(folder: Path, files: tuple[Path, ...], fear_greed: Path) -> dict[str, Any]:
    options = RunOptions(replay=files, fear_greed=fear_greed, inline_database=True)
    runtime = await open_runtime(Settings(data_dir=folder), options)
    try:
        await runtime.start()
        await runtime.wait()
        return await _stored(runtime.database)
    finally:
        await runtime.close()


async def _stored(database: Database) -> dict[str, Any]:
    async with UnitOfWork(database) as uow:
        orders = (await uow.session.execute(select(OrderRow).order_by(OrderRow.id))).scalars()
        checkpoints = await uow.session.execute(  # not the writer lease: wall-clock expiry
            select(
                EngineCheckpointRow.engine, EngineCheckpointRow.key, EngineCheckpointRow.value
            ).where(EngineCheckpointRow.engine != LEASE_ENGINE)
        )
        return {
            "trades": await stored_pair_rows(database),
            "orders": [  # created_at: the clock's time at the order, as the step moved it
                (
                    o.client_order_id,
                    o.status,
                    o.quantity,
                    o.price,
                    o.stop_loss,
                    o.take_profit,
                    o.exchange_order_id,
                    o.filled_quantity,
                    o.average_fill_price,
                    o.fee,
                    o.created_at,
                )
                for o in orders
            ],
            "checkpoints": sorted(tuple(map(str, row)) for row in checkpoints.all()),
        }


@pytest.mark.shared_data
@pytest.mark.timeout(1200)
@pytest.mark.parametrize("stretches", [True, False], ids=["stretches", "steps"])
@pytest.mark.parametrize(
    "series",
    [
        (("binance_BTC-USDT_4h.csv",), 4000),
        (("binance_BTC-USDT_1d.csv", "binance_ETH-USDT_1d.csv"), 900),
    ],
)
async def test_replay_when_quiet_steps_are_taken_at_once_leaves_what_full_steps_leave(
    shared_data: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    series: tuple[tuple[str, ...], int],
    stretches: bool,
) -> None:
    names, rows = series
    files = []
    for name in names:
        path = tmp_path / name
        read_shared_csv(shared_data / name, rows=rows).to_csv(path, index=False)
        files.append(path)
    fear_greed = shared_data / "alternative-me_fear-greed_1d.csv"
    (tmp_path / "quiet").mkdir()
    (tmp_path / "full").mkdir()
    quiet, skip = TradingWorker._quiet_step, TradingWorker._skip
    taken = []
    holding = []  # quiet candle times with a position open (its protection resting untouched)
    skipped: list[int] = []  # candle times skipped in stretches

    def counted(worker: TradingWorker, rows: Any) -> bool:
        taken.append(quiet(worker, rows))
        if taken[-1] and any(row.lane.engine.state.positions for row in rows):
            holding.append(rows[0].candle.open_ms)
        return taken[-1]

    def skipped_through(worker: TradingWorker, runs: Any, through_ms: int) -> None:
        before = {run.lane.symbol: run.k for run in runs}
        held = any(run.lane.engine.state.positions for run in runs)
        skip(worker, runs, through_ms)
        times = {t for run in runs for t in run.times[before[run.lane.symbol] : run.k]}
        skipped.extend(times)
        if held:
            holding.extend(times)

    def no_stretch(worker: TradingWorker, runs: Any, open_ms: int) -> int:
        return open_ms

    monkeypatch.setattr(TradingWorker, "_quiet_step", counted)
    monkeypatch.setattr(TradingWorker, "_skip", skipped_through)
    if not stretches:
        monkeypatch.setattr(TradingWorker, "_quiet_until", no_stretch)
    fast = await _replay(tmp_path / "quiet", tuple(files), fear_greed)
    monkeypatch.setattr(TradingWorker, "_quiet_step", lambda worker, rows: False)
    monkeypatch.setattr(TradingWorker, "_quiet_until", no_stretch)
    full = await _replay(tmp_path / "full", tuple(files), fear_greed)

    quiet_times = sum(taken) + len(skipped)
    assert quiet_times > (len(taken) + len(skipped)) / 3  # most candle times are quiet
    assert not all(taken)
    assert (len(skipped) > len(taken)) is stretches  # stretches: most skipped at once
    assert len(fast["orders"]) > 40
    assert fast["trades"] == full["trades"]
    assert fast["orders"] == full["orders"]
    assert fast["checkpoints"] == full["checkpoints"]
    assert len(holding) > 20  # candle times holding a position, its protection out of reach
