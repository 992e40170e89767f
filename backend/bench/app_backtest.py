"""The backend's part of "8 years of 1h candles launched from the app shows its result" (issue 16).

The app (embedded SQLite, a real ``spawn`` process pool of ``backtest_workers`` like
``cryptotrader api``, the in-process bus the WebSocket reads) with the 72,540 real candles of
``binance_BTC-USDT_1h.csv.gz`` stored; one user launches ``sma_cross(10, 30)`` on all of them
and each step is timed from the click's request: the 202 answer (validation, candles read from
the store, job row), the ``queued``, ``running`` and ``succeeded`` events as the WebSocket
would relay them, then ``GET /api/backtest/{id}/result`` (time and bytes). Round 1 is the first
backtest after the API started (what the e2e measures); the next rounds reuse the pool.

Then each step alone, in this process: the candle read (a first read, then a kept one), the
candles' pickle (what crosses to the worker), ``engine.run`` and the report (``result_dict``),
and a fresh interpreter's import of the worker module (what a newly spawned worker pays before
its first job).

Usage (from backend/): ``python -m bench.app_backtest [--rounds 4]``
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from tests.integration.api.harness import PASSWORDS, create_users, make_settings
from tests.integration.conftest import FAST

from bench._common import HOURS
from cryptotrader.api.app import create_app
from cryptotrader.bus import InProcessBus, topics
from cryptotrader.bus.messages import BacktestProgress
from cryptotrader.clock import LiveClock
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.marketdata import read_ohlcv
from cryptotrader.persistence.candles import SqlCandleStore
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.migrate import upgrade
from cryptotrader.services import backtest_worker

BODY = {
    "exchange": "archive",
    "pair": "BTC/USDT",
    "timeframe": "1h",
    "strategy": "sma_cross",
    "params": {"fast": 10, "slow": 30},
}


async def _round(
    client: httpx.AsyncClient, auth: dict[str, str], events: asyncio.Queue[Any]
) -> dict[str, float]:
    while not events.empty():
        events.get_nowait()
    started = time.perf_counter()
    answer = await client.post("/api/backtest", json=BODY, headers=auth)
    assert answer.status_code == 202, answer.text
    job = answer.json()["id"]
    times = {"accepted": time.perf_counter() - started}
    while True:
        message, at = await asyncio.wait_for(events.get(), timeout=600)
        if message.job_id != job:
            continue
        if message.status == "running" and message.candles_done:
            times.setdefault("first_progress", at - started)
        else:
            times.setdefault(message.status, at - started)
        if message.status in ("succeeded", "failed"):
            assert message.status == "succeeded"
            break
    result = await client.get(f"/api/backtest/{job}/result", headers=auth)
    assert result.status_code == 200, result.text
    times["result_fetched"] = time.perf_counter() - started
    times["result_kb"] = len(result.content) / 1000
    return times


async def run(rounds: int, settle_s: float) -> list[dict[str, float]]:
    clock = LiveClock()
    arrays = read_ohlcv(HOURS).arrays
    with tempfile.TemporaryDirectory() as directory:
        database = Database(f"sqlite:///{Path(directory) / 'bench.db'}")
        await upgrade(database)
        await create_users(database, clock)  # type: ignore[arg-type]
        await SqlCandleStore(database).write(
            exchange="archive", pair=Pair.parse("BTC/USDT"), timeframe=Timeframe.H1, candles=arrays
        )
        settings = make_settings(optimize_storage=f"sqlite:///{directory}/optuna.db")
        bus = InProcessBus(options=FAST)
        events: asyncio.Queue[Any] = asyncio.Queue()

        async def seen(delivery: Any) -> None:
            if isinstance(delivery.message, BacktestProgress):
                events.put_nowait((delivery.message, time.perf_counter()))

        # the app opens its own pool of ``backtest_workers`` spawned processes, as ``api`` does
        app = create_app(settings, database=database, bus=bus, clock=clock)
        found = []
        try:
            async with app.router.lifespan_context(app):
                await bus.subscribe(topics.BACKTESTS, group="bench", consumer="bench", handler=seen)
                transport = httpx.ASGITransport(app=app)
                async with httpx.AsyncClient(transport=transport, base_url="http://bench") as c:
                    answer = await c.post(
                        "/auth/login", json={"username": "trader", "password": PASSWORDS["trader"]}
                    )
                    auth = {"Authorization": f"Bearer {answer.json()['access_token']}"}
                    # what the app's Backtest tab asks before its first launch (the routers
                    # of a FastAPI app are built on their first request: not the launch's cost)
                    for path in ("/api/strategies", "/api/market/series", "/api/backtest"):
                        assert (await c.get(path, headers=auth)).status_code == 200, path
                    await asyncio.sleep(settle_s)  # the e2e launches a minute after the start
                    found.extend([await _round(c, auth, events) for _ in range(rounds)])
        finally:
            await bus.close()
            await database.dispose()
    return found


async def store_steps() -> dict[str, float]:
    """The launch's candle read alone: a first read (fingerprint and rows), then a kept one."""
    with tempfile.TemporaryDirectory() as directory:
        database = Database(f"sqlite:///{Path(directory) / 'store.db'}")
        await upgrade(database)
        pair, hour = Pair.parse("BTC/USDT"), Timeframe.H1
        candles = read_ohlcv(HOURS).arrays
        await SqlCandleStore(database).write(
            exchange="archive", pair=pair, timeframe=hour, candles=candles
        )
        steps = {}
        for label, keep in (("read_plain_ms", 0), ("read_first_ms", 4)):
            store = SqlCandleStore(database, keep=keep)
            started = time.perf_counter()
            await store.read_arrays(exchange="archive", pair=pair, timeframe=hour)
            steps[label] = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        await store.read_arrays(exchange="archive", pair=pair, timeframe=hour)
        steps["read_kept_ms"] = (time.perf_counter() - started) * 1000
        await database.dispose()
    return steps


