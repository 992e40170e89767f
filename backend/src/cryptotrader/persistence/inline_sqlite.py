"""An aiosqlite connection that runs every SQLite call inline, on the event loop's own thread.

aiosqlite gives each connection a worker thread and sends it every call (execute, fetch, cursor,
commit ...): the event loop stays free while SQLite works, at the price of a thread hop per call
(a queue put, a wake-up of the worker, ``call_soon_threadsafe`` back, a loop iteration). A
statement on the embedded database takes tens of microseconds, the hop about as long again, and
a trading step makes dozens of calls: in a replay at full speed, half the event loop's time was
spent idle waiting for the worker.

``InlineConnection`` keeps aiosqlite's interface (so SQLAlchemy's aiosqlite dialect drives it
unchanged, through ``create_async_engine(..., async_creator=...)``) but calls ``sqlite3``
directly: each ``await`` on it completes without suspending.

The trade-off, and why it is an explicit choice (``Database(inline=True)``):

* **It blocks the event loop** for as long as SQLite works. Nothing else in the process runs
  meanwhile: no HTTP request is answered, no timer fires, no other consumer advances. That is
  right for a process whose only job is the pipeline that is waiting for the database anyway (a
  replay, ``cryptotrader run`` without the API), and wrong for a process that serves the API:
  there, keep aiosqlite's thread.
* **A busy database blocks it too.** When another process (an ``api`` or a second runtime on the
  same file) holds SQLite's write lock, a write here waits up to ``busy_timeout`` (10 s) with the
  loop frozen, where the threaded driver would only suspend this one task.

Results are identical either way: the same ``sqlite3`` calls run in the same order, on one
connection at a time (SQLAlchemy's pool hands a connection to one session at a time).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Generator
from typing import Any

import aiosqlite


class _InlineQueue:
    """Stands in for the worker thread's queue: runs each queued call at once.

    aiosqlite's ``stop``/``_connect`` and SQLAlchemy's ``isolation_level`` setter put
    ``(future, function)`` pairs on the connection's queue directly; this runs them and settles
    their future as the worker thread would (an exception without a future is dropped, as
    there); ``KeyboardInterrupt`` and the like propagate to the caller, which is now the loop.
    """

    def put_nowait(self, item: tuple[asyncio.Future[Any] | None, Callable[[], Any]]) -> None:
        future, function = item
        try:
            result = function()
        except Exception as exc:  # noqa: BLE001 - settled on the future, as the worker thread does
            if future is not None and not future.done():
                future.set_exception(exc)
            return
        if future is not None and not future.done():
            future.set_result(result)


class InlineConnection(aiosqlite.Connection):
    """An ``aiosqlite.Connection`` without its worker thread (see the module docstring).

    Args:
        connector: opens the ``sqlite3`` connection.
        iter_chunk_size: rows per fetch when a cursor is iterated (aiosqlite's default: 64).
    """

    def __init__(self, connector: Callable[[], sqlite3.Connection], iter_chunk_size: int = 64):
        super().__init__(connector, iter_chunk_size)
        self._tx = _InlineQueue()  # type: ignore[assignment]

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        return fn(*args, **kwargs)

    def __await__(self) -> Generator[Any, None, aiosqlite.Connection]:
        return self._connect().__await__()  # no worker thread to start


class CountingConnection(sqlite3.Connection):
    """A ``sqlite3`` connection that counts the transactions it ended (``ended``).

    What names the transaction going on (``driver.transaction_key``) when it was begun on
    ``sqlite3`` itself, where no SQLAlchemy transaction object stands for it: it changes at
    every commit and rollback, whoever asks for them.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ended = 0

    def commit(self) -> None:
        """Commit (the transaction counted as ended even if it fails)."""
        self.ended += 1
        super().commit()

    def rollback(self) -> None:
        """Roll back (counted as ended)."""
        self.ended += 1
        super().rollback()


def inline_connector(database: str, **kwargs: Any) -> Callable[[], InlineConnection]:
    """An ``async_creator`` for ``create_async_engine``: a new ``InlineConnection`` per call."""

    def connect() -> sqlite3.Connection:
        connection: sqlite3.Connection = sqlite3.connect(
            database, factory=CountingConnection, **kwargs
        )
        return connection

    def create() -> InlineConnection:
        return InlineConnection(connect)

    return create
