"""``deferred.defer``'s block: its writes queued, run once as it ends, nothing if it raises.

The block is a plain async context manager (no async generator for the event loop to track:
one per transaction of the order engine); these tests pin what the ``asynccontextmanager``
it replaced did, nested blocks and errors included.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import select

from cryptotrader.persistence import deferred
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.migrate import upgrade
from cryptotrader.persistence.repositories import checkpoints
from cryptotrader.persistence.tables import EngineCheckpointRow
from cryptotrader.persistence.uow import UnitOfWork

pytestmark = pytest.mark.asyncio(loop_scope="function")

AT = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest_asyncio.fixture(params=[True, False], ids=["inline", "threaded"])
async def db(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'test.db'}", inline=request.param)
    await upgrade(database)
    yield database
    await database.dispose()


async def _save(uow: UnitOfWork, key: str, value: int) -> None:
    await checkpoints.save_checkpoint(
        session=uow.session, engine="e", key=key, value={"v": value}, at=AT
    )


async def _stored(database: Database) -> dict[str, Any]:
    async with UnitOfWork(database, read_only=True) as uow:
        rows = select(EngineCheckpointRow.key, EngineCheckpointRow.value)
        return {key: value["v"] for key, value in (await uow.session.execute(rows)).all()}


async def test_defer_when_its_block_ends_writes_what_was_queued_in_it(db: Database) -> None:
    async with UnitOfWork(db) as uow:
        async with deferred.defer(uow.session):
            await _save(uow, "a", 1)
            await _save(uow, "b", 2)
            queued = await _stored(db)  # another connection: nothing written yet
            inside = deferred.deferring(uow.session)
        after = deferred.deferring(uow.session)
        await uow.commit()

    assert (queued, inside, after) == ({}, True, False)
    assert await _stored(db) == {"a": 1, "b": 2}


async def test_defer_when_nested_runs_the_writes_at_the_outer_blocks_end(db: Database) -> None:
    async with UnitOfWork(db) as uow:
        async with deferred.defer(uow.session):
            async with deferred.defer(uow.session):
                await _save(uow, "a", 1)
            still = deferred.deferring(uow.session)
            flushed = deferred.queued(
                uow.session, checkpoints.upsert_checkpoint(uow.session), "key", "a"
            )
        await uow.commit()

    assert still is True
    assert flushed is not None  # still queued after the inner block
    assert await _stored(db) == {"a": 1}


async def test_defer_when_its_block_raises_writes_nothing_and_ends(db: Database) -> None:
    async def fails(uow: UnitOfWork) -> None:
        async with deferred.defer(uow.session):
            await _save(uow, "a", 1)
            raise RuntimeError("boom")

    async with UnitOfWork(db) as uow:
        with pytest.raises(RuntimeError, match="boom"):
            await fails(uow)
        assert not deferred.deferring(uow.session)
        await _save(uow, "b", 2)  # outside a block: at once
        await uow.commit()

    assert await _stored(db) == {"b": 2}


async def test_defer_when_flushed_before_the_commit_writes_each_row_once(db: Database) -> None:
    async with UnitOfWork(db) as uow, deferred.defer(uow.session):
        await _save(uow, "a", 1)
        await deferred.flush(uow.session)
        await uow.commit()
        await _save(uow, "b", 2)  # queued after the commit: the block's end writes it, uncommitted

    assert await _stored(db) == {"a": 1}


async def test_defer_when_entered_starts_no_async_generator(db: Database) -> None:
    """A plain context manager: no generator for the loop to register and finalise."""
    started: list[object] = []
    hooks = sys.get_asyncgen_hooks()

    def firstiter(generator: object) -> None:
        started.append(generator)
        if hooks.firstiter is not None:
            hooks.firstiter(generator)  # type: ignore[arg-type]

    async with UnitOfWork(db) as uow:
        sys.set_asyncgen_hooks(firstiter=firstiter, finalizer=hooks.finalizer)
        try:
            async with deferred.defer(uow.session):
                await _save(uow, "a", 1)
        finally:
            sys.set_asyncgen_hooks(firstiter=hooks.firstiter, finalizer=hooks.finalizer)
        await uow.commit()

    assert started == []
    assert await _stored(db) == {"a": 1}
