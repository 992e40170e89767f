"""Settings changed at run time (e.g. through the API), stored as JSON values by key."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from cryptotrader.persistence.repositories._sql import rowcount, upsert_insert
from cryptotrader.persistence.tables import SettingRow


async def get_setting(*, session: AsyncSession, key: str) -> Any | None:
    """The stored value of ``key``, or None."""
    return (
        await session.execute(select(SettingRow.value).where(SettingRow.key == key))
    ).scalar_one_or_none()


def _insert(
    session: AsyncSession, key: str, value: Any, at: datetime, updated_by: str | None
) -> Any:
    return upsert_insert(session, SettingRow).values(
        key=key, value=value, updated_at=at, updated_by=updated_by
    )


def _replacing(statement: Any, where: Any = None) -> Any:
    """``statement`` replacing the stored row's value (only where ``where`` holds, if given)."""
    return statement.on_conflict_do_update(
        index_elements=["key"],
        set_={
            "value": statement.excluded.value,
            "updated_at": statement.excluded.updated_at,
            "updated_by": statement.excluded.updated_by,
        },
        where=where,
    )


async def put_setting(
    *, session: AsyncSession, key: str, value: Any, at: datetime, updated_by: str | None = None
) -> None:
    """Create or replace ``key``."""
    await session.execute(_replacing(_insert(session, key, value, at, updated_by)))


async def claim_setting(
    *,
    session: AsyncSession,
    key: str,
    value: Any,
    at: datetime,
    older_than: datetime | None = None,
    updated_by: str | None = None,
) -> bool:
    """Store ``key`` only if absent (or stored before ``older_than``); True when this call did.

    One statement, so that of several processes racing for the same claim exactly one wins:
    how an alert that must be raised once (per episode, per day) is raised once.
    """
    statement = _insert(session, key, value, at, updated_by)
    if older_than is None:
        statement = statement.on_conflict_do_nothing(index_elements=["key"])
    else:
        statement = _replacing(statement, where=SettingRow.updated_at < older_than)
    return rowcount(await session.execute(statement)) > 0


async def delete_setting(*, session: AsyncSession, key: str) -> bool:
    """Forget ``key``; True when it was stored (and this call deleted it)."""
    result = await session.execute(delete(SettingRow).where(SettingRow.key == key))
    return rowcount(result) > 0


async def all_settings(*, session: AsyncSession) -> dict[str, Any]:
    """Every stored setting, by key."""
    rows = await session.execute(select(SettingRow.key, SettingRow.value).order_by(SettingRow.key))
    return dict(rows.all())
