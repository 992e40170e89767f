"""Store N finished backtest runs with full equity curves for a user of CRYPTOTRADER_DATA_DIR.

For the app's compare benchmark (mobile/bench/compare-curves.mjs): the issue's "5 runs with
70k-point equity curves". The API's own jobs keep 1,000 points (``CURVE_POINTS``), so these runs
are real backtests of a candle file (8 years of 1h: 72,540 candles) whose reports keep every
point (``result_dict(curve_limit=0)``), stored as succeeded jobs of ``user``. Usage:
``python bench/seed_backtests.py USER FILE [N]`` (the user must exist).
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptotrader.cli._backtest_input import load_candles
from cryptotrader.config import load_settings
from cryptotrader.engines.backtest import BacktestEngine
from cryptotrader.engines.backtest.report import result_dict
from cryptotrader.persistence import Database, UnitOfWork
from cryptotrader.persistence.repositories import backtest_jobs, users
from cryptotrader.strategies import create_strategy

RUNS: list[tuple[str, dict[str, Any]]] = [
    ("sma_cross", {"fast": 10, "slow": 30}),
    ("sma_cross", {"fast": 20, "slow": 50}),
    ("sma_cross", {"fast": 50, "slow": 200}),
    ("conservative", {}),
    ("aggressive", {}),
    ("sma_cross", {"fast": 5, "slow": 15}),
]


async def seed(username: str, file: Path, count: int) -> None:
    """Run ``count`` backtests of ``file`` and store them as ``username``'s finished jobs."""
    candles = load_candles(file, None, None)
    engine = BacktestEngine(pair=candles.pair)
    database = Database(load_settings().database_url)
    try:
        async with UnitOfWork(database) as uow:
            user = await users.find_user(session=uow.session, username=username)
            if user is None:
                raise SystemExit(f"no user {username!r}: create it first")
            for name, params in RUNS[:count]:
                strategy = create_strategy(name, params)
                result = engine.run(candles.arrays, strategy, 1000, candles.timeframe)
                report = result_dict(result, curve_limit=0)
                request = {
                    "exchange": "binance",
                    "pair": candles.pair.symbol,
                    "timeframe": str(candles.timeframe),
                    "strategy": name,
                    "params": params,
                    "initial_capital": "1000",
                }
                now = datetime.now(UTC)
                row = await backtest_jobs.add_job(
                    session=uow.session, user_id=user.id, kind="single", request=request, at=now
                )
                await backtest_jobs.mark_running(session=uow.session, job_id=row.id, at=now)
                await backtest_jobs.finish_job(
                    session=uow.session,
                    job_id=row.id,
                    at=now,
                    result={"results": [report]},
                    error=None,
                )
                print(f"run {row.id}: {report['strategy']}, {len(report['equity_curve'])} points")
            await uow.commit()
    finally:
        await database.dispose()


if __name__ == "__main__":
    asyncio.run(seed(sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 5))
