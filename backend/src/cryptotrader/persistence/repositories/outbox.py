"""The outbox table: each transaction's events, written in it, read back by the relay.

The relay (``cryptotrader.outbox``) owns the policy; these are its statements. A row is plain
text here (a JSON array of ``[topic, message]``): the persistence layer knows no message type.
The hot statements (one insert per transaction, marking what was sent) are prebuilt text:
built as ORM statements they cost more than the transaction around them (docs/BENCHMARKS.md).
A sent row is kept (``sent_at`` set) until ``prune_sent``: sent again if the bus lost it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import cast

from sqlalchemy import bindparam, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from cryptotrader.persistence import driver, driver_pg
from cryptotrader.persistence.database import WRITER_RAW
from cryptotrader.persistence.repositories._sql import dialect_name
from cryptotrader.persistence.tables import OutboxRow
from cryptotrader.persistence.types import UtcDateTime

_RELAY_LOCK = "cryptotrader.outbox.relay:"
"""Name of the PostgreSQL advisory lock (with the schema) taken by the relay recovering rows."""

_INSERT = text(
    "INSERT INTO outbox (payload, created_at) VALUES (:payload, :created_at)"
).bindparams(bindparam("created_at", type_=UtcDateTime()))
_SQLITE_INSERT = "INSERT INTO outbox (payload, created_at) VALUES (?, ?)"
_INSERT_RETURNING = text(
    "INSERT INTO outbox (payload, created_at) VALUES (:payload, :created_at) RETURNING id"
).bindparams(bindparam("created_at", type_=UtcDateTime()))
_MARK_SENT = text(
    "UPDATE outbox SET sent_at = :sent_at WHERE id BETWEEN :first AND :last"
).bindparams(bindparam("sent_at", type_=UtcDateTime()))
"""One run of consecutive ids per execution (``executemany`` for several): an expanding ``IN``
is compiled again at every execution, which cost more than the statement; one execution per id
bound a parameter set per row, where a process writing alone sends runs of hundreds."""
_PRUNE = text("DELETE FROM outbox WHERE sent_at < :before").bindparams(
    bindparam("before", type_=UtcDateTime())
)
_OLD = text(
    "SELECT 1 FROM outbox WHERE sent_at IS NULL AND created_at < :before LIMIT 1"
).bindparams(bindparam("before", type_=UtcDateTime()))


def sqlite_utc_text(at: datetime) -> str:
    """The text SQLite stores for the UTC datetime ``at`` (``UtcDateTime``: naive, microseconds)."""
    return at.isoformat(" ", "microseconds")[:-6]


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """One row as the relay reads it."""

    id: int
    payload: str


async def add(*, session: AsyncSession, payload: str, at: datetime) -> int:
    """Insert one transaction's events; the row's id.

    On the inline SQLite writer (``Database.writer_session``) on ``sqlite3`` itself (what
    ``driver.inserted_id`` runs, without its plan, binding and call per row: one row a
    transaction, ~4,400 a replay), ``at`` as the text ``UtcDateTime`` binds there.
    """
    if WRITER_RAW in session.info and type(at) is datetime and at.tzinfo is UTC:
        inline = await driver.connection(session)
        if inline is not None:  # begun, no ORM object waiting to be flushed
            values = (payload, sqlite_utc_text(at))
            try:
                return cast(int, inline.execute(_SQLITE_INSERT, values).lastrowid)
            except sqlite3.Error as exc:
                raise DBAPIError.instance(_SQLITE_INSERT, values, exc, sqlite3.Error) from exc
    params = {"payload": payload, "created_at": at}
    if dialect_name(session) == "sqlite":  # the cursor knows it: no RETURNING to read
        return await driver.inserted_id(session, _INSERT, params)
    found = await driver_pg.inserted_id(session, _INSERT_RETURNING, params)  # on asyncpg itself
    if found is not None:
        return found
    return int((await session.execute(_INSERT_RETURNING, params)).scalar_one())


async def pending(
    *,
    session: AsyncSession,
    before: datetime | None,
    limit: int,
    after_id: int = 0,
    retained: bool = False,
) -> list[OutboxEntry]:
    """Rows still to send, oldest first: written before ``before`` (all when None).

    ``after_id`` pages through (the last id of the previous page); ``retained``: the rows sent
    and kept too (every row of the table).
    """
    statement = select(OutboxRow.id, OutboxRow.payload).where(OutboxRow.id > after_id)
    if not retained:
        statement = statement.where(OutboxRow.sent_at.is_(None))
    if before is not None:
        statement = statement.where(OutboxRow.created_at < before)
    statement = statement.order_by(OutboxRow.id).limit(limit)
    return [OutboxEntry(*row) for row in (await session.execute(statement)).all()]


async def mark_sent(*, session: AsyncSession, ids: Collection[int], at: datetime) -> int:
    """Record rows as sent at ``at`` (kept until ``prune_sent``); how many were still there."""
    if not ids:
        return 0
    params = [{"first": first, "last": last, "sent_at": at} for first, last in runs(ids)]
    return await driver.execute(session, _MARK_SENT, params)


def runs(ids: Collection[int]) -> list[tuple[int, int]]:
    """``ids`` as runs of consecutive integers, ``(first, last)`` each, in ascending order.

    Every id from ``first`` to ``last`` is one of ``ids``: ``BETWEEN`` touches no other row.
    """
    found: list[tuple[int, int]] = []
    ordered = sorted(set(ids))
    first = last = ordered[0]
    for row_id in ordered[1:]:
        if row_id != last + 1:
            found.append((first, last))
            first = row_id
        last = row_id
    found.append((first, last))
    return found


async def prune_sent(*, session: AsyncSession, before: datetime) -> int:
    """Delete the rows sent before ``before``; how many."""
    return await driver.execute(session, _PRUNE, {"before": before})


async def any_before(*, session: AsyncSession, before: datetime) -> bool:
    """Whether a row written before ``before`` is still unsent (a cheap read before a sweep)."""
    return (await session.execute(_OLD, {"before": before})).first() is not None


async def count(*, session: AsyncSession, retained: bool = False) -> int:
    """Rows not sent yet (or not marked sent yet); ``retained``: every row, sent ones too."""
    statement = select(func.count()).select_from(OutboxRow)
    if not retained:
        statement = statement.where(OutboxRow.sent_at.is_(None))
    return int((await session.execute(statement)).scalar_one())


async def take_relay_lock(*, session: AsyncSession) -> bool:
    """Make this transaction the only one recovering rows; False when another one is.

    PostgreSQL: a transaction-scoped advisory lock (per schema), released at commit or when the
    holder's connection dies. SQLite: the write transaction is already exclusive between processes
    (``BEGIN IMMEDIATE``), so there is nothing more to take.
    """
    if dialect_name(session) != "postgresql":
        return True
    # keyed by the schema too: an advisory lock is database-wide, and platforms (or tests) in
    # different schemas of one database have outboxes of their own
    result = await session.execute(
        text("SELECT pg_try_advisory_xact_lock(hashtextextended(:key || current_schema(), 0))"),
        {"key": _RELAY_LOCK},
    )
    return bool(result.scalar_one())
