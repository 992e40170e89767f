"""A pooled PostgreSQL connection is checked out without a round trip, and replaced when the
server ended it (``database._closed_replaced``, instead of ``pool_pre_ping``'s three)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy import text
from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_connection

from cryptotrader.persistence import Database, UnitOfWork
from tests.integration.conftest import close_database, open_database


@pytest_asyncio.fixture
async def postgres(tmp_path: Path) -> AsyncIterator[Database]:
    database, schema = await open_database("postgresql", tmp_path)
    yield database
    await close_database(database, schema)


async def backend_pid(database: Database) -> int:
    async with UnitOfWork(database) as uow:
        return int((await uow.session.execute(text("SELECT pg_backend_pid()"))).scalar_one())


@pytest.mark.asyncio
async def test_checkout_when_the_connection_is_pooled_sends_no_ping(
    postgres: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    pings: list[int] = []
    ping = AsyncAdapt_asyncpg_connection._async_ping

    async def counted(self: AsyncAdapt_asyncpg_connection) -> None:
        pings.append(1)
        await ping(self)  # type: ignore[no-untyped-call]

    monkeypatch.setattr(AsyncAdapt_asyncpg_connection, "_async_ping", counted)
    first = await backend_pid(postgres)
    assert await backend_pid(postgres) == first  # the same pooled connection
    assert pings == []


@pytest.mark.asyncio
async def test_checkout_when_the_server_ended_the_connection_opens_another(
    postgres: Database,
) -> None:
    async with UnitOfWork(postgres) as uow:
        first = int((await uow.session.execute(text("SELECT pg_backend_pid()"))).scalar_one())
        pooled = (await uow.session.connection()).sync_connection.connection.driver_connection  # type: ignore[union-attr]
    assert pooled is not None
    ended = asyncio.Event()
    pooled.add_termination_listener(lambda _connection: ended.set())
    other = Database(postgres.url.render_as_string(hide_password=False))
    try:
        async with UnitOfWork(other) as uow:
            await uow.session.execute(text(f"SELECT pg_terminate_backend({first})"))
    finally:
        await other.dispose()
    # pg_terminate_backend only signals the backend: wait until the pooled connection has seen
    # it end (as after a restart, long before the next unit of work), not a race with its exit
    async with asyncio.timeout(60):
        await ended.wait()
    assert pooled.is_closed()
    second = await backend_pid(postgres)  # no error: the closed one was not handed out
    assert second != first
