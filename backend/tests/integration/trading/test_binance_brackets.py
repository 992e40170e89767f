"""The order engine on Binance: each entry goes out with its protection as ONE OTOCO order list.

Real ccxt (``BinanceVenue``) against the local Binance-shaped server, on SQLite and PostgreSQL.
The entry (a marketable limit buy) and its stop-loss and take-profit legs are written to the
database before the list is sent; Binance holds the legs from the moment it accepts the list and
activates them on the entry's fill, so the account never holds the coin without a stop. After an
answer lost or a crash between sending and recording, the list is found by its client ids and
nothing is sent twice; an entry left resting is canceled with its legs. Venues without order
lists (the paper exchange) keep the market entry followed by its protection.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from decimal import Decimal

import pytest
import pytest_asyncio

from cryptotrader.bus import topics
from cryptotrader.bus.messages import AlertRaised
from cryptotrader.bus.protocol import Delivery
from cryptotrader.clock import MarketClock
from cryptotrader.domain.enums import BotKind, ExitReason, OrderStatus, OrderType, SignalAction
from cryptotrader.domain.orders import Order
from cryptotrader.domain.signals import TradingSignal
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.domain.values import utc_from_ms
from cryptotrader.engines import client_ids
from cryptotrader.engines.order import OrderEngine
from cryptotrader.engines.reconcile import Reconciler
from cryptotrader.exchanges.ccxt import BinanceVenue
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.repositories import bots, orders, trades
from cryptotrader.persistence.uow import UnitOfWork
from tests.support.binance_crash import KEY, SECRET, binance, open_binance_engine
from tests.support.binance_trading_server import BinanceTradingServer
from tests.support.exchange_server import running
from tests.support.feeds import until
from tests.support.trading import HOUR, PAIR, START_MS, open_kit

pytestmark = [pytest.mark.asyncio(loop_scope="function"), pytest.mark.timeout(900)]

OTOCO, ORDER, OCO = "/api/v3/orderList/otoco", "/api/v3/order", "/api/v3/orderList/oco"
AGGRESSIVE = BotKind.AGGRESSIVE
STEP = START_MS + 10 * HOUR


@pytest.fixture
def server() -> Iterator[BinanceTradingServer]:
    """Binance with BTC/USDT at 40,000 and 1,000 USDT in the account."""
    server = BinanceTradingServer(api_key=KEY, secret=SECRET)
    server.trade("BTCUSDT", "BTC", "USDT", price="40000")
    server.account.deposit("USDT", "1000")
    with running(server):
        yield server


@dataclass
class Trader:
    engine: OrderEngine
    venue: BinanceVenue
    reconciler: Reconciler


async def open_trader(
    database: Database, server: BinanceTradingServer, *, timeout_s: float = 5.0
) -> Trader:
    """The order engine as ``bootstrap`` wires it for a live venue, reconciled."""
    venue = binance(server.base_url, timeout_s=timeout_s)
    engine, reconciler = await open_binance_engine(database, venue, clock=MarketClock(STEP + HOUR))
    assert (await reconciler.run()).ok
    return Trader(engine, venue, reconciler)


@pytest_asyncio.fixture
async def trader(database: Database, server: BinanceTradingServer) -> AsyncIterator[Trader]:
    trader = await open_trader(database, server)
    yield trader
    await trader.venue.close()


def signal(bot: BotKind = AGGRESSIVE) -> TradingSignal:
    return TradingSignal(
        timestamp=utc_from_ms(STEP),
        pair=PAIR,
        timeframe=Timeframe.H1,
        action=SignalAction.BUY,
        confidence=1.0,
        score=0.5,
        strategy="test",
        target_bot=bot,
        contributions={"rsi_14": 0.5},
    )


async def every_order(database: Database) -> dict[str, Order]:
    async with UnitOfWork(database) as uow:
        found = {o.client_order_id: o for o in await orders.open_orders(session=uow.session)}
        for trade_id, _ in await trades.list_trades(session=uow.session, limit=100):
            linked = await orders.trade_orders(session=uow.session, trade_id=trade_id)
            found |= {o.client_order_id: o for o in linked}
    return found


def exchange_orders(server: BinanceTradingServer) -> dict[str, str]:
    return {o.client_id: o.status for o in server.account.orders}


ENTRY = client_ids.decision_id(AGGRESSIVE, PAIR.symbol, STEP, client_ids.ENTRY)
SL, TP = f"{ENTRY}-sl", f"{ENTRY}-tp"


async def test_entry_on_binance_is_one_otoco_list_protected_from_its_fill(
    trader: Trader, server: BinanceTradingServer, database: Database
) -> None:
    position = await trader.engine.open_position(signal(), step_ms=STEP)
    assert position is not None
    assert len(server.calls(OTOCO)) == 1
    assert [c for c in server.calls(ORDER) if c.method == "POST"] == []  # no market buy
    assert server.calls(OCO) == []  # no protection placed after the fill
    assert exchange_orders(server) == {ENTRY: "FILLED", SL: "NEW", TP: "NEW"}
    assert server.account.locked["BTC"] > 0  # the stop reserves what was bought
    assert (position.protection, position.protected) == (ENTRY, position.quantity)
    assert not position.unprotected
    stored = await every_order(database)
    assert stored[ENTRY].type is OrderType.LIMIT
    assert stored[ENTRY].status is OrderStatus.FILLED
    assert (stored[SL].status, stored[TP].status) == (OrderStatus.OPEN, OrderStatus.OPEN)
    assert stored[SL].price == position.stop
    assert stored[TP].price == position.take
    # the stop is hit at the exchange: the engine learns it and settles the trade
    assert position.stop is not None
    server.account.set_price("BTCUSDT", position.stop - 1)
    await trader.engine.sync_protection()
    assert trader.engine.positions == {}
    async with UnitOfWork(database) as uow:
        [(_, trade)] = await trades.list_trades(session=uow.session, limit=10)
    assert trade.exit_reason is ExitReason.STOP_LOSS


async def test_bracket_and_its_legs_are_written_before_the_list_is_sent(
    trader: Trader, server: BinanceTradingServer, database: Database
) -> None:
    answer = server.hold(OTOCO)  # processed at once, answered when we have looked
    opening = asyncio.create_task(trader.engine.open_position(signal(), step_ms=STEP))
    try:
        await until(lambda: bool(server.calls(OTOCO)), "the list to be sent", deadline_s=60)
        written = await every_order(database)
    finally:
        answer.set()
    assert {ENTRY, SL, TP} <= set(written)
    assert {written[c].status for c in (ENTRY, SL, TP)} == {OrderStatus.PENDING}
    assert await opening is not None


async def test_bracket_whose_answer_is_lost_is_found_by_its_ids_and_never_sent_twice(
    database: Database, server: BinanceTradingServer
) -> None:
    trader = await open_trader(database, server)
    answer = server.hold(OTOCO)  # accepted, never answered: the client times out
    try:
        position = await trader.engine.open_position(signal(), step_ms=STEP)
    finally:
        answer.set()
        await trader.venue.close()
    assert position is not None
    assert not position.unprotected
    assert len(server.calls(OTOCO)) == 1
    assert exchange_orders(server) == {ENTRY: "FILLED", SL: "NEW", TP: "NEW"}


async def test_restart_after_the_list_was_accepted_finds_its_legs_and_places_nothing(
    database: Database, server: BinanceTradingServer
) -> None:
    first = await open_trader(database, server)
    order = await first.engine.entries._entry_order(signal(), ENTRY)  # written, as before a send
    assert order is not None
    assert order.price is not None
    assert order.stop_loss is not None
    assert order.take_profit is not None
    await first.venue.place_bracket(  # accepted by Binance; then the process died
        PAIR, order.quantity, price=order.price, stop_loss=order.stop_loss,
        take_profit=order.take_profit, client_order_id=ENTRY, protection_client_order_id=ENTRY,
    )  # fmt: skip
    await first.venue.close()
    again = await open_trader(database, server)  # reconciles
    try:
        position = again.engine.positions[AGGRESSIVE]
        assert (position.protection, position.version) == (ENTRY, 1)
        assert not position.unprotected
        assert len(server.calls(OTOCO)) == 1
        assert server.calls(OCO) == []
        stored = await every_order(database)
        assert (stored[SL].status, stored[TP].status) == (OrderStatus.OPEN, OrderStatus.OPEN)
        # the step resumes: nothing more is sent
        assert await again.engine.open_position(signal(), step_ms=STEP) is None
        assert len(server.calls(OTOCO)) == 1
        # a signal exit cancels the list's legs, then sells
        exit_id = client_ids.decision_id(AGGRESSIVE, PAIR.symbol, STEP + HOUR, client_ids.EXIT)
        await again.engine.close_position(
            AGGRESSIVE, reason=ExitReason.SIGNAL, client_order_id=exit_id
        )
        assert again.engine.positions == {}
        assert server.account.open_orders() == []
    finally:
        await again.venue.close()


async def test_restart_with_the_entry_still_resting_cancels_it_with_its_legs(
    database: Database, server: BinanceTradingServer
) -> None:
    first = await open_trader(database, server)
    order = await first.engine.entries._entry_order(signal(), ENTRY)
    assert order is not None
    assert order.stop_loss is not None
    assert order.take_profit is not None
    await first.venue.place_bracket(  # below the market: it rests
        PAIR, order.quantity, price=Decimal(39_500), stop_loss=order.stop_loss,
        take_profit=order.take_profit, client_order_id=ENTRY, protection_client_order_id=ENTRY,
    )  # fmt: skip
    await first.venue.close()
    again = await open_trader(database, server)
    try:
        assert again.engine.positions == {}
        assert exchange_orders(server) == {ENTRY: "CANCELED", SL: "CANCELED", TP: "CANCELED"}
        assert await every_order(database) == {}  # every order final, no trade
        assert server.account.free["USDT"] == Decimal(1000)
    finally:
        await again.venue.close()


async def test_bracket_refused_by_binance_leaves_no_leg_pending(
    trader: Trader, server: BinanceTradingServer, database: Database
) -> None:
    server.account.free["USDT"] = Decimal(10)  # sized on the bot's capital; the account is short
    assert await trader.engine.open_position(signal(), step_ms=STEP) is None
    async with UnitOfWork(database) as uow:
        statuses = {
            c: await orders.get_order(session=uow.session, client_order_id=c)
            for c in (ENTRY, SL, TP)
        }
    assert {c: o.status for c, o in statuses.items() if o} == {
        ENTRY: OrderStatus.REJECTED,
        SL: OrderStatus.CANCELED,
        TP: OrderStatus.CANCELED,
    }
    assert trader.engine.positions == {}


async def test_entry_on_a_venue_without_order_lists_is_a_market_buy_then_its_protection(
    database: Database,
) -> None:
    kit = await open_kit(database)
    assert not kit.exchange.capabilities.native_bracket
    await kit.candle(40_000.0, 40_100.0, 39_900.0, 40_000.0, next_open=40_000.0)
    await kit.engine.open_position(kit.signal(AGGRESSIVE), step_ms=kit.step_ms)
    entry = await kit.engine.stored(
        client_ids.decision_id(AGGRESSIVE, PAIR.symbol, kit.step_ms, "e")
    )
    assert entry is not None
    assert entry.type is OrderType.MARKET
    assert not kit.engine.positions[AGGRESSIVE].unprotected


# --- exits: the stop canceled and the coin sold in one cancelReplace request ------------------

REPLACE = "/api/v3/order/cancelReplace"
EXIT = client_ids.decision_id(AGGRESSIVE, PAIR.symbol, STEP + HOUR, client_ids.EXIT)


def deletes(server: BinanceTradingServer) -> list[object]:
    return [c for path in (ORDER, "/api/v3/orderList") for c in server.calls(path)
            if c.method == "DELETE"]  # fmt: skip


def held(server: BinanceTradingServer) -> Decimal:
    return server.account.free.get("BTC", Decimal(0)) + server.account.locked.get("BTC", Decimal(0))


async def test_exit_on_binance_cancels_the_list_and_sells_in_one_request(
    trader: Trader, server: BinanceTradingServer, database: Database
) -> None:
    assert await trader.engine.open_position(signal(), step_ms=STEP) is not None
    await trader.engine.close_position(AGGRESSIVE, reason=ExitReason.SIGNAL, client_order_id=EXIT)
    assert len(server.calls(REPLACE)) == 1
    assert deletes(server) == []  # no separate cancel: no moment without the stop
    assert exchange_orders(server) == {
        ENTRY: "FILLED", SL: "CANCELED", TP: "CANCELED", EXIT: "FILLED",
    }  # fmt: skip
    assert held(server) < Decimal("0.00001")  # what was held was sold (the fee took the rest)
    assert trader.engine.positions == {}
    stored = await every_order(database)
    assert stored[EXIT].status is OrderStatus.FILLED
    assert (stored[SL].status, stored[TP].status) == (OrderStatus.CANCELED, OrderStatus.CANCELED)
    async with UnitOfWork(database) as uow:
        [(_, trade)] = await trades.list_trades(session=uow.session, limit=10)
    assert trade.exit_reason is ExitReason.SIGNAL


async def test_exit_sale_is_written_before_the_request_is_sent(
    trader: Trader, server: BinanceTradingServer, database: Database
) -> None:
    assert await trader.engine.open_position(signal(), step_ms=STEP) is not None
    answer = server.hold(REPLACE)  # processed at once, answered when we have looked
    closing = asyncio.create_task(
        trader.engine.close_position(AGGRESSIVE, reason=ExitReason.SIGNAL, client_order_id=EXIT)
    )
    try:
        await until(
            lambda: bool(server.calls(REPLACE)), "the cancelReplace to be sent", deadline_s=60
        )
        written = await every_order(database)
    finally:
        answer.set()
    assert written[EXIT].status is OrderStatus.PENDING
    await closing
    assert trader.engine.positions == {}


async def test_exit_whose_answer_is_lost_is_found_by_its_id_and_never_sent_twice(
    database: Database, server: BinanceTradingServer
) -> None:
    trader = await open_trader(database, server)
    answer = server.hold(REPLACE)  # done at the exchange, never answered: the client times out
    try:
        assert await trader.engine.open_position(signal(), step_ms=STEP) is not None
        await trader.engine.close_position(
            AGGRESSIVE, reason=ExitReason.SIGNAL, client_order_id=EXIT
        )
    finally:
        answer.set()
        await trader.venue.close()
    assert len(server.calls(REPLACE)) == 1
    assert exchange_orders(server)[EXIT] == "FILLED"
    assert trader.engine.positions == {}
    assert (await every_order(database))[EXIT].status is OrderStatus.FILLED


async def test_restart_after_the_exit_was_done_records_it_and_sends_nothing(
    database: Database, server: BinanceTradingServer
) -> None:
    first = await open_trader(database, server)
    position = await first.engine.open_position(signal(), step_ms=STEP)
    assert position is not None
    await first.engine._store_sale(position, EXIT)  # written, as before the send
    await first.venue.replace_with_sale(  # done by Binance; then the process died
        PAIR, position.quantity, cancel_client_order_id=SL, client_order_id=EXIT
    )
    await first.venue.close()
    sent = len(server.requests)
    again = await open_trader(database, server)  # reconciles
    try:
        assert again.engine.positions == {}
        stored = await every_order(database)
        assert stored[EXIT].status is OrderStatus.FILLED
        assert (stored[SL].status, stored[TP].status) == (
            OrderStatus.CANCELED,
            OrderStatus.CANCELED,
        )
        # the step resumes: the exit is final, nothing more is sent
        await again.engine.close_position(
            AGGRESSIVE, reason=ExitReason.SIGNAL, client_order_id=EXIT
        )
        placing = [r for r in server.requests[sent:] if r.method in ("POST", "DELETE")]
        assert placing == []
    finally:
        await again.venue.close()


async def test_restart_before_the_exit_was_sent_still_protected_then_sells_once(
    database: Database, server: BinanceTradingServer
) -> None:
    first = await open_trader(database, server)
    position = await first.engine.open_position(signal(), step_ms=STEP)
    assert position is not None
    await first.engine._store_sale(position, EXIT)  # written; the process died before the send
    await first.venue.close()
    again = await open_trader(database, server)
    try:
        assert not again.engine.positions[AGGRESSIVE].unprotected  # the stop still rests
        await again.engine.close_position(
            AGGRESSIVE, reason=ExitReason.SIGNAL, client_order_id=EXIT
        )
        assert len(server.calls(REPLACE)) == 1
        assert exchange_orders(server)[EXIT] == "FILLED"
        assert again.engine.positions == {}
    finally:
        await again.venue.close()


async def test_exit_after_the_stop_filled_sends_no_sale_and_records_the_stop(
    trader: Trader, server: BinanceTradingServer, database: Database
) -> None:
    position = await trader.engine.open_position(signal(), step_ms=STEP)
    assert position is not None
    assert position.stop is not None
    server.account.set_price("BTCUSDT", position.stop - 1)  # filled; the engine not told yet
    await trader.engine.close_position(AGGRESSIVE, reason=ExitReason.SIGNAL, client_order_id=EXIT)
    assert server.calls(REPLACE) == []
    assert EXIT not in exchange_orders(server)
    assert trader.engine.positions == {}
    stored = await every_order(database)
    assert stored[EXIT].status is OrderStatus.CANCELED  # written, never sent
    async with UnitOfWork(database) as uow:
        [(_, trade)] = await trades.list_trades(session=uow.session, limit=10)
    assert trade.exit_reason is ExitReason.STOP_LOSS


# --- a fee taken from the coin bought (no BNB): the trade is what is held ---------------------


async def capital(database: Database) -> Decimal:
    """Both bots' capital (a profit may move a share of itself to the safe bot)."""
    async with UnitOfWork(database) as uow:
        rows = [await bots.require_bot(session=uow.session, kind=kind) for kind in BotKind]
    return sum((row.capital for row in rows), Decimal(0))


