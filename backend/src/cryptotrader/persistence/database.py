"""The database handle: one async engine, its sessions, and a clear error when it is unreachable.

On SQLite one process writes at a time and, inside a process, the application serialises its
writers itself: a ``UnitOfWork`` that may write takes ``writer`` (an ``asyncio.Lock``, fair and
without timeout) and opens ``BEGIN IMMEDIATE``, so its write lock is taken up front, where
``busy_timeout`` applies when another process holds it. A deferred ``BEGIN`` that reads and then
writes fails at once with "database is locked" when another writer committed in between (WAL's
snapshot rule): that was the 503 of parallel logins and of ``pause`` inside ``run --api``.
Read-only units of work keep a deferred ``BEGIN`` and never wait for writers (WAL).

``DATABASE_URL`` may use the conventional spellings (``postgresql://``, ``postgres://``,
``sqlite:///``): they are mapped to the async drivers (asyncpg, aiosqlite). Nothing connects at
import time or in the constructor; ``check()`` connects once and turns any failure into one line.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosqlite
from sqlalchemy import event, text
from sqlalchemy.dialects.sqlite.aiosqlite import SQLiteDialect_aiosqlite
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, DisconnectionError, SQLAlchemyError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session
from sqlalchemy.pool import PoolResetState
from sqlalchemy.util import await_only

from cryptotrader.errors import ConfigurationError, OperationalError
from cryptotrader.persistence.inline_sqlite import InlineConnection, inline_connector

_ASYNC_DRIVERS = {"postgresql": "postgresql+asyncpg", "sqlite": "sqlite+aiosqlite"}
_CONNECT_TIMEOUT_S = 5.0


def normalise_url(url: str) -> URL:
    """Parse a database URL and select the async driver for its backend.

    Raises:
        ConfigurationError: the URL cannot be parsed or names an unsupported backend or driver.
    """
    try:
        parsed = make_url(url.replace("postgres://", "postgresql://", 1))
    except ArgumentError:
        raise ConfigurationError(f"DATABASE_URL is not a database URL: {url!r}") from None
    backend = parsed.get_backend_name()
    if backend not in _ASYNC_DRIVERS:
        raise ConfigurationError(
            f"DATABASE_URL: unsupported database {backend!r} (use postgresql:// or sqlite:///)"
        )
    if parsed.drivername == backend:
        return parsed.set(drivername=_ASYNC_DRIVERS[backend])
    if parsed.drivername != _ASYNC_DRIVERS[backend]:
        wanted = _ASYNC_DRIVERS[backend]
        raise ConfigurationError(
            f"DATABASE_URL: driver {parsed.drivername!r} is not async; use {wanted}"
        )
    return parsed


def _sqlite_pragmas(dbapi_connection: Any, _record: object) -> None:
    # Let SQLAlchemy emit BEGIN itself (the driver's implicit transactions break savepoints), and
    # make SQLite enforce foreign keys and wait for a busy writer instead of failing at once.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in (
        "foreign_keys=ON",
        "journal_mode=WAL",
        "synchronous=NORMAL",
        f"busy_timeout={SQLITE_BUSY_TIMEOUT_MS}",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


SQLITE_BUSY_TIMEOUT_MS = 30_000
"""How long a write waits for another process's write lock before failing (503)."""

READ_ONLY = "cryptotrader_read_only"
"""Execution option of read-only transactions: a deferred ``BEGIN`` on SQLite."""


def _sqlite_begin(connection: Any) -> None:
    read_only = connection.get_execution_options().get(READ_ONLY, False)
    statement = "BEGIN" if read_only else "BEGIN IMMEDIATE"
    driver = connection.connection.driver_connection
    raw = driver._connection if isinstance(driver, aiosqlite.Connection) else None
    if raw is None:
        connection.exec_driver_sql(statement)
        return
    if raw.in_transaction and connection.info.get(_WRITER):
        return  # the writer's unit of work began it on sqlite3 (``begin_writer``): join it
    # On sqlite3 itself: SQLAlchemy's execution costs ~40x it. Inline (the loop's own thread) at
    # once; threaded, as one call of aiosqlite's worker thread (it owns the connection), not the
    # three thread hops of SQLAlchemy's cursor (cursor, execute, close).
    try:
        if isinstance(driver, InlineConnection):
            raw.execute(statement)
        else:
            await_only(driver._execute(_run_plain, raw, statement))
    except sqlite3.Error as exc:
        raise DBAPIError.instance(statement, (), exc, sqlite3.Error) from exc


def _run_plain(raw: sqlite3.Connection, statement: str) -> None:
    raw.execute(statement).close()