def worker_steps() -> dict[str, float]:
    """The worker's steps run here, and a fresh interpreter's import of the worker module."""
    candles = read_ohlcv(HOURS).arrays
    trading = make_settings().trading
    request: dict[str, Any] = {**BODY, "initial_capital": "1000"}
    started = time.perf_counter()
    blob = pickle.dumps(candles)
    pickle.loads(blob)  # noqa: S301 - our own bytes
    steps = {
        "pickle_candles_ms": (time.perf_counter() - started) * 1000,
        "pickle_mb": len(blob) / 1e6,
    }
    backtest_worker.run_single(request, candles, trading)  # warm (imports, TA-Lib)
    engine = backtest_worker._engine(backtest_worker.read_job("single", request, trading), trading)
    from cryptotrader.engines.backtest.report import result_dict
    from cryptotrader.strategies import create_strategy

    strategy = create_strategy("sma_cross", {"fast": 10, "slow": 30})
    started = time.perf_counter()
    result = engine.run(candles, strategy, request["initial_capital"], Timeframe.H1)
    steps["engine_run_ms"] = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    report = result_dict(result, curve_limit=backtest_worker.CURVE_POINTS)
    steps["report_ms"] = (time.perf_counter() - started) * 1000
    steps["report_kb"] = len(json.dumps(report)) / 1000
    steps["trades"] = len(report["trades"])
    code = (
        "import time; t = time.perf_counter(); import cryptotrader.services.backtest_worker;"
        " print(time.perf_counter() - t)"
    )
    imports = [
        float(
            subprocess.run(  # noqa: S603 - this interpreter, fixed code
                [sys.executable, "-c", code], check=True, capture_output=True, text=True
            ).stdout
        )
        for _ in range(3)
    ]
    steps["fresh_import_worker_ms"] = statistics.median(imports) * 1000
    return steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--settle", type=float, default=20.0, help="seconds from start to round 1")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()}")
    for number, times in enumerate(asyncio.run(run(args.rounds, args.settle)), start=1):
        line = ", ".join(
            f"{k} {v * 1000:.0f} ms" if k != "result_kb" else f"{k} {v:.0f}"
            for k, v in times.items()
        )
        print(f"round {number}: {line}")
    steps = asyncio.run(store_steps()) | worker_steps()
    print("steps alone: " + ", ".join(f"{k} {v:.1f}" for k, v in steps.items()))
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
