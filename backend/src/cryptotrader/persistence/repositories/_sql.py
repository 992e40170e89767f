"""Dialect helpers shared by the repositories (upserts differ only in the import)."""

from __future__ import annotations

from collections.abc import Callable
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


_BUILT: dict[tuple[str, str], Any] = {}


def built_once(session: AsyncSession, name: str, build: Callable[[], Any]) -> Any:
    """The statement ``build()`` makes for the session's database, built once per database.

    For hot statements (upserts with ``bindparam`` values, executed with parameter dicts):
    building one costs more than executing it once it is compiled and cached.
    """
    key = (dialect_name(session), name)
    statement = _BUILT.get(key)
    if statement is None:
        statement = _BUILT[key] = build()
    return statement


def rowcount(result: Result[Any]) -> int:
    """Rows touched by an INSERT/UPDATE/DELETE (``ON CONFLICT DO NOTHING`` counts 0)."""
    return int(cast(CursorResult[Any], result).rowcount)