def _closed_replaced(dbapi_connection: Any, _record: object, _proxy: object) -> None:
    """A pooled PostgreSQL connection the server closed (a restart, a cut) is replaced.

    Instead of ``pool_pre_ping``, which on asyncpg costs three round trips per checkout
    (``BEGIN``, ``;``, ``ROLLBACK``: the order engine's batch makes several transactions per
    candle time). asyncpg reads its idle connections, so one the server ended says so at once
    (``is_closed``); one cut silently fails its first statement, as a cut during a transaction
    does, and the pool drops it then (SQLAlchemy's ``is_disconnect``).

    Raises:
        DisconnectionError: the pool then checks out another (a new connection).
    """
    driver = getattr(dbapi_connection, "_connection", None)
    if driver is not None and driver.is_closed():
        raise DisconnectionError("the server closed this connection")


def _sqlite_reset(dbapi_connection: Any, _record: object, state: PoolResetState) -> None:
    """A connection back in the pool: rolled back only if a transaction is still open on it.

    The pool's own reset (``reset_on_return``, off for SQLite) rolls back every connection
    returned after a commit too, a no-op on SQLite that cost one of aiosqlite's thread hops per
    unit of work. ``in_transaction`` is SQLite's own flag (readable from any thread); with
    ``isolation_level=None`` a transaction exists only between our ``BEGIN`` and its end.
    """
    if not state.asyncio_safe or state.transaction_was_reset:
        return  # as the pool's own rollback-on-return
    driver = dbapi_connection.driver_connection
    raw = driver._connection if isinstance(driver, aiosqlite.Connection) else None
    if raw is None or raw.in_transaction:
        dbapi_connection.rollback()


_WRITER = "cryptotrader.writer"
"""Marks the inline writers' connection (its pool record's ``info``): ``writer_session``."""

WRITER_RAW = "cryptotrader.writer_raw"
"""``session.info``: a writer session's ``sqlite3`` connection (``Database.writer_session``)."""

WRITER_KEPT = "cryptotrader.writer_kept"
"""``session.info``: what ``driver`` keeps of a writer session's connection (its dialect ...):
the one entry of its ``info`` a writer session carries over to the next unit of work."""


class WriterSession(Session):
    """The session of a writer's unit of work (``Database.writer_session``).

    Its transaction may be sqlite3's alone (begun by ``begin_writer``, the session knowing
    nothing of it): committing or rolling back the session does the same to sqlite3's, so that
    ``session.commit()`` and ``session.rollback()`` mean what they say there too.
    """

    def commit(self) -> None:
        """Commit the session's transaction, then sqlite3's if still open."""
        super().commit()
        raw: sqlite3.Connection | None = self.info.get(WRITER_RAW)
        if raw is not None and raw.in_transaction:
            try:
                raw.commit()
            except sqlite3.Error as exc:
                raise DBAPIError.instance("COMMIT", (), exc, sqlite3.Error) from exc

    def rollback(self) -> None:
        """Roll back the session's transaction, then sqlite3's if still open."""
        super().rollback()
        raw: sqlite3.Connection | None = self.info.get(WRITER_RAW)
        if raw is not None and raw.in_transaction:
            raw.rollback()


def begin_writer(raw: sqlite3.Connection) -> None:
    """``BEGIN IMMEDIATE`` on the inline writer's ``sqlite3`` connection, unless begun.

    Raises:
        DBAPIError: SQLite refused (another process held the write lock past ``busy_timeout``).
    """
    if raw.in_transaction:
        return
    try:
        raw.execute("BEGIN IMMEDIATE")
    except sqlite3.Error as exc:
        raise DBAPIError.instance("BEGIN IMMEDIATE", (), exc, sqlite3.Error) from exc


_WRITERS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Lock]] = (
    weakref.WeakKeyDictionary()
)


def _writer_lock(key: str) -> asyncio.Lock:
    """The writer lock of one SQLite file on the running loop (shared by its ``Database``s)."""
    locks = _WRITERS.setdefault(asyncio.get_running_loop(), {})
    return locks.setdefault(key, asyncio.Lock())


@dataclass(frozen=True, slots=True)
class Pool:
    """A PostgreSQL connection pool: its size, and how long a unit of work waits for a connection.

    ``size`` connections are kept open, ``overflow`` more opened under load; a unit of work that
    finds none free within ``timeout_s`` fails with ``sqlalchemy.exc.TimeoutError`` (the API
    answers 503 "the database is busy").

    SQLAlchemy's defaults; the API reads its own from ``ApiSettings`` (``database_pool_*``).
    """

    size: int = 5
    overflow: int = 10
    timeout_s: float = 30.0


