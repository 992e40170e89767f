"""Transactional outbox benchmark: relay lag, and what the outbox costs a replay.

Run from ``backend/``: ``../.venv/bin/python -m bench.outbox [lag|replay]`` (both by default).
Target (issue 17): relay lag p99 < 20 ms.

* **lag**: transactions one after the other, each saving a checkpoint (the change) and writing
  two alerts through the outbox. The relay lag is from the moment the commit returned to the
  moment the bus accepted the event (its ``publish`` returned: on Redis, the XADD answered);
  commit to a consumer's handler adds the bus's delivery. SQLite with the in-process bus, and
  PostgreSQL with Redis when both run (127.0.0.1:5432 db test, 127.0.0.1:6379), else skipped
  with the reason.
* **replay**: ``cryptotrader run --replay``'s runtime on 8 years of BTC/USDT 1h (as
  ``bench.runtime``'s throughput), printing candles/s, the process's CPU time, and the events
  the outbox sent. To compare with a tree without the outbox, run it with that tree's ``src``
  first on ``PYTHONPATH``, alternating (docs/BENCHMARKS.md, "Transactional outbox").
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sqlalchemy import text

from bench._common import load, machine, replay_hours, today
from cryptotrader.bus import InProcessBus, RedisBus, topics
from cryptotrader.bus.messages import AlertRaised, BusMessage
from cryptotrader.bus.protocol import Delivery, MessageBus
from cryptotrader.config import Settings
from cryptotrader.persistence import Database, UnitOfWork
from cryptotrader.persistence.migrate import upgrade
from cryptotrader.persistence.repositories import checkpoints
from cryptotrader.persistence.uow import after_commit

PG_URL = os.environ.get("CRYPTOTRADER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1/test")
REDIS_URL = os.environ.get("CRYPTOTRADER_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
TRANSACTIONS = 2000
T0 = datetime(2026, 12, 5, tzinfo=UTC)


class _Stamped:
    """The bus the relay sends to, noting when each message was accepted."""

    def __init__(self, bus: MessageBus) -> None:
        self.bus = bus
        self.accepted: dict[str, float] = {}

    async def publish(self, topic: str, message: BusMessage) -> str:
        entry = await self.bus.publish(topic, message)
        self.accepted[message.message_id] = time.perf_counter()
        return entry

    async def publish_many(self, topic: str, messages: Sequence[BusMessage]) -> list[str]:
        entries = await self.bus.publish_many(topic, messages)
        now = time.perf_counter()
        for message in messages:
            self.accepted[message.message_id] = now
        return entries


async def _lag(database: Database, bus: MessageBus) -> tuple[np.ndarray, np.ndarray]:
    from cryptotrader.outbox import Outbox  # here: a tree without it still runs "replay"

    stamped = _Stamped(bus)
    outbox = Outbox(database, stamped)  # type: ignore[arg-type] # publishes only
    committed: dict[str, float] = {}
    lags: list[float] = []
    done = asyncio.Event()

    async def received(delivery: Delivery) -> None:
        lags.append(time.perf_counter() - committed[delivery.message.message_id])
        if len(lags) == 2 * TRANSACTIONS:
            done.set()

    await bus.subscribe(topics.ALERTS, group="bench", consumer="bench-1", handler=received)
    for step in range(TRANSACTIONS):
        alerts = [
            AlertRaised(timestamp=T0, kind="trade_closed", severity="info", text=f"{step}.{k}")
            for k in range(2)
        ]
        async with UnitOfWork(database) as uow:
            await checkpoints.save_checkpoint(
                session=uow.session, engine="bench", key="k", value={"step": step}, at=T0
            )
            await outbox.add(uow.session, [(topics.ALERTS, a) for a in alerts])

            def stamp(alerts: list[AlertRaised] = alerts) -> None:
                now = time.perf_counter()
                for a in alerts:
                    committed[a.message_id] = now

            after_commit(uow.session, stamp)
            await uow.commit()
    await asyncio.wait_for(done.wait(), 120)
    await outbox.close()
    relay = [stamped.accepted[i] - committed[i] for i in committed]
    return np.array(relay) * 1000, np.array(lags) * 1000


def _print_lag(name: str, lags_ms: tuple[np.ndarray, np.ndarray], cpu_s: float) -> None:
    print(f"{name}: {TRANSACTIONS:,} transactions x 2 events")
    for what, values in zip(
        ("relay lag (commit -> bus)", "commit -> consumer"), lags_ms, strict=True
    ):
        p50, p99 = np.percentile(values, [50, 99])
        print(f"  {what}: p50 {p50:.2f} ms, p99 {p99:.2f} ms, max {values.max():.2f} ms")
    print(f"  CPU {cpu_s / TRANSACTIONS * 1e6:.0f} us per transaction (write, send, receive)")


async def lag() -> None:
    with tempfile.TemporaryDirectory() as folder:
        database = Database(f"sqlite:///{Path(folder) / 'bench.db'}")
        await upgrade(database)
        bus = InProcessBus()
        cpu = time.process_time()
        try:
            lags = await _lag(database, bus)
        finally:
            await bus.close()
            await database.dispose()
        _print_lag("SQLite + in-process bus", lags, time.process_time() - cpu)
    try:
        await _lag_pg_redis()
    except OSError as exc:
        print(f"PostgreSQL + Redis: skipped ({exc})")


async def _lag_pg_redis() -> None:
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = Database(PG_URL)
    try:
        async with admin.engine.begin() as connection:
            await connection.execute(text(f"CREATE SCHEMA {schema}"))
    finally:
        await admin.dispose()
    database = Database(PG_URL, schema=schema)
    bus = await RedisBus.connect(REDIS_URL, prefix=f"bench:{schema}:")
    try:
        await upgrade(database)
        cpu = time.process_time()
        lags = await _lag(database, bus)
        _print_lag("PostgreSQL + Redis", lags, time.process_time() - cpu)
    finally:
        await bus.close()
        await database.dispose()
        admin = Database(PG_URL)
        try:
            async with admin.engine.begin() as connection:
                await connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        finally:
            await admin.dispose()


async def replay() -> None:
    with tempfile.TemporaryDirectory() as folder:
        run = await replay_hours(Settings(data_dir=Path(folder)))
    trades = sum(len(rows) for rows in run.trades.values())
    print(
        f"replay: {run.candles:,} candles in {run.seconds:.2f} s = {run.rate:,.0f} candles/s; "
        f"CPU {run.cpu_seconds:.2f} s; {trades:,} trades"
    )


def main() -> None:
    """Run the parts named on the command line (default: both)."""
    parts = sys.argv[1:] or ["lag", "replay"]
    print(f"{today()}, {machine()}, {load()}")
    for part in parts:
        asyncio.run(lag() if part == "lag" else replay())


if __name__ == "__main__":
    main()
