"""Reconciliation on start, on SQLite and PostgreSQL: the database is brought in line with the
exchange before any new order, and nothing trades while they disagree."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cryptotrader.domain.enums import BotKind, ExitReason, OrderStatus, OrderType, Side
from cryptotrader.domain.orders import Order
from cryptotrader.engines import client_ids
from cryptotrader.errors import NetworkUnavailableError
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.repositories import bots, orders, reallocations, trades
from cryptotrader.persistence.uow import UnitOfWork
from tests.support.trading import BEFORE, PAIR, Kit, open_kit

pytestmark = pytest.mark.asyncio(loop_scope="function")

AGGRESSIVE = BotKind.AGGRESSIVE


async def with_position(database: Database) -> Kit:
    kit = await open_kit(database)
    await kit.candle(40_000.0, 40_100.0, 39_900.0, 40_000.0, next_open=40_000.0)
    await kit.engine.open_position(kit.signal(AGGRESSIVE), step_ms=kit.step_ms)
    return kit


async def restart(kit: Kit) -> Kit:
    """A new engine on the same database and exchange, as after a crash."""
    return await open_kit(kit.database, exchange=kit.exchange, clock=kit.clock)


async def test_reconcile_when_a_take_profit_filled_while_down_closes_and_reallocates(
    database: Database,
) -> None:
    kit = await with_position(database)
    # The exchange fills the take-profit while nobody records it (the runtime is down).
    await kit.exchange.on_candle(
        PAIR, open_ms=kit.step_ms + 3_600_000, close_ms=kit.step_ms + 7_200_000,
        open_=41_000.0, high=46_000.0, low=40_900.0, close=45_000.0,
    )  # fmt: skip
    again = await restart(kit)
    assert AGGRESSIVE not in again.engine.positions
    async with UnitOfWork(database) as uow:
        [(trade_id, trade)] = await trades.list_trades(session=uow.session)
        [moved] = await reallocations.list_reallocations(session=uow.session)
        safe = await bots.require_bot(session=uow.session, kind=BotKind.SAFE)
    assert trade.exit_reason is ExitReason.TAKE_PROFIT
    assert trade.pnl is not None
    assert moved.trigger_trade_id == trade_id
    assert moved.amount == (trade.pnl * Decimal("0.30")).quantize(Decimal("1e-8"), "ROUND_DOWN")
    assert safe.capital == Decimal(700) + moved.amount


async def test_reconcile_when_a_stop_was_stored_but_never_sent_sends_it_with_its_id(
    database: Database,
) -> None:
    kit = await with_position(database)
    position = kit.engine.positions[AGGRESSIVE]
    # Lose the protection on the exchange side, and leave a new stop stored but never sent.
    await kit.exchange.cancel_order(PAIR, client_order_id=f"{position.entry_id}-sl")
    base = client_ids.protection_id(position.entry_id, 2)
    never_sent = Order(
        client_order_id=f"{base}-sl",
        bot=AGGRESSIVE,
        pair=PAIR,
        side=Side.SELL,
        type=OrderType.STOP_LOSS,
        quantity=position.quantity,
        price=position.stop,
        created_at=kit.clock.now(),
    )
    async with UnitOfWork(database) as uow:
        await orders.add_order(
            session=uow.session, order=never_sent, exchange="paper", trade_id=position.trade_id
        )
        await uow.commit()
    again = await restart(kit)
    protected = again.engine.positions[AGGRESSIVE]
    assert not protected.unprotected
    assert protected.protection == base  # the stored stop, sent with its own client id
    assert kit.exchange.book.orders[f"{base}-sl"].is_open
    async with UnitOfWork(database) as uow:
        sent = await orders.get_order(session=uow.session, client_order_id=f"{base}-sl")
    assert sent is not None
    assert sent.status is OrderStatus.OPEN
    assert protected.stop == position.stop  # the exact levels, recomputed from the exact fill
    assert kit.exchange.book.orders[f"{base}-sl"].price == position.stop


async def test_reconcile_when_the_exchange_does_not_answer_trades_nothing(
    database: Database,
) -> None:
    kit = await with_position(database)
    kit.exchange.faults["fetch_order"] += [(BEFORE, NetworkUnavailableError("down"))] * 9
    report = await kit.reconciler.run()
    assert not report.ok
    assert not kit.engine.trading_allowed
    assert "reconciliation_failed" in kit.bus.kinds()
    await kit.candle(40_000.0, 40_100.0, 39_900.0, 40_000.0, next_open=40_000.0)
    assert await kit.engine.open_position(kit.signal(BotKind.SAFE), step_ms=kit.step_ms) is None
    assert kit.exchange.calls["buy"] == 1  # only the first entry, before the outage


async def test_reconcile_when_an_open_order_is_unknown_to_the_exchange_refuses(
    database: Database,
) -> None:
    kit = await with_position(database)
    ghost = Order(
        client_order_id="ct-s-1704067200000-x",
        bot=BotKind.SAFE,
        pair=PAIR,
        side=Side.SELL,
        type=OrderType.MARKET,
        quantity=Decimal("0.001"),
        status=OrderStatus.OPEN,
        created_at=kit.clock.now(),
    )
    async with UnitOfWork(database) as uow:
        await orders.add_order(session=uow.session, order=ghost, exchange="paper")
        await uow.commit()
    report = await kit.reconciler.run()
    assert not report.ok
    assert report.error is not None
    assert "check the account by hand" in report.error


async def test_reconcile_when_the_exchange_holds_less_than_the_positions_refuses(
    database: Database,
) -> None:
    kit = await with_position(database)
    position = kit.engine.positions[AGGRESSIVE]
    await kit.exchange.cancel_order(PAIR, client_order_id=f"{position.entry_id}-sl")
    kit.exchange.book.free["BTC"] = Decimal(0)  # someone sold by hand on the exchange
    report = await kit.reconciler.run()
    assert not report.ok
    assert "check the account by hand" in (report.error or "")
