"""BinanceVenue protection (native OCO), cancels, lookups, fills, server time and secrets.

Real ccxt against a local server that answers like Binance's signed REST API.
"""

from __future__ import annotations

import logging
from decimal import Decimal

import pytest

from cryptotrader.domain import OrderStatus, OrderType
from cryptotrader.errors import OperationalError, OrderNotFound, OrderRejected
from cryptotrader.exchanges.ccxt import BinanceVenue
from tests.integration.exchanges.conftest import BINANCE_KEY, BINANCE_SECRET, BTC, binance_venue
from tests.support.binance_trading_server import BinanceTradingServer

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(900)]

OCO = "/api/v3/orderList/oco"


async def holding(venue: BinanceVenue, amount: str = "0.01") -> None:
    await venue.buy(BTC, Decimal(amount), client_order_id="pos-entry")


async def test_binance_protection_when_take_profit_given_places_one_native_oco(
    binance: BinanceVenue, binance_server: BinanceTradingServer
) -> None:
    await holding(binance)
    protection = await binance.place_protection(
        BTC,
        Decimal("0.00999"),
        stop_loss=Decimal("29400.004"),
        take_profit=Decimal("31200"),
        client_order_id="pos",
    )

    assert protection.native_oco
    assert protection.take_profit is not None
    sl, tp = protection.stop_loss, protection.take_profit
    assert (sl.client_order_id, sl.type, sl.price, sl.status) == (
        "pos-sl",
        OrderType.STOP_LOSS,
        Decimal("29400.00"),  # rounded to the 0.01 tick
        OrderStatus.OPEN,
    )
    assert (tp.client_order_id, tp.type, tp.price) == ("pos-tp", OrderType.LIMIT, Decimal(31200))
    [sent] = [r.params for r in binance_server.calls(OCO)]
    assert {
        k: sent[k] for k in ("listClientOrderId", "belowClientOrderId", "aboveClientOrderId")
    } == {
        "listClientOrderId": "pos",
        "belowClientOrderId": "pos-sl",
        "aboveClientOrderId": "pos-tp",
    }
    assert (sent["belowType"], sent["aboveType"], sent["quantity"]) == (
        "STOP_LOSS",
        "LIMIT_MAKER",
        "0.00999",
    )
    assert {o.client_order_id for o in await binance.fetch_open_orders()} == {"pos-sl", "pos-tp"}


async def test_binance_protection_when_stop_triggers_the_exchange_expires_the_take_profit(
    binance: BinanceVenue, binance_server: BinanceTradingServer
) -> None:
    await holding(binance)
    await binance.place_protection(
        BTC,
        Decimal("0.00999"),
        stop_loss=Decimal(29000),
        take_profit=Decimal(32000),
        client_order_id="p2",
    )
    binance_server.account.set_price("BTCUSDT", "28900")  # the market falls through the stop

    sl = await binance.fetch_order(BTC, client_order_id="p2-sl")
    tp = await binance.fetch_order(BTC, client_order_id="p2-tp")
    assert sl is not None
    assert tp is not None
    assert (sl.status, sl.filled, sl.average_price) == (
        OrderStatus.FILLED,
        Decimal("0.00999"),
        Decimal(28900),
    )
    assert tp.status is OrderStatus.EXPIRED
    assert await binance.fetch_open_orders(BTC) == []


async def test_binance_protection_when_no_take_profit_places_a_lone_stop_loss(
    binance: BinanceVenue, binance_server: BinanceTradingServer
) -> None:
    await holding(binance)
    protection = await binance.place_protection(
        BTC, Decimal("0.00999"), stop_loss=Decimal(29000), take_profit=None, client_order_id="p3"
    )
    assert not protection.native_oco
    assert protection.take_profit is None
    assert protection.stop_loss.type is OrderType.STOP_LOSS
    [sent] = [r.params for r in binance_server.calls("/api/v3/order") if r.method == "POST"][1:]
    assert (sent["type"], sent["stopPrice"], sent["newClientOrderId"]) == (
        "STOP_LOSS",
        "29000",
        "p3-sl",
    )


async def test_binance_protection_when_stop_above_the_market_is_rejected_by_the_exchange(
    binance: BinanceVenue,
) -> None:
    await holding(binance)
    with pytest.raises(OrderRejected, match="prices for the orders is not correct"):
        await binance.place_protection(
            BTC,
            Decimal("0.00999"),
            stop_loss=Decimal(30500),
            take_profit=Decimal(32000),
            client_order_id="p4",
        )


