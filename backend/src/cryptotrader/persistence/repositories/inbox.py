"""The inbox of idempotent consumers: which bus messages each consumer has already applied.

A consumer claims a message id in the same transaction as the message's effect: a duplicate
delivery finds the claim and does nothing, and a crash before commit leaves no claim, so the
redelivered message is applied once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from cryptotrader.persistence.repositories._sql import rowcount, upsert_insert
from cryptotrader.persistence.tables import ProcessedMessageRow


async def claim_message(
    *, session: AsyncSession, consumer: str, message_id: str, at: datetime
) -> bool:
    """Mark ``message_id`` as processed by ``consumer``; False when it already was.

    Call it first in the unit of work (on PostgreSQL a concurrent claim of the same id waits
    for this transaction and then finds it), then apply the effect, then commit.
    """
    statement = (
        upsert_insert(session, ProcessedMessageRow)
        .values(consumer=consumer, message_id=message_id, processed_at=at)
        .on_conflict_do_nothing(index_elements=["consumer", "message_id"])
    )
    result = await session.execute(statement)
    return rowcount(result) == 1


async def is_processed(*, session: AsyncSession, consumer: str, message_id: str) -> bool:
    """True when ``consumer`` has committed ``message_id``."""
    statement = select(ProcessedMessageRow.message_id).where(
        ProcessedMessageRow.consumer == consumer, ProcessedMessageRow.message_id == message_id
    )
    return (await session.execute(statement)).first() is not None


async def prune_processed(*, session: AsyncSession, before: datetime) -> int:
    """Forget claims older than ``before`` (longer ago than any redelivery); returns how many."""
    result = await session.execute(
        delete(ProcessedMessageRow).where(ProcessedMessageRow.processed_at < before)
    )
    return rowcount(result)
