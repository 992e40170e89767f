"""The outbox's ``sent_at`` index holds the sent rows only, and still serves the prune.

Migration 0010: every trading transaction inserts an unsent outbox row (``sent_at`` NULL);
with the NULLs indexed, each commit also wrote ``ix_outbox_sent_at``'s page. The prune of
the rows sent long ago (``sent_at < ?``) is the index's reader: it must still search it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cryptotrader.persistence.database import Database
from cryptotrader.persistence.migrate import upgrade


@pytest.mark.asyncio
async def test_the_sent_index_is_partial_and_the_prune_searches_it(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'plan.db'}")
    await upgrade(database)
    try:
        async with database.engine.connect() as connection:
            listed = await connection.exec_driver_sql("PRAGMA index_list(outbox)")
            partial = {str(values[1]): int(values[4]) for values in map(list, listed.all())}
            plan = await connection.exec_driver_sql(
                "EXPLAIN QUERY PLAN DELETE FROM outbox WHERE sent_at < '2026-12-05 00:00:00'"
            )
            details = [str(row[-1]) for row in plan.all()]
            await connection.exec_driver_sql(
                "INSERT INTO outbox (payload, created_at) VALUES ('[]', '2026-12-05 00:00:00')"
            )
            indexed = await connection.exec_driver_sql(
                "SELECT count(*) FROM outbox INDEXED BY ix_outbox_sent_at WHERE sent_at IS NOT NULL"
            )
            entries = indexed.scalar_one()
    finally:
        await database.dispose()

    assert partial == {"ix_outbox_sent_at": 1}  # the sent rows only
    assert any(d.startswith("SEARCH outbox USING INDEX ix_outbox_sent_at") for d in details), (
        details
    )
    assert entries == 0  # an unsent row is not in it
