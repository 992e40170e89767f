"""Hot write statements run on SQLite's own connection, past SQLAlchemy's per-statement cost.

A prebuilt statement executed through the session costs about 60 us of SQLAlchemy (execution
context, compiled-cache lookup, events, result set-up) around about 10 us of SQLite; a replay's
trade writes a few dozen of them (docs/BENCHMARKS.md, issue 17). ``execute`` compiles each
statement once per column set with SQLAlchemy's own compiler and type processors (the SQL and
bound values ``session.execute`` would send), then runs it on the ``sqlite3`` connection whose
transaction the session holds. Only where that is the same thing, else it goes through the
session, as before:

* SQLite: on the inline connection (``Database(inline=True)``) at once, on the event loop's
  thread; on aiosqlite's threaded connection as **one** call of its worker thread (the thread the
  ``sqlite3`` connection belongs to), where the session makes three or four (cursor, execute,
  fetch, close), each a thread hop (a queue put, the worker woken, ``call_soon_threadsafe`` back,
  a loop iteration) costing more CPU than the statement. PostgreSQL: writes (``execute``,
  ``execute_all``, ``inserted_id``) on asyncpg itself (``driver_pg``), reads through the session;
* no ORM object waiting in the session to be flushed (the session would write it first);
* no expanding (``IN``) or Python-side default parameter.

``rows`` does the same for a ``SELECT``, its values through the columns' result processors.

A driver error is raised as SQLAlchemy's (``IntegrityError`` ...), as through the session.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import aiosqlite
from sqlalchemy import CursorResult
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from cryptotrader.persistence import driver_pg
from cryptotrader.persistence.database import WRITER_KEPT, WRITER_RAW, begin_writer
from cryptotrader.persistence.inline_sqlite import CountingConnection, InlineConnection
from cryptotrader.persistence.repositories._sql import rowcount
from cryptotrader.persistence.types import fast_bind

Params = dict[str, Any]

_KEY = "cryptotrader.driver"


Slot = tuple[str, Any, Callable[[Any], Any] | None]
"""A positional parameter: its name, its value if not given, its type's processor."""


@dataclass(frozen=True, slots=True)
class _Plan:
    sql: str
    slots: tuple[Slot, ...]
    columns: tuple[Callable[[Any], Any] | None, ...]
    """A ``SELECT``'s result columns: each type's processor."""

    args: Callable[[Params], list[Any]]
    """The positional values of a parameter dict (``binder(slots)``)."""


def binder(slots: Sequence[Slot]) -> Callable[[Params], list[Any]]:
    """A function giving ``[process(params.get(name, default)) ...]`` for ``slots``, in order.

    Written out once per plan (``p3(get('fee', d3))`` ...): a loop over the slots cost a third
    of the binding of a 16-column insert (tuple unpacking and a test per value, per row).
    """
    names: dict[str, Any] = {}
    values = []
    for i, (name, default, process) in enumerate(slots):
        names[f"d{i}"] = default
        value = f"get({name!r}, d{i})"
        if process is not None:
            names[f"p{i}"] = process
            value = f"p{i}({value})"
        values.append(value)
    source = f"def args(params):\n    get = params.get\n    return [{', '.join(values)}]\n"
    exec(source, names)  # noqa: S102 - our own text: names quoted by repr, values passed by name
    made: Callable[[Params], list[Any]] = names["args"]
    return made


_PLANS: dict[tuple[int, tuple[str, ...]], tuple[Any, _Plan | None]] = {}


def _plan(statement: Any, dialect: Dialect, keys: tuple[str, ...]) -> _Plan | None:
    """The statement compiled for ``keys`` (None: not one this module runs: see the docstring)."""
    found = _PLANS.get((id(statement), keys))
    if found is not None and found[0] is statement:
        return found[1]
    compiled = statement.compile(dialect=dialect, column_keys=list(keys))
    plain = driver_pg.binds_plainly(compiled)
    plan = None
    if plain:
        processors = compiled._bind_processors
        slots = tuple(
            (name, compiled.binds[name].value, _bind(compiled, name, processors, dialect))
            for name in compiled.positiontup
        )
        columns = tuple(
            column[3]._cached_result_processor(dialect, None) for column in compiled._result_columns
        )
        plan = _Plan(compiled.string, slots, columns, binder(slots))
    _PLANS[(id(statement), keys)] = (statement, plan)
    return plan


def _bind(compiled: Any, name: str, processors: Any, dialect: Dialect) -> Any:
    """The parameter's processor: SQLAlchemy's, or one that gives the same faster."""
    slow = processors.get(name)
    return None if slow is None else fast_bind(compiled.binds[name].type, dialect, slow)


