"""New trades inside a ``deferred.defer`` block on PostgreSQL: ids from the sequence, rows queued.

The order engine opened each trade with an ``INSERT ... RETURNING`` round trip of its own (about
24 per candle time of 100 pairs on ``bench_flip``, docs/BENCHMARKS.md issue 17). On PostgreSQL
the id now comes from the table's sequence (``trades.ID_BLOCK`` at a time) and the row is written
with the transaction's other queued rows; on SQLite, and outside a ``defer`` block, as before.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import event, select

from cryptotrader.domain import BotKind, Pair, RiskLevel, Trade
from cryptotrader.persistence import Database, UnitOfWork, deferred
from cryptotrader.persistence.repositories import bots, trades
from cryptotrader.persistence.tables import TradeRow

T0 = datetime(2026, 3, 1, 9, tzinfo=UTC)


def _trade(quantity: str) -> Trade:
    return Trade(
        bot=BotKind.SAFE,
        pair=Pair.parse("BTC/USDT"),
        quantity=quantity,
        entry_price="100",
        entry_time=T0,
        stop_loss="98",
        take_profit="104",
        confidence=0.5,
    )


async def _safe_bot(database: Database) -> None:
    """The safe bot the trades belong to."""
    async with UnitOfWork(database) as uow:
        await bots.create_bot(
            session=uow.session,
            name="safe",
            kind=BotKind.SAFE,
            capital=Decimal(1000),
            risk_level=RiskLevel.LOW,
            risk_ratio=Decimal("0.01"),
        )
        await uow.commit()


@pytest.mark.asyncio
async def test_trades_added_in_a_deferred_block_are_written_at_its_flush_with_their_ids(
    database: Database,
) -> None:
    await _safe_bot(database)
    sent: list[str] = []

    def record(*args: Any) -> None:
        sent.append(str(args[2]))

    event.listen(database.engine.sync_engine, "before_cursor_execute", record)
    try:
        async with UnitOfWork(database) as uow:
            async with deferred.defer(uow.session):
                first = await trades.add_trade(
                    session=uow.session, trade=_trade("1"), exchange="paper"
                )
                second = await trades.add_trade(
                    session=uow.session, trade=_trade("2"), exchange="paper"
                )
                grown = _trade("1.5").model_copy(update={"fees": Decimal("0.25")})
                await trades.update_quantity(session=uow.session, trade_id=first, trade=grown)
                inserts_before_flush = [s for s in sent if s.startswith("INSERT INTO trades")]
            await uow.commit()
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", record)

    assert first != second
    if database.dialect == "postgresql":
        assert inserts_before_flush == []  # queued, no INSERT ... RETURNING per trade
        assert first < second  # taken from the sequence in order
    async with UnitOfWork(database) as uow:
        rows = (await uow.session.execute(select(TradeRow).order_by(TradeRow.id))).scalars().all()
    assert [(r.id, r.quantity, r.fees) for r in rows] == [
        (first, Decimal("1.5"), Decimal("0.25")),
        (second, Decimal("2"), Decimal("0")),
    ]


@pytest.mark.asyncio
async def test_trade_ids_after_the_taken_block_keep_coming_from_the_sequence(
    database: Database,
) -> None:
    await _safe_bot(database)
    ids = []
    for _ in range(trades.ID_BLOCK + 2):  # past one block
        async with UnitOfWork(database) as uow:
            async with deferred.defer(uow.session):
                ids.append(
                    await trades.add_trade(session=uow.session, trade=_trade("1"), exchange="paper")
                )
            await uow.commit()
    async with UnitOfWork(database) as uow:  # one added the usual way comes after them
        plain = await trades.add_trade(session=uow.session, trade=_trade("1"), exchange="paper")
        await uow.commit()
    assert ids == sorted(set(ids))
    assert plain > ids[-1]
    async with UnitOfWork(database) as uow:
        stored = (await uow.session.execute(select(TradeRow.id).order_by(TradeRow.id))).all()
    assert [i for (i,) in stored] == [*ids, plain]
