"""Engine checkpoints: where each engine stopped, so that a restart resumes there."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from cryptotrader.persistence import deferred
from cryptotrader.persistence.repositories._sql import built_once, upsert_insert
from cryptotrader.persistence.tables import EngineCheckpointRow


async def load_checkpoint(*, session: AsyncSession, engine: str, key: str) -> dict[str, Any] | None:
    """The last checkpoint saved by ``engine`` under ``key``, or None."""
    statement = select(EngineCheckpointRow.value).where(
        EngineCheckpointRow.engine == engine, EngineCheckpointRow.key == key
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def list_checkpoints(
    *, session: AsyncSession, engine: str
) -> list[tuple[str, dict[str, Any]]]:
    """Every checkpoint of ``engine``: ``(key, value)``, by key."""
    statement = (
        select(EngineCheckpointRow.key, EngineCheckpointRow.value)
        .where(EngineCheckpointRow.engine == engine)
        .order_by(EngineCheckpointRow.key)
    )
    return [(key, value) for key, value in (await session.execute(statement)).all()]


async def save_checkpoint(
    *, session: AsyncSession, engine: str, key: str, value: dict[str, Any], at: datetime
) -> None:
    """Replace the checkpoint; save it in the same transaction as the work it marks as done."""
    values = {"engine": engine, "key": key, "value": value, "updated_at": at}
    await deferred.write(session, upsert_checkpoint(session), values, phase=deferred.CHECKPOINTS)


def upsert_checkpoint(session: AsyncSession) -> Any:
    """``INSERT ... ON CONFLICT (engine, key) DO UPDATE`` of a checkpoint row, built once.

    Execute it with ``{"engine", "key", "value", "updated_at"}`` parameter dicts (a list of
    them writes several rows).
    """

    def build() -> Any:
        statement = upsert_insert(session, EngineCheckpointRow)
        return statement.on_conflict_do_update(
            index_elements=["engine", "key"],
            set_={"value": statement.excluded.value, "updated_at": statement.excluded.updated_at},
        )

    return built_once(session, "checkpoints.upsert", build)