_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class _Raw:
    """The ``sqlite3`` connection of a transaction, and where its calls must run."""

    connection: sqlite3.Connection
    worker: aiosqlite.Connection | None
    """aiosqlite's threaded connection (its worker thread owns ``connection``); None inline."""

    dialect: Dialect
    """The session's (``AsyncSession.get_bind().dialect`` cost ~1 us a statement)."""

    async def run(self, work: Callable[[sqlite3.Connection], _T]) -> _T:
        """``work(connection)``: at once inline, else as one call of the worker thread."""
        if self.worker is None:
            return work(self.connection)
        done = await self.worker._execute(work, self.connection)  # type: ignore[no-untyped-call]
        return cast(_T, done)


async def _driver(session: AsyncSession) -> _Raw | None:
    """The ``sqlite3`` connection of the session's transaction, if this module may use it."""
    sync = session.sync_session
    if sync._new or sync._deleted or sync.identity_map._modified:
        return None
    info = sync.info
    writer: sqlite3.Connection | None = info.get(WRITER_RAW)
    if writer is not None:  # the writers' own connection: its unit of work begins here
        if not writer.in_transaction:
            begin_writer(writer)
        inline: _Raw | None = info.get(WRITER_KEPT)  # kept from one unit of work to the next
        if inline is None or inline.connection is not writer:
            inline = _Raw(writer, None, session.get_bind().dialect)
            info[WRITER_KEPT] = inline
        return inline
    transaction = sync.get_transaction()
    cached = info.get(_KEY)
    if cached is not None and transaction is not None and cached[0] is transaction:
        raw: _Raw | None = cached[1]
        return raw
    connection = await session.connection()
    driver = connection.sync_connection.connection.driver_connection  # type: ignore[union-attr]
    raw = None
    if isinstance(driver, aiosqlite.Connection) and driver._connection is not None:
        worker = None if isinstance(driver, InlineConnection) else driver
        raw = _Raw(driver._connection, worker, session.get_bind().dialect)
    info[_KEY] = (sync.get_transaction(), raw)
    return raw


def transaction_key(session: AsyncSession) -> object:
    """What names ``session``'s transaction going on: it differs once that one has ended.

    For state kept per transaction (``BotLedger``): the session's transaction, or on a
    writer session (``Database.writer_session``), whose transaction is ``sqlite3``'s, the
    count of transactions its connection has ended. Compare with ``==``.
    """
    writer: sqlite3.Connection | None = session.info.get(WRITER_RAW)
    if isinstance(writer, CountingConnection):
        return writer.ended
    return session.sync_session.get_transaction()


async def connection(session: AsyncSession) -> sqlite3.Connection | None:
    """The inline ``sqlite3`` connection of the session's transaction (begun), else None.

    For a caller's own plain SQL on the transaction, on the loop's thread; None on PostgreSQL,
    on aiosqlite's threaded connection (its worker thread owns it: see ``plain_rows``), or with
    ORM objects waiting to be flushed.
    """
    raw = await _driver(session)
    return None if raw is None or raw.worker is not None else raw.connection


async def plain_rows(session: AsyncSession, sql: str) -> list[Any] | None:
    """Run plain SQL on the SQLite transaction's own connection (one worker call); its rows.

    For a caller's own query (``writer_lease``'s fence, before every commit). On PostgreSQL on
    the transaction's asyncpg connection (``driver_pg``). None where this module does not run
    statements (ORM objects waiting to be flushed).

    Raises:
        DBAPIError: SQLite refused it.
    """
    raw = await _driver(session)
    if raw is None:
        return await driver_pg.plain_rows(session, sql)  # PostgreSQL: on asyncpg itself

    def work(connection: sqlite3.Connection) -> list[Any]:
        cursor = connection.cursor()
        try:
            return cursor.execute(sql).fetchall()
        finally:
            cursor.close()

    try:
        return await raw.run(work)
    except sqlite3.Error as exc:
        raise DBAPIError.instance(sql, (), exc, sqlite3.Error) from exc


