"""Backtest jobs launched through the API, with their results."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.functions import coalesce

from cryptotrader.persistence.repositories._sql import rowcount
from cryptotrader.persistence.tables import BacktestRow


async def add_job(
    *, session: AsyncSession, user_id: int, kind: str, request: dict[str, Any], at: datetime
) -> BacktestRow:
    """Store a queued job."""
    row = BacktestRow(
        user_id=user_id, kind=kind, status="queued", request=request, created_at=at, heartbeat_at=at
    )
    session.add(row)
    await session.flush()
    return row


async def count_unfinished(*, session: AsyncSession, user_id: int) -> int:
    """How many of one user's jobs (any kind) are queued or running."""
    statement = (
        select(func.count())
        .select_from(BacktestRow)
        .where(BacktestRow.user_id == user_id, BacktestRow.status.in_(("queued", "running")))
    )
    return int((await session.execute(statement)).scalar_one())


async def get_job(*, session: AsyncSession, job_id: int) -> BacktestRow | None:
    """The job with this id, or None."""
    return await session.get(BacktestRow, job_id)


async def list_jobs(
    *, session: AsyncSession, user_id: int, limit: int, offset: int, kinds: tuple[str, ...]
) -> tuple[list[BacktestRow], int]:
    """One user's jobs of these kinds, newest first, and how many they have in all."""
    where = (BacktestRow.user_id == user_id) & BacktestRow.kind.in_(kinds)
    total = (
        await session.execute(select(func.count()).select_from(BacktestRow).where(where))
    ).scalar_one()
    rows = await session.execute(
        select(BacktestRow)
        .where(where)
        .order_by(BacktestRow.created_at.desc(), BacktestRow.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(rows.scalars()), int(total)


async def rename_job(*, session: AsyncSession, job_id: int, name: str | None) -> None:
    """Name a job (None clears the name)."""
    await session.execute(update(BacktestRow).where(BacktestRow.id == job_id).values(name=name))


async def delete_job(*, session: AsyncSession, job_id: int) -> None:
    """Forget a job and its report."""
    await session.execute(delete(BacktestRow).where(BacktestRow.id == job_id))


async def mark_running(*, session: AsyncSession, job_id: int, at: datetime) -> None:
    """The job started."""
    await session.execute(
        update(BacktestRow).where(BacktestRow.id == job_id).values(status="running", started_at=at)
    )


async def finish_job(
    *,
    session: AsyncSession,
    job_id: int,
    at: datetime,
    result: dict[str, Any] | None,
    error: str | None,
) -> None:
    """The job ended, with its result or the reason it failed."""
    await session.execute(
        update(BacktestRow)
        .where(BacktestRow.id == job_id)
        .values(
            status="failed" if error is not None else "succeeded",
            result=result,
            error=error,
            finished_at=at,
        )
    )


async def fail_unfinished(
    *, session: AsyncSession, job_ids: list[int], at: datetime, reason: str
) -> None:
    """Mark jobs that will never finish (the API stopped) as failed."""
    if not job_ids:
        return
    await session.execute(
        update(BacktestRow)
        .where(BacktestRow.id.in_(job_ids), BacktestRow.status.in_(("queued", "running")))
        .values(status="failed", error=reason, finished_at=at)
    )


async def beat(*, session: AsyncSession, job_ids: list[int], at: datetime) -> None:
    """The process running these jobs is alive."""
    if job_ids:
        await session.execute(
            update(BacktestRow)
            .where(BacktestRow.id.in_(job_ids), BacktestRow.status.in_(("queued", "running")))
            .values(heartbeat_at=at)
        )


async def fail_orphaned(
    *, session: AsyncSession, silent_since: datetime, at: datetime, reason: str
) -> int:
    """Mark failed the unfinished jobs whose process has not beaten since ``silent_since``.

    Returns how many.
    """
    result = await session.execute(
        update(BacktestRow)
        .where(
            BacktestRow.status.in_(("queued", "running")),
            coalesce(BacktestRow.heartbeat_at, BacktestRow.created_at) < silent_since,
        )
        .values(status="failed", error=reason, finished_at=at)
    )
    return rowcount(result)
