"""The audit log: append-only record of every mutating action."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from cryptotrader.persistence.tables import AuditLogRow


async def append_audit(
    *,
    session: AsyncSession,
    at: datetime,
    actor: str,
    action: str,
    target: str | None = None,
    details: dict[str, Any] | None = None,
    ip: str | None = None,
) -> int:
    """Record one action, in the same transaction as the action itself; returns its id."""
    row = AuditLogRow(at=at, actor=actor, action=action, target=target, details=details, ip=ip)
    session.add(row)
    await session.flush()
    return row.id


async def list_audit(
    *,
    session: AsyncSession,
    actor: str | None = None,
    action: str | None = None,
    limit: int = 100,
) -> list[AuditLogRow]:
    """Newest entries first, optionally for one actor and one action."""
    statement = select(AuditLogRow).order_by(AuditLogRow.at.desc(), AuditLogRow.id.desc())
    if actor is not None:
        statement = statement.where(AuditLogRow.actor == actor)
    if action is not None:
        statement = statement.where(AuditLogRow.action == action)
    return list((await session.execute(statement.limit(limit))).scalars())
