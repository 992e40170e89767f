"""``persistence.driver``: hot statements on the inline SQLite connection, as the session runs them.

On the inline SQLite connection the statements run on ``sqlite3`` itself, inside the unit of
work's transaction; elsewhere (aiosqlite's thread, PostgreSQL) through the session. Either way
the same rows, values, counts, errors and atomicity.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
import pytest_asyncio
from sqlalchemy import bindparam, event, insert, select
from sqlalchemy.exc import IntegrityError

from cryptotrader.persistence import driver
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.migrate import upgrade
from cryptotrader.persistence.repositories.checkpoints import upsert_checkpoint
from cryptotrader.persistence.tables import Base
from cryptotrader.persistence.uow import UnitOfWork
from tests.integration.conftest import close_database, open_database

pytestmark = pytest.mark.asyncio(loop_scope="function")

_CHECKPOINTS = Base.metadata.tables["engine_checkpoints"]
_OUTBOX = Base.metadata.tables["outbox"]
_INSERT = insert(_CHECKPOINTS)
_SELECT = (
    select(_CHECKPOINTS.c.key, _CHECKPOINTS.c.value, _CHECKPOINTS.c.updated_at)
    .where(_CHECKPOINTS.c.engine == bindparam("b_engine"))
    .order_by(_CHECKPOINTS.c.key)
)
_ADD_OUTBOX = insert(_OUTBOX)
AT = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)


def _row(key: str, value: Any) -> dict[str, Any]:
    return {"engine": "e", "key": key, "value": value, "updated_at": AT}


@pytest_asyncio.fixture(params=["inline", "sqlite", "postgresql"])
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A migrated database: inline SQLite (the driver's own path), threaded SQLite, PostgreSQL."""
    if request.param == "inline":
        database, schema = Database(f"sqlite:///{tmp_path / 'test.db'}", inline=True), None
    else:
        database, schema = await open_database(request.param, tmp_path)
    await upgrade(database)
    yield database
    await close_database(database, schema)


async def _stored(database: Database) -> list[tuple[Any, ...]]:
    async with UnitOfWork(database, read_only=True) as uow:
        found = await uow.session.execute(_SELECT, {"b_engine": "e"})
        return [tuple(row) for row in found.all()]


async def test_driver_when_writing_and_reading_gives_what_the_session_gives(db: Database) -> None:
    async with UnitOfWork(db) as uow:
        upsert = upsert_checkpoint(uow.session)
        one = await driver.execute(uow.session, upsert, _row("a", {"x": 1}))
        two = await driver.execute(uow.session, upsert, [_row("b", {"x": 3}), _row("a", [2])])
        read = await driver.rows(uow.session, _SELECT, {"b_engine": "e"})
        returning = _ADD_OUTBOX.returning(_OUTBOX.c.id)
        first = await driver.inserted_id(uow.session, returning, {"payload": "p", "created_at": AT})
        second = first + 1
        if db.dialect == "sqlite":  # without RETURNING: the rowid
            plain = {"payload": "q", "created_at": AT}
            second = await driver.inserted_id(uow.session, _ADD_OUTBOX, plain)
        await uow.commit()
    many = 2 if db.dialect == "sqlite" else -1  # asyncpg counts no executemany (as the session)
    assert (one, two, second) == (1, many, first + 1)
    assert read == await _stored(db) == [("a", [2], AT), ("b", {"x": 3}, AT)]


async def test_driver_when_its_transaction_rolls_back_leaves_nothing(db: Database) -> None:
    async with UnitOfWork(db) as uow:
        await driver.execute(uow.session, upsert_checkpoint(uow.session), _row("a", 1))
        assert await driver.rows(uow.session, _SELECT, {"b_engine": "e"}) == [("a", 1, AT)]
    async with UnitOfWork(db) as uow:
        await driver.execute(uow.session, upsert_checkpoint(uow.session), _row("b", 2))
        await uow.rollback()
        await driver.execute(uow.session, upsert_checkpoint(uow.session), _row("c", 3))
        await uow.commit()
    assert await _stored(db) == [("c", 3, AT)]


async def test_driver_when_a_constraint_fails_raises_sqlalchemys_integrity_error(
    db: Database,
) -> None:
    async with UnitOfWork(db) as uow:
        await driver.execute(uow.session, _INSERT, _row("a", 1))
        with pytest.raises(IntegrityError):
            await driver.execute(uow.session, _INSERT, [_row("b", 2), _row("a", 1)])


async def test_driver_on_sqlite_runs_its_statements_past_the_session(tmp_path: Path) -> None:
    """Nothing goes through SQLAlchemy's execution, not even the transaction's ``BEGIN``, on the
    inline connection and on aiosqlite's threaded one."""
    for inline in (True, False):
        database = Database(f"sqlite:///{tmp_path / f'{inline}.db'}", inline=inline)
        await upgrade(database)
        seen: list[str] = []

        def executed(*args: Any, seen: list[str] = seen) -> None:
            seen.append(args[2].split()[0])

        event.listen(database.engine.sync_engine, "before_cursor_execute", executed)
        async with UnitOfWork(database) as uow:
            await driver.execute(uow.session, upsert_checkpoint(uow.session), _row("a", 1))
            await driver.rows(uow.session, _SELECT, {"b_engine": "e"})
            await uow.commit()
        await database.dispose()
        assert seen == []


