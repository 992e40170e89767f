"""BinanceVenue brackets: an entry with its stop-loss and take-profit as one OTOCO order list.

Real ccxt against the local Binance-shaped server, which holds the legs pending from the
moment it accepts the list and activates them when the entry fills: at no moment does the
account hold the bought coins without a stop-loss resting at the exchange.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from cryptotrader.domain import OrderStatus, OrderType
from cryptotrader.errors import OrderRejected
from cryptotrader.exchanges.ccxt import BinanceVenue, KrakenVenue
from tests.integration.exchanges.conftest import BTC
from tests.support.binance_trading_server import BinanceTradingServer

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(900)]

OTOCO = "/api/v3/orderList/otoco"


async def test_bracket_when_the_entry_fills_at_once_is_protected_in_the_same_answer(
    binance: BinanceVenue, binance_server: BinanceTradingServer
) -> None:
    assert binance.capabilities.native_bracket
    placed = await binance.place_bracket(
        BTC,
        Decimal("0.01"),
        price=Decimal(30100),  # marketable: fills at once at 30,000
        stop_loss=Decimal("29000.004"),
        take_profit=Decimal(32000),
        client_order_id="b1-entry",
        protection_client_order_id="b1-p1",
    )
    assert (placed.entry.client_order_id, placed.entry.status) == ("b1-entry", OrderStatus.FILLED)
    assert placed.entry.average_price == Decimal(30000)
    sl, tp = placed.protection.stop_loss, placed.protection.take_profit
    assert tp is not None
    assert (sl.client_order_id, sl.type, sl.price) == (
        "b1-p1-sl",
        OrderType.STOP_LOSS,
        Decimal(29000),
    )
    assert (tp.client_order_id, tp.type, tp.price) == ("b1-p1-tp", OrderType.LIMIT, Decimal(32000))
    [sent] = [call.params for call in binance_server.calls(OTOCO)]
    assert (sent["workingType"], sent["pendingBelowType"], sent["pendingAboveType"]) == (
        "LIMIT",
        "STOP_LOSS",
        "LIMIT_MAKER",
    )
    assert sent["listClientOrderId"] == "b1-p1"
    open_now = {o.client_order_id: o.status for o in await binance.fetch_open_orders(BTC)}
    assert open_now == {"b1-p1-sl": OrderStatus.OPEN, "b1-p1-tp": OrderStatus.OPEN}
    binance_server.account.set_price("BTCUSDT", "28900")  # the stop triggers, the TP expires
    stop = await binance.fetch_order(BTC, client_order_id="b1-p1-sl")
    take = await binance.fetch_order(BTC, client_order_id="b1-p1-tp")
    assert stop is not None
    assert take is not None
    assert (stop.status, take.status) == (OrderStatus.FILLED, OrderStatus.EXPIRED)


async def test_bracket_when_the_entry_rests_its_legs_wait_then_protect_the_fill(
    binance: BinanceVenue, binance_server: BinanceTradingServer
) -> None:
    placed = await binance.place_bracket(
        BTC,
        Decimal("0.01"),
        price=Decimal(29900),  # below the market: rests
        stop_loss=Decimal(29000),
        take_profit=Decimal(32000),
        client_order_id="b2-entry",
        protection_client_order_id="b2-p1",
    )
    assert placed.entry.status is OrderStatus.OPEN
    account = binance_server.account
    [stop] = [o for o in account.orders if o.client_id == "b2-p1-sl"]
    assert stop.is_pending  # held by the exchange already, not active yet
    assert account.free.get("BTC", Decimal(0)) == 0
    account.set_price("BTCUSDT", "29850")  # the entry fills: the legs are active at once
    assert stop.is_open
    assert account.locked["BTC"] > 0  # the bought coins are reserved by the stop-loss
    entry = await binance.fetch_order(BTC, client_order_id="b2-entry")
    assert entry is not None
    assert entry.status is OrderStatus.FILLED
    account.set_price("BTCUSDT", "32100")  # the take-profit fills, the stop expires
    take = await binance.fetch_order(BTC, client_order_id="b2-p1-tp")
    assert take is not None
    assert take.status is OrderStatus.FILLED


async def test_bracket_cancelled_before_the_entry_fills_cancels_the_whole_list(
    binance: BinanceVenue, binance_server: BinanceTradingServer
) -> None:
    await binance.place_bracket(
        BTC,
        Decimal("0.01"),
        price=Decimal(29900),
        stop_loss=Decimal(29000),
        take_profit=Decimal(32000),
        client_order_id="b3-entry",
        protection_client_order_id="b3-p1",
    )
    canceled = await binance.cancel_order(BTC, client_order_id="b3-entry")
    assert canceled.status is OrderStatus.CANCELED
    assert await binance.fetch_open_orders(BTC) == []
    assert binance_server.account.free["USDT"] == Decimal(1000)  # nothing stays reserved


async def test_bracket_with_prices_in_the_wrong_order_is_refused_and_nothing_is_placed(
    binance: BinanceVenue, binance_server: BinanceTradingServer
) -> None:
    with pytest.raises(OrderRejected):
        await binance.place_bracket(
            BTC,
            Decimal("0.01"),
            price=Decimal(30100),
            stop_loss=Decimal(31000),  # above the entry
            take_profit=Decimal(32000),
            client_order_id="b4-entry",
            protection_client_order_id="b4-p1",
        )
    assert binance_server.account.orders == []


async def test_bracket_on_a_venue_without_order_lists_is_refused(kraken: KrakenVenue) -> None:
    assert not kraken.capabilities.native_bracket
    with pytest.raises(OrderRejected):
        await kraken.place_bracket(
            BTC,
            Decimal("0.01"),
            price=Decimal(30100),
            stop_loss=Decimal(29000),
            take_profit=Decimal(32000),
            client_order_id="k-entry",
            protection_client_order_id="k-p1",
        )
