"""One trade shape: the row's recorded figures are the domain trade's own, both ways.

The database keeps P&L at 8 places and confidence, P&L percent and risk/reward at 4
(``NUMERIC(_, 4)``, rounded half-up); ``domain.trades.Trade`` defines those figures at the same
precision, so a trade read back equals the trade written, the stored columns equal its
properties digit for digit, and the API shows the same text the database holds.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from cryptotrader.api.schemas.trades import TradeDetailPublic
from cryptotrader.domain import BotKind, ExitReason, Pair, RiskLevel, Trade, TradeStatus
from cryptotrader.persistence import Database, UnitOfWork
from cryptotrader.persistence.repositories import bots, trade_queries, trades
from cryptotrader.persistence.tables import TradeRow

T0 = datetime(2026, 3, 1, 9, tzinfo=UTC)
EIGHT = Decimal("1e-8")  # prices reach a trade as money (``domain.fills.money``)

# Each closes with figures that need rounding, some exactly on a half (the 5th place of 0.12345).
CASES = [
    ("0.00123457", "67450.12345678", "67001.00000003", "0.16543211", 0.12345),
    ("0.5", "2000", "2100.00000001", "1.9", 0.99995),
    ("3", "0.00001111", "0.00001113", "0.00000003", 1.0),
    ("12.5", "101.1", "99.99999999", "0", 0.5),
]


@pytest.mark.asyncio
@pytest.mark.parametrize("case", CASES)
async def test_trade_when_stored_and_read_back_has_the_rows_figures(
    database: Database, case: tuple[str, str, str, str, float]
) -> None:
    quantity, entry, exit_, fees, confidence = case
    opened = Trade(
        bot=BotKind.SAFE,
        pair=Pair.parse("BTC/USDT"),
        quantity=quantity,
        entry_price=entry,
        entry_time=T0,
        stop_loss=(Decimal(entry) * Decimal("0.97")).quantize(EIGHT),
        take_profit=(Decimal(entry) * Decimal("1.0712345")).quantize(EIGHT),
        confidence=confidence,
    )
    closed = opened.model_copy(
        update={
            "exit_price": Decimal(exit_),
            "exit_time": T0 + timedelta(hours=3),
            "exit_reason": ExitReason.SIGNAL,
            "fees": Decimal(fees),
            "status": TradeStatus.CLOSED,
        }
    )
    async with UnitOfWork(database) as uow:
        await bots.create_bot(
            session=uow.session,
            name="Safe Bot",
            kind=BotKind.SAFE,
            capital=Decimal(700),
            risk_level=RiskLevel.LOW,
            risk_ratio=Decimal("0.01"),
        )
        trade_id = await trades.add_trade(
            session=uow.session, trade=closed, exchange="binance", indicators_snapshot={"rsi": 1}
        )
        await uow.commit()
    async with UnitOfWork(database) as uow:
        row = (await uow.session.execute(select(TradeRow))).scalar_one()
        recorded = await trade_queries.get_trade_record(session=uow.session, trade_id=trade_id)
    assert recorded is not None
    back = recorded.trade
    assert back == closed
    stored = (row.pnl, row.pnl_percent, row.risk_reward_ratio, row.confidence)
    derived = (back.booked_pnl, back.pnl_percent, back.risk_reward_ratio, back.confidence)
    assert [str(x) for x in derived] == [str(x) for x in stored]
    written = (closed.booked_pnl, closed.pnl_percent, closed.risk_reward_ratio, closed.confidence)
    assert [str(x) for x in derived] == [str(x) for x in written]
    public = TradeDetailPublic.model_validate(recorded).model_dump(mode="json")
    assert (public["pnl"], public["pnl_percent"], public["confidence"]) == (
        format(row.pnl, "f"),
        format(row.pnl_percent, "f"),
        format(row.confidence, "f"),
    )
    assert (public["id"], public["pair"], public["exchange"]) == (trade_id, "BTC/USDT", "binance")
    assert (public["opened_at"], public["indicators"]) == ("2026-03-01T09:00:00Z", {"rsi": 1})
