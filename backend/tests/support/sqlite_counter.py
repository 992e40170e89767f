"""A writer process for the SQLite concurrency test: ``python -m`` this module.

Increments one counter (a ``settings`` row) ``count`` times, each a read-then-write unit of
work: the pattern a deferred ``BEGIN`` fails on ("database is locked") as soon as another
process commits between the read and the write. Several of these at once on one file must
neither fail nor lose an increment. Arguments: database URL, key, count, tasks.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime

from cryptotrader.persistence import Database
from cryptotrader.persistence.repositories import settings
from cryptotrader.persistence.uow import UnitOfWork


async def increment(database: Database, key: str) -> None:
    """Add one to the counter at ``key`` (read, pause, write: another writer can interleave)."""
    async with UnitOfWork(database) as uow:
        value = await settings.get_setting(session=uow.session, key=key) or 0
        await asyncio.sleep(0)
        await settings.put_setting(
            session=uow.session, key=key, value=int(value) + 1, at=datetime.now(UTC)
        )
        await uow.commit()


async def main(url: str, key: str, count: int, tasks: int) -> None:
    """``tasks`` concurrent tasks in this process, ``count`` increments each."""
    database = Database(url)

    async def worker() -> None:
        for _ in range(count):
            await increment(database, key)

    try:
        await asyncio.gather(*(worker() for _ in range(tasks)))
    finally:
        await database.dispose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])))
