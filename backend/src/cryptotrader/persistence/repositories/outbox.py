"""The outbox table: events written in their change's transaction, read back by the relay.

The relay (``cryptotrader.outbox``) owns the policy; these are its statements. Rows are plain
text here (topic, message id, JSON payload): the persistence layer knows no message type.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from cryptotrader.persistence.repositories._sql import dialect_name, rowcount
from cryptotrader.persistence.tables import OutboxRow

_RELAY_LOCK = 0x6F7574626F78
"""PostgreSQL advisory lock key ("outbox") taken by whichever relay recovers others' rows."""


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """One row as the relay reads it."""

    id: int
    topic: str
    message_id: str
    payload: str


async def add(
    *, session: AsyncSession, rows: Sequence[tuple[str, str, str]], at: datetime
) -> list[int]:
    """Insert ``(topic, message_id, payload)`` rows in one statement; their ids, in order."""
    statement = insert(OutboxRow).returning(OutboxRow.id, sort_by_parameter_order=True)
    params = [
        {"topic": topic, "message_id": message_id, "payload": payload, "created_at": at}
        for topic, message_id, payload in rows
    ]
    result = await session.execute(statement, params)
    return [row_id for (row_id,) in result]


async def pending(
    *,
    session: AsyncSession,
    before: datetime | None,
    limit: int,
    after_id: int = 0,
) -> list[OutboxEntry]:
    """Rows still to send, oldest first: written before ``before`` (all when None).

    ``after_id`` pages through (the last id of the previous page).
    """
    statement = select(
        OutboxRow.id, OutboxRow.topic, OutboxRow.message_id, OutboxRow.payload
    ).where(OutboxRow.id > after_id)
    if before is not None:
        statement = statement.where(OutboxRow.created_at < before)
    statement = statement.order_by(OutboxRow.id).limit(limit)
    return [OutboxEntry(*row) for row in (await session.execute(statement)).all()]


async def remove(*, session: AsyncSession, ids: Collection[int]) -> int:
    """Delete sent rows; returns how many were still there."""
    if not ids:
        return 0
    result = await session.execute(delete(OutboxRow).where(OutboxRow.id.in_(list(ids))))
    return rowcount(result)


async def count(*, session: AsyncSession) -> int:
    """Rows not sent yet (or sent and not yet deleted)."""
    return int((await session.execute(select(func.count()).select_from(OutboxRow))).scalar_one())


async def take_relay_lock(*, session: AsyncSession) -> bool:
    """Make this transaction the only one recovering rows; False when another one is.

    PostgreSQL: a transaction-scoped advisory lock, released at commit or when the holder's
    connection dies. SQLite: the write transaction is already exclusive between processes
    (``BEGIN IMMEDIATE``), so there is nothing more to take.
    """
    if dialect_name(session) != "postgresql":
        return True
    result = await session.execute(
        text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": _RELAY_LOCK}
    )
    return bool(result.scalar_one())
