"""Hot write statements run on SQLite's own connection, past SQLAlchemy's per-statement cost.

A prebuilt statement executed through the session costs about 60 us of SQLAlchemy (execution
context, compiled-cache lookup, events, result set-up) around about 10 us of SQLite; a replay's
trade writes a few dozen of them (docs/BENCHMARKS.md, issue 17). ``execute`` compiles each
statement once per column set with SQLAlchemy's own compiler and type processors (the SQL and
bound values ``session.execute`` would send), then runs it on the ``sqlite3`` connection whose
transaction the session holds. Only where that is the same thing, else it goes through the
session, as before:

* the inline SQLite connection (``Database(inline=True)``, the event loop's own thread: the
  threaded driver's connection belongs to its worker thread); PostgreSQL goes through the session;
* no ORM object waiting in the session to be flushed (the session would write it first);
* no expanding (``IN``) or Python-side default parameter.

``rows`` does the same for a ``SELECT``, its values through the columns' result processors.

A driver error is raised as SQLAlchemy's (``IntegrityError`` ...), as through the session.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from cryptotrader.persistence.database import WRITER_RAW, begin_writer
from cryptotrader.persistence.inline_sqlite import CountingConnection, InlineConnection
from cryptotrader.persistence.repositories._sql import rowcount
from cryptotrader.persistence.types import fast_bind

Params = dict[str, Any]

_KEY = "cryptotrader.driver"


@dataclass(frozen=True, slots=True)
class _Plan:
    sql: str
    slots: tuple[tuple[str, Any, Callable[[Any], Any] | None], ...]
    """Each positional parameter: its name, its value if not given, its type's processor."""

    columns: tuple[Callable[[Any], Any] | None, ...]
    """A ``SELECT``'s result columns: each type's processor."""

    def args(self, params: Params) -> list[Any]:
        get = params.get
        return [
            get(name, default) if process is None else process(get(name, default))
            for name, default, process in self.slots
        ]


_PLANS: dict[tuple[int, tuple[str, ...]], tuple[Any, _Plan | None]] = {}


def _plan(statement: Any, dialect: Dialect, keys: tuple[str, ...]) -> _Plan | None:
    """The statement compiled for ``keys`` (None: not one this module runs: see the docstring)."""
    found = _PLANS.get((id(statement), keys))
    if found is not None and found[0] is statement:
        return found[1]
    compiled = statement.compile(dialect=dialect, column_keys=list(keys))
    plain = not (
        compiled.insert_prefetch
        or compiled.update_prefetch
        or compiled.post_compile_params
        or compiled.literal_execute_params
        or compiled.escaped_bind_names
        or any(bind.expanding or bind.callable for bind in compiled.binds.values())
        or compiled.positiontup is None
    )
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
        plan = _Plan(compiled.string, slots, columns)
    _PLANS[(id(statement), keys)] = (statement, plan)
    return plan


def _bind(compiled: Any, name: str, processors: Any, dialect: Dialect) -> Any:
    """The parameter's processor: SQLAlchemy's, or one that gives the same faster."""
    slow = processors.get(name)
    return None if slow is None else fast_bind(compiled.binds[name].type, dialect, slow)


async def _driver(session: AsyncSession) -> sqlite3.Connection | None:
    """The ``sqlite3`` connection of the session's transaction, if this module may use it."""
    sync = session.sync_session
    if sync._new or sync._deleted or sync.identity_map._modified:
        return None
    writer: sqlite3.Connection | None = session.info.get(WRITER_RAW)
    if writer is not None:  # the writers' own connection: its unit of work begins here
        begin_writer(writer)
        return writer
    transaction = sync.get_transaction()
    cached = session.info.get(_KEY)
    if cached is not None and transaction is not None and cached[0] is transaction:
        raw: sqlite3.Connection | None = cached[1]
        return raw
    connection = await session.connection()
    driver = connection.sync_connection.connection.driver_connection  # type: ignore[union-attr]
    raw = driver._connection if isinstance(driver, InlineConnection) else None
    session.info[_KEY] = (sync.get_transaction(), raw)
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

    For a caller's own plain SQL on the transaction (``writer_lease``'s fence); None on
    PostgreSQL, on aiosqlite's threaded connection, or with ORM objects waiting to be flushed.
    """
    return await _driver(session)


async def execute(session: AsyncSession, statement: Any, params: Params | Sequence[Params]) -> int:
    """Execute a write (one parameter dict, or a list: ``executemany``); the rows it touched."""
    many: Sequence[Params] = [params] if isinstance(params, dict) else params
    if not many:
        return 0
    raw = await _driver(session)
    plan = None if raw is None else _plan(statement, session.get_bind().dialect, tuple(many[0]))
    if raw is None or plan is None:
        return rowcount(await session.execute(statement, params))
    cursor = raw.cursor()
    try:
        if len(many) == 1:
            cursor.execute(plan.sql, plan.args(many[0]))
        else:
            cursor.executemany(plan.sql, [plan.args(p) for p in many])
        return cursor.rowcount
    except sqlite3.Error as exc:
        raise DBAPIError.instance(plan.sql, params, exc, sqlite3.Error) from exc
    finally:
        cursor.close()


async def inserted_id(session: AsyncSession, statement: Any, params: Params) -> int:
    """Execute an ``INSERT`` of one row; its integer id (its ``RETURNING``; SQLite: the rowid)."""
    returning = bool(getattr(statement, "_returning", ()))
    raw = await _driver(session)
    plan = None if raw is None else _plan(statement, session.get_bind().dialect, tuple(params))
    if raw is None or plan is None:
        result = await session.execute(statement, params)
        if returning:
            return int(result.scalar_one())
        return int(cast(CursorResult[Any], result).lastrowid)
    cursor = raw.cursor()
    try:
        cursor.execute(plan.sql, plan.args(params))
        row = cursor.fetchone() if returning else None
        last = cursor.lastrowid
    except sqlite3.Error as exc:
        raise DBAPIError.instance(plan.sql, params, exc, sqlite3.Error) from exc
    finally:
        cursor.close()
    return int(row[0] if row is not None else last)  # type: ignore[arg-type]


async def rows(session: AsyncSession, statement: Any, params: Params | None = None) -> list[Any]:
    """Execute a ``SELECT``; its rows, each a tuple of values as the session returns them."""
    params = params or {}
    raw = await _driver(session)
    plan = None if raw is None else _plan(statement, session.get_bind().dialect, tuple(params))
    if raw is None or plan is None:
        return [tuple(row) for row in (await session.execute(statement, params)).all()]
    cursor = raw.cursor()
    try:
        cursor.execute(plan.sql, plan.args(params))
        found = cursor.fetchall()
    except sqlite3.Error as exc:
        raise DBAPIError.instance(plan.sql, params, exc, sqlite3.Error) from exc
    finally:
        cursor.close()
    columns = plan.columns
    if not any(columns):
        return found
    return [
        tuple(v if p is None else p(v) for v, p in zip(row, columns, strict=True)) for row in found
    ]
