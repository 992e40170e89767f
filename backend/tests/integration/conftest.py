"""Real services for the integration suites: a private SQLite file or PostgreSQL schema per
test, and a private Redis key prefix per test, so that runs never see each other.

PostgreSQL (``CRYPTOTRADER_TEST_POSTGRES_URL``, default 127.0.0.1:5432/test) and Redis
(``CRYPTOTRADER_TEST_REDIS_URL``, default 127.0.0.1:6379/0) must be running under CI; elsewhere
their tests are skipped when the server is down.
"""

from __future__ import annotations

import functools
import os
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.engine import make_url

from cryptotrader.bus import ConsumerOptions, InProcessBus, RedisBus, StreamBus
from cryptotrader.clock import TestClock
from cryptotrader.persistence import Database
from cryptotrader.persistence.migrate import upgrade
from tests.conftest import require

POSTGRES_URL = os.environ.get(
    "CRYPTOTRADER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("CRYPTOTRADER_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
BACKENDS = ["sqlite", "postgresql"]
BUSES = ["memory", "redis"]

# Short delays so that retries and take-overs happen within a test's patience.
FAST = ConsumerOptions(
    batch_size=50,
    block_ms=50,
    claim_idle_ms=300,
    claim_interval_s=0.05,
    max_deliveries=3,
    retry_delay_s=0.01,
)


@functools.cache
def listening(url: str, default_port: int) -> bool:
    """True when something accepts TCP connections at the URL's host and port."""
    parsed = make_url(url)
    try:
        with socket.create_connection((parsed.host or "127.0.0.1", parsed.port or default_port), 1):
            return True
    except OSError:
        return False


def require_postgres() -> None:
    require(listening(POSTGRES_URL, 5432), f"PostgreSQL not reachable at {POSTGRES_URL}")


def require_redis() -> None:
    require(listening(REDIS_URL, 6379), f"Redis not reachable at {REDIS_URL}")


async def open_database(backend: str, directory: Path) -> tuple[Database, str | None]:
    """An empty database of ``backend``: a new SQLite file or a new PostgreSQL schema."""
    if backend == "sqlite":
        return Database(f"sqlite:///{directory / 'test.db'}"), None
    require_postgres()
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = Database(POSTGRES_URL)
    try:
        async with admin.engine.begin() as connection:
            await connection.execute(text(f"CREATE SCHEMA {schema}"))
    finally:
        await admin.dispose()
    return Database(POSTGRES_URL, schema=schema), schema


async def close_database(database: Database, schema: str | None) -> None:
    """Dispose of the engine and drop the test's schema."""
    await database.dispose()
    if schema is None:
        return
    admin = Database(POSTGRES_URL)
    try:
        async with admin.engine.begin() as connection:
            await connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    finally:
        await admin.dispose()


@pytest_asyncio.fixture(params=BACKENDS)
async def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A database with no schema at all, on each backend."""
    database, schema = await open_database(request.param, tmp_path)
    yield database
    await close_database(database, schema)


@pytest_asyncio.fixture(params=BACKENDS)
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A database upgraded to the newest migration, on each backend."""
    db, schema = await open_database(request.param, tmp_path)
    await upgrade(db)
    yield db
    await close_database(db, schema)


async def open_bus(
    kind: str, clock: TestClock, options: ConsumerOptions = FAST
) -> tuple[StreamBus, str | None]:
    """A bus of ``kind``; on Redis, streams live under a prefix of their own."""
    if kind == "memory":
        return InProcessBus(clock=clock, options=options), None
    require_redis()
    prefix = f"test:{uuid.uuid4().hex}:"
    return await RedisBus.connect(REDIS_URL, prefix=prefix, clock=clock, options=options), prefix


async def close_bus(bus: StreamBus, prefix: str | None) -> None:
    """Stop the bus and delete the test's keys."""
    await bus.close()
    if prefix is None:
        return
    client = Redis.from_url(REDIS_URL)
    try:
        keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


@pytest.fixture
def clock() -> TestClock:
    """A clock at 2026-02-11 14:30 UTC that only moves when told."""
    return TestClock(1_770_820_200_000)


@pytest_asyncio.fixture(params=BUSES)
async def bus(request: pytest.FixtureRequest, clock: TestClock) -> AsyncIterator[StreamBus]:
    """The in-process bus and the Redis Streams bus, with short retry and take-over delays."""
    instance, prefix = await open_bus(request.param, clock)
    yield instance
    await close_bus(instance, prefix)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A new PostgreSQL database, migrated, dropped afterwards (for engines run as processes)."""
    from tests.support.processes import migrated_postgres_database  # it imports this module

    with migrated_postgres_database() as url:
        yield url


@pytest.fixture
def redis_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """Redis, in the logical database named by the test's module (``REDIS_DB``), held alone.

    The runtime's stream names are fixed: each module running processes names a database of its
    own, whose runtime streams are emptied before and after, under a file lock while it runs (a
    second test of that database waits). Taken: 8 test_workers_plugins, 9 test_engines_processes,
    10 test_engines_monitored, 11 test_notifier_process, 12 deploy smoke and bench/scale_harness,
    13 test_api_workers_monitored, 14 test_pairs_cli, 15 test_order_engine_fenced and
    test_partitioned_workers (one at a time).
    """
    from tests.support.processes import runtime_redis  # it imports this module

    logical_db: int = request.module.REDIS_DB
    with runtime_redis(logical_db) as url:
        yield url
