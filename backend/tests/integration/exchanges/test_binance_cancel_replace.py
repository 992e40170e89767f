"""BinanceVenue exits: the stop canceled and the coin sold in ONE ``cancelReplace`` request.

Real ccxt against the local Binance-shaped server, which answers
``POST /api/v3/order/cancelReplace`` as Binance documents it: filters checked before anything,
then the cancel (one order of an order list cancels the list), then the new order; 200 with both
halves, 409 ``-2021`` when one half failed, 400 ``-2022`` when the cancel failed and the sale was
not attempted. Also fees taken in the coin bought (no BNB): protective orders are sized on what
the account holds, else Binance would refuse them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from cryptotrader.domain import OrderStatus
from cryptotrader.errors import CancelReplaceFailed, InsufficientFunds, OrderRejected
from cryptotrader.exchanges.ccxt import BinanceVenue
from cryptotrader.exchanges.ccxt.binance import _refused_halves
from tests.integration.exchanges.conftest import BTC
from tests.support.binance_trading_server import BinanceTradingServer

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(900)]

REPLACE, DELETE_ORDER = "/api/v3/order/cancelReplace", "/api/v3/order"
STEP = Decimal("0.00001")


def btc(server: BinanceTradingServer) -> Decimal:
    account = server.account
    return account.free.get("BTC", Decimal(0)) + account.locked.get("BTC", Decimal(0))


def statuses(server: BinanceTradingServer) -> dict[str, str]:
    return {o.client_id: o.status for o in server.account.orders}


async def protected(binance: BinanceVenue) -> None:
    """Buy 0.01 BTC at market (the fee taken in BTC) and protect it with an OCO list ``p1``."""
    await binance.buy(BTC, Decimal("0.01"), client_order_id="buy1")
    await binance.place_protection(
        BTC, Decimal("0.01"), stop_loss=Decimal(29000), take_profit=Decimal(32000),
        client_order_id="p1",
    )  # fmt: skip


async def raw_replace(binance: BinanceVenue, **changes: str) -> Any:
    """A signed cancelReplace as ccxt sends it, with ``changes`` to the venue's request."""
    request = {
        "symbol": "BTCUSDT", "side": "SELL", "type": "MARKET", "quantity": "0.00999",
        "cancelReplaceMode": "STOP_ON_FAILURE", "cancelOrigClientOrderId": "p1-sl",
        "newClientOrderId": "x1", "newOrderRespType": "FULL",
    } | changes  # fmt: skip
    client: Any = binance._client
    await client.load_markets()
    return await client.private_post_order_cancelreplace(request)


async def test_exit_cancels_the_whole_oco_list_and_sells_in_one_request(
    binance: BinanceVenue, binance_server: BinanceTradingServer
) -> None:
    assert binance.capabilities.atomic_exit
    await protected(binance)
    held = btc(binance_server)
    assert held == Decimal("0.00999")  # 0.01 bought, 0.1 % taken in BTC
    replaced = await binance.replace_with_sale(
        BTC, Decimal("0.01"), cancel_client_order_id="p1-sl", client_order_id="x1"
    )
    assert (replaced.canceled.client_order_id, replaced.canceled.status) == (
        "p1-sl",
        OrderStatus.CANCELED,
    )
    assert (replaced.sale.client_order_id, replaced.sale.status) == ("x1", OrderStatus.FILLED)
    assert replaced.sale.filled == held  # capped to what the cancel released
    assert statuses(binance_server) == {
        "buy1": "FILLED", "p1-sl": "CANCELED", "p1-tp": "CANCELED", "x1": "FILLED",
    }  # fmt: skip
    assert btc(binance_server) == 0
    [sent] = [c.params for c in binance_server.calls(REPLACE)]
    assert (sent["type"], sent["side"], sent["cancelReplaceMode"]) == (
        "MARKET",
        "SELL",
        "STOP_ON_FAILURE",
    )
    assert (sent["cancelOrigClientOrderId"], sent["newClientOrderId"]) == ("p1-sl", "x1")
    assert [c for c in binance_server.calls(DELETE_ORDER) if c.method == "DELETE"] == []


async def test_exit_on_a_bracket_cancels_its_legs_by_the_stop_leg(
    binance: BinanceVenue, binance_server: BinanceTradingServer
) -> None:
    await binance.place_bracket(
        BTC, Decimal("0.01"), price=Decimal(30100), stop_loss=Decimal(29000),
        take_profit=Decimal(32000), client_order_id="e1", protection_client_order_id="e1",
    )  # fmt: skip
    replaced = await binance.replace_with_sale(
        BTC, Decimal("0.01"), cancel_client_order_id="e1-sl", client_order_id="x1"
    )
    assert replaced.sale.status is OrderStatus.FILLED
    assert statuses(binance_server) == {
        "e1": "FILLED", "e1-sl": "CANCELED", "e1-tp": "CANCELED", "x1": "FILLED",
    }  # fmt: skip
    assert btc(binance_server) < STEP  # at most the dust below one step


