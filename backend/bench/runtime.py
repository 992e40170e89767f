"""Trading runtime benchmark: replay throughput, and candle close to order submitted.

Run from ``backend/``: ``../.venv/bin/python -m bench.runtime`` (needs ../shared/data; the
cross-process part needs PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379, else it is
skipped with the reason). Targets (issue 5): replay through the whole pipeline of both bots at
>= 20k candles/s in one process; candle close to order submitted p99 < 20 ms in one process and
< 50 ms across processes over Redis.

* **Throughput**: ``cryptotrader run --replay``'s runtime, in this process (SQLite, in-process
  bus, paper exchange), on 8 years of real BTC/USDT 1h candles with the default strategies; the
  trades are checked against the portfolio backtest's (they must be the same).
* **Latency**: after 2,000 candles of history, candles are published one at a time; the time is
  taken from publishing a closed candle to the moment its order is written and about to be sent
  (the order's ``pending`` update arriving here: one bus hop more than the real moment, so an
  upper bound). The aggressive bot runs ``bench_flip`` (``bench/runtime_flip.py``: the real
  indicator set, and a trade on almost every candle); the safe bot its real strategy.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import numpy as np
from redis import Redis
from sqlalchemy import text
from sqlalchemy.engine import make_url
from tests.support.parity import backtest, expected_rows

import bench.runtime_flip  # noqa: F401 - registers bench_flip
from bench._common import FEAR_GREED, HOURS, machine, replay_hours, today
from cryptotrader.bootstrap.runtime import open_runtime
from cryptotrader.bus import topics
from cryptotrader.bus.factory import open_bus
from cryptotrader.bus.messages import OrderUpdated
from cryptotrader.bus.protocol import Delivery, MessageBus
from cryptotrader.clock import LiveClock
from cryptotrader.config import Settings
from cryptotrader.domain import BotKind, OrderStatus, Pair, Timeframe
from cryptotrader.domain.market import CandleArrays
from cryptotrader.engines import client_ids, progress
from cryptotrader.engines.portfolio import PortfolioManager
from cryptotrader.engines.workers.market_data import Publisher, Series
from cryptotrader.marketdata import read_ohlcv
from cryptotrader.persistence import Database, SqlCandleStore
from cryptotrader.persistence.migrate import upgrade
from cryptotrader.persistence.repositories import bots, checkpoints
from cryptotrader.persistence.uow import UnitOfWork
from cryptotrader.risk.reducer import RiskReducer
from cryptotrader.runtime_inputs import RunOptions

PG_URL = os.environ.get("CRYPTOTRADER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1/test")
REDIS_URL = os.environ.get("CRYPTOTRADER_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
HISTORY, TIMED, PAUSE_S = 2000, 300, 0.03
PAIR, H1 = Pair.parse("BTC/USDT"), Timeframe.H1


# --- throughput ----------------------------------------------------------------------------------


async def throughput(folder: Path) -> None:
    run = await replay_hours(Settings(data_dir=folder))
    want = expected_rows(backtest(HOURS, FEAR_GREED))
    trades = sum(len(rows) for rows in run.trades.values())
    same = all(run.trades[bot] == want[bot] for bot in BotKind)
    print(
        f"replay, one process: {run.candles:,} candles in {run.seconds:.2f} s = "
        f"{run.rate:,.0f} candles/s"
    )
    per_second = trades / run.seconds
    print(f"  {trades:,} trades ({per_second:,.1f}/s); same trades as the backtest: {same}")


# --- latency -------------------------------------------------------------------------------------


async def use_flip(database: Database) -> None:
    """The aggressive bot runs ``bench_flip``; the safe bot keeps its strategy."""
    portfolio = PortfolioManager(
        database=database, clock=LiveClock(), trading=Settings().trading, reducer=RiskReducer()
    )
    await portfolio.ensure_bots()
    async with UnitOfWork(database) as uow:
        row = await bots.require_bot(session=uow.session, kind=BotKind.AGGRESSIVE)
        row.strategy_config = {"strategy": "bench_flip"}
        await uow.commit()


class Probe:
    """Publishes candles and times each until its order's ``pending`` update comes back."""

    def __init__(self, bus: MessageBus, publisher: Publisher, candles: CandleArrays) -> None:
        self.bus, self.publisher, self.candles = bus, publisher, candles
        self.sent: dict[int, float] = {}
        self.latencies: list[float] = []

    async def listen(self) -> None:
        await self.bus.subscribe(
            topics.ORDERS, group="bench", consumer="bench", handler=self._order
        )

    async def _order(self, delivery: Delivery) -> None:
        message = delivery.message
        if not isinstance(message, OrderUpdated) or message.status is not OrderStatus.PENDING:
            return
        parsed = client_ids.parse(message.client_order_id)
        if parsed is None or parsed.protection or parsed.step_ms not in self.sent:
            return
        self.latencies.append(time.perf_counter() - self.sent.pop(parsed.step_ms))

    async def run(self, done_with: Callable[[int], Awaitable[None]]) -> None:
        c = self.candles
        times = c.timestamps
        await self.publisher.publish(
            c.slice(0, HISTORY),
            previous_ms=None,
            history_from_ms=int(times[0]),
            next_open=(float(c.open[HISTORY]), int(times[HISTORY])),
        )
        await done_with(int(times[HISTORY - 1]))
        for i in range(HISTORY, HISTORY + TIMED):
            self.sent[int(times[i])] = time.perf_counter()
            await self.publisher.publish(
                c.slice(i, i + 1),
                previous_ms=int(times[i - 1]),
                history_from_ms=int(times[0]),
                next_open=(float(c.open[i + 1]), int(times[i + 1])),
            )
            await done_with(int(times[i]))
            await asyncio.sleep(PAUSE_S)


