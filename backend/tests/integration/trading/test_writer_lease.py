"""The order and portfolio engines' writer lease on SQLite and PostgreSQL.

A second copy cannot take a lease held by a live first one; it takes it once the first lets
go (or expires), with a larger token; and a first copy whose lease was taken from it can
commit nothing more (the fence runs in its own transaction), so it can send no order.
"""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cryptotrader.engines.writer_lease import LEASE_ENGINE, LeaseLostError, WriterLease
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.migrate import upgrade
from cryptotrader.persistence.repositories import checkpoints
from cryptotrader.persistence.uow import UnitOfWork

pytestmark = pytest.mark.asyncio


async def _lease_row(database: Database) -> dict[str, object] | None:
    async with UnitOfWork(database) as uow:
        return await checkpoints.load_checkpoint(
            session=uow.session, engine=LEASE_ENGINE, key="order"
        )


async def _write_mark(database: Database, key: str) -> None:
    """A write of the engine's kind: a checkpoint, committed through the fence."""
    async with UnitOfWork(database) as uow:
        await checkpoints.save_checkpoint(
            session=uow.session, engine="order", key=key, value={"n": 1}, at=datetime.now(UTC)
        )
        await uow.commit()


async def test_a_second_copy_waits_then_takes_over_with_a_larger_token(database: Database) -> None:
    first = WriterLease(database, ("order",), owner="first", renew_s=0.05)
    second = WriterLease(database, ("order",), owner="second")
    await first.acquire()
    try:
        assert await second._take("order") is not None  # held: the second waits
        await _write_mark(database, "first")  # the holder writes
    finally:
        await first.release()
    waiting = asyncio.create_task(second.acquire())
    await asyncio.wait_for(waiting, 30)
    try:
        assert second.tokens["order"] == first.tokens["order"] + 1
        await _write_mark(database, "second")
    finally:
        await second.release()


async def test_a_copy_whose_lease_was_taken_commits_nothing(database: Database) -> None:
    await _stale_copy_commits_nothing(database)


async def test_on_the_inline_connection_a_copy_whose_lease_was_taken_commits_nothing(
    tmp_path: Path,
) -> None:
    """The fence's query on ``sqlite3`` itself (``Database(inline=True)``: a replay's)."""
    database = Database(f"sqlite:///{tmp_path / 'inline.db'}", inline=True)
    await upgrade(database)
    try:
        await _stale_copy_commits_nothing(database)
    finally:
        await database.dispose()


async def test_on_the_inline_connection_a_take_over_by_another_process_is_seen_by_the_next_commit(
    tmp_path: Path,
) -> None:
    """The fence skips its query while nothing else committed: a take-over is such a commit."""
    path = tmp_path / "inline.db"
    database = Database(f"sqlite:///{path}", inline=True)
    await upgrade(database)
    lease = WriterLease(database, ("order",), owner="first", renew_s=3600)
    await lease.acquire()
    try:
        await _write_mark(database, "one")
        await _write_mark(database, "two")  # passes without reading the rows again
        other = sqlite3.connect(path)  # another process's commit: only data_version tells
        with other:
            other.execute(
                "UPDATE engine_checkpoints SET value = json_set(value, '$.token', 99) "
                "WHERE engine = ? AND key = 'order'",
                (LEASE_ENGINE,),
            )
        other.close()
        with pytest.raises(LeaseLostError):
            await _write_mark(database, "stale")
        assert lease.lost.is_set()
    finally:
        database.commit_check = None
        lease.tokens.clear()
        await database.dispose()


async def _stale_copy_commits_nothing(database: Database) -> None:
    stalled = WriterLease(database, ("order",), owner="stalled", renew_s=3600)
    await stalled.acquire()
    try:
        # the stalled copy's lease runs out; another takes it
        async with UnitOfWork(database) as uow:
            row = await _lease_row(database)
            assert row is not None
            await checkpoints.save_checkpoint(
                session=uow.session, engine=LEASE_ENGINE, key="order",
                value={**row, "expires": 0.0}, at=datetime.now(UTC),
            )  # fmt: skip
            await uow.commit()
        other = WriterLease(database, ("order",), owner="other")
        database.commit_check = None
        assert await other._take("order") is None
        database.commit_check = stalled.fence  # the stalled copy wakes up and writes
        with pytest.raises(LeaseLostError):
            await _write_mark(database, "stale")
        assert stalled.lost.is_set()
        async with UnitOfWork(database) as uow:
            stale = await checkpoints.load_checkpoint(
                session=uow.session, engine="order", key="stale"
            )
        assert stale is None  # rolled back: nothing written
        assert other.tokens["order"] == stalled.tokens["order"] + 1
    finally:
        database.commit_check = None
        stalled.tokens.clear()


async def test_the_lease_of_a_dead_process_on_this_host_is_taken_at_once(
    database: Database,
) -> None:
    command = [sys.executable, "-c", "import os; print(os.getpid())"]
    gone = await asyncio.to_thread(
        subprocess.run, command, capture_output=True, text=True, check=True
    )
    dead = WriterLease(database, ("order",), owner="dead", ttl_s=3600)
    dead.owner = dead.owner.rsplit(":", 1)[0] + f":{int(gone.stdout)}"
    assert await dead._take("order") is None  # a lease an hour long, its process gone
    database.commit_check = None
    heir = WriterLease(database, ("order",), owner="heir")
    assert await heir._take("order") is None
    assert heir.tokens["order"] == dead.tokens["order"] + 1