async def test_binance_cancel_order_when_one_oco_leg_cancelled_both_go_and_again_is_final(
    binance: BinanceVenue,
) -> None:
    await holding(binance)
    await binance.place_protection(
        BTC,
        Decimal("0.00999"),
        stop_loss=Decimal(29000),
        take_profit=Decimal(32000),
        client_order_id="p5",
    )
    cancelled = await binance.cancel_order(BTC, client_order_id="p5-sl")
    assert (cancelled.client_order_id, cancelled.status) == ("p5-sl", OrderStatus.CANCELED)
    sibling = await binance.fetch_order(BTC, client_order_id="p5-tp")
    assert sibling is not None
    assert sibling.status is OrderStatus.CANCELED  # the exchange links the legs

    again = await binance.cancel_order(BTC, client_order_id="p5-sl")  # -2011 Unknown order sent.
    assert again.status is OrderStatus.CANCELED
    balances = await binance.fetch_balances()
    assert balances["BTC"].free == Decimal("0.00999")  # the reservation is released


async def test_binance_cancel_order_when_never_sent_raises_order_not_found(
    binance: BinanceVenue,
) -> None:
    with pytest.raises(OrderNotFound, match=r"does not know the order: Unknown order sent"):
        await binance.cancel_order(BTC, client_order_id="ghost-1")
    assert await binance.fetch_order(BTC, client_order_id="ghost-1") is None


async def test_binance_fetch_my_trades_when_orders_filled_lists_fills_oldest_first(
    binance: BinanceVenue,
) -> None:
    await binance.buy(BTC, Decimal("0.002"), client_order_id="t-1")
    await binance.sell(BTC, Decimal("0.001"), client_order_id="t-2")
    fills = await binance.fetch_my_trades(BTC)
    assert [(f.client_order_id, f.side.value, f.amount) for f in fills] == [
        ("t-1", "buy", Decimal("0.002")),
        ("t-2", "sell", Decimal("0.001")),
    ]
    assert (fills[1].fee, fills[1].fee_currency) == (Decimal("0.03"), "USDT")


async def test_binance_venue_when_exchange_clock_is_ahead_signs_with_the_measured_offset(
    binance_server: BinanceTradingServer,
) -> None:
    binance_server.clock_skew_ms = 120_000  # Binance's clock two minutes ahead of ours
    venue = binance_venue(binance_server)
    try:
        await venue.buy(BTC, Decimal("0.001"), client_order_id="skew-1")
        assert [r.status for r in binance_server.calls("/api/v3/order")] == [200]
        assert len(binance_server.calls("/api/v3/time")) == 1  # measured before signing
    finally:
        await venue.close()


async def test_binance_buy_when_timestamp_outside_recv_window_resyncs_and_places_once(
    binance: BinanceVenue, binance_server: BinanceTradingServer
) -> None:
    await binance.fetch_balances()  # offset measured with the clocks agreeing
    binance_server.clock_skew_ms = 30_000  # then Binance's clock jumps 30 s ahead
    report = await binance.buy(BTC, Decimal("0.001"), client_order_id="window-1")

    assert report.status is OrderStatus.FILLED
    assert [r.status for r in binance_server.calls("/api/v3/order")] == [400, 200]  # -1021, then ok
    assert len(binance_server.calls("/api/v3/time")) == 2  # re-synced once
    assert len(binance_server.account.orders) == 1


async def test_binance_venue_when_api_key_invalid_stops_with_operational_error_and_no_secret(
    binance_server: BinanceTradingServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # ccxt logs every request's headers at DEBUG
    wrong_key = "WRONGKEY" + BINANCE_KEY[8:]
    venue = binance_venue(binance_server, key=wrong_key)
    try:
        with pytest.raises(OperationalError, match="authentication refused") as caught:
            await venue.buy(BTC, Decimal("0.001"), Decimal(29000), client_order_id="auth-1")
        with pytest.raises(OperationalError, match="authentication refused"):
            await venue.fetch_balances()
    finally:
        await venue.close()
    assert "X-MBX-APIKEY" in caplog.text  # the requests were logged ...
    for secret in (wrong_key, BINANCE_SECRET):  # ... without the credentials
        assert secret not in caplog.text
        assert secret not in str(caught.value)
        assert secret not in repr(venue)
