"""Real PostgreSQL and Redis for tests that run the engines or the API as separate processes.

Processes cannot share a test's schema or key prefix: they get a database of their own
(PostgreSQL) and a logical Redis database whose runtime streams are emptied before and after.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from redis import Redis
from sqlalchemy import text
from sqlalchemy.engine import make_url

from cryptotrader.bus import topics
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.migrate import upgrade
from cryptotrader.persistence.repositories import checkpoints
from cryptotrader.persistence.uow import UnitOfWork
from tests.integration.conftest import POSTGRES_URL, REDIS_URL, require_postgres, require_redis

ENGINE_CLI = [sys.executable, "-m", "cryptotrader", "engine"]
# The engines that run until stopped; market-data replays the series and exits.
LONG_RUNNING_ENGINES = ("portfolio", "order", "decision", "indicator")


@contextmanager
def migrated_postgres_database() -> Iterator[str]:
    """The URL of a new PostgreSQL database, migrated, dropped afterwards."""
    require_postgres()
    name = f"ct_{uuid.uuid4().hex[:12]}"

    async def admin(statement: str) -> None:
        database = Database(POSTGRES_URL)
        try:
            async with database.engine.connect() as connection:
                autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
                await autocommit.execute(text(statement))
        finally:
            await database.dispose()

    asyncio.run(admin(f"CREATE DATABASE {name}"))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)

    async def migrate() -> None:
        database = Database(url)
        await upgrade(database)
        await database.dispose()

    try:
        asyncio.run(migrate())
        yield url
    finally:
        asyncio.run(admin(f"DROP DATABASE {name} WITH (FORCE)"))


@contextmanager
def runtime_redis(logical_db: int) -> Iterator[str]:
    """The URL of a Redis logical database whose runtime streams are emptied before and after.

    The runtime's stream names are fixed: each suite running processes takes a database of its own,
    and holds it alone while it runs. Under pytest-xdist two tests of one file (or two test runs
    on one machine) would otherwise share it: the second one's cleaning emptied the first one's
    streams, and the first waited for its order engine until the timeout. The lock is a file lock
    (``flock``): released by the kernel if the test's process dies.
    """
    require_redis()
    url = str(make_url(REDIS_URL).set(database=str(logical_db)))
    lock_path = Path(tempfile.gettempdir()) / f"cryptotrader-tests-redis-db-{logical_db}.lock"
    with lock_path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # waits while another test holds this database
        with _emptied_streams(url):
            yield url


@contextmanager
def _emptied_streams(url: str) -> Iterator[None]:
    client = Redis.from_url(url)

    def clean() -> None:
        names = [t for topic in topics.ALL_TOPICS for t in (topic, topics.dead_letter_topic(topic))]
        # the work partitions of a channel, and the workers' leases and membership
        names += [f"{topic}.p*" for topic in topics.ALL_TOPICS] + ["lease:*", "members:*"]
        keys = [k for pattern in names for k in client.scan_iter(match=f"*{pattern}")]
        if keys:
            client.delete(*keys)

    clean()
    try:
        yield
    finally:
        clean()
        client.close()


def process_env(postgres_url: str, redis_url: str, folder: Path, **extra: str) -> dict[str, str]:
    """The environment of engines (or the API) run as processes: this one's, the test's
    PostgreSQL and Redis databases and its data folder, then ``extra``."""
    return dict(
        os.environ,
        DATABASE_URL=postgres_url,
        REDIS_URL=redis_url,
        CRYPTOTRADER_DATA_DIR=str(folder),
        **extra,
    )


@contextmanager
def engine_processes(
    series: Path | Sequence[Path],
    env: Mapping[str, str],
    env_per_engine: Mapping[str, Mapping[str, str]] | None = None,
) -> Iterator[dict[str, subprocess.Popen[str]]]:
    """The long-running engines replaying ``series``, each in its own process, once all are up.

    Several files: one per pair, given to every engine (as ``run --replay A --replay B``). On a
    clean exit of the block each is sent SIGTERM and must stop with code 0.
    """
    replay = _replays(series)
    services = {
        name: subprocess.Popen(  # noqa: S603 - our own entry point, fixed arguments
            [*ENGINE_CLI, name, *replay],
            env={**env, **(env_per_engine or {}).get(name, {})},
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in LONG_RUNNING_ENGINES
    }
    try:
        for name, process in services.items():
            _wait_for_banner(process, f"engine {name}")
        yield services
    except BaseException:
        _stop(services)
        raise
    codes = _stop(services)
    assert codes == dict.fromkeys(services, 0), codes  # SIGTERM stops each one cleanly


def replay_market_data(series: Path | Sequence[Path], env: Mapping[str, str]) -> None:
    """Runs the market data engine over ``series`` (one file, or one per pair) to its end."""
    market = subprocess.run(  # noqa: S603 - our own entry point, fixed arguments
        [*ENGINE_CLI, "market-data", *_replays(series)],
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    assert market.returncode == 0, market.stderr


def _replays(series: Path | Sequence[Path]) -> list[str]:
    files = [series] if isinstance(series, Path) else list(series)
    return [arg for path in files for arg in ("--replay", str(path))]


async def until_order_engine_done(url: str, last_open: int, key: str) -> None:
    """Until the order engine's checkpoint ``key`` says it has done the candle ``last_open``."""
    database = Database(url)
    try:
        deadline = time.monotonic() + 1200
        mark = None
        while time.monotonic() < deadline:
            async with UnitOfWork(database) as uow:
                mark = await checkpoints.load_checkpoint(
                    session=uow.session, engine="order", key=key
                )
            if mark is not None and mark["candle_ms"] >= last_open and mark["complete"]:
                return
            await asyncio.sleep(0.2)
        raise AssertionError(f"the order engine did not finish: {mark}")
    finally:
        await database.dispose()


def _wait_for_banner(process: subprocess.Popen[str], banner: str) -> None:
    assert process.stderr is not None
    deadline = time.monotonic() + 300
    line = ""
    while banner not in line:
        assert time.monotonic() < deadline, f"no {banner!r}"
        line = process.stderr.readline()
        assert line or process.poll() is None, f"{banner} exited: {process.stderr.read()}"


def _stop(services: Mapping[str, subprocess.Popen[str]]) -> dict[str, int]:
    for process in services.values():
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    return {name: process.wait(timeout=120) for name, process in services.items()}
