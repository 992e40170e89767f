"""Bots: capital, status and current risk ratio, which must survive restarts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from cryptotrader.domain.enums import BotKind, BotStatus, RiskLevel
from cryptotrader.errors import OperationalError
from cryptotrader.persistence.tables import Base, BotRow


async def create_bot(
    *,
    session: AsyncSession,
    name: str,
    kind: BotKind,
    capital: Decimal,
    risk_level: RiskLevel,
    risk_ratio: Decimal,
    strategy_config: dict[str, Any] | None = None,
) -> BotRow:
    """Insert a bot (stopped); one bot per kind."""
    row = BotRow(
        name=name,
        type=kind,
        status=BotStatus.STOPPED,
        capital=capital,
        risk_level=risk_level,
        current_risk_ratio=risk_ratio,
        strategy_config=strategy_config,
    )
    session.add(row)
    await session.flush()
    return row


async def get_bot(*, session: AsyncSession, kind: BotKind) -> BotRow | None:
    """The bot of ``kind``, or None before it was created."""
    return (await session.execute(select(BotRow).where(BotRow.type == kind))).scalar_one_or_none()


async def require_bot(*, session: AsyncSession, kind: BotKind, lock: bool = False) -> BotRow:
    """The bot of ``kind``; ``lock`` holds its row until commit (PostgreSQL ``FOR UPDATE``).

    Raises:
        OperationalError: the bot does not exist (the database was not initialised).
    """
    statement = select(BotRow).where(BotRow.type == kind)
    if lock:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    row = (await session.execute(statement)).scalar_one_or_none()
    if row is None:
        raise OperationalError(f"no {kind} bot in the database: create the bots first")
    return row


async def bot_ids(*, session: AsyncSession) -> dict[BotKind, int]:
    """Row id of every bot, by kind."""
    rows = await session.execute(select(BotRow.type, BotRow.id))
    return dict(rows.all())


async def list_bots(*, session: AsyncSession) -> list[BotRow]:
    """Every bot, by id."""
    return list((await session.execute(select(BotRow).order_by(BotRow.id))).scalars())


async def set_status(*, session: AsyncSession, kind: BotKind, status: BotStatus) -> None:
    """Record that a bot was started, stopped or paused."""
    await session.execute(update(BotRow).where(BotRow.type == kind).values(status=status))


async def set_risk_ratio(*, session: AsyncSession, kind: BotKind, ratio: Decimal) -> None:
    """Persist the risk reducer's current ratio for a bot."""
    await session.execute(
        update(BotRow).where(BotRow.type == kind).values(current_risk_ratio=ratio)
    )


async def set_capital(*, session: AsyncSession, kind: BotKind, capital: Decimal) -> None:
    """Set a bot's capital, computed by the caller from its row locked in this transaction."""
    table = Base.metadata.tables[BotRow.__tablename__]
    await session.execute(update(table).where(table.c.type == kind).values(capital=capital))


async def add_capital(*, session: AsyncSession, kind: BotKind, delta: Decimal) -> Decimal:
    """Add ``delta`` (negative for a loss) to a bot's capital; returns the new capital.

    The row is locked for the rest of the transaction so that concurrent updates serialise.
    Arithmetic is done in Python on ``Decimal`` (exact on SQLite too).
    """
    row = await require_bot(session=session, kind=kind, lock=True)
    row.capital = row.capital + delta
    await session.flush()
    return row.capital
