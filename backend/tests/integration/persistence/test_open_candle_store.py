"""``open_candle_store``: the CLI's door to the configured database."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from cryptotrader.config import load_settings
from cryptotrader.domain import Pair, Timeframe
from cryptotrader.errors import UserInputError
from cryptotrader.persistence.candles import open_candle_store
from tests.integration.conftest import POSTGRES_URL, require_postgres
from tests.support.builders import random_walk

BTC = Pair.parse("BTC/USDT")


@pytest.mark.asyncio
async def test_open_candle_store_when_embedded_sqlite_is_new_creates_and_migrates_it(
    tmp_path: Path,
) -> None:
    settings = load_settings(data_dir=tmp_path)
    candles = random_walk(3, step_ms=3_600_000)
    async with open_candle_store(settings) as store:
        await store.write(exchange="binance", pair=BTC, timeframe=Timeframe.H1, candles=candles)
    assert (tmp_path / "cryptotrader.db").is_file()
    async with open_candle_store(settings) as store:  # a second run finds the schema current
        [listed] = await store.series()
    assert (listed.exchange, listed.pair, listed.count) == ("binance", BTC, 3)


@pytest_asyncio.fixture
async def empty_postgres_database() -> AsyncIterator[str]:
    """The URL of a brand-new PostgreSQL database, dropped afterwards."""
    require_postgres()
    name = f"ct_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(
        make_url(POSTGRES_URL).set(drivername="postgresql+asyncpg"), isolation_level="AUTOCOMMIT"
    )
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f"CREATE DATABASE {name}"))
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
        async with admin.connect() as connection:
            await connection.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
    finally:
        await admin.dispose()


@pytest.mark.asyncio
async def test_open_candle_store_when_server_database_not_migrated_asks_for_upgrade(
    empty_postgres_database: str,
) -> None:
    settings = load_settings(DATABASE_URL=empty_postgres_database)
    with pytest.raises(UserInputError, match="run: cryptotrader db upgrade"):
        async with open_candle_store(settings):
            pass