def report(label: str, latencies: list[float]) -> None:
    ms = np.array(latencies) * 1000
    p50, p99 = np.percentile(ms, 50), np.percentile(ms, 99)
    print(f"{label}: {len(ms)} orders, candle close -> order submitted:")
    print(f"  p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {ms.max():.1f} ms")


async def latency_one_process(folder: Path, series: Path, candles: CandleArrays) -> None:
    settings = Settings(data_dir=folder)
    database = Database(settings.database_url)
    await upgrade(database)
    await use_flip(database)
    await database.dispose()
    engines = ("indicator", "decision", "order", "portfolio")
    options = RunOptions(replay=series, fear_greed=FEAR_GREED, engines=engines)
    runtime = await open_runtime(settings, options)
    try:
        await runtime.start()
        store = SqlCandleStore(runtime.database)
        publisher = Publisher(
            bus=runtime.bus, store=store, clock=runtime.clock, series=Series("replay", PAIR, H1)
        )
        await publisher.store(candles)
        probe = Probe(runtime.bus, publisher, candles)
        await probe.listen()
        assert runtime.trading is not None
        await probe.run(runtime.trading.done_with)
    finally:
        await runtime.close()
    report("one process (SQLite, in-process bus)", probe.latencies)


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    name = f"bench_{uuid.uuid4().hex[:10]}"

    async def admin(statement: str) -> None:
        database = Database(PG_URL)
        async with database.engine.connect() as connection:
            await (await connection.execution_options(isolation_level="AUTOCOMMIT")).execute(
                text(statement)
            )
        await database.dispose()

    asyncio.run(admin(f"CREATE DATABASE {name}"))
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(admin(f"DROP DATABASE {name} WITH (FORCE)"))


def latency_processes(folder: Path, series: Path, candles: CandleArrays) -> None:
    from bench.scale_harness import own_redis  # it imports this module

    client = Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except OSError as exc:
        print(f"across processes: skipped (Redis: {exc})")
        return
    finally:
        client.close()
    # Redis database 9 held alone (the file lock test_engines_processes takes for it too: each
    # emptied the other's streams when they ran together)
    with own_redis(9) as redis_url, postgres_database() as url:
        asyncio.run(_prepare(url))
        env = dict(
            os.environ, DATABASE_URL=url, REDIS_URL=redis_url, CRYPTOTRADER_DATA_DIR=str(folder)
        )
        code = (
            "import sys, bench.runtime_flip; from cryptotrader.cli import main; main(sys.argv[1:])"
        )
        engines = {
            name: subprocess.Popen(  # noqa: S603 - our own entry point
                [
                    sys.executable,
                    "-c",
                    code,
                    "engine",
                    name,
                    "--replay",
                    str(series),
                    "--fear-greed",
                    str(FEAR_GREED),
                ],
                env=env,
                stderr=subprocess.PIPE,
                text=True,
                cwd=Path(__file__).parents[1],
            )
            for name in ("portfolio", "order", "decision", "indicator")
        }
        try:
            for name, process in engines.items():
                assert process.stderr is not None
                while f"engine {name}" not in process.stderr.readline():
                    assert process.poll() is None, f"engine {name} died"
            source = series.name.split("_", 1)[0]  # the file names its exchange
            latencies = asyncio.run(_probe_redis(url, redis_url, candles, source))
        finally:
            for process in engines.values():
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=30)
    report("across processes (PostgreSQL, Redis Streams)", latencies)


async def _prepare(url: str) -> None:
    database = Database(url)
    await upgrade(database)
    await use_flip(database)
    await database.dispose()


async def _probe_redis(url: str, redis_url: str, candles: CandleArrays, source: str) -> list[float]:
    settings = Settings(redis_url=redis_url)
    bus = await open_bus(settings)
    database = Database(url)
    store = SqlCandleStore(database)
    publisher = Publisher(
        bus=bus, store=store, clock=LiveClock(), series=Series("replay", PAIR, H1)
    )
    await publisher.store(candles)
    probe = Probe(bus, publisher, candles)
    await probe.listen()

    # the order engine's checkpoint of the replayed file's series: its source is the file's
    # exchange (binance_BTC-USDT_1h.csv), not the probe's publisher's; waiting on another key
    # hung this part of the bench
    key = progress.series_key("paper", source, PAIR, H1)

    async def done_with(open_ms: int) -> None:
        while True:
            async with UnitOfWork(database) as uow:
                mark = await checkpoints.load_checkpoint(
                    session=uow.session, engine=progress.ENGINE, key=key
                )
            if mark is not None and mark["complete"] and mark["candle_ms"] >= open_ms:
                return
            await asyncio.sleep(0.002)

    try:
        await probe.run(done_with)
        await asyncio.sleep(0.5)
    finally:
        await bus.close()
        await database.dispose()
    return probe.latencies


def main() -> None:
    print(f"runtime benchmark, {today()}, {machine()}")
    candles = read_ohlcv(HOURS).arrays.slice(20_000, 20_000 + HISTORY + TIMED + 1)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        series = root / "binance_BTC-USDT_1h.csv"
        import pandas as pd

        pd.DataFrame(
            {
                "timestamp": candles.timestamps,
                "open": candles.open,
                "high": candles.high,
                "low": candles.low,
                "close": candles.close,
                "volume": candles.volume,
            }
        ).to_csv(series, index=False)
        for name in ("throughput", "one", "many"):
            (root / name).mkdir()
        asyncio.run(throughput(root / "throughput"))
        asyncio.run(latency_one_process(root / "one", series, candles))
        latency_processes(root / "many", series, candles)


if __name__ == "__main__":
    main()
