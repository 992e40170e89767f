"""Alembic is the only way the schema changes: the same migrations on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, inspect

from cryptotrader.errors import UserInputError
from cryptotrader.persistence import Database
from cryptotrader.persistence.migrate import downgrade, head_revision, schema_state, upgrade
from cryptotrader.persistence.tables import Base
from cryptotrader.persistence.timescale import is_hypertable, timescale_available

TABLES = {
    "trading_pairs",
    "bots",
    "trades",
    "reallocations",
    "ohlcv_data",
    "orders",
    "order_fills",
    "users",
    "refresh_tokens",
    "api_keys",
    "audit_log",
    "settings",
    "outbox",
    "engine_checkpoints",
    "processed_messages",
    "service_tokens",
    "backtests",
    "notification_devices",
    "notification_settings",
    "notification_deliveries",
}


def _differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names()) - {"alembic_version"}


@pytest.mark.asyncio
async def test_upgrade_when_database_is_empty_creates_exactly_the_models(
    empty_database: Database,
) -> None:
    assert (await schema_state(empty_database)).current is None

    await upgrade(empty_database)

    async with empty_database.engine.connect() as connection:
        assert await connection.run_sync(_tables) == TABLES
        assert await connection.run_sync(_differences) == []
    state = await schema_state(empty_database)
    assert state.current == head_revision()
    assert state.up_to_date


@pytest.mark.asyncio
async def test_downgrade_when_back_to_base_drops_everything_and_upgrade_works_again(
    empty_database: Database,
) -> None:
    await upgrade(empty_database)

    await downgrade(empty_database, "base")
    async with empty_database.engine.connect() as connection:
        assert await connection.run_sync(_tables) == set()
    assert (await schema_state(empty_database)).current is None

    await upgrade(empty_database)
    async with empty_database.engine.connect() as connection:
        assert await connection.run_sync(_differences) == []


def _ohlcv_layout(connection: Connection) -> tuple[bool, bool, list[str]]:
    key = inspect(connection).get_pk_constraint("ohlcv_data")["constrained_columns"]
    return timescale_available(connection), is_hypertable(connection, "ohlcv_data"), key


@pytest.mark.asyncio
async def test_upgrade_when_timescaledb_is_absent_keeps_ohlcv_plain_with_its_primary_key(
    database: Database,
) -> None:
    async with database.engine.connect() as connection:
        available, hypertable, key = await connection.run_sync(_ohlcv_layout)

    assert key == ["pair_id", "timeframe", "time"]
    # The migration decides: a hypertable exactly when the server can load TimescaleDB.
    assert hypertable == available
    if database.dialect == "sqlite":
        assert not available


@pytest.mark.asyncio
async def test_upgrade_when_revision_is_unknown_raises_user_input_error(
    empty_database: Database,
) -> None:
    with pytest.raises(UserInputError, match="nope"):
        await upgrade(empty_database, "nope")
