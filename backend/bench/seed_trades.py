"""Store N closed trades of the safe bot in the database of CRYPTOTRADER_DATA_DIR.

For the app's scrolling benchmark (mobile/bench/scroll-trades.mjs): a history of 5,000 trades
to scroll in the bot's detail. Usage: ``python bench/seed_trades.py 5000`` (the database must
exist: ``cryptotrader user create`` makes it).
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from cryptotrader.config import load_settings
from cryptotrader.domain.enums import BotKind, ExitReason, RiskLevel, TradeStatus
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.trades import Trade
from cryptotrader.persistence import Database, UnitOfWork
from cryptotrader.persistence.repositories import bots, trades


async def seed(count: int) -> None:
    """Create the bots when missing, then ``count`` closed trades an hour apart."""
    database = Database(load_settings().database_url)
    try:
        async with UnitOfWork(database) as uow:
            if not await bots.list_bots(session=uow.session):
                for kind, capital, level, ratio in (
                    (BotKind.SAFE, 700, RiskLevel.LOW, "0.01"),
                    (BotKind.AGGRESSIVE, 300, RiskLevel.MAX, "0.03"),
                ):
                    await bots.create_bot(
                        session=uow.session,
                        name=kind.value.title(),
                        kind=kind,
                        capital=Decimal(capital),
                        risk_level=level,
                        risk_ratio=Decimal(ratio),
                    )
            start = datetime(2020, 1, 1, tzinfo=UTC)
            for index in range(count):
                entry = Decimal(30000 + (index * 37) % 2000)
                opened = start + timedelta(hours=index)
                await trades.add_trade(
                    session=uow.session,
                    exchange="binance",
                    trade=Trade(
                        bot=BotKind.SAFE,
                        pair=Pair(base="BTC", quote="USDT"),
                        quantity=Decimal("0.01"),
                        entry_price=entry,
                        entry_time=opened,
                        stop_loss=entry * Decimal("0.98"),
                        take_profit=entry * Decimal("1.04"),
                        exit_price=entry + Decimal((index % 7) * 40 - 120),
                        exit_time=opened + timedelta(minutes=30),
                        exit_reason=ExitReason.SIGNAL,
                        fees=Decimal("0.6"),
                        status=TradeStatus.CLOSED,
                    ),
                )
            await uow.commit()
    finally:
        await database.dispose()


if __name__ == "__main__":
    asyncio.run(seed(int(sys.argv[1]) if len(sys.argv) > 1 else 5000))