async def execute(session: AsyncSession, statement: Any, params: Params | Sequence[Params]) -> int:
    """Execute a write (one parameter dict, or a list: ``executemany``); the rows it touched."""
    many: Sequence[Params] = [params] if isinstance(params, dict) else params
    if not many:
        return 0
    raw = await _driver(session)
    plan = None if raw is None else _plan(statement, raw.dialect, tuple(many[0]))
    if raw is None or plan is None:
        done = None if raw is not None else await driver_pg.execute(session, statement, many)
        if done is not None:  # PostgreSQL: on asyncpg itself
            return done
        return rowcount(await session.execute(statement, params))
    sql = plan.sql
    if len(many) == 1:
        args = plan.args(many[0])

        def work(connection: sqlite3.Connection) -> int:
            cursor = connection.cursor()
            try:
                return cursor.execute(sql, args).rowcount
            finally:
                cursor.close()

    else:
        rows = [plan.args(p) for p in many]

        def work(connection: sqlite3.Connection) -> int:
            cursor = connection.cursor()
            try:
                return cursor.executemany(sql, rows).rowcount
            finally:
                cursor.close()

    try:
        return await raw.run(work)
    except sqlite3.Error as exc:
        raise DBAPIError.instance(sql, params, exc, sqlite3.Error) from exc


async def execute_all(
    session: AsyncSession, writes: Sequence[tuple[Any, Sequence[Params]]]
) -> list[int]:
    """Execute several writes in order, each a statement and its rows; the rows each touched.

    On SQLite as one call (one worker-thread hop for all of them: ``deferred.flush``'s
    statements of a transaction); else, or if one of them is not a plain statement, each as
    ``execute``.

    Raises:
        DBAPIError: SQLite refused one of them (the later ones did not run).
    """
    raw = await _driver(session)
    plans: list[tuple[str, list[list[Any]]]] | None = None
    if raw is not None:
        dialect = raw.dialect
        plans = []
        for statement, many in writes:
            plan = _plan(statement, dialect, tuple(many[0])) if many else None
            if plan is None:
                plans = None
                break
            plans.append((plan.sql, [plan.args(p) for p in many]))
    if raw is None or plans is None:
        return [await execute(session, statement, list(many)) for statement, many in writes]
    done: list[int] = []
    ready = plans

    def work(connection: sqlite3.Connection) -> list[int]:
        cursor = connection.cursor()
        try:
            for sql, rows in ready:
                if len(rows) == 1:
                    cursor.execute(sql, rows[0])
                else:
                    cursor.executemany(sql, rows)
                done.append(cursor.rowcount)
            return done
        finally:
            cursor.close()

    try:
        return await raw.run(work)
    except sqlite3.Error as exc:
        sql = ready[len(done)][0]
        raise DBAPIError.instance(sql, writes[len(done)][1], exc, sqlite3.Error) from exc


async def inserted_id(session: AsyncSession, statement: Any, params: Params) -> int:
    """Execute an ``INSERT`` of one row; its integer id (its ``RETURNING``; SQLite: the rowid)."""
    returning = bool(getattr(statement, "_returning", ()))
    raw = await _driver(session)
    plan = None if raw is None else _plan(statement, raw.dialect, tuple(params))
    if raw is None or plan is None:
        pg = raw is None and returning
        found = await driver_pg.inserted_id(session, statement, params) if pg else None
        if found is not None:  # PostgreSQL: on asyncpg itself
            return found
        result = await session.execute(statement, params)
        if returning:
            return int(result.scalar_one())
        return int(cast(CursorResult[Any], result).lastrowid)
    sql, args = plan.sql, plan.args(params)

    def work(connection: sqlite3.Connection) -> Any:
        cursor = connection.cursor()
        try:
            cursor.execute(sql, args)
            row = cursor.fetchone() if returning else None
            return row[0] if row is not None else cursor.lastrowid
        finally:
            cursor.close()

    try:
        return int(await raw.run(work))
    except sqlite3.Error as exc:
        raise DBAPIError.instance(sql, params, exc, sqlite3.Error) from exc


async def rows(session: AsyncSession, statement: Any, params: Params | None = None) -> list[Any]:
    """Execute a ``SELECT``; its rows, each a tuple of values as the session returns them."""
    params = params or {}
    raw = await _driver(session)
    plan = None if raw is None else _plan(statement, raw.dialect, tuple(params))
    if raw is None or plan is None:
        return [tuple(row) for row in (await session.execute(statement, params)).all()]
    sql, args = plan.sql, plan.args(params)

    def work(connection: sqlite3.Connection) -> list[Any]:
        cursor = connection.cursor()
        try:
            return cursor.execute(sql, args).fetchall()
        finally:
            cursor.close()

    try:
        found = await raw.run(work)
    except sqlite3.Error as exc:
        raise DBAPIError.instance(sql, params, exc, sqlite3.Error) from exc
    columns = plan.columns
    if not any(columns):
        return found
    return [
        tuple(v if p is None else p(v) for v, p in zip(row, columns, strict=True)) for row in found
    ]