async def test_fee_taken_in_btc_the_trade_holds_the_net_amount_and_books_the_quote_paid(
    trader: Trader, server: BinanceTradingServer, database: Database
) -> None:
    before = await capital(database)
    position = await trader.engine.open_position(signal(), step_ms=STEP)
    assert position is not None
    [bought] = server.account.trades
    assert bought.fee_asset == "BTC"
    assert bought.fee > 0
    net = bought.amount - bought.fee
    async with UnitOfWork(database) as uow:
        [(_, opened)] = await trades.list_trades(session=uow.session, limit=10)
    # the stored trade is what the account holds: the fee's coin is a quote cost
    assert opened.quantity == position.quantity == net == held(server)
    assert opened.fees == bought.fee * bought.price
    assert opened.entry_price == bought.price
    legs = {o.client_id: o.amount for o in server.account.orders if o.list_id is not None}
    assert legs[SL] <= net  # the legs sell what is held, to the step
    assert not position.unprotected
    # reconciliation finds the account and the positions in agreement: nothing to do
    placing = len([r for r in server.requests if r.method in ("POST", "DELETE")])
    assert (await trader.reconciler.run()).ok
    assert len([r for r in server.requests if r.method in ("POST", "DELETE")]) == placing
    assert not trader.engine.positions[AGGRESSIVE].unprotected
    # the market rises, short of the take-profit; the signal exit sells what is held
    assert position.take is not None
    server.account.set_price("BTCUSDT", "40100")
    await trader.engine.close_position(AGGRESSIVE, reason=ExitReason.SIGNAL, client_order_id=EXIT)
    sale = next(t for t in server.account.trades if t.order.client_id == EXIT)
    assert sale.fee_asset == "USDT"
    assert sale.amount == legs[SL]  # the whole steps of what was held
    left = net - sale.amount  # less than one step, left at the exchange
    assert held(server) == left
    async with UnitOfWork(database) as uow:
        [(_, closed)] = await trades.list_trades(session=uow.session, limit=10)
    assert closed.quantity == sale.amount
    assert closed.exit_price == sale.price
    assert closed.fees == bought.fee * bought.price + sale.fee + left * bought.price
    # the realised P&L is the quote the account received less what it paid, digit for digit
    paid = bought.amount * bought.price
    received = sale.amount * sale.price - sale.fee
    assert closed.pnl == received - paid
    assert closed.pnl == server.account.free["USDT"] - Decimal(1000)
    assert await capital(database) == before + received - paid


