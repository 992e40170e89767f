"""OrderEngine on SQLite and PostgreSQL, with the paper exchange (and scripted exchange faults)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from cryptotrader.bus.messages import AlertRaised
from cryptotrader.config import RuntimeSettings
from cryptotrader.domain.enums import (
    BotKind,
    BotStatus,
    ExitReason,
    OrderStatus,
    OrderType,
    Side,
    TradeStatus,
)
from cryptotrader.domain.orders import Order
from cryptotrader.domain.trades import Trade
from cryptotrader.engines import client_ids
from cryptotrader.engines.portfolio import booked
from cryptotrader.errors import (
    NetworkUnavailableError,
    OperationalError,
    OrderOutcomeUnknown,
    OrderRejected,
)
from cryptotrader.exchanges.base import VenueCapabilities
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.migrate import upgrade
from cryptotrader.persistence.repositories import bots, orders, trades
from cryptotrader.persistence.uow import UnitOfWork
from tests.integration.conftest import close_database, open_database
from tests.support.trading import AFTER, BEFORE, HOUR, PAIR, Kit, open_kit

pytestmark = pytest.mark.asyncio(loop_scope="function")

SAFE, AGGRESSIVE = BotKind.SAFE, BotKind.AGGRESSIVE


async def stored_orders(db: Database) -> dict[str, Order]:
    async with UnitOfWork(db) as uow:
        found = await orders.open_orders(session=uow.session)
        every = {o.client_order_id: o for o in found}
        for trade_id, _ in await trades.list_trades(session=uow.session, limit=1000):
            every |= {
                o.client_order_id: o
                for o in await orders.trade_orders(session=uow.session, trade_id=trade_id)
            }
    return every


async def stored_trades(db: Database) -> list[Trade]:
    async with UnitOfWork(db) as uow:
        listed = await trades.list_trades(session=uow.session, limit=1000)
    return [t for _, t in sorted(listed, key=lambda item: item[0])]


async def opened(kit: Kit, bot: BotKind = AGGRESSIVE) -> None:
    await kit.candle(40_000.0, 40_100.0, 39_900.0, 40_000.0, next_open=40_000.0)
    await kit.engine.open_position(kit.signal(bot), step_ms=kit.step_ms)


async def test_place_order_with_protection_when_filled_stores_the_trade_and_its_stop(
    database: Database,
) -> None:
    kit = await open_kit(database)
    await opened(kit)
    position = kit.engine.positions[AGGRESSIVE]
    stored = await stored_orders(database)
    entry = stored[position.entry_id]
    assert entry.status is OrderStatus.FILLED
    assert stored[f"{position.entry_id}-sl"].status is OrderStatus.OPEN
    assert stored[f"{position.entry_id}-tp"].status is OrderStatus.OPEN
    assert stored[f"{position.entry_id}-sl"].quantity == entry.filled_quantity
    book = kit.exchange.book
    assert book.orders[f"{position.entry_id}-sl"].price == position.stop
    assert book.used["BTC"] == position.quantity  # the whole position is reserved by its stop
    [trade] = await stored_trades(database)
    assert trade.status is TradeStatus.OPEN
    assert trade.confidence == 1.0
    [alert] = kit.bus.alerts("trade_opened")
    assert alert.details["vote:rsi_14"] == "+0.2500"
    assert Decimal(alert.details["stop_loss"]) == trade.stop_loss
    assert alert.details["stop_pct"].startswith("-")
    assert alert.details["take_pct"].startswith("+")


async def test_place_order_when_sent_was_written_to_the_database_first(database: Database) -> None:
    kit = await open_kit(database)
    seen: list[OrderStatus | None] = []
    original = kit.exchange.buy

    async def spying_buy(*args, **kwargs):  # type: ignore[no-untyped-def]
        async with UnitOfWork(database) as uow:
            stored = await orders.get_order(
                session=uow.session, client_order_id=kwargs["client_order_id"]
            )
        seen.append(None if stored is None else stored.status)
        return await original(*args, **kwargs)

    kit.exchange.buy = spying_buy  # type: ignore[method-assign]
    await opened(kit)
    assert seen == [OrderStatus.PENDING]


async def test_send_when_the_answer_is_lost_after_acceptance_looks_it_up_and_never_resends(
    database: Database,
) -> None:
    kit = await open_kit(database)
    kit.exchange.faults["buy"].append((AFTER, OrderOutcomeUnknown("timeout", client_order_id="x")))
    await opened(kit)
    assert kit.exchange.calls["buy"] == 1
    assert kit.exchange.book.duplicates == 0
    assert AGGRESSIVE in kit.engine.positions
    assert kit.engine.positions[AGGRESSIVE].protection is not None


async def test_send_when_the_exchange_never_received_it_sends_it_again_with_the_same_id(
    database: Database,
) -> None:
    kit = await open_kit(database)
    kit.exchange.faults["buy"].append((BEFORE, NetworkUnavailableError("connection reset")))
    await opened(kit)
    assert kit.exchange.calls["buy"] == 2
    coid = client_ids.decision_id(AGGRESSIVE, PAIR.symbol, kit.step_ms, client_ids.ENTRY)
    assert next(iter(kit.exchange.book.orders)) == coid
    assert AGGRESSIVE in kit.engine.positions


async def test_send_when_the_exchange_cannot_say_stops_trading_until_reconciled(
    database: Database,
) -> None:
    kit = await open_kit(database)
    kit.exchange.faults["buy"].append((AFTER, OrderOutcomeUnknown("timeout", client_order_id="x")))
    kit.exchange.faults["fetch_order"] += [(BEFORE, NetworkUnavailableError("down"))] * 3
    with pytest.raises(Exception, match="fate is unknown"):
        await opened(kit)
    assert not kit.engine.trading_allowed
    assert kit.exchange.calls["buy"] == 1
    report = await kit.reconciler.run()  # the exchange answers again
    assert report.ok
    assert AGGRESSIVE in kit.engine.positions
    assert not kit.engine.positions[AGGRESSIVE].unprotected


async def test_protection_when_it_cannot_be_placed_closes_the_position_at_market(
    database: Database,
) -> None:
    kit = await open_kit(database)
    kit.exchange.faults["place_protection"].append((BEFORE, OrderRejected("would trigger")))
    await opened(kit)
    assert AGGRESSIVE not in kit.engine.positions
    [trade] = await stored_trades(database)
    assert trade.exit_reason is ExitReason.PROTECTION_FAILED
    assert trade.quantity > 0
    assert kit.exchange.book.free.get("BTC", 0) == 0
    assert "protection_failed" in kit.bus.kinds()


async def test_protection_when_neither_it_nor_the_close_work_pauses_the_bot(
    database: Database,
) -> None:
    kit = await open_kit(database)
    kit.exchange.faults["place_protection"] += [(BEFORE, OrderRejected("no"))] * 2
    kit.exchange.faults["sell"].append((BEFORE, OrderRejected("market closed")))
    await opened(kit)
    async with UnitOfWork(database) as uow:
        bot = await bots.require_bot(session=uow.session, kind=AGGRESSIVE)
    assert bot.status is BotStatus.PAUSED
    assert any("act on the exchange now" in a.text for a in kit.bus.alerts("bot_paused"))
    assert {str(a.pair) for a in kit.bus.alerts("bot_paused")} == {"BTC/USDT"}  # says where


async def test_protection_when_the_entry_fills_in_parts_covers_what_was_filled(
    database: Database,
) -> None:
    kit = await open_kit(database)
    kit.exchange.book.max_fill = Decimal("0.002")
    await opened(kit)
    position = kit.engine.positions[AGGRESSIVE]
    assert position.quantity == Decimal("0.002")
    assert kit.exchange.book.orders[f"{position.entry_id}-sl"].amount == Decimal("0.002")
    kit.exchange.book.max_fill = None
    await kit.candle(40_000.0, 40_050.0, 39_950.0, 40_000.0)  # the rest fills at this open
    await kit.engine.ensure_protection()
    position = kit.engine.positions[AGGRESSIVE]
    assert position.quantity > Decimal("0.002")
    stop = kit.exchange.book.orders[f"{client_ids.protection_id(position.entry_id, 2)}-sl"]
    assert stop.amount == position.quantity
    assert kit.exchange.book.orders[f"{position.entry_id}-sl"].status is OrderStatus.CANCELED


async def test_circuit_breaker_when_orders_keep_failing_pauses_the_bot(database: Database) -> None:
    kit = await open_kit(database, runtime=RuntimeSettings(order_failures_to_pause=2))
    kit.exchange.faults["buy"] += [(BEFORE, OrderRejected("-2010 rejected"))] * 2
    await kit.candle(40_000.0, 40_100.0, 39_900.0, 40_000.0, next_open=40_000.0)
    await kit.engine.open_position(kit.signal(AGGRESSIVE), step_ms=kit.step_ms)
    await kit.candle(40_000.0, 40_100.0, 39_900.0, 40_000.0, next_open=40_000.0)
    await kit.engine.open_position(kit.signal(AGGRESSIVE), step_ms=kit.step_ms)
    assert kit.bus.kinds().count("order_failed") == 2
    async with UnitOfWork(database) as uow:
        bot = await bots.require_bot(session=uow.session, kind=AGGRESSIVE)
    assert bot.status is BotStatus.PAUSED
    await kit.candle(40_000.0, 40_100.0, 39_900.0, 40_000.0, next_open=40_000.0)
    assert await kit.engine.open_position(kit.signal(AGGRESSIVE), step_ms=kit.step_ms) is None
    assert kit.exchange.calls["buy"] == 2  # a paused bot sends nothing
    assert "order_refused" in kit.bus.kinds()


async def test_stop_loss_when_a_candle_reaches_it_closes_the_trade_and_settles_it(
    database: Database,
) -> None:
    kit = await open_kit(database)
    await opened(kit)
    await kit.candle(40_000.0, 40_010.0, 35_000.0, 36_000.0)
    [trade] = await stored_trades(database)
    assert trade.exit_reason is ExitReason.STOP_LOSS
    assert trade.pnl is not None
    assert trade.pnl < 0
    async with UnitOfWork(database) as uow:
        bot = await bots.require_bot(session=uow.session, kind=AGGRESSIVE)
    assert bot.capital == Decimal(300) + booked(trade.pnl)
    assert kit.exchange.book.free["USDT"] == Decimal(1000) + trade.pnl


async def test_close_position_when_asked_cancels_the_protection_then_sells(
    database: Database,
) -> None:
    kit = await open_kit(database)
    await opened(kit)
    entry = kit.engine.positions[AGGRESSIVE].entry_id
    await kit.candle(41_000.0, 41_100.0, 40_900.0, 41_000.0, next_open=41_000.0)
    exit_id = client_ids.decision_id(AGGRESSIVE, PAIR.symbol, kit.step_ms, client_ids.EXIT)
    await kit.engine.close_position(AGGRESSIVE, reason=ExitReason.SIGNAL, client_order_id=exit_id)
    [trade] = await stored_trades(database)
    assert trade.exit_reason is ExitReason.SIGNAL
    book = kit.exchange.book
    assert book.orders[f"{entry}-sl"].status is OrderStatus.CANCELED
    assert book.orders[exit_id].status is OrderStatus.FILLED
    assert (book.free.get("BTC", 0), book.used.get("BTC", 0)) == (0, 0)


async def test_close_position_when_the_sale_fails_protects_the_position_again(
    database: Database,
) -> None:
    kit = await open_kit(database)
    await opened(kit)
    kit.exchange.faults["sell"].append((BEFORE, OrderRejected("rejected")))
    await kit.candle(41_000.0, 41_100.0, 40_900.0, 41_000.0, next_open=41_000.0)
    exit_id = client_ids.decision_id(AGGRESSIVE, PAIR.symbol, kit.step_ms, client_ids.EXIT)
    await kit.engine.close_position(AGGRESSIVE, reason=ExitReason.SIGNAL, client_order_id=exit_id)
    position = kit.engine.positions[AGGRESSIVE]
    assert not position.unprotected
    assert position.version == 2
    assert kit.exchange.book.orders[f"{position.protection}-sl"].is_open


async def test_take_profit_when_the_venue_holds_only_the_stop_the_engine_sells_at_it(
    database: Database,
) -> None:
    kit = await open_kit(database)
    kit.exchange.capabilities = VenueCapabilities(take_profit_by_engine=True, paper=True)
    await opened(kit)
    position = kit.engine.positions[AGGRESSIVE]
    assert f"{position.entry_id}-tp" not in kit.exchange.book.orders
    await kit.candle(41_000.0, 50_000.0, 40_900.0, 49_000.0, next_open=49_000.0)
    await kit.engine.watch_take_profit(50_000.0, step_ms=kit.step_ms)
    [trade] = await stored_trades(database)
    assert trade.exit_reason is ExitReason.TAKE_PROFIT


async def test_open_position_when_restarted_inside_the_step_finishes_it_without_a_new_order(
    database: Database,
) -> None:
    kit = await open_kit(database)
    await kit.candle(40_000.0, 40_100.0, 39_900.0, 40_000.0, next_open=40_000.0)
    signal = kit.signal(SAFE)
    # The entry reached the exchange, then the process died before anything else was recorded.
    coid = client_ids.decision_id(SAFE, PAIR.symbol, kit.step_ms, client_ids.ENTRY)
    order = Order(
        client_order_id=coid,
        bot=SAFE,
        pair=PAIR,
        side=Side.BUY,
        type=OrderType.MARKET,
        quantity=Decimal("0.001"),
        created_at=kit.clock.now(),
    )
    await kit.engine.store_new(order)
    await kit.exchange.buy(PAIR, Decimal("0.001"), client_order_id=coid)
    again = await open_kit(database, exchange=kit.exchange, clock=kit.clock)  # the restart
    assert SAFE in again.engine.positions  # reconciliation recorded the fill and protected it
    assert not again.engine.positions[SAFE].unprotected
    # The step resumes: its entry is there already, nothing is sent again.
    assert await again.engine.open_position(signal, step_ms=kit.step_ms) is None
    assert kit.exchange.calls["buy"] == 1
    assert kit.exchange.book.duplicates == 0
    [trade] = await stored_trades(database)
    assert trade.quantity == Decimal("0.001")


async def test_sync_protection_when_a_venue_filled_the_stop_meanwhile_closes_the_trade(
    database: Database,
) -> None:
    """Venues without a market feed (live) are asked about the protective orders each candle."""
    kit = await open_kit(database)
    await opened(kit)
    # The exchange fills the stop on its own; nothing reports it to the engine.
    await kit.exchange.on_candle(
        PAIR, open_ms=kit.step_ms + 3_600_000, close_ms=kit.step_ms + 7_200_000,
        open_=40_000.0, high=40_010.0, low=35_000.0, close=36_000.0,
    )  # fmt: skip
    assert AGGRESSIVE in kit.engine.positions
    await kit.engine.sync_protection()
    assert AGGRESSIVE not in kit.engine.positions
    [trade] = await stored_trades(database)
    assert trade.exit_reason is ExitReason.STOP_LOSS


async def test_trade_closed_alert_when_the_position_was_read_back_after_a_restart_says_the_same(
    database: Database, tmp_path: Path
) -> None:
    """The alert of a trade closed by an engine that reloaded its position from the database
    (the column's scale: ``0.00735000``) is the one an engine that opened it says (``0.00735``).

    Seen in the fault test (order engine killed, then a stop-loss): otherwise the alert differs
    from a run without the kill, and consumers see another alert.
    """
    backend = database.engine.dialect.name
    reference, schema = await open_database(backend, tmp_path / "reference")
    try:
        await upgrade(reference)
        expected = await _closed_alert(reference, restart=False)
    finally:
        await close_database(reference, schema)
    alert = await _closed_alert(database, restart=True)
    assert alert.model_dump(exclude={"message_id"}) == expected.model_dump(exclude={"message_id"})
    quantity = alert.details["quantity"]
    assert not quantity.endswith("0")
    assert f"sold {quantity} BTC at" in alert.text


async def _closed_alert(database: Database, *, restart: bool) -> AlertRaised:
    """The ``trade_closed`` alert of a trade opened then stopped out (the engine restarted
    between the two when ``restart``)."""
    kit = await open_kit(database)
    await opened(kit)
    if restart:  # the order engine dies with the position open; the next reads it back
        kit = await open_kit(database, exchange=kit.exchange, clock=kit.clock)
        assert AGGRESSIVE in kit.engine.positions
    await kit.candle(40_000.0, 40_010.0, 35_000.0, 36_000.0)
    [alert] = kit.bus.alerts("trade_closed")
    return alert


def _unsaved(kit: Kit) -> bool:
    return kit.exchange.book.dirty


async def test_apply_reports_with_the_paper_account_saves_it_in_the_record_transaction(
    database: Database,
) -> None:
    """The account whose candle filled a stop is saved with the stop's record, or neither is."""
    kit = await open_kit(database)
    await opened(kit)
    kit.clock.observe(kit.clock.timestamp_ms() + HOUR)
    start = kit.clock.timestamp_ms() - HOUR
    kit.engine.deps.progress.step_ms = start
    async with kit.exchange.unsaved():  # the stop fills; the account's change waits
        reports = await kit.exchange.on_candle(
            PAIR, open_ms=start, close_ms=start + HOUR, open_=40_000.0, high=40_000.0,
            low=30_000.0, close=31_000.0,
        )  # fmt: skip
    assert any(r.status is OrderStatus.FILLED for r in reports)
    assert _unsaved(kit)

    async def refuse(_session: object) -> None:
        raise RuntimeError("refused")

    database.commit_check = refuse
    with pytest.raises(RuntimeError, match="refused"):
        await kit.engine.apply_reports(reports, save_with=kit.exchange.save_in)
    database.commit_check = None
    assert _unsaved(kit)  # neither the record nor the account
    assert AGGRESSIVE in kit.engine.positions
    await kit.engine.apply_reports(reports, save_with=kit.exchange.save_in)
    assert not _unsaved(kit)  # both, in one transaction
    assert AGGRESSIVE not in kit.engine.positions
    (closed,) = await stored_trades(database)
    assert closed.status is TradeStatus.CLOSED


async def test_stop_loss_when_its_fill_is_applied_again_closes_and_announces_the_trade_once(
    database: Database,
) -> None:
    """An engine that still holds a position whose close did commit (its connection failed
    after the commit) and applies the same fill again records nothing twice."""
    kit = await open_kit(database)
    await opened(kit)
    held = kit.engine.positions[AGGRESSIVE]
    await kit.candle(40_000.0, 40_010.0, 35_000.0, 36_000.0)
    report = await kit.exchange.fetch_order(PAIR, client_order_id=f"{held.protection}-sl")
    assert report is not None
    assert report.status is OrderStatus.FILLED
    kit.engine.positions[AGGRESSIVE] = held  # as if the commit had failed
    with pytest.raises(OperationalError, match="not open"):
        await kit.engine.apply_reports([report])
    [trade] = await stored_trades(database)
    assert trade.pnl is not None
    async with UnitOfWork(database) as uow:
        bot = await bots.require_bot(session=uow.session, kind=AGGRESSIVE)
    assert bot.capital == Decimal(300) + booked(trade.pnl)  # settled once
    assert len(kit.bus.alerts("trade_closed")) == 1
