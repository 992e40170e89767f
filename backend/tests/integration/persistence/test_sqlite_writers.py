"""The embedded SQLite serves concurrent writers: several processes, several tasks each.

Every increment reads the counter and writes it back in one unit of work. With a deferred
``BEGIN`` that pattern failed with "database is locked" as soon as another writer committed
between the read and the write (and parallel logins answered 503); with one writer at a time
(the in-process writer lock, ``BEGIN IMMEDIATE`` and ``busy_timeout`` across processes) none
fails and none is lost.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from cryptotrader.persistence import Database
from cryptotrader.persistence.migrate import upgrade
from cryptotrader.persistence.repositories import settings
from cryptotrader.persistence.uow import UnitOfWork
from tests.support.sqlite_counter import increment

pytestmark = pytest.mark.asyncio

BACKEND = Path(__file__).resolve().parents[3]
PROCESSES, TASKS, COUNT = 3, 4, 15
KEY = "test.counter"


async def test_sqlite_writers_in_several_processes_fail_none_and_lose_none(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    database = Database(url)
    await upgrade(database)
    environment = {**os.environ, "PYTHONPATH": str(BACKEND)}
    workers = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.support.sqlite_counter",
            url,
            KEY,
            str(COUNT),
            str(TASKS),
            cwd=BACKEND,
            env=environment,
            stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(PROCESSES)
    ]

    async def local() -> None:
        for _ in range(COUNT):
            await increment(database, KEY)

    await asyncio.gather(*(local() for _ in range(TASKS)))
    for worker in workers:
        _, errors = await asyncio.wait_for(worker.communicate(), 600)
        assert worker.returncode == 0, errors.decode()[-2000:]

    async with UnitOfWork(database, read_only=True) as uow:
        total = await settings.get_setting(session=uow.session, key=KEY)
    await database.dispose()
    assert total == (PROCESSES + 1) * TASKS * COUNT


async def test_sqlite_unit_of_work_nested_in_a_writer_does_not_wait_for_itself(
    tmp_path: Path,
) -> None:
    database = Database(f"sqlite:///{tmp_path / 'nested.db'}")
    await upgrade(database)

    async with asyncio.timeout(60):
        async with UnitOfWork(database) as outer:
            await settings.get_setting(session=outer.session, key=KEY)
            async with UnitOfWork(database, read_only=True) as inner:
                await settings.get_setting(session=inner.session, key=KEY)
            async with UnitOfWork(database) as inner:
                await settings.get_setting(session=inner.session, key=KEY)

    await database.dispose()


async def test_sqlite_tasks_started_inside_a_unit_of_work_still_take_the_writer_lock(
    tmp_path: Path,
) -> None:
    """A task copies its creator's context: it must not inherit "I hold the writer lock".

    Tasks started while a writing unit of work is open (here: before it commits, as a lazily
    started consumer or a ``gather`` would be) increment the counter concurrently with plain
    writers, long after the opener's block ended. With the holder kept as a context flag they
    wrote in deferred transactions without the lock: "database is locked" (or lost updates).
    """
    database = Database(f"sqlite:///{tmp_path / 'inherited.db'}")
    await upgrade(database)

    async def increments() -> None:
        for _ in range(COUNT):
            await increment(database, KEY)

    async with asyncio.timeout(600):
        async with UnitOfWork(database) as opener:
            await settings.get_setting(session=opener.session, key=KEY)
            started = [asyncio.create_task(increments()) for _ in range(TASKS)]
        await asyncio.gather(*started, *(increments() for _ in range(TASKS)))

    async with UnitOfWork(database, read_only=True) as uow:
        total = await settings.get_setting(session=uow.session, key=KEY)
    await database.dispose()
    assert total == 2 * TASKS * COUNT


async def test_sqlite_file_when_created_is_private_to_its_owner(tmp_path: Path) -> None:
    path = tmp_path / "private.db"
    database = Database(f"sqlite:///{path}")
    await upgrade(database)
    await database.dispose()

    modes = _modes(tmp_path, "private.db")
    assert path.name in modes
    assert all(int(mode, 8) & 0o077 == 0 for mode in modes.values()), modes


def _modes(directory: Path, prefix: str) -> dict[str, str]:
    """Permission bits of the database file and its companions (-wal, -shm)."""
    return {
        file.name: oct(file.stat().st_mode & 0o777)
        for file in directory.iterdir()
        if file.name.startswith(prefix)
    }


async def test_sqlite_readers_when_more_than_the_pool_keeps_open_never_wait_for_a_connection(
    tmp_path: Path,
) -> None:
    """A burst of requests holds more connections than the pool keeps: none waits for another.

    SQLAlchemy's default pool (5 + 10 overflow, 30 s wait) made the 16th concurrent unit of work
    wait for a free connection; on a starved event loop that wait ran out and the API answered
    logins with 503. SQLite connections are file handles: the pool opens more instead.
    """
    database = Database(f"sqlite:///{tmp_path / 'burst.db'}")
    await upgrade(database)
    held = 3 * (database.pool.size + 10)
    inside = 0
    everyone_in = asyncio.Event()

    async def read_and_hold() -> None:
        nonlocal inside
        async with UnitOfWork(database, read_only=True) as uow:
            await settings.get_setting(session=uow.session, key=KEY)
            inside += 1
            if inside == held:
                everyone_in.set()
            await everyone_in.wait()

    try:
        # a capped pool raises its TimeoutError here (after its wait) instead of letting all in
        await asyncio.wait_for(asyncio.gather(*(read_and_hold() for _ in range(held))), 300)
    finally:
        await database.dispose()
    assert inside == held
