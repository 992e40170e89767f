"""A transaction's writes grouped into one ``executemany`` per statement, run before it commits.

A candle time of 50 pairs wrote about a thousand rows one statement at a time (each order's
status, each fill, each trade, each checkpoint), and each statement costs SQLAlchemy far more
than SQLite. Inside ``defer(session)`` the repositories' deferrable writes (``write``) are queued
instead; ``flush`` (before the commit) or leaving the block runs each statement once with every
queued row, in a fixed order of phases that respects what depends on what (an order before its
fills; everything before the checkpoints that say the step has effects). Nothing is written if
the block raises.

Only writes whose result nobody reads back in the same transaction may be deferred: the
repositories defer statements that return nothing, and the code inside a ``defer`` block reads
no row it wrote there (the order engine knows what it wrote; ``BotLedger`` keeps the bots).
Writes outside a ``defer`` block run at once, as before.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from cryptotrader.errors import OperationalError
from cryptotrader.persistence import driver

(
    TRADES_INSERT,
    ORDERS_INSERT,
    FILLS,
    ORDERS_UPDATE,
    TRADES_UPDATE,
    BOTS,
    REALLOCATIONS,
    CHECKPOINTS,
) = range(8)
"""Phases, run in this order: each statement's rows run together, in the order queued (new
trades first: orders, their links and reallocations refer to them)."""

_KEY = "cryptotrader.deferred"

Flush = Callable[[], Awaitable[None]]
Gathered = Callable[[list[Any]], Awaitable[None]]


class _Queue:
    def __init__(self) -> None:
        self.statements: dict[int, dict[int, tuple[Any, list[dict[str, Any]], str | None]]] = {}
        self.hooks: dict[str, Flush] = {}
        self.gathered: dict[str, tuple[Gathered, list[Any]]] = {}


def deferring(session: AsyncSession) -> bool:
    """True inside a ``defer`` block of ``session``."""
    return _KEY in session.info


async def write(
    session: AsyncSession,
    statement: Any,
    params: dict[str, Any],
    *,
    phase: int,
    one_row: str | None = None,
) -> int | None:
    """Execute ``statement`` with ``params`` now (the rows it touched), or queue it (None).

    ``one_row``: the error message when it does not touch exactly one row (checked over all the
    queued rows at once when deferred).

    Raises:
        OperationalError: ``one_row`` and the statement did not touch one row.
    """
    queue: _Queue | None = session.info.get(_KEY)
    if queue is None:
        touched = await driver.execute(session, statement, params)
        if one_row is not None and touched != 1:
            raise OperationalError(one_row)
        return touched
    _, rows, _ = queue.statements.setdefault(phase, {}).setdefault(
        id(statement), (statement, [], one_row)
    )
    rows.append(params)
    return None


def queued(session: AsyncSession, statement: Any, key: str, value: Any) -> dict[str, Any] | None:
    """The row of ``statement`` queued and not yet written whose ``key`` is ``value``, or None.

    For a change to a row this transaction queued (``trades.update_quantity`` of a trade whose
    insert is queued): the caller changes the queued values instead of the stored row.
    """
    queue: _Queue | None = session.info.get(_KEY)
    if queue is None:
        return None
    for statements in queue.statements.values():
        found = statements.get(id(statement))
        if found is not None:
            for row in found[1]:
                if row.get(key) == value:
                    return row
    return None


def before_flush(session: AsyncSession, name: str, flush: Flush) -> None:
    """Run ``flush`` (once per ``name``) when the ``defer`` block ends, before the queued rows.

    For state kept in memory and written once (``BotLedger``'s bots).
    """
    queue: _Queue = session.info[_KEY]
    queue.hooks.setdefault(name, flush)


def gather(session: AsyncSession, name: str, items: list[Any], write: Gathered) -> None:
    """Queue ``items`` under ``name``: ``write`` gets all of them, in order, at the flush.

    It runs once when the ``defer`` block ends (before the queued rows), or never if it raises.

    For what a transaction writes once however many changes add to it (the outbox's row of the
    transaction's events): ``write`` is the first one given for ``name`` in that flush.
    """
    queue: _Queue = session.info[_KEY]
    _, gathered = queue.gathered.setdefault(name, (write, []))
    gathered.extend(items)


def defer(session: AsyncSession) -> _Deferring:
    """Queue the deferrable writes made in ``session`` inside the block; run them as it ends.

    ``async with defer(session):``, a plain context manager object: ``asynccontextmanager``'s
    async generator, and the event loop's registration and finalisation of it, cost ~3 us of
    the ~40 us of a unit of work writing one row (the order engine opens one per transaction).

    Raises:
        OperationalError: a queued write meant for one row each touched another count.
    """
    return _Deferring(session)


class _Deferring:
    """``defer``'s block: nested in another one of the same session, it does nothing."""

    __slots__ = ("_outer", "_session")

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._outer = False

    async def __aenter__(self) -> None:
        info = self._session.info
        if _KEY in info:  # nested: the outer block runs them
            return
        info[_KEY] = _Queue()
        self._outer = True

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if not self._outer:
            return
        try:
            if exc_type is None:
                await flush(self._session)
        finally:
            self._session.info.pop(_KEY, None)


async def flush(session: AsyncSession) -> None:
    """Run what ``session``'s ``defer`` block queued so far (call it before committing).

    Raises:
        OperationalError: a queued write meant for one row each touched another count.
    """
    queue: _Queue | None = session.info.get(_KEY)
    if queue is None or not (queue.hooks or queue.gathered or queue.statements):
        return  # nothing queued (the block's end, after the commit's own flush)
    for hook in queue.hooks.values():
        await hook()
    gathered, queue.gathered = queue.gathered, {}
    for write_all, items in gathered.values():
        await write_all(items)
    statements, queue.statements, queue.hooks = queue.statements, {}, {}
    queued = [queued for phase in sorted(statements) for queued in statements[phase].values()]
    if not queued:
        return
    # all of them at once: on SQLite's threaded driver one worker call, not one per statement
    counts = await driver.execute_all(session, [(statement, rows) for statement, rows, _ in queued])
    for (_, rows, one_row), touched in zip(queued, counts, strict=True):
        if one_row is not None and touched >= 0 and touched != len(rows):
            raise OperationalError(f"{one_row} ({touched} of {len(rows)} rows written)")
