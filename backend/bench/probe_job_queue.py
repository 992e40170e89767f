"""Probe (issue 19): does one user queueing backtests slow everyone's ``GET /api/bots``?

Before the per-user quota the hardening probe queued 30 backtests from one token and saw every
user's ``GET /api/bots`` go from 3 ms to 236 ms p50. This re-runs it: the app (embedded SQLite,
``ApiSettings`` defaults but for the rate limits, backtests in a real process pool of
``backtest_workers`` processes) with 20,000 stored candles; a viewer's ``GET /api/bots`` is timed
``--reads`` times idle, then again while the trader posts 30 backtests (the quota refuses all
but ``max_jobs_per_user``) and they run.

Usage (from backend/): ``python -m bench.probe_job_queue [--reads 300]``
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import httpx
from tests.integration.api.harness import (
    PASSWORDS,
    create_users,
    make_settings,
    seed_candles,
    seed_trading,
)
from tests.integration.conftest import FAST

from cryptotrader.api.app import create_app
from cryptotrader.bus import InProcessBus
from cryptotrader.clock import LiveClock
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.migrate import upgrade

BODY = {"pair": "BTC/USDT", "timeframe": "1h", "strategy": "sma_cross"}
JOBS = 30


async def _timed_reads(client: httpx.AsyncClient, token: str, reads: int) -> list[float]:
    took = []
    for _ in range(reads):
        started = time.perf_counter()
        answer = await client.get("/api/bots", headers={"Authorization": f"Bearer {token}"})
        took.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200, answer.text
    return took


async def _login(client: httpx.AsyncClient, who: str) -> str:
    answer = await client.post("/auth/login", json={"username": who, "password": PASSWORDS[who]})
    assert answer.status_code == 200, answer.text
    return str(answer.json()["access_token"])


async def run(reads: int) -> dict[str, object]:
    clock = LiveClock()
    with tempfile.TemporaryDirectory() as directory:
        database = Database(f"sqlite:///{Path(directory) / 'probe.db'}")
        await upgrade(database)
        await create_users(database, clock)  # type: ignore[arg-type]
        await seed_trading(database, clock)  # type: ignore[arg-type]
        await seed_candles(database, 20_000)
        settings = make_settings(
            rate_limit_per_minute=10**9, optimize_storage=f"sqlite:///{directory}/optuna.db"
        )
        pool = ProcessPoolExecutor(settings.api.backtest_workers, mp_context=get_context("spawn"))
        bus = InProcessBus(options=FAST)
        app = create_app(settings, database=database, bus=bus, clock=clock, backtest_executor=pool)
        try:
            async with app.router.lifespan_context(app):
                transport = httpx.ASGITransport(app=app)
                async with httpx.AsyncClient(transport=transport, base_url="http://probe") as c:
                    viewer, trader = await _login(c, "viewer"), await _login(c, "trader")
                    idle = await _timed_reads(c, viewer, reads)
                    auth = {"Authorization": f"Bearer {trader}"}
                    answers = [
                        (await c.post("/api/backtest", json=BODY, headers=auth)).status_code
                        for _ in range(JOBS)
                    ]
                    busy = await _timed_reads(c, viewer, reads)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            await bus.close()
            await database.dispose()
    return {
        "accepted": answers.count(202),
        "refused_429": answers.count(429),
        "idle_p50_ms": statistics.median(idle),
        "busy_p50_ms": statistics.median(busy),
        "busy_p95_ms": statistics.quantiles(busy, n=20)[18],
        "load": os.getloadavg()[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reads", type=int, default=300)
    args = parser.parse_args()
    result = asyncio.run(run(args.reads))
    print(
        f"{JOBS} backtests posted by one user: {result['accepted']} accepted, "
        f"{result['refused_429']} refused (429); a viewer's GET /api/bots p50 "
        f"{result['idle_p50_ms']:.1f} ms idle, {result['busy_p50_ms']:.1f} ms while they run "
        f"(p95 {result['busy_p95_ms']:.1f} ms); load {result['load']:.1f}"
    )


if __name__ == "__main__":
    main()
