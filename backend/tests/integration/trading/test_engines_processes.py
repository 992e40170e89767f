"""Each engine in its own process (``cryptotrader engine NAME``) over Redis and PostgreSQL.

Five real processes share a PostgreSQL database and Redis Streams; the market data engine
replays a real series and exits when it ends; the others run until SIGTERM, which must stop them
cleanly. The trades must be exactly the backtest's: the pipeline across processes decides and
trades as it does in one.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cryptotrader.domain.enums import BotKind
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.repositories import checkpoints
from cryptotrader.persistence.uow import UnitOfWork
from tests.support.builders import read_shared_csv
from tests.support.parity import backtest, expected_rows, stored_rows
from tests.support.processes import migrated_postgres_database, runtime_redis

CLI = [sys.executable, "-m", "cryptotrader", "engine"]
REDIS_DB = 9  # a logical database of its own: the runtime's stream names are fixed


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A new PostgreSQL database, migrated, dropped afterwards."""
    with migrated_postgres_database() as url:
        yield url


@pytest.fixture
def redis_url() -> Iterator[str]:
    """Redis, in a logical database whose runtime streams are emptied before and after."""
    with runtime_redis(REDIS_DB) as url:
        yield url


@pytest.mark.shared_data
@pytest.mark.timeout(3600)  # five processes: slow when the machine is loaded
def test_engines_when_each_runs_in_its_own_process_trade_as_the_backtest(
    shared_data: Path, tmp_path: Path, postgres_url: str, redis_url: str
) -> None:
    series = tmp_path / "binance_BTC-USDT_4h.csv"
    read_shared_csv(shared_data / "binance_BTC-USDT_4h.csv", rows=2500).to_csv(series, index=False)
    env = dict(
        os.environ,
        DATABASE_URL=postgres_url,
        REDIS_URL=redis_url,
        CRYPTOTRADER_DATA_DIR=str(tmp_path),
    )
    replay = ["--replay", str(series)]
    services = {
        name: subprocess.Popen(  # noqa: S603 - our own entry point, fixed arguments
            [*CLI, name, *replay], env=env, stderr=subprocess.PIPE, text=True
        )
        for name in ("portfolio", "order", "decision", "indicator")
    }
    try:
        for name, process in services.items():
            _wait_for(process, f"engine {name}")
        market = subprocess.run(  # noqa: S603 - our own entry point, fixed arguments
            [*CLI, "market-data", *replay],
            env=env,
            capture_output=True,
            text=True,
            timeout=1200,
            check=False,
        )
        assert market.returncode == 0, market.stderr
        last_open = int(read_shared_csv(series)["timestamp"].iloc[-1])
        asyncio.run(_until_done(postgres_url, last_open))
    finally:
        for process in services.values():
            process.send_signal(signal.SIGTERM)
        codes = {name: process.wait(timeout=120) for name, process in services.items()}
    assert codes == dict.fromkeys(services, 0)  # SIGTERM stops each one cleanly
    got = asyncio.run(_rows(postgres_url))
    want = expected_rows(backtest(series))
    assert sum(len(rows) for rows in want.values()) > 30
    for bot in BotKind:
        assert got[bot] == want[bot], bot


def _wait_for(process: subprocess.Popen[str], banner: str) -> None:
    assert process.stderr is not None
    deadline = time.monotonic() + 300
    line = ""
    while banner not in line:
        assert time.monotonic() < deadline, f"no {banner!r}"
        line = process.stderr.readline()
        assert line or process.poll() is None, f"{banner} exited: {process.stderr.read()}"


async def _until_done(url: str, last_open: int) -> None:
    """Until the order engine has done the series' last candle."""
    database = Database(url)
    try:
        deadline = time.monotonic() + 1200
        while time.monotonic() < deadline:
            async with UnitOfWork(database) as uow:
                mark = await checkpoints.load_checkpoint(
                    session=uow.session, engine="order", key="paper:binance:BTC/USDT:4h"
                )
            if mark is not None and mark["candle_ms"] >= last_open and mark["complete"]:
                return
            await asyncio.sleep(0.2)
        raise AssertionError(f"the order engine did not finish: {mark}")
    finally:
        await database.dispose()


async def _rows(url: str) -> dict[BotKind, list[tuple[object, ...]]]:
    database = Database(url)
    try:
        return await stored_rows(database)
    finally:
        await database.dispose()
