"""Reallocations: capital moved from one bot to another, recorded with its trigger trade.

``apply_reallocation`` moves the money and writes the record in the caller's transaction, so
both happen or neither does; the unique trigger trade makes a replay fail instead of paying twice.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from cryptotrader.domain.enums import BotKind
from cryptotrader.errors import OperationalError
from cryptotrader.persistence.repositories.bots import require_bot
from cryptotrader.persistence.tables import ReallocationRow


async def apply_reallocation(
    *,
    session: AsyncSession,
    from_bot: BotKind,
    to_bot: BotKind,
    amount: Decimal,
    ratio: Decimal,
    trigger_trade_id: int | None,
    at: datetime,
) -> int:
    """Move ``amount`` of capital between bots and record it; returns the record's id.

    Raises:
        OperationalError: the amount is not positive or exceeds the giving bot's capital.
        sqlalchemy.exc.IntegrityError: this trigger trade was already reallocated.
    """
    if amount <= 0:
        raise OperationalError(f"reallocation amount must be positive, got {amount}")
    # Lock both rows in a fixed order so that two reallocations cannot deadlock.
    first, second = sorted((from_bot, to_bot))
    rows = {
        kind: await require_bot(session=session, kind=kind, lock=True) for kind in (first, second)
    }
    giver, receiver = rows[from_bot], rows[to_bot]
    if giver.capital < amount:
        raise OperationalError(
            f"cannot move {amount} from the {from_bot} bot: its capital is {giver.capital}"
        )
    giver.capital = giver.capital - amount
    receiver.capital = receiver.capital + amount
    record = ReallocationRow(
        from_bot_id=giver.id,
        to_bot_id=receiver.id,
        amount=amount,
        trigger_trade_id=trigger_trade_id,
        ratio_applied=ratio,
        created_at=at,
    )
    session.add(record)
    await session.flush()
    return record.id


async def list_reallocations(*, session: AsyncSession, limit: int = 100) -> list[ReallocationRow]:
    """Newest reallocations first."""
    statement = (
        select(ReallocationRow)
        .order_by(ReallocationRow.created_at.desc(), ReallocationRow.id.desc())
        .limit(limit)
    )
    return list((await session.execute(statement)).scalars())
