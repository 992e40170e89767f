"""Two order engines started on one database by mistake: one trades, the other waits.

Over real PostgreSQL and Redis, the engines each in their own process and a second order
engine (``--consumer 2``) beside the first: the second finds the writer lease held and waits
(``engines.writer_lease``). The first is killed with ``kill -9`` in the middle of a paced
replay; the second takes the lease, takes over what the first left unacked, and trades on. At
the end the trades are exactly the backtest's, the paper exchange received no order twice and
none the database did not write first.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import select

from cryptotrader.domain.enums import BotKind
from cryptotrader.engines.writer_lease import LEASE_ENGINE
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.repositories import checkpoints
from cryptotrader.persistence.tables import EngineCheckpointRow, OrderRow
from cryptotrader.persistence.uow import UnitOfWork
from tests.support.builders import read_shared_csv
from tests.support.parity import backtest, expected_rows, stored_rows
from tests.support.processes import ENGINE_CLI, process_env

REDIS_DB = 15  # a logical database of its own (test_partitioned_workers' too: one at a time)
CHECKPOINT = "paper:binance:BTC/USDT:4h"
ROWS = 1500
SPEED = "480000"  # 4h candles: one every 0.03 s, about 45 s in all
T = TypeVar("T")
log = logging.getLogger(__name__)


def _until(what: str, check: Callable[[], T | None], deadline_s: float = 600) -> T:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        found = check()
        if found is not None:
            return found
        time.sleep(0.2)
    raise AssertionError(f"not within {deadline_s:.0f} s: {what}")


def _checkpoint(url: str, engine: str, key: str) -> dict[str, Any] | None:
    async def read() -> dict[str, Any] | None:
        database = Database(url)
        try:
            async with UnitOfWork(database) as uow:
                return await checkpoints.load_checkpoint(
                    session=uow.session, engine=engine, key=key
                )
        finally:
            await database.dispose()

    return asyncio.run(read())


def _said(log_file: Path, text: str) -> bool | None:
    return (log_file.exists() and text in log_file.read_text()) or None


@pytest.mark.shared_data
@pytest.mark.timeout(3600)  # six processes: slow when the machine is loaded
def test_a_second_order_engine_waits_and_takes_over_without_any_order_twice(
    shared_data: Path, tmp_path: Path, postgres_url: str, redis_url: str
) -> None:
    series = tmp_path / "binance_BTC-USDT_4h.csv"
    read_shared_csv(shared_data / "binance_BTC-USDT_4h.csv", rows=ROWS).to_csv(series, index=False)
    stamps = read_shared_csv(series)["timestamp"]
    env = process_env(postgres_url, redis_url, tmp_path)
    env.pop("CRYPTOTRADER_MONITORING__METRICS_PORT", None)
    replay = ["--replay", str(series)]
    processes: dict[str, subprocess.Popen[bytes]] = {}

    def start(name: str, *args: str) -> Path:
        log_file = tmp_path / f"{name}.log"
        with log_file.open("ab") as out:
            processes[name] = subprocess.Popen(  # noqa: S603 - our own entry point
                [*ENGINE_CLI, *args, *replay], env=env, stdout=out, stderr=out
            )
        return log_file

    try:
        for name in ("portfolio", "indicator", "decision"):
            banner = start(name, name)
            _until(f"{name} started", lambda b=banner, n=name: _said(b, f"engine {n}"))  # type: ignore[misc]
        first = start("order-1", "order", "--consumer", "1")
        _until("the first order engine started", lambda: _said(first, "(consumer 1)"))
        second = start("order-2", "order", "--consumer", "2")
        _until("the second order engine waiting", lambda: _said(second, "is held by 1@"))
        lease = _checkpoint(postgres_url, LEASE_ENGINE, "order")
        assert lease is not None
        assert lease["owner"].startswith("1@"), lease
        start("market", "market-data", "--speed", SPEED)
        middle = int(stamps.iloc[ROWS // 2])
        _until(
            "half the replay traded",
            lambda: ((_checkpoint(postgres_url, "order", CHECKPOINT) or {}).get("candle_ms", 0)
                     >= middle) or None,
        )  # fmt: skip
        assert not _said(second, "(consumer 2)")  # still waiting
        killed = time.monotonic()
        processes["order-1"].send_signal(signal.SIGKILL)
        _until("the second order engine took over", lambda: _said(second, "(consumer 2)"))
        log.warning("order engine killed: the other took over in %.1f s", time.monotonic() - killed)
        assert processes["market"].wait(timeout=900) == 0
        last = int(stamps.iloc[-1])

        def done() -> bool | None:
            mark = _checkpoint(postgres_url, "order", CHECKPOINT) or {}
            return (mark.get("candle_ms", 0) >= last and mark.get("complete")) or None

        _until("the replay traded to its end", done, 1200)
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        codes = {name: p.wait(timeout=120) for name, p in processes.items()}
    assert codes.pop("order-1") == -signal.SIGKILL
    assert codes == dict.fromkeys(codes, 0), codes
    got, written, paper = asyncio.run(_outcome(postgres_url))
    want = expected_rows(backtest(series))
    assert sum(len(rows) for rows in want.values()) > 10
    for bot in BotKind:
        assert got[bot] == want[bot], bot
    assert paper["duplicates"] == 0  # no order received twice
    assert set(paper["orders"]) <= written  # none the database did not write first


async def _outcome(url: str) -> tuple[dict[BotKind, list[Any]], set[str], dict[str, Any]]:
    """The trades, the client ids the database wrote, the paper exchange's account and orders."""
    database = Database(url)
    try:
        rows = await stored_rows(database)
        async with UnitOfWork(database) as uow:
            written = set((await uow.session.execute(select(OrderRow.client_order_id))).scalars())
            keys = await uow.session.execute(
                select(EngineCheckpointRow.key, EngineCheckpointRow.value).where(
                    EngineCheckpointRow.engine == "paper:paper"
                )
            )
            stored: dict[str, Any] = {str(k): v for k, v in keys.all()}
    finally:
        await database.dispose()
    paper = {
        "duplicates": stored["account"]["duplicates"],
        "orders": [k.removeprefix("order:") for k in stored if k.startswith("order:")],
    }
    return rows, written, paper
