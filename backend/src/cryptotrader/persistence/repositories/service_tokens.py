"""Service tokens: long-lived, scoped API tokens of programs, stored as hashes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from cryptotrader.persistence.tables import ServiceTokenRow, UserRow


async def add_service_token(
    *,
    session: AsyncSession,
    user_id: int,
    name: str,
    token_hash: str,
    scopes: str,
    created_at: datetime,
    expires_at: datetime | None,
) -> ServiceTokenRow:
    """Store a new token."""
    row = ServiceTokenRow(
        user_id=user_id,
        name=name,
        token_hash=token_hash,
        scopes=scopes,
        created_at=created_at,
        expires_at=expires_at,
    )
    session.add(row)
    await session.flush()
    return row


async def live_token_owner(
    *, session: AsyncSession, token_hash: str, now: datetime
) -> tuple[ServiceTokenRow, UserRow] | None:
    """The live token with this hash and its active owner, or None."""
    statement = (
        select(ServiceTokenRow, UserRow)
        .join(UserRow, ServiceTokenRow.user_id == UserRow.id)
        .where(
            ServiceTokenRow.token_hash == token_hash,
            ServiceTokenRow.revoked_at.is_(None),
            UserRow.is_active,
        )
    )
    found = (await session.execute(statement)).first()
    if found is None:
        return None
    token, user = found
    if token.expires_at is not None and token.expires_at <= now:
        return None
    return token, user


async def list_service_tokens(
    *, session: AsyncSession, user_id: int | None
) -> list[ServiceTokenRow]:
    """Tokens of one user (or of everyone when ``user_id`` is None), newest first."""
    statement = select(ServiceTokenRow).order_by(ServiceTokenRow.id.desc())
    if user_id is not None:
        statement = statement.where(ServiceTokenRow.user_id == user_id)
    return list((await session.execute(statement)).scalars())


async def get_service_token(*, session: AsyncSession, token_id: int) -> ServiceTokenRow | None:
    """The token with this id, or None."""
    return await session.get(ServiceTokenRow, token_id)


async def revoke_service_token(*, session: AsyncSession, token_id: int, at: datetime) -> None:
    """Revoke a token (idempotent)."""
    await session.execute(
        update(ServiceTokenRow)
        .where(ServiceTokenRow.id == token_id, ServiceTokenRow.revoked_at.is_(None))
        .values(revoked_at=at)
    )


async def revoke_user_tokens(*, session: AsyncSession, user_id: int, at: datetime) -> int:
    """Revoke every live token of a user (password change, deactivation); returns how many."""
    result = await session.execute(
        update(ServiceTokenRow)
        .where(ServiceTokenRow.user_id == user_id, ServiceTokenRow.revoked_at.is_(None))
        .values(revoked_at=at)
    )
    return int(getattr(result, "rowcount", 0))


async def touch_service_token(*, session: AsyncSession, token_id: int, at: datetime) -> None:
    """Record when a token was last used."""
    await session.execute(
        update(ServiceTokenRow).where(ServiceTokenRow.id == token_id).values(last_used_at=at)
    )
