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

from cryptotrader.persistence.inline_sqlite import InlineConnection
from cryptotrader.persistence.repositories._sql import rowcount

Params = dict[str, Any]

_KEY = "cryptotrader.driver"


@dataclass(frozen=True, slots=True)
class _Plan:
    sql: str
    compiled: Any
    names: tuple[str, ...]
    processors: tuple[Callable[[Any], Any] | None, ...]

    def args(self, params: Params) -> tuple[Any, ...]:
        values = self.compiled.construct_params(params, _check=False)
        return tuple(
            values[name] if process is None else process(values[name])
            for name, process in zip(self.names, self.processors, strict=True)
        )


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
        or any(bind.expanding for bind in compiled.binds.values())
        or compiled.positiontup is None
    )
    plan = None
    if plain:
        names = tuple(compiled.positiontup)
        processors = compiled._bind_processors
        plan = _Plan(compiled.string, compiled, names, tuple(map(processors.get, names)))
    _PLANS[(id(statement), keys)] = (statement, plan)
    return plan


async def _driver(session: AsyncSession) -> sqlite3.Connection | None:
    """The ``sqlite3`` connection of the session's transaction, if this module may use it."""
    sync = session.sync_session
    if sync._new or sync._deleted or sync.identity_map._modified:
        return None
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


async def execute(session: AsyncSession, statement: Any, params: Params | Sequence[Params]) -> int:
    """Execute a write (one parameter dict, or a list: ``executemany``); the rows it touched."""
    many = not isinstance(params, dict)
    first = params[0] if many else params  # type: ignore[index]
    raw = await _driver(session)
    plan = None if raw is None else _plan(statement, session.get_bind().dialect, tuple(first))
    if raw is None or plan is None:
        return rowcount(await session.execute(statement, params))
    cursor = raw.cursor()
    try:
        if many:
            cursor.executemany(plan.sql, [plan.args(p) for p in params])  # type: ignore[union-attr]
        else:
            cursor.execute(plan.sql, plan.args(first))
        return cursor.rowcount
    except sqlite3.Error as exc:
        raise DBAPIError.instance(plan.sql, params, exc, sqlite3.Error) from exc
    finally:
        cursor.close()


async def inserted_id(session: AsyncSession, statement: Any, params: Params) -> int:
    """Execute an ``INSERT`` of one row; its integer id (its ``RETURNING``, else the rowid)."""
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
