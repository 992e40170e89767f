"""PostgreSQL: ``driver``'s writes run on the transaction's asyncpg connection itself.

Through the session a prebuilt statement costs SQLAlchemy's execution context, compiled-cache
look-up, events and result set-up, each call through a greenlet, around asyncpg's own work; the
order engine sends a few dozen per candle time of 100 pairs (docs/BENCHMARKS.md, issue 17).
Here a statement is compiled once per column set with SQLAlchemy's compiler for the asyncpg
dialect (the SQL, ``$n::TYPE`` casts included, and bound values ``session.execute`` would send)
and run by asyncpg on the connection whose transaction the session holds: begun as
SQLAlchemy's adapter begins it (``_start_transaction``, under its mutex), so that the session's
commit and rollback end it. Only where that is the same thing; else ``None`` and the caller goes
through the session:

* no ORM object waiting in the session to be flushed (the session would write it first);
* no expanding (``IN``) or Python-side default parameter.

Rows touched: one row's statement reports its count ("UPDATE 1"); a list of rows runs as one
``executemany`` (asyncpg: one round trip, atomic) that reports none (-1), as through the session.
A driver error is raised as SQLAlchemy's (``IntegrityError`` ...), as through the session.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_connection
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from cryptotrader.persistence.types import fast_bind_postgresql

Params = dict[str, Any]

_KEY = "cryptotrader.driver_pg"


@dataclass(frozen=True, slots=True)
class _Plan:
    sql: str
    args: Callable[[Params], list[Any]]
    """The positional values (``$1`` ...) of a parameter dict: each slot's name looked up (its
    default if not given) through its type's processor, written out once (``driver.binder``);
    the usual values through ``types.fast_bind_postgresql``'s short paths."""


def binds_plainly(compiled: Any) -> bool:
    """Whether a compiled statement binds its parameters as ``driver`` and this module bind them.

    That is: one by one, in ``positiontup``'s order, nothing computed at execution (no
    prefetch, expanding or callable binds, no post-compile or escaped names).
    """
    return not (
        compiled.insert_prefetch
        or compiled.update_prefetch
        or compiled.post_compile_params
        or compiled.literal_execute_params
        or compiled.escaped_bind_names
        or any(bind.expanding or bind.callable for bind in compiled.binds.values())
        or compiled.positiontup is None
    )


_PLANS: dict[tuple[int, int, tuple[str, ...]], tuple[Any, _Plan | None]] = {}


def _plan(statement: Any, dialect: Dialect, keys: tuple[str, ...]) -> _Plan | None:
    """The statement compiled for ``keys`` (None: not one this module runs)."""
    key = (id(statement), id(dialect), keys)
    found = _PLANS.get(key)
    if found is not None and found[0] is statement:
        return found[1]
    compiled: Any = statement.compile(dialect=dialect, column_keys=list(keys))
    plain = binds_plainly(compiled)
    plan = None
    if plain:
        from cryptotrader.persistence.driver import binder  # noqa: PLC0415 - it imports this

        processors = compiled._bind_processors
        slots = [
            (name, compiled.binds[name].value, _bind(compiled, name, processors, dialect))
            for name in compiled.positiontup
        ]
        plan = _Plan(compiled.string, binder(slots))
    _PLANS[key] = (statement, plan)
    return plan


def _bind(compiled: Any, name: str, processors: Any, dialect: Dialect) -> Any:
    """The parameter's processor: SQLAlchemy's, or one that gives the same faster."""
    slow = processors.get(name)
    return None if slow is None else fast_bind_postgresql(compiled.binds[name].type, dialect, slow)


async def _adapter(session: AsyncSession) -> AsyncAdapt_asyncpg_connection | None:
    """The asyncpg adapter of the session's transaction, if this module may use it."""
    sync = session.sync_session
    if sync._new or sync._deleted or sync.identity_map._modified:
        return None
    transaction = sync.get_transaction()
    cached = session.info.get(_KEY)
    if cached is not None and transaction is not None and cached[0] is transaction:
        found: AsyncAdapt_asyncpg_connection | None = cached[1]
        return found
    connection = await session.connection()
    adapter = connection.sync_connection.connection.dbapi_connection  # type: ignore[union-attr]
    found = adapter if isinstance(adapter, AsyncAdapt_asyncpg_connection) else None
    session.info[_KEY] = (sync.get_transaction(), found)
    return found


_T = TypeVar("_T")


async def _run(
    adapter: AsyncAdapt_asyncpg_connection,
    work: Callable[[Any], Awaitable[_T]],
    sql: str,
    params: Any,
) -> _T:
    """``work(asyncpg connection)`` in the session's transaction (begun here if not yet)."""
    async with adapter._execute_mutex:
        try:
            if adapter._transaction is None:
                await adapter._start_transaction()  # type: ignore[no-untyped-call]
            return await work(adapter._connection)
        except Exception as error:
            dbapi: Any = adapter.dbapi
            try:
                adapter._handle_exception(error)  # raises it as the DB-API module's
            except dbapi.Error as translated:
                raise DBAPIError.instance(sql, params, translated, dbapi.Error) from error
            raise  # pragma: no cover - _handle_exception always raises


def _count(status: str | None) -> int:
    """The rows a command's status names ("UPDATE 3", "INSERT 0 1", "DELETE 0"), else -1."""
    if not status:
        return -1
    last = status.rpartition(" ")[2]
    return int(last) if last.isdigit() and status.split(" ", 1)[0] != "SELECT" else -1


async def execute(session: AsyncSession, statement: Any, many: Sequence[Params]) -> int | None:
    """``driver.execute`` on asyncpg (rows it touched, -1 for a list); None: use the session."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    adapter = await _adapter(session)
    if adapter is None:
        return None
    plan = _plan(statement, session.get_bind().dialect, tuple(many[0]))
    if plan is None:
        return None
    sql = plan.sql
    if len(many) == 1:
        args = plan.args(many[0])

        async def one(connection: Any) -> int:
            return _count(await connection.execute(sql, *args))

        return await _run(adapter, one, sql, many[0])
    rows = [plan.args(p) for p in many]

    async def each(connection: Any) -> int:
        await connection.executemany(sql, rows)
        return -1

    return await _run(adapter, each, sql, list(many))


async def inserted_id(session: AsyncSession, statement: Any, params: Params) -> int | None:
    """An ``INSERT ... RETURNING`` of one row's integer id on asyncpg; None: use the session."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    adapter = await _adapter(session)
    if adapter is None:
        return None
    plan = _plan(statement, session.get_bind().dialect, tuple(params))
    if plan is None:
        return None
    sql, args = plan.sql, plan.args(params)

    async def returned(connection: Any) -> int:
        return int(await connection.fetchval(sql, *args))

    return await _run(adapter, returned, sql, params)


async def plain_rows(session: AsyncSession, sql: str) -> list[Any] | None:
    """Plain SQL without parameters on asyncpg (its rows, as tuples); None: use the session.

    For a caller's own query before every commit (``writer_lease``'s fence).
    """
    if session.get_bind().dialect.name != "postgresql":
        return None
    adapter = await _adapter(session)
    if adapter is None:
        return None

    async def fetched(connection: Any) -> list[Any]:
        return [tuple(row) for row in await connection.fetch(sql)]

    return await _run(adapter, fetched, sql, ())
