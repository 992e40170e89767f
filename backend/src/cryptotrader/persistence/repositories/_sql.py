"""Dialect helpers shared by the repositories (upserts differ only in the import)."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Result
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from cryptotrader.persistence.tables import Base


def dialect_name(session: AsyncSession) -> str:
    """``postgresql`` or ``sqlite``."""
    return session.get_bind().dialect.name


def upsert_insert(session: AsyncSession, entity: type[Base]) -> Any:
    """``INSERT`` supporting ``on_conflict_do_nothing/do_update`` for the session's database."""
    table = Base.metadata.tables[entity.__tablename__]
    if dialect_name(session) == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def rowcount(result: Result[Any]) -> int:
    """Rows touched by an INSERT/UPDATE/DELETE (``ON CONFLICT DO NOTHING`` counts 0)."""
    return int(cast(CursorResult[Any], result).rowcount)