async def test_cancel_of_an_order_not_open_is_2022_and_nothing_is_sold(
    binance: BinanceVenue, binance_server: BinanceTradingServer
) -> None:
    await protected(binance)
    before = btc(binance_server)
    with pytest.raises(Exception, match="-2022") as raised:
        await raw_replace(binance, cancelOrigClientOrderId="nope")
    assert '"newOrderResult":"NOT_ATTEMPTED"' in str(raised.value).replace(" ", "")
    assert '"code":-2011' in str(raised.value).replace(" ", "")
    with pytest.raises(CancelReplaceFailed, match="not attempted"):
        _refused_halves(raised.value, "binance", "nope", "x1")
    assert statuses(binance_server)["p1-sl"] == "NEW"
    assert "x1" not in statuses(binance_server)
    assert btc(binance_server) == before


async def test_sale_refused_after_the_cancel_is_2021_and_says_so(
    binance: BinanceVenue, binance_server: BinanceTradingServer
) -> None:
    await protected(binance)
    with pytest.raises(Exception, match="-2021") as raised:
        await raw_replace(binance, quantity="0.01")  # more than held: -2010 after the cancel
    text = str(raised.value).replace(" ", "")
    assert '"cancelResult":"SUCCESS"' in text
    assert '"newOrderResult":"FAILURE"' in text
    with pytest.raises(InsufficientFunds, match="canceled but sale x1 refused"):
        _refused_halves(raised.value, "binance", "p1-sl", "x1")
    assert statuses(binance_server)["p1-sl"] == "CANCELED"
    assert statuses(binance_server)["p1-tp"] == "CANCELED"  # the list went with its leg
    assert "x1" not in statuses(binance_server)


async def test_filters_are_checked_before_anything_is_canceled(
    binance: BinanceVenue, binance_server: BinanceTradingServer
) -> None:
    await protected(binance)
    with pytest.raises(OrderRejected):
        await binance._edge.place("x1", lambda: raw_replace(binance, quantity="0.000015"))
    assert (statuses(binance_server)["p1-sl"], statuses(binance_server)["p1-tp"]) == ("NEW", "NEW")


async def test_exit_when_the_stop_already_filled_sends_nothing(
    binance: BinanceVenue, binance_server: BinanceTradingServer
) -> None:
    await protected(binance)
    binance_server.account.set_price("BTCUSDT", "28900")  # the stop fills at the exchange
    with pytest.raises(CancelReplaceFailed, match="not open"):
        await binance.replace_with_sale(
            BTC, Decimal("0.01"), cancel_client_order_id="p1-sl", client_order_id="x1"
        )
    assert binance_server.calls(REPLACE) == []
    assert statuses(binance_server)["p1-sl"] == "FILLED"


# --- fees taken in the coin bought -----------------------------------------------------------


async def test_bracket_legs_sell_what_is_held_when_the_fee_is_taken_in_btc(
    binance: BinanceVenue, binance_server: BinanceTradingServer
) -> None:
    placed = await binance.place_bracket(
        BTC, Decimal("0.01"), price=Decimal(30100), stop_loss=Decimal(29000),
        take_profit=Decimal(32000), client_order_id="e1", protection_client_order_id="e1",
    )  # fmt: skip
    assert placed.entry.filled == Decimal("0.01")
    assert btc(binance_server) == Decimal("0.00999")  # the fee came out of the coin
    legs = {o.client_id: o for o in binance_server.account.orders}
    assert (legs["e1-sl"].status, legs["e1-tp"].status) == ("NEW", "NEW")  # active, not refused
    assert legs["e1-sl"].amount == Decimal("0.00999")
    assert placed.protection.stop_loss.amount == Decimal("0.00999")


async def test_bracket_legs_sell_the_whole_entry_when_bnb_pays_the_fee(
    binance: BinanceVenue, binance_server: BinanceTradingServer
) -> None:
    binance_server.account.deposit("BNB", "1")
    binance_server.account.bnb_price = Decimal(300)
    await binance.place_bracket(
        BTC, Decimal("0.01"), price=Decimal(30100), stop_loss=Decimal(29000),
        take_profit=Decimal(32000), client_order_id="e1", protection_client_order_id="e1",
    )  # fmt: skip
    assert btc(binance_server) == Decimal("0.01")
    assert binance_server.account.free["BNB"] == Decimal(1) - Decimal("0.00075")  # 0.3 $ at 75 %
    legs = {o.client_id: o for o in binance_server.account.orders}
    assert (legs["e1-sl"].status, legs["e1-sl"].amount) == ("NEW", Decimal("0.01"))


async def test_legs_for_the_whole_entry_with_the_fee_in_btc_are_not_placed(
    binance_server: BinanceTradingServer,
) -> None:
    """What the legs' sizing avoids: more than the account holds (the local server's model)."""
    account = binance_server.account
    placed = account.place_otoco(
        "BTCUSDT", amount=Decimal("0.01"), price=Decimal(30100), client_id="e1",
        stop=Decimal(29000), stop_client_id="e1-sl", limit=Decimal(32000),
        limit_client_id="e1-tp", now_ms=0,
    )  # fmt: skip
    assert not isinstance(placed, str)
    assert [o.status for o in placed] == ["FILLED", "EXPIRED", "EXPIRED"]


async def test_protection_after_a_market_buy_is_sized_on_the_btc_held(
    binance: BinanceVenue, binance_server: BinanceTradingServer
) -> None:
    await protected(binance)
    legs = {o.client_id: o for o in binance_server.account.orders}
    assert legs["p1-sl"].amount == legs["p1-tp"].amount == Decimal("0.00999")
    assert binance_server.account.free["BTC"] == 0