async def test_exit_whose_sale_is_refused_after_the_cancel_protects_the_position_again(
    trader: Trader, server: BinanceTradingServer, database: Database
) -> None:
    alerts: list[AlertRaised] = []

    async def collect(delivery: Delivery) -> None:
        assert isinstance(delivery.message, AlertRaised)
        alerts.append(delivery.message)

    await trader.engine.deps.bus.subscribe(
        topics.ALERTS, group="test", consumer="t", handler=collect
    )
    position = await trader.engine.open_position(signal(), step_ms=STEP)
    assert position is not None
    holding = held(server)
    server.replace_refusal = (-2010, "Market is closed.")  # the stop canceled, the sale refused
    await trader.engine.close_position(AGGRESSIVE, reason=ExitReason.SIGNAL, client_order_id=EXIT)
    assert len(server.calls(REPLACE)) == 1
    assert EXIT not in exchange_orders(server)
    assert held(server) == holding  # nothing sold
    # the old list is gone with the cancel; a new stop-loss and take-profit protect the coin
    again = trader.engine.positions[AGGRESSIVE]
    assert not again.unprotected
    assert again.protection is not None
    assert again.protection != ENTRY
    statuses = exchange_orders(server)
    assert (statuses[SL], statuses[TP]) == ("CANCELED", "CANCELED")
    assert (statuses[f"{again.protection}-sl"], statuses[f"{again.protection}-tp"]) == (
        "NEW",
        "NEW",
    )
    stored = await every_order(database)
    assert stored[EXIT].status is OrderStatus.REJECTED
    assert stored[f"{again.protection}-sl"].status is OrderStatus.OPEN
    deadline = time.monotonic() + 60
    while not any(a.kind == "order_failed" for a in alerts):
        assert time.monotonic() < deadline, f"no order_failed alert: {[a.kind for a in alerts]}"
        await asyncio.sleep(0.01)
    [failed] = [a for a in alerts if a.kind == "order_failed"]
    assert EXIT in failed.text
    assert "Market is closed" in failed.text
    # the market reopens: the next exit sells, in one request again
    server.replace_refusal = None
    later = client_ids.decision_id(AGGRESSIVE, PAIR.symbol, STEP + 2 * HOUR, client_ids.EXIT)
    await trader.engine.close_position(AGGRESSIVE, reason=ExitReason.SIGNAL, client_order_id=later)
    assert exchange_orders(server)[later] == "FILLED"
    assert trader.engine.positions == {}
