"""Engines as separate processes over real Redis and PostgreSQL, fed many pairs at once.

The harness of ``bench.runtime_scale`` (and of its smoke test): a Redis logical database of
its own (held alone with a file lock, emptied before and after), a PostgreSQL database of its own
(created, migrated, dropped), the pairs written as replay files (``bench.runtime_pairs.build``:
real BTC/USDT minutes from different starts under invented symbols), each engine started as
``cryptotrader engine NAME`` with its log in a file, and a feed publishing one candle time of
every pair as a batch, as the market data engine does.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO

import asyncpg  # type: ignore[import-untyped]  # the driver the app uses, without stubs
from redis import Redis
from sqlalchemy.engine import make_url

from bench._common import FEAR_GREED, SHARED_DATA
from bench.runtime import PG_URL, REDIS_URL, postgres_database, use_flip
from bench.runtime_pairs import build, symbol, write
from cryptotrader.bus.factory import open_bus
from cryptotrader.bus.stream_bus import StreamBus
from cryptotrader.clock import LiveClock
from cryptotrader.config import Settings
from cryptotrader.domain import BotKind, Pair, Timeframe
from cryptotrader.domain.market import CandleArrays
from cryptotrader.domain.values import utc_from_ms
from cryptotrader.engines.progress import series_key
from cryptotrader.engines.workers.market_data import LaneRun, Publisher, Series, publish_batch
from cryptotrader.marketdata import read_ohlcv
from cryptotrader.persistence import Database, SqlCandleStore
from cryptotrader.persistence.migrate import upgrade
from cryptotrader.persistence.repositories import bots, checkpoints
from cryptotrader.persistence.uow import UnitOfWork

REDIS_DB = 12  # a logical database of its own: the runtime's stream names are fixed
MINUTES = SHARED_DATA / "binance_BTC-USDT_1m.csv.gz"
SOURCE = "binance"  # the files' names tell it; the order checkpoints' keys carry it
BANNER_S = 300.0
HISTORY = 300  # candles of each pair before the timed ones (the strategies' warm-up is 201)


def unreachable() -> str | None:
    """Why the cross-process parts cannot run here (PostgreSQL or Redis down), or None."""
    for url, port in ((PG_URL, 5432), (REDIS_URL, 6379)):
        parsed = make_url(url)
        try:
            with socket.create_connection((parsed.host or "127.0.0.1", parsed.port or port), 1):
                pass
        except OSError as exc:
            return f"{parsed.drivername} at {parsed.host}:{parsed.port or port}: {exc}"
    return None


@contextlib.contextmanager
def own_redis(db: int = REDIS_DB) -> Iterator[str]:
    """The URL of a Redis logical database held alone (file lock) and emptied before and after."""
    parsed = make_url(REDIS_URL)
    url = str(parsed.set(database=str(db)))
    # one lock per server's database: a run on a private redis-server waits for no other's
    where = (
        ""
        if (parsed.host, parsed.port) in {(None, None), ("127.0.0.1", 6379)}
        else (f"{parsed.host}-{parsed.port}-")
    )
    lock_path = Path(tempfile.gettempdir()) / f"cryptotrader-tests-redis-{where}db-{db}.lock"
    with lock_path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # waits while another run holds this database
        client = Redis.from_url(url)
        client.flushdb()
        try:
            yield url
        finally:
            client.flushdb()
            client.close()


def limits_env(pairs: int) -> dict[str, str]:
    """Settings for ``pairs`` pairs: every pair may hold a position, the aggressive bot with
    10,000 USDT and a small risk (as ``bench.runtime_pairs``'s latency part)."""
    aggressive = Settings().trading.aggressive.model_copy(
        update={"capital": Decimal(10_000), "risk_ratio": Decimal("0.0003")}
    )
    return {
        "CRYPTOTRADER_RUNTIME__MAX_OPEN_POSITIONS": str(2 * pairs),
        "CRYPTOTRADER_RUNTIME__MAX_POSITIONS_PER_BOT": str(pairs),
        "CRYPTOTRADER_TRADING__AGGRESSIVE": aggressive.model_dump_json(),  # a section is whole
    }


@dataclass
class Pairs:
    """The pairs' 1m series (one common timeline) and their replay files."""

    series: list[CandleArrays]
    files: list[Path]

    @property
    def symbols(self) -> list[str]:
        return [symbol(k) for k in range(len(self.series))]

    @property
    def times(self) -> list[int]:
        return [int(t) for t in self.series[0].timestamps]


def make_pairs(folder: Path, count: int, length: int) -> Pairs:
    """``count`` pairs of ``length`` real BTC/USDT minutes each (different starts)."""
    series = build([read_ohlcv(MINUTES).arrays], count, length, 60_000)
    return Pairs(series, write(folder, series, "1m"))


async def prepare(url: str, pairs: Pairs, *, flip: bool, done_through: int) -> None:
    """Migrate; the bots (the aggressive one on ``bench_flip`` when ``flip``) with the
    capital of ``limits_env``; every pair's order checkpoint complete through the candle
    ``done_through`` (its history counts as stepped before, as after a restart: only the later
    candles trade)."""
    database = Database(url)
    try:
        await upgrade(database)
        await use_flip(database)  # ensures the bots, then sets bench_flip
        async with UnitOfWork(database) as uow:
            if not flip:
                row = await bots.require_bot(session=uow.session, kind=BotKind.AGGRESSIVE)
                row.strategy_config = None
            await bots.set_capital(
                session=uow.session, kind=BotKind.AGGRESSIVE, capital=Decimal(10_000)
            )
            for name in pairs.symbols:
                await checkpoints.save_checkpoint(
                    session=uow.session,
                    engine="order",
                    key=series_key("paper", SOURCE, Pair.parse(name), Timeframe.M1),
                    value={"candle_ms": done_through, "complete": True},
                    at=utc_from_ms(done_through),
                )
            await uow.commit()
    finally:
        await database.dispose()


@dataclass
class Engines:
    """Engine processes (``cryptotrader engine NAME``), each logging to a file of its own."""

    folder: Path
    env: dict[str, str]
    files: list[Path]
    running: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    _logs: dict[str, IO[bytes]] = field(default_factory=dict)

    def start(
        self,
        name: str,
        *,
        consumer: str = "1",
        args: tuple[str, ...] = (),
        backend: Path | None = None,
    ) -> str:
        """Start engine ``name`` as ``consumer``; returns its label (``name:consumer``).

        ``backend``: another checkout's ``backend/`` to run the engine's code from (an A/B
        comparison, ``bench.runtime_scale_workers``); default: this one's (the environment's).
        """
        label = f"{name}:{consumer}"
        # main() reads the process's own command line, as the installed command does (and so
        # tunes the garbage collector as it does: cryptotrader.collector)
        code = "import bench.runtime_flip; from cryptotrader.cli import main; main()"
        profile = os.environ.get("BENCH_PROFILE")
        if profile:  # a folder: each engine's cProfile, written when it stops (SIGTERM)
            out = Path(profile) / f"{self.folder.name}-{name}-{consumer}.prof"
            # CPU time, not wall: on a loaded machine a send() waiting for its turn on a core
            # would otherwise look like the slowest call of every engine
            code = (
                "import cProfile, time, bench.runtime_flip; from cryptotrader.cli import main; "
                "p = cProfile.Profile(time.process_time)\n"
                f"try:\n p.runcall(main)\nfinally:\n p.dump_stats({str(out)!r})"
            )
        replays = [arg for path in self.files for arg in ("--replay", str(path))]
        log = (self.folder / f"{name}-{consumer}.log").open("wb")
        self._logs[label] = log
        env = self.env
        if backend is not None:
            env = dict(env, PYTHONPATH=f"{backend / 'src'}{os.pathsep}{backend}")
        self.running[label] = subprocess.Popen(  # noqa: S603 - our own entry point
            [sys.executable, "-c", code, "engine", name, *replays, "--fear-greed",
             str(FEAR_GREED), "--consumer", consumer, *args],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=backend or Path(__file__).parents[1],
        )  # fmt: skip
        return label

    def log(self, label: str) -> str:
        name, _, consumer = label.partition(":")
        return (self.folder / f"{name}-{consumer}.log").read_text(errors="replace")

    def wait_ready(self, label: str, banner: str | None = None) -> None:
        """Until the engine's banner is logged (it has started and subscribed)."""
        want = banner or f"engine {label.partition(':')[0]}"
        deadline = time.monotonic() + BANNER_S
        while want not in self.log(label):
            process = self.running[label]
            if process.poll() is not None:
                raise RuntimeError(
                    f"{label} exited {process.returncode}:\n{self.log(label)[-3000:]}"
                )
            if time.monotonic() > deadline:
                raise TimeoutError(f"{label}: no {want!r} in {BANNER_S:.0f} s")
            time.sleep(0.05)

    def cpu_s(self, label: str) -> float:
        """CPU seconds (user + system) the engine's process and its live children (the workers
        of ``--workers N``) have used so far (``/proc``)."""
        return sum(_cpu_s(pid) for pid in _family(self.running[label].pid))

    def cpu_all(self) -> dict[str, float]:
        """``cpu_s`` of every running engine."""
        return {label: self.cpu_s(label) for label in self.running}

    def stop(self, labels: Iterable[str] | None = None) -> dict[str, int]:
        """SIGTERM to these engines (default: all) still running; their exit codes."""
        chosen = list(self.running) if labels is None else list(labels)
        for label in chosen:
            if self.running[label].poll() is None:
                self.running[label].send_signal(signal.SIGTERM)
        codes = {}
        for label in chosen:
            process = self.running.pop(label)
            try:
                codes[label] = process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                codes[label] = process.wait()
            self._logs.pop(label).close()
        return codes

    def kill(self, label: str) -> None:
        """``kill -9`` the engine: no chance to give anything back."""
        process = self.running.pop(label)
        process.kill()
        process.wait()
        self._logs.pop(label).close()


def postgres_cpu(url: str) -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL backend serving ``url``'s database (``/proc``).

    The engines' statements cost the server as much again on the same cores, which the
    engines' own CPU does not show. Backends are found by their process title (``postgres:
    USER DATABASE HOST(PORT) STATE``): a server on this machine, this user able to read its
    ``/proc`` entries; else an empty dict.
    """
    name = f" {make_url(url).database} ".encode()
    found: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if title.startswith(b"postgres:") and name in title:
            found[int(entry.name)] = _cpu_s(int(entry.name))
    return found


def _cpu_s(pid: int) -> float:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:  # gone meanwhile
        return 0.0
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _family(pid: int) -> list[int]:
    """``pid`` and its descendants alive now (``/proc/PID/task/*/children``)."""
    found, todo = [], [pid]
    while todo:
        one = todo.pop()
        found.append(one)
        for task in Path(f"/proc/{one}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                todo.extend(int(child) for child in task.read_text().split())
    return found


@contextlib.contextmanager
def stack(
    folder: Path, pairs: Pairs, *, flip: bool, done_through: int, extra_env: Mapping[str, str] = {}
) -> Iterator[tuple[str, str, Engines]]:
    """A PostgreSQL database and a Redis database of their own, prepared; the engines' launcher
    (stopped on leaving). Yields ``(database url, redis url, engines)``."""
    with own_redis() as redis_url, postgres_database() as url:
        asyncio.run(prepare(url, pairs, flip=flip, done_through=done_through))
        env = dict(
            os.environ,
            DATABASE_URL=url,
            REDIS_URL=redis_url,
            CRYPTOTRADER_DATA_DIR=str(folder),
            **limits_env(len(pairs.series)),
            **extra_env,
        )
        engines = Engines(folder, env, pairs.files)
        try:
            yield url, redis_url, engines
        finally:
            engines.stop()


class Feed:
    """Publishes one candle time of every pair as a batch over Redis (as the market data
    engine's batch replay does), after storing their candles (the indicators' history)."""

    def __init__(self, bus: StreamBus, database: Database, pairs: Pairs) -> None:
        self.bus, self.pairs = bus, pairs
        self.one_by_one = False
        """Publish a batch's runs one awaited publish after another (as the market data did
        before ``publish_batch`` sent them together): an A/B against older code."""
        store = SqlCandleStore(database)
        self.publishers = [
            Publisher(
                bus=bus,
                store=store,
                clock=LiveClock(),
                series=Series(SOURCE, Pair.parse(name), Timeframe.M1),
            )
            for name in pairs.symbols
        ]

    @classmethod
    async def open(cls, url: str, redis_url: str, pairs: Pairs) -> tuple[Feed, Database]:
        database = Database(url)
        feed = cls(await open_bus(Settings(redis_url=redis_url)), database, pairs)
        for publisher, candles in zip(feed.publishers, pairs.series, strict=True):
            await publisher.store(candles)
        return feed, database

    async def publish(self, i: int, j: int) -> None:
        """Candles ``i`` to ``j - 1`` of every pair, one run each, as one batch (the market
        data engine's ``publish_batch``)."""
        times = self.pairs.series[0].timestamps
        if self.one_by_one:
            batch = self.pairs.symbols
            for publisher, candles in zip(self.publishers, self.pairs.series, strict=True):
                await publisher.publish(
                    candles.slice(i, j),
                    previous_ms=int(times[i - 1]) if i else None,
                    history_from_ms=int(times[0]),
                    next_open=(float(candles.open[j]), int(times[j])),
                    batch=batch,
                    batch_ms=int(times[i]),
                )
            return
        runs = [
            LaneRun(
                publisher=publisher,
                candles=candles.slice(i, j),
                previous_ms=int(times[i - 1]) if i else None,
                history_from_ms=int(times[0]),
                next_open=(float(candles.open[j]), int(times[j])),
            )
            for publisher, candles in zip(self.publishers, self.pairs.series, strict=True)
        ]
        await publish_batch(runs, first_ms=int(times[i]))


_NOTIFY = """
CREATE OR REPLACE FUNCTION bench_checkpoint_notify() RETURNS trigger AS $$
BEGIN PERFORM pg_notify('bench_checkpoint', ''); RETURN NULL; END $$ LANGUAGE plpgsql;
CREATE OR REPLACE TRIGGER bench_checkpoint AFTER INSERT OR UPDATE ON engine_checkpoints
FOR EACH STATEMENT EXECUTE FUNCTION bench_checkpoint_notify();
"""
"""A statement-level trigger on the bench's own database: a transaction that writes checkpoints
notifies once (PostgreSQL folds identical notifications of a transaction)."""


class Stepped:
    """Waits for the order engine's checkpoints, woken by PostgreSQL (``LISTEN``), not polling.

    Polling every 5 ms through the ORM cost the bench about as much CPU per candle time as the
    indicator engine, on the same 2 cores as the engines it measures.
    """

    def __init__(self, connection: asyncpg.Connection) -> None:
        self._connection = connection
        self._changed = asyncio.Event()

    @classmethod
    async def open(cls, url: str) -> Stepped:
        dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        connection = await asyncpg.connect(dsn)
        await connection.execute(_NOTIFY)
        waiter = cls(connection)
        await connection.add_listener("bench_checkpoint", waiter._notified)
        return waiter

    def _notified(self, *_: object) -> None:
        self._changed.set()

    async def close(self) -> None:
        await self._connection.close()

    async def wait(self, name: str, open_ms: int, timeout_s: float = 300) -> None:
        """Until the order engine's checkpoint of pair ``name`` is complete through ``open_ms``."""
        key = series_key("paper", SOURCE, Pair.parse(name), Timeframe.M1)
        deadline = time.monotonic() + timeout_s
        while True:
            self._changed.clear()  # before reading: a change after the read wakes the wait
            found = await self._connection.fetchval(
                "SELECT value FROM engine_checkpoints WHERE engine = 'order' AND key = $1", key
            )
            mark = json.loads(found) if isinstance(found, str) else found
            if mark is not None and mark["complete"] and mark["candle_ms"] >= open_ms:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"the order engine did not step {name} through {open_ms}: {mark}"
                )
            with contextlib.suppress(TimeoutError):  # a missed notification: read again anyway
                async with asyncio.timeout(0.5):
                    await self._changed.wait()
