"""Users: people who log in to the API."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from cryptotrader.persistence.tables import UserRow


async def add_user(
    *, session: AsyncSession, username: str, password_hash: str, role: str, email: str | None
) -> UserRow:
    """Insert an active user.

    Raises:
        sqlalchemy.exc.IntegrityError: the username or email is taken.
    """
    row = UserRow(
        username=username,
        email=email,
        password_hash=password_hash,
        role=role,
        is_admin=role == "admin",
        is_active=True,
    )
    session.add(row)
    await session.flush()
    return row


async def get_user(*, session: AsyncSession, user_id: int) -> UserRow | None:
    """The user with this id, or None."""
    return await session.get(UserRow, user_id)


async def find_user(*, session: AsyncSession, username: str) -> UserRow | None:
    """The user with this username, or None."""
    statement = select(UserRow).where(UserRow.username == username)
    return (await session.execute(statement)).scalar_one_or_none()


async def list_users(*, session: AsyncSession) -> list[UserRow]:
    """Every user, by id."""
    return list((await session.execute(select(UserRow).order_by(UserRow.id))).scalars())


async def count_users(*, session: AsyncSession) -> int:
    """How many users exist."""
    return int((await session.execute(select(func.count()).select_from(UserRow))).scalar_one())


async def lock_active_admins(*, session: AsyncSession) -> list[int]:
    """Ids of the active admins, their rows locked until commit.

    Changes that could leave no admin are then made one at a time (PostgreSQL row locks; SQLite
    has one writer anyway).
    """
    statement = (
        select(UserRow.id)
        .where(UserRow.role == "admin", UserRow.is_active)
        .order_by(UserRow.id)
        .with_for_update()
    )
    return list((await session.execute(statement)).scalars())


async def set_password(*, session: AsyncSession, user_id: int, password_hash: str) -> None:
    """Replace a user's password hash."""
    await session.execute(
        update(UserRow).where(UserRow.id == user_id).values(password_hash=password_hash)
    )


async def touch_login(*, session: AsyncSession, user_id: int, at: datetime) -> None:
    """Record a successful login."""
    await session.execute(update(UserRow).where(UserRow.id == user_id).values(last_login_at=at))
