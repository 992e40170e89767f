"""Login sessions: refresh tokens (hashes only), one family per login, rotated on every use."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from cryptotrader.persistence.tables import RefreshTokenRow, UserRow


async def add_refresh_token(
    *,
    session: AsyncSession,
    user_id: int,
    token_hash: str,
    family_id: str,
    issued_at: datetime,
    expires_at: datetime,
) -> None:
    """Store a new refresh token of a family."""
    session.add(
        RefreshTokenRow(
            user_id=user_id,
            token_hash=token_hash,
            family_id=family_id,
            issued_at=issued_at,
            expires_at=expires_at,
        )
    )
    await session.flush()


async def find_refresh_token(*, session: AsyncSession, token_hash: str) -> RefreshTokenRow | None:
    """The refresh token with this hash, locked until commit (one rotation at a time)."""
    statement = (
        select(RefreshTokenRow)
        .where(RefreshTokenRow.token_hash == token_hash)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def spend_refresh_token(*, session: AsyncSession, token_id: int, at: datetime) -> bool:
    """Mark a token used; False when another request spent it first."""
    result = await session.execute(
        update(RefreshTokenRow)
        .where(RefreshTokenRow.id == token_id, RefreshTokenRow.revoked_at.is_(None))
        .values(revoked_at=at)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


async def revoke_family(*, session: AsyncSession, family_id: str, at: datetime) -> int:
    """Revoke every live token of a login session; returns how many were live."""
    result = await session.execute(
        update(RefreshTokenRow)
        .where(RefreshTokenRow.family_id == family_id, RefreshTokenRow.revoked_at.is_(None))
        .values(revoked_at=at)
    )
    return int(getattr(result, "rowcount", 0))


async def revoke_user_sessions(*, session: AsyncSession, user_id: int, at: datetime) -> int:
    """Revoke every live refresh token of a user (password change, deactivation)."""
    result = await session.execute(
        update(RefreshTokenRow)
        .where(RefreshTokenRow.user_id == user_id, RefreshTokenRow.revoked_at.is_(None))
        .values(revoked_at=at)
    )
    return int(getattr(result, "rowcount", 0))


async def session_user(
    *, session: AsyncSession, user_id: int, family_id: str, now: datetime
) -> UserRow | None:
    """The active user of a live login session, or None when either is gone or revoked.

    One query per request: the user row, on condition that the session still has an unrevoked,
    unexpired refresh token.
    """
    live = exists().where(
        RefreshTokenRow.family_id == family_id,
        RefreshTokenRow.user_id == user_id,
        RefreshTokenRow.revoked_at.is_(None),
        RefreshTokenRow.expires_at > now,
    )
    statement = select(UserRow).where(UserRow.id == user_id, UserRow.is_active, live)
    return (await session.execute(statement)).scalar_one_or_none()
