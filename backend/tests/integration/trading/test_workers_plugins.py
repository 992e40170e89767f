"""``engine decision --workers 2`` run by a program that registered a strategy of its own.

``bench/runtime_flip`` registers ``bench_flip`` in a program that imports it before running the
command. Each worker is a ``python -m cryptotrader engine decision`` of its own: it must know the
strategy too (it imports the modules its supervisor names). With the aggressive bot on
``bench_flip``, a worker that did not know it would refuse to start (exit 2) and stop the others.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from bench.runtime import use_flip

from cryptotrader.persistence.database import Database
from tests.support.builders import read_shared_csv
from tests.support.processes import process_env

REDIS_DB = 8  # a logical database of its own: the runtime's stream names are fixed
BACKEND = Path(__file__).parents[3]
PROGRAM = "import bench.runtime_flip; from cryptotrader.cli import main; main()"
DEADLINE_S = 300.0  # two workers starting on a loaded machine


async def _aggressive_on_bench_flip(url: str) -> None:
    database = Database(url)
    try:
        await use_flip(database)
    finally:
        await database.dispose()


@pytest.mark.shared_data
def test_workers_know_the_strategies_their_supervisor_registered(
    shared_data: Path, tmp_path: Path, postgres_url: str, redis_url: str
) -> None:
    asyncio.run(_aggressive_on_bench_flip(postgres_url))
    series = tmp_path / "binance_BTC-USDT_4h.csv"
    read_shared_csv(shared_data / "binance_BTC-USDT_4h.csv", rows=300).to_csv(series, index=False)
    env = process_env(postgres_url, redis_url, tmp_path)
    log = tmp_path / "engine.log"
    command = ["engine", "decision", "--replay", str(series), "--workers", "2"]
    with log.open("w") as out:
        engine = subprocess.Popen(  # noqa: S603 - our own entry point, fixed arguments
            [sys.executable, "-c", PROGRAM, *command],
            env=env,
            cwd=BACKEND,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its workers too are ended by the cleanup below
        )
        try:
            deadline = time.monotonic() + DEADLINE_S
            banners = [f"engine decision (consumer 1.{i})" for i in range(2)]
            while not all(banner in log.read_text() for banner in banners):
                assert engine.poll() is None, log.read_text()
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
            engine.send_signal(signal.SIGTERM)
            assert engine.wait(timeout=DEADLINE_S) == 0, log.read_text()
        finally:
            if engine.poll() is None:
                os.killpg(engine.pid, signal.SIGKILL)
                engine.wait()
