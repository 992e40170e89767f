"""The order engine's writer-lease fence: CPU per committing transaction, fenced and not.

Run from ``backend/``: ``../.venv/bin/python -m bench.writer_fence [COMMITS ROUNDS]`` (defaults
2,000 commits, 3 rounds). On a new embedded SQLite database (inline, as a replay's ``run``), a
unit of work writing one checkpoint is committed ``COMMITS`` times without the fence, then with
it (``engines.writer_lease``), alternately for ``ROUNDS`` rounds; printed: CPU microseconds per
commit of each (``time.process_time``: the steadier measure on a shared machine).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from cryptotrader.engines.writer_lease import WriterLease
from cryptotrader.persistence.migrate import open_database
from cryptotrader.persistence.repositories import checkpoints
from cryptotrader.persistence.uow import UnitOfWork


async def main(commits: int, rounds: int) -> None:
    """Print the CPU per commit, fenced and not, ``rounds`` times interleaved."""
    with tempfile.TemporaryDirectory() as folder:
        database = await open_database(
            f"sqlite+aiosqlite:///{Path(folder) / 'fence.db'}", inline=True
        )
        lease = WriterLease(database, ("order", "portfolio"), owner="bench")
        await lease.acquire()
        now = datetime.now(UTC)
        try:
            for _ in range(rounds):
                for fenced in (False, True):
                    database.commit_check = lease.fence if fenced else None
                    started = time.process_time()
                    for n in range(commits):
                        async with UnitOfWork(database) as uow:
                            await checkpoints.save_checkpoint(
                                session=uow.session, engine="bench", key="k", value={"n": n}, at=now
                            )
                            await uow.commit()
                    spent = (time.process_time() - started) / commits * 1e6
                    print(f"{'fenced' if fenced else 'plain '} {spent:6.0f} us CPU per commit")
        finally:
            await lease.release()
            await database.dispose()


if __name__ == "__main__":
    arguments = [int(a) for a in sys.argv[1:3]]
    asyncio.run(main(*(arguments + [2000, 3][len(arguments) :])))
