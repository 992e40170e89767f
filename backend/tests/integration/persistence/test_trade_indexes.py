"""A bot's P&L since a time is read through an index, not by scanning its closed trades.

``trades.realised_since`` runs before every entry (the daily-loss check); through the index on
``(bot_id, status)`` alone it read every closed trade of the bot and checked ``closed_at`` row
by row: linear in the history. Migration 0008 extends the index with ``closed_at``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.dialects import sqlite

from cryptotrader.persistence.database import Database
from cryptotrader.persistence.migrate import upgrade
from cryptotrader.persistence.repositories.trades import _REALISED


@pytest.mark.asyncio
async def test_realised_since_when_planned_by_sqlite_searches_the_index_by_closed_at(
    tmp_path: Path,
) -> None:
    database = Database(f"sqlite:///{tmp_path / 'plan.db'}")
    await upgrade(database)
    sql = str(_REALISED.compile(dialect=sqlite.dialect()))
    try:
        async with database.engine.connect() as connection:
            plan = await connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", (1, "closed", ""))
            rows = plan.all()
    finally:
        await database.dispose()

    details = " ".join(str(row[-1]) for row in rows)
    assert "closed_at>?" in details, details
