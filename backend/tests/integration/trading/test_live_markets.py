"""Which live pairs a run trades, and what binds a database to live data (real SQLite).

Without ``--pair`` the active pairs of ``/config/pairs`` on the exchange (and any pair with an
open trade), else ``runtime.pair``; pairs of several quote assets are refused in one line. A
database bound to live data keeps its exchange and timeframe, not its pairs: the pairs may change
between starts, a replay or another timeframe may not.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cryptotrader.clock import TestClock
from cryptotrader.config import load_settings
from cryptotrader.domain.pairs import Pair
from cryptotrader.errors import UserInputError
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.migrate import upgrade
from cryptotrader.persistence.repositories import pairs
from cryptotrader.persistence.tables import TradingPairRow
from cryptotrader.persistence.uow import UnitOfWork
from cryptotrader.runtime_inputs import RunOptions, check_source, live_markets, resolve_markets

pytestmark = pytest.mark.asyncio(loop_scope="function")


async def database_at(tmp_path: Path) -> Database:
    database = Database(f"sqlite:///{tmp_path / 'db.sqlite'}")
    await upgrade(database)
    return database


async def store_pair(database: Database, exchange: str, symbol: str, *, active: bool) -> None:
    async with UnitOfWork(database) as uow:
        pair_id = await pairs.ensure_pair(
            session=uow.session, exchange=exchange, pair=Pair.parse(symbol)
        )
        row = await uow.session.get(TradingPairRow, pair_id)
        assert row is not None
        row.is_active = active
        await uow.commit()


async def chosen(database: Database, options: RunOptions) -> list[str]:
    settings = load_settings()
    markets = await live_markets(database, settings, options, resolve_markets(settings, options))
    return [m.series.pair.symbol for m in markets]


async def test_live_pairs_are_the_active_ones_of_the_exchange_else_runtime_pair(
    tmp_path: Path,
) -> None:
    database = await database_at(tmp_path)
    try:
        assert await chosen(database, RunOptions()) == ["BTC/USDT"]  # runtime.pair
        await store_pair(database, "binance", "SOL/USDT", active=True)
        await store_pair(database, "binance", "ETH/USDT", active=True)
        await store_pair(database, "binance", "XRP/USDT", active=False)
        await store_pair(database, "kraken", "ADA/USDT", active=True)
        assert await chosen(database, RunOptions()) == ["ETH/USDT", "SOL/USDT"]
        given = RunOptions(pairs=("LTC/USDT", "BTC/USDT", "LTC/USDT"))
        assert await chosen(database, given) == ["BTC/USDT", "LTC/USDT"]  # sorted, once each
        await store_pair(database, "binance", "ETH/BTC", active=True)
        with pytest.raises(UserInputError, match="quoted in BTC, USDT"):
            await chosen(database, RunOptions())
    finally:
        await database.dispose()


async def test_a_live_database_keeps_its_exchange_and_timeframe_and_lets_its_pairs_change(
    tmp_path: Path,
) -> None:
    database = await database_at(tmp_path)
    settings = load_settings()
    clock = TestClock(0)
    try:
        one = resolve_markets(settings, RunOptions(pairs=("BTC/USDT",)))
        two = resolve_markets(settings, RunOptions(pairs=("BTC/USDT", "ETH/USDT")))
        assert await check_source(database, one, clock) is True
        assert await check_source(database, two, clock) is False  # a pair added
        assert await check_source(database, one, clock) is False  # and removed again
        other_timeframe = resolve_markets(settings, RunOptions(pairs=("BTC/USDT",), timeframe="4h"))
        with pytest.raises(UserInputError, match="this database trades live BTC/USDT 1h"):
            await check_source(database, other_timeframe, clock)
    finally:
        await database.dispose()