class Database:
    """An async engine and its session factory, for SQLite or PostgreSQL.

    Args:
        url: the database URL (see ``normalise_url``).
        schema: PostgreSQL only: the schema to work in (``search_path``); tests use one each.
        echo: log every SQL statement.
        inline: SQLite only: run SQLite's calls on the event loop's thread instead of
            aiosqlite's worker thread (``inline_sqlite``): about twice as fast for a pipeline
            that waits for the database anyway, but a statement, or a write waiting for another
            process's lock (up to ``busy_timeout``), blocks the whole event loop. Only for a
            process that serves nothing else on its loop (a replay, ``run`` without the API);
            never for one that serves the API. Ignored for PostgreSQL (asyncpg has no thread).
        pool: PostgreSQL: the connection pool's size and wait (``Pool``). SQLite keeps
            ``pool.size`` connections and opens more without limit or wait: its writers wait
            for the writer lock instead.

    Raises:
        ConfigurationError: the URL is invalid.

    Example:
        >>> db = Database("sqlite:///:memory:")
        >>> db.dialect
        'sqlite'
    """

    def __init__(
        self,
        url: str,
        *,
        schema: str | None = None,
        echo: bool = False,
        inline: bool = False,
        pool: Pool | None = None,
    ) -> None:
        self.url = normalise_url(url)
        self._dialect = self.url.get_backend_name()  # asked by every unit of work: once here
        self.pool = pool or Pool()
        self.schema = schema
        self.inline = inline and self.dialect == "sqlite"
        self.engine: AsyncEngine = self._create_engine(echo)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self.read_sessions = async_sessionmaker(
            self.engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False
        )
        self._writer_key: str | None = None
        """The SQLite file's resolved path (its writer lock's key), once asked."""
        self._loop_writer: tuple[asyncio.AbstractEventLoop, asyncio.Lock] | None = None
        """``writer`` of the loop that last asked (looked up again on another loop)."""
        self._writer_connection: AsyncConnection | None = None
        """Inline SQLite: the connection the writers' units of work share (``writer_session``)."""
        self._writer_raw: sqlite3.Connection | None = None
        """Its ``sqlite3`` connection."""
        self._spare_session: AsyncSession | None = None
        """A writer session that ended clean, for the next one (``writer_session_done``)."""
        self.commit_check: Callable[[AsyncSession], Awaitable[None]] | None = None
        """Run in each unit of work's transaction before it commits (raising rolls it back): the
        single-writer fence of the order and portfolio engines (``engines.writer_lease``)."""

    @property
    def writer(self) -> asyncio.Lock | None:
        """SQLite: the lock every unit of work that may write holds (one writer per file)."""
        if self.dialect != "sqlite":
            return None
        loop = asyncio.get_running_loop()
        cached = self._loop_writer
        if cached is not None and cached[0] is loop:
            return cached[1]
        key = self._writer_key
        if (
            key is None
        ):  # resolved once: resolving cost more than the rest of a unit of work's start
            database = self.url.database or ""
            in_file = database not in ("", ":memory:")
            path = str(Path(database).expanduser().resolve()) if in_file else ""
            key = self._writer_key = path or f"memory:{id(self)}"
        lock = _writer_lock(key)
        self._loop_writer = (loop, lock)
        return lock

    async def writer_session(self) -> AsyncSession | None:
        """Inline SQLite: a session on the writers' own connection; None otherwise.

        Only for the holder of ``writer`` (``UnitOfWork``). A unit of work on the pool cost
        about 200 us of SQLAlchemy (session, checkout, begin, commit, check-in and reset,
        each through a greenlet) around a few of SQLite (docs/BENCHMARKS.md, issue 17): the
        writers of a process run one at a time anyway, so they keep one connection, and the
        unit of work begins and commits on its ``sqlite3`` connection itself
        (``begin_writer``, lazily, at the first statement). The session is a plain one bound
        to that connection: what goes through it (ORM reads and writes) joins the same
        transaction, and a commit goes through it when it has something of its own to flush.
        ``session.info[WRITER_RAW]`` is the ``sqlite3`` connection.
        """
        if not self.inline or self.url.database in (None, "", ":memory:"):
            return None  # in memory, the pool's one connection is every session's: not its own
        connection = self._writer_connection
        if connection is None or connection.closed or connection.invalidated:
            connection = self._writer_connection = await self.engine.connect()
            connection.sync_connection.info[_WRITER] = True  # type: ignore[union-attr]
            self._spare_session = None
            driver = connection.sync_connection.connection.driver_connection  # type: ignore[union-attr]
            assert isinstance(driver, InlineConnection)
            self._writer_raw = driver._connection  # the same until the connection is replaced
        session, self._spare_session = self._spare_session, None
        if session is None:
            session = AsyncSession(
                bind=connection, expire_on_commit=False, sync_session_class=WriterSession
            )
        session.info[WRITER_RAW] = self._writer_raw
        return session

    def writer_session_done(self, session: AsyncSession) -> None:
        """Keep a writer session that ended clean for the next writer.

        Building one cost more than the rest of a unit of work. Its ``info`` is emptied (but
        for ``WRITER_KEPT``: per connection, not per transaction); one left with a transaction
        or objects is dropped.
        """
        sync = session.sync_session
        if sync.in_transaction() or sync.identity_map or sync._new or sync._deleted:
            return
        info = sync.info
        kept = info.get(WRITER_KEPT)
        info.clear()
        if kept is not None:  # the same connection's (a new one comes with a new session)
            info[WRITER_KEPT] = kept
        self._spare_session = session

    async def drop_writer_connection(self) -> None:
        """Close the writers' connection (a new one at the next ``writer_session``)."""
        connection, self._writer_connection = self._writer_connection, None
        if connection is not None:
            with contextlib.suppress(SQLAlchemyError, sqlite3.Error):
                await connection.close()

    @property
    def dialect(self) -> str:
        """``postgresql`` or ``sqlite``."""
        return self._dialect

    @property
    def display_url(self) -> str:
        """The URL with its password hidden, for messages and logs."""
        return self.url.render_as_string(hide_password=True)

    def _create_engine(self, echo: bool) -> AsyncEngine:
        if self.dialect == "sqlite":
            database = self.url.database or ""
            if database and database != ":memory:":
                path = Path(database).expanduser()
                path.parent.mkdir(parents=True, exist_ok=True)
                # Private from the first byte: it holds password hashes, sessions and encrypted
                # keys (SQLite gives its -wal and -shm files the same mode).
                path.touch(mode=0o600, exist_ok=True)
            # No cap on connections: a SQLite connection is a file handle, and writers already
            # queue on ``writer``. A capped pool only added a 30 s wait for a connection that,
            # on a starved event loop (``run --api`` at load 20), answered logins with 503.
            in_file = database not in ("", ":memory:")  # memory: one shared connection
            pooling: dict[str, Any] = (
                {"pool_size": self.pool.size, "max_overflow": -1} if in_file else {}
            )
            if self.inline:
                args, kwargs = SQLiteDialect_aiosqlite().create_connect_args(self.url)
                creator = inline_connector(*args, **kwargs)
                engine = create_async_engine(
                    self.url,
                    echo=echo,
                    async_creator=creator,
                    pool_reset_on_return=None,  # _sqlite_reset
                    **pooling,
                )
            else:
                engine = create_async_engine(
                    self.url, echo=echo, pool_reset_on_return=None, **pooling
                )
            event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
            event.listen(engine.sync_engine, "begin", _sqlite_begin)
            event.listen(engine.sync_engine.pool, "reset", _sqlite_reset)
            return engine
        settings = {"application_name": "cryptotrader"}
        if self.schema:
            settings["search_path"] = self.schema
        engine = create_async_engine(
            self.url,
            echo=echo,
            pool_size=self.pool.size,
            max_overflow=self.pool.overflow,
            pool_timeout=self.pool.timeout_s,
            connect_args={"server_settings": settings, "timeout": _CONNECT_TIMEOUT_S},
        )
        event.listen(engine.sync_engine.pool, "checkout", _closed_replaced)
        return engine

    async def check(self) -> None:
        """Connect once and run ``SELECT 1``.

        Raises:
            OperationalError: the server cannot be reached or refuses us; one line that names the
                URL (password hidden) and the reason.
        """
        try:
            async with asyncio.timeout(_CONNECT_TIMEOUT_S + 1):
                reader = self.engine.execution_options(**{READ_ONLY: True})
                async with reader.connect() as connection:
                    await connection.execute(text("SELECT 1"))
        except (OSError, SQLAlchemyError, TimeoutError) as exc:
            raise OperationalError(
                f"database {self.display_url} cannot be reached: {_reason(exc)}"
                " (is the server running? check DATABASE_URL)"
            ) from None

    async def dispose(self) -> None:
        """Close every pooled connection (and the writers' own)."""
        await self.drop_writer_connection()
        await self.engine.dispose()

    def session(self) -> AsyncSession:
        """A new session (prefer ``UnitOfWork``, which owns commit and rollback)."""
        return self.sessions()


def _reason(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return f"no answer within {_CONNECT_TIMEOUT_S:.0f} s"
    cause: BaseException = exc.orig if isinstance(exc, DBAPIError) and exc.orig else exc
    while cause.__cause__ is not None and not str(cause):
        cause = cause.__cause__
    text_ = " ".join(str(cause).split()) or type(cause).__name__
    return text_[:300]
