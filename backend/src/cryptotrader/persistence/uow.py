"""Unit of work: one session, one transaction, committed only when asked.

Engines open one per message or task and never keep a session around (no session stored on a
class). Leaving the block without ``commit()``, or with an exception, rolls everything back;
rows read inside stay readable after a clean exit.

``UnitOfWork(database, read_only=True)`` is for reads only: on SQLite it neither waits for the
writer lock nor takes one (see ``Database``), so it must not write. A unit of work opened inside
another one of the same database *in the same task* does not take the writer lock again (it
would wait for itself); it reads beside the outer one and must not write either.

"In the same task" is checked, not assumed: the holder is recorded as (lock, task). A task
started while a unit of work was open (``create_task``, ``gather``, ``wait_for``, a consumer
a bus starts lazily) copies the context of its creator; when the holder was a flag in the
context, such a task believed it held the lock, opened deferred transactions that wrote without
it, and failed with "database is locked" as soon as another writer committed between its read
and its write (``ensure_pair`` in ``run --replay --api``, a login answering 503). Such a task
now takes the lock like any other writer.

``after_commit(session, callback)`` runs ``callback`` once ``UnitOfWork.commit`` has made the
session's changes durable (never after a rollback): how in-memory state that mirrors the
database (caches, the progress checkpoint) follows only what was committed. ``when_done(session,
callback)`` awaits ``callback()`` once such a unit of work has ended and released the writer
lock: how the outbox's relay sends the events a transaction wrote (``cryptotrader.outbox``).

On inline SQLite (``Database(inline=True)``, a file) the units of work that may write share
one connection and begin and commit on ``sqlite3`` itself (``Database.writer_session``): the
pool's checkout, the session's transaction and their greenlets cost ~200 us per unit of work,
~10x the transaction. The session is still a session (the ORM joins the same transaction).
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import sqlite3
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from cryptotrader.persistence.database import WRITER_RAW, Database

log = logging.getLogger(__name__)


class UnitOfWork:
    """A transaction the caller commits explicitly.

    Args:
        database: where the session comes from.

    Example:
        async with UnitOfWork(database) as uow:
            await orders.add_order(session=uow.session, order=order, exchange="binance")
            await uow.commit()
    """

    def __init__(self, database: Database, *, read_only: bool = False) -> None:
        self._database = database
        self._read_only = read_only
        self._session: AsyncSession | None = None
        self._held: asyncio.Lock | None = None
        self._token: contextvars.Token[frozenset[_Holder]] | None = None
        self._when_done: list[Callable[[], Awaitable[None]]] = []

    @property
    def session(self) -> AsyncSession:
        """The session of this unit of work (only inside the ``async with`` block)."""
        if self._session is None:
            raise RuntimeError("UnitOfWork.session used outside 'async with'")
        return self._session

    async def __aenter__(self) -> UnitOfWork:
        writer = None if self._read_only else self._database.writer
        holders = _HOLDERS.get()
        nested = writer is not None and (writer, asyncio.current_task()) in holders
        lock = None if nested else writer
        if lock is not None:
            await lock.acquire()
            self._held = lock
            self._token = _HOLDERS.set(holders | {(lock, asyncio.current_task())})
        try:
            plain = self._read_only or nested
            light = None if plain else await self._database.writer_session()
            if light is not None:  # inline SQLite: begun at its first statement (``driver``)
                self._session = light
            else:
                sessions = self._database.read_sessions if plain else self._database.sessions
                self._session = sessions()
                await self._session.begin()
        except BaseException:
            self._release()
            raise
        return self

    def _release(self) -> None:
        if self._token is not None:
            _HOLDERS.reset(self._token)
            self._token = None
        if self._held is not None:
            self._held.release()
            self._held = None

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        session, self._session = self.session, None
        session.info.pop(_AFTER_COMMIT, None)  # not committed: the callbacks never run
        session.info.pop(_WHEN_DONE, None)
        raw: sqlite3.Connection | None = session.info.get(WRITER_RAW)
        if raw is not None:
            try:
                await self._end_writer(session, raw, clean=exc is None)
            finally:
                self._release()
                await self._done()
            return
        try:
            if exc is None:
                # Rows read here stay readable after the block (a rollback would expire them).
                session.expunge_all()
            if session.in_transaction():
                await session.rollback()
        finally:
            try:
                await session.close()
            finally:
                self._release()
                await self._done()

    async def _end_writer(
        self, session: AsyncSession, raw: sqlite3.Connection, *, clean: bool
    ) -> None:
        """End a writer session (``Database.writer_session``): what is not committed rolls back.

        The session and its connection are kept for the next writer; if the rollback fails,
        both are dropped (a new connection next time).
        """
        try:
            if clean and session.sync_session.identity_map:
                session.expunge_all()  # rows read here stay readable (a rollback would expire them)
            if session.in_transaction():
                await session.rollback()
            if raw.in_transaction:
                raw.rollback()
            if session.sync_session.identity_map:
                session.expunge_all()
        except BaseException:
            await self._database.drop_writer_connection()
            raise
        self._database.writer_session_done(session)

    async def _done(self) -> None:
        """Await what the commits asked for, the writer lock released; failures are logged."""
        callbacks, self._when_done = self._when_done, []
        for callback in callbacks:
            try:
                await callback()
            except Exception:  # the changes are committed: a follow-up failure must not undo them
                log.exception("after the unit of work: %r failed", callback)

    async def commit(self) -> None:
        """Make every change of this unit of work durable, atomically, then run its callbacks."""
        session = self.session
        check = self._database.commit_check
        if check is not None:
            await check(session)
        raw: sqlite3.Connection | None = session.info.get(WRITER_RAW)
        if raw is None or _orm_work(session):
            await session.commit()
        elif raw.in_transaction:  # only ``driver`` statements: on sqlite3 itself
            try:
                raw.commit()
            except sqlite3.Error as exc:
                raise DBAPIError.instance("COMMIT", (), exc, sqlite3.Error) from exc
        callbacks = session.info.pop(_AFTER_COMMIT, None)
        for callback in callbacks or ():
            callback()
        for done in session.info.pop(_WHEN_DONE, None) or ():
            if done not in self._when_done:
                self._when_done.append(done)

    async def rollback(self) -> None:
        """Discard every change since the last commit."""
        self.session.info.pop(_AFTER_COMMIT, None)
        self.session.info.pop(_WHEN_DONE, None)
        await self.session.rollback()  # a writer session's rolls sqlite3's back too


def _orm_work(session: AsyncSession) -> bool:
    """True when the session has begun a transaction or holds changes to flush."""
    sync = session.sync_session
    return sync.in_transaction() or bool(sync._new or sync._deleted or sync.identity_map._modified)


_AFTER_COMMIT = "cryptotrader.after_commit"
_WHEN_DONE = "cryptotrader.when_done"
_Holder = tuple[asyncio.Lock, "asyncio.Task[Any] | None"]
_HOLDERS: contextvars.ContextVar[frozenset[_Holder]] = contextvars.ContextVar(
    "uow_writer_holders", default=frozenset()
)
"""The writer locks held, each with the task holding it (a copied context is not a holder)."""


def after_commit(session: AsyncSession, callback: Callable[[], None]) -> None:
    """Run ``callback`` once ``session``'s transaction is committed by its ``UnitOfWork``.

    Dropped if it rolls back, or if the session is committed some other way: a callback may only
    let in-memory state catch up with what was committed (whoever relies on that state must
    forget it before the write, so that a dropped callback leaves it absent, never stale).
    """
    session.info.setdefault(_AFTER_COMMIT, []).append(callback)


def when_done(session: AsyncSession, callback: Callable[[], Awaitable[None]]) -> None:
    """Await ``callback()`` when the ``UnitOfWork`` that commits ``session`` ends.

    It runs after the block, the writer lock released, once even if asked several times (same
    callable) or committed several times; dropped if nothing was committed. A failure is logged:
    what the commit made durable stays.
    """
    callbacks = session.info.setdefault(_WHEN_DONE, [])
    if callback not in callbacks:
        callbacks.append(callback)
