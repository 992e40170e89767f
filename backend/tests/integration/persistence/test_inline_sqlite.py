"""``Database(inline=True)``: SQLite on the event loop's thread, with the same results."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from cryptotrader.persistence import Database
from cryptotrader.persistence.inline_sqlite import InlineConnection
from cryptotrader.persistence.migrate import upgrade
from cryptotrader.persistence.uow import UnitOfWork, after_commit


def _sqlite_worker_threads() -> list[threading.Thread]:
    """aiosqlite's per-connection threads (named after their target), whatever else runs."""
    return [t for t in threading.enumerate() if "_connection_worker_thread" in t.name]


@pytest.mark.asyncio
async def test_inline_database_when_used_runs_sqlite_without_a_worker_thread(
    tmp_path: Path,
) -> None:
    database = Database(f"sqlite:///{tmp_path / 'inline.db'}", inline=True)
    try:
        async with database.engine.begin() as connection:
            raw = await connection.get_raw_connection()
            assert isinstance(raw.driver_connection, InlineConnection)
            assert not _sqlite_worker_threads()
            mode = (await connection.execute(text("PRAGMA journal_mode"))).scalar_one()
            await connection.execute(text("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)"))
            await connection.execute(text("INSERT INTO t VALUES (1, 'a')"))
        async with database.engine.connect() as connection:
            rows = (await connection.execute(text("SELECT k, v FROM t"))).all()
    finally:
        await database.dispose()

    assert mode == "wal"
    assert [tuple(row) for row in rows] == [(1, "a")]
    threaded = Database(f"sqlite:///{tmp_path / 'threaded.db'}")
    try:  # the check above can fail: the default driver runs one thread per connection
        async with threaded.engine.connect():
            assert _sqlite_worker_threads()
    finally:
        await threaded.dispose()


@pytest.mark.asyncio
async def test_inline_database_when_a_statement_fails_raises_and_rolls_back(
    tmp_path: Path,
) -> None:
    database = Database(f"sqlite:///{tmp_path / 'inline.db'}", inline=True)
    try:
        async with database.engine.begin() as connection:
            await connection.execute(text("CREATE TABLE t (k INTEGER PRIMARY KEY)"))
            await connection.execute(text("INSERT INTO t VALUES (1)"))
        async with database.engine.connect() as connection:
            await connection.execute(text("INSERT INTO t VALUES (2)"))
            with pytest.raises(IntegrityError):
                await connection.execute(text("INSERT INTO t VALUES (1)"))
            await connection.rollback()
        async with database.engine.connect() as connection:
            keys = (await connection.execute(text("SELECT k FROM t"))).scalars().all()
    finally:
        await database.dispose()

    assert keys == [1]


@pytest.mark.asyncio
async def test_after_commit_when_the_unit_of_work_commits_runs_and_when_it_rolls_back_not(
    tmp_path: Path,
) -> None:
    database = Database(f"sqlite:///{tmp_path / 'inline.db'}", inline=True)
    await upgrade(database)
    ran: list[str] = []
    try:
        async with UnitOfWork(database) as uow:
            after_commit(uow.session, lambda: ran.append("committed"))
            await uow.commit()
        async with UnitOfWork(database) as uow:
            after_commit(uow.session, lambda: ran.append("rolled back"))
        async with UnitOfWork(database) as uow:
            after_commit(uow.session, lambda: ran.append("rolled back explicitly"))
            await uow.rollback()
            await uow.commit()
    finally:
        await database.dispose()

    assert ran == ["committed"]


def test_inline_option_when_the_database_is_postgresql_is_ignored() -> None:
    assert not Database("postgresql://u@h/db", inline=True).inline
