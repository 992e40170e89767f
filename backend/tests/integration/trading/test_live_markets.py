"""Which live pairs a run trades, and what binds a database to live data (SQLite and PostgreSQL).

Without ``--pair`` the active pairs of ``/config/pairs`` on the exchange (and any pair with an
open trade), else ``runtime.pair``; pairs of several quote assets are refused in one line. A
database bound to live data keeps its exchange and timeframe, not its pairs: the pairs may change
between starts, a replay or another timeframe may not.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from cryptotrader.clock import TestClock
from cryptotrader.config import load_settings
from cryptotrader.domain.enums import BotKind, ExitReason, RiskLevel, TradeStatus
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.trades import Trade
from cryptotrader.errors import UserInputError
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.repositories import bots, pairs, trades
from cryptotrader.persistence.tables import TradingPairRow
from cryptotrader.persistence.uow import UnitOfWork
from cryptotrader.runtime_inputs import RunOptions, check_source, live_markets, resolve_markets

pytestmark = pytest.mark.asyncio(loop_scope="function")


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
    database: Database,
) -> None:
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


async def test_a_live_database_keeps_its_exchange_and_timeframe_and_lets_its_pairs_change(
    database: Database,
) -> None:
    settings = load_settings()
    clock = TestClock(0)
    one = resolve_markets(settings, RunOptions(pairs=("BTC/USDT",)))
    two = resolve_markets(settings, RunOptions(pairs=("BTC/USDT", "ETH/USDT")))
    assert await check_source(database, one, clock) is True
    assert await check_source(database, two, clock) is False  # a pair added
    assert await check_source(database, one, clock) is False  # and removed again
    other_timeframe = resolve_markets(settings, RunOptions(pairs=("BTC/USDT",), timeframe="4h"))
    with pytest.raises(UserInputError, match="this database trades live BTC/USDT 1h"):
        await check_source(database, other_timeframe, clock)


async def test_a_deactivated_pair_with_an_open_trade_is_still_fed_until_it_closes(
    database: Database,
) -> None:
    await store_pair(database, "binance", "BTC/USDT", active=True)
    await store_pair(database, "binance", "ETH/USDT", active=False)
    assert await chosen(database, RunOptions()) == ["BTC/USDT"]
    async with UnitOfWork(database) as uow:
        await bots.create_bot(
            session=uow.session, name="Safe Bot", kind=BotKind.SAFE,
            capital=Decimal(700), risk_level=RiskLevel.LOW, risk_ratio=Decimal("0.01"),
        )  # fmt: skip
        opened = Trade(
            bot=BotKind.SAFE,
            pair=Pair.parse("ETH/USDT"),
            quantity="0.5",
            entry_price="3000",
            entry_time=datetime(2024, 1, 1, tzinfo=UTC),
            stop_loss="2900",
        )
        # paper trades are recorded under the venue "paper", candles under the exchange
        trade_id = await trades.add_trade(session=uow.session, trade=opened, exchange="paper")
        await uow.commit()
    assert await chosen(database, RunOptions()) == ["BTC/USDT", "ETH/USDT"]
    closed = opened.model_copy(
        update={
            "exit_price": Decimal(2900),
            "exit_time": datetime(2024, 1, 2, tzinfo=UTC),
            "exit_reason": ExitReason.STOP_LOSS,
            "status": TradeStatus.CLOSED,
        }
    )
    async with UnitOfWork(database) as uow:
        await trades.update_trade(session=uow.session, trade_id=trade_id, trade=closed)
        await uow.commit()
    assert await chosen(database, RunOptions()) == ["BTC/USDT"]
