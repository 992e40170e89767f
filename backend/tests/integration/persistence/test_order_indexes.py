"""The open orders are read through the orders' ``(bot_id, status)`` index, not by a scan.

Migration 0009 drops the index on ``status`` alone (one fewer to write per order); reconciliation
reads the open orders at every start, so without an index serving them it would scan every order
ever placed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.dialects import sqlite

from cryptotrader.domain.enums import BotKind
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.migrate import upgrade
from cryptotrader.persistence.repositories.orders import open_statement


@pytest.mark.asyncio
@pytest.mark.parametrize("bot", [None, BotKind.SAFE])
async def test_open_orders_when_planned_by_sqlite_search_the_bot_and_status_index(
    tmp_path: Path, bot: BotKind | None
) -> None:
    database = Database(f"sqlite:///{tmp_path / 'plan.db'}")
    await upgrade(database)
    compiled = open_statement(bot).compile(
        dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}
    )
    try:
        async with database.engine.connect() as connection:
            indexes = await connection.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'orders'"
            )
            names = set(indexes.scalars().all())
            plan = await connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}")
            rows = plan.all()
    finally:
        await database.dispose()

    details = [str(row[-1]) for row in rows]
    assert "ix_orders_status" not in names
    assert "SEARCH orders USING INDEX ix_orders_bot_id (bot_id=? AND status=?)" in details, details
    assert not any(d.startswith("SCAN orders") for d in details), details
