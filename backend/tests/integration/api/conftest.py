"""Fixtures of the API suite: a migrated database with users, bots and trades, and the app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from cryptotrader.bus import InProcessBus
from cryptotrader.clock import TestClock
from cryptotrader.persistence import Database
from cryptotrader.persistence.migrate import upgrade
from tests.integration.api.harness import (
    ApiHarness,
    create_users,
    running_api,
    seed_trading,
)
from tests.integration.conftest import FAST, close_database, open_database


@pytest.fixture
def clock() -> TestClock:
    """2026-02-11 14:30 UTC, moved only by the test."""
    return TestClock(1_770_820_200_000)


async def _database(backend: str, directory: Path) -> tuple[Database, str | None]:
    database, schema = await open_database(backend, directory)
    await upgrade(database)
    return database, schema


@pytest_asyncio.fixture
async def sqlite_db(tmp_path: Path, clock: TestClock) -> AsyncIterator[Database]:
    """A migrated SQLite database with the four users."""
    database, schema = await _database("sqlite", tmp_path)
    await create_users(database, clock)
    yield database
    await close_database(database, schema)


@pytest_asyncio.fixture(params=["sqlite", "postgresql"])
async def any_db(
    request: pytest.FixtureRequest, tmp_path: Path, clock: TestClock
) -> AsyncIterator[Database]:
    """A migrated database with the four users, on SQLite and on PostgreSQL."""
    database, schema = await _database(request.param, tmp_path)
    await create_users(database, clock)
    yield database
    await close_database(database, schema)


@pytest_asyncio.fixture
async def api(sqlite_db: Database, clock: TestClock) -> AsyncIterator[ApiHarness]:
    """The app on SQLite and the in-process bus, with bots and trades, everyone logged in."""
    await seed_trading(sqlite_db, clock)
    bus = InProcessBus(clock=clock, options=FAST)
    async with running_api(sqlite_db, bus, clock) as harness:
        for who in ("admin", "trader", "viewer", "other"):
            await harness.login(who)
        yield harness
    await bus.close()


@pytest_asyncio.fixture
async def api_any_db(any_db: Database, clock: TestClock) -> AsyncIterator[ApiHarness]:
    """Like ``api``, on SQLite and on PostgreSQL."""
    await seed_trading(any_db, clock)
    bus = InProcessBus(clock=clock, options=FAST)
    async with running_api(any_db, bus, clock) as harness:
        for who in ("admin", "trader", "viewer", "other"):
            await harness.login(who)
        yield harness
    await bus.close()
