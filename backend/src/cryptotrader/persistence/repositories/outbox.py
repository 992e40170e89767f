"""The outbox table: each transaction's events, written in it, read back by the relay.

The relay (``cryptotrader.outbox``) owns the policy; these are its statements. A row is plain
text here (a JSON array of ``[topic, message]``): the persistence layer knows no message type.
The hot statements (one insert per transaction, marking what was sent) are prebuilt text:
built as ORM statements they cost more than the transaction around them (docs/BENCHMARKS.md).
A sent row is kept (``sent_at`` set) until ``prune_sent``: sent again if the bus lost it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from cryptotrader.persistence import driver, driver_pg
from cryptotrader.persistence.repositories._sql import dialect_name
from cryptotrader.persistence.tables import OutboxRow
from cryptotrader.persistence.types import UtcDateTime

_RELAY_LOCK = "cryptotrader.outbox.relay:"
"""Name of the PostgreSQL advisory lock (with the schema) taken by the relay recovering rows."""

_INSERT = text(
    "INSERT INTO outbox (payload, created_at) VALUES (:payload, :created_at)"
).bindparams(bindparam("created_at", type_=UtcDateTime()))
_INSERT_RETURNING = text(
    "INSERT INTO outbox (payload, created_at) VALUES (:payload, :created_at) RETURNING id"
).bindparams(bindparam("created_at", type_=UtcDateTime()))
_MARK_SENT = text("UPDATE outbox SET sent_at = :sent_at WHERE id = :id").bindparams(
    bindparam("sent_at", type_=UtcDateTime())
)
"""One id per execution (``executemany`` for several): an expanding ``IN`` is compiled again
at every execution, which cost more than the statement."""
_PRUNE = text("DELETE FROM outbox WHERE sent_at < :before").bindparams(
    bindparam("before", type_=UtcDateTime())
)
_OLD = text(
    "SELECT 1 FROM outbox WHERE sent_at IS NULL AND created_at < :before LIMIT 1"
).bindparams(bindparam("before", type_=UtcDateTime()))


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """One row as the relay reads it."""

    id: int
    payload: str


async def add(*, session: AsyncSession, payload: str, at: datetime) -> int:
    """Insert one transaction's events; the row's id."""
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
    params = [{"id": row_id, "sent_at": at} for row_id in ids]
    return await driver.execute(session, _MARK_SENT, params)


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