async def test_driver_on_postgresql_runs_its_writes_on_asyncpg_in_the_transaction(
    tmp_path: Path,
) -> None:
    """The writes skip SQLAlchemy's execution (asyncpg itself, ``driver_pg``), in the session's
    transaction: begun by the first of them, ended by the session's commit or rollback."""
    database, schema = await open_database("postgresql", tmp_path)
    try:
        await upgrade(database)
        seen: list[str] = []

        def executed(*args: Any) -> None:
            seen.append(args[2].split()[0])

        event.listen(database.engine.sync_engine, "before_cursor_execute", executed)
        returning = _ADD_OUTBOX.returning(_OUTBOX.c.id)
        async with UnitOfWork(database) as uow:
            await driver.execute(uow.session, _INSERT, _row("a", 1))
            await driver.execute(uow.session, _INSERT, [_row("b", 2), _row("c", 3)])
            await driver.inserted_id(uow.session, returning, {"payload": "p", "created_at": AT})
            await uow.rollback()
        async with UnitOfWork(database) as uow:
            await driver.execute_all(uow.session, [(_INSERT, [_row("d", 4), _row("e", 5)])])
            plain = await driver.plain_rows(uow.session, "SELECT key FROM engine_checkpoints")
            await uow.commit()
        event.remove(database.engine.sync_engine, "before_cursor_execute", executed)
        assert seen == []
        assert sorted(plain or []) == [("d",), ("e",)]  # in the transaction, before its commit
        assert await _stored(database) == [("d", 4, AT), ("e", 5, AT)]
    finally:
        await close_database(database, schema)


async def test_driver_on_threaded_sqlite_makes_one_worker_call_per_statement(
    tmp_path: Path,
) -> None:
    """aiosqlite's worker thread is called once per statement (SQLAlchemy's cursor calls it three
    or four times: cursor, execute, fetch, close), once for the ``BEGIN`` and once for the
    commit; the connection returned to the pool after a commit is not rolled back again."""
    database = Database(f"sqlite:///{tmp_path / 'threaded.db'}")
    await upgrade(database)
    calls: list[str] = []
    plain = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(getattr(fn, "__name__", "?"))
        return await plain(self, fn, *args, **kwargs)  # type: ignore[no-untyped-call]

    try:
        aiosqlite.Connection._execute = counted  # type: ignore[method-assign]
        async with UnitOfWork(database) as uow:
            await driver.execute(uow.session, upsert_checkpoint(uow.session), _row("a", 1))
            await driver.execute(
                uow.session, upsert_checkpoint(uow.session), [_row("b", 2), _row("c", 3)]
            )
            read = await driver.rows(uow.session, _SELECT, {"b_engine": "e"})
            await uow.commit()
    finally:
        aiosqlite.Connection._execute = plain  # type: ignore[method-assign]
    assert [k for k, _, _ in read] == ["a", "b", "c"]
    assert len(calls) == 5, calls  # BEGIN, 3 statements, COMMIT; no rollback
    async with UnitOfWork(database) as uow:  # one not committed is still rolled back
        await driver.execute(uow.session, upsert_checkpoint(uow.session), _row("d", 4))
    assert [key for key, _, _ in await _stored(database)] == ["a", "b", "c"]
    await database.dispose()


async def test_driver_execute_all_runs_the_writes_in_order_and_counts_each(db: Database) -> None:
    async with UnitOfWork(db) as uow:
        upsert = upsert_checkpoint(uow.session)
        counts = await driver.execute_all(
            uow.session,
            [
                (upsert, [_row("a", 1), _row("b", 2)]),
                (_INSERT, [_row("c", 3)]),
                (upsert, [_row("a", 4)]),
            ],
        )
        await uow.commit()
    assert counts[1:] == [1, 1]
    assert counts[0] == (2 if db.dialect == "sqlite" else -1)  # asyncpg counts no executemany
    assert await _stored(db) == [("a", 4, AT), ("b", 2, AT), ("c", 3, AT)]
    async with UnitOfWork(db) as uow:  # the second fails: nothing of the first is kept
        with pytest.raises(IntegrityError):
            await driver.execute_all(
                uow.session, [(_INSERT, [_row("d", 5)]), (_INSERT, [_row("a", 6)])]
            )
    assert [key for key, _, _ in await _stored(db)] == ["a", "b", "c"]


async def test_driver_execute_all_on_threaded_sqlite_is_one_worker_call(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'threaded.db'}")
    await upgrade(database)
    calls: list[str] = []
    plain = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(getattr(fn, "__name__", "?"))
        return await plain(self, fn, *args, **kwargs)  # type: ignore[no-untyped-call]

    try:
        async with UnitOfWork(database) as uow:
            upsert = upsert_checkpoint(uow.session)
            await driver.execute(uow.session, upsert, _row("a", 1))  # BEGIN on the way
            aiosqlite.Connection._execute = counted  # type: ignore[method-assign]
            await driver.execute_all(
                uow.session, [(upsert, [_row("b", 2), _row("c", 3)]), (upsert, [_row("d", 4)])]
            )
            aiosqlite.Connection._execute = plain  # type: ignore[method-assign]
            await uow.commit()
    finally:
        aiosqlite.Connection._execute = plain  # type: ignore[method-assign]
    assert len(calls) == 1, calls
    assert [key for key, _, _ in await _stored(database)] == ["a", "b", "c", "d"]
    await database.dispose()


async def test_driver_binder_gives_each_slots_value_in_order_through_its_processor() -> None:
    """``binder``'s written-out function: what the loop over the slots gave (defaults, names)."""
    slots: list[driver.Slot] = [
        ("plain", None, None),
        ('it\'s "quoted"\n', 7, None),  # a name is quoted, never spliced into the source
        ("doubled", 0, lambda v: v * 2),
        ("missing", "default", str.upper),
    ]
    args = driver.binder(slots)

    assert args({"plain": 1, 'it\'s "quoted"\n': 2, "doubled": 3}) == [1, 2, 6, "DEFAULT"]
    assert args({}) == [None, 7, 0, "DEFAULT"]
    assert driver.binder([])({"x": 1}) == []
