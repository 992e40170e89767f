"""KrakenVenue with real ccxt against a local server that answers like Kraken's private API.

API-Sign and nonces checked as Kraken does; ``cl_ord_id`` lookups; the stop-loss held by the
exchange and the take-profit left to the engine; Kraken's error arrays mapped by reaction.
"""

from __future__ import annotations

import logging
import uuid
from decimal import Decimal

import pytest

from cryptotrader.clock import TestClock
from cryptotrader.domain import OrderStatus, OrderType
from cryptotrader.errors import (
    ConfigurationError,
    InsufficientFunds,
    OperationalError,
    OrderOutcomeUnknown,
    OrderRejected,
)
from cryptotrader.exchanges.ccxt import ApiCredentials, KrakenVenue
from cryptotrader.retry import RetryPolicy
from tests.integration.exchanges.conftest import BTC, KRAKEN_KEY, KRAKEN_SECRET, kraken_venue
from tests.support.kraken_trading_server import KrakenTradingServer
from tests.support.spot_account import Kind, Market, Rules

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(900)]

ADD = "/0/private/AddOrder"
LONG_ID = "ct-aggressive-000123-e"  # 22 characters: more than Kraken's 18 of free text


def stricter(server: KrakenTradingServer, rules: Rules) -> None:
    """The exchange applies stricter rules than its AssetPairs says: its refusal is the answer."""
    server.account.markets["XBTUSDT"] = Market("XBTUSDT", "XXBT", "USDT", rules)


async def test_kraken_buy_when_client_id_too_long_sends_a_uuid_and_reports_ours(
    kraken: KrakenVenue, kraken_server: KrakenTradingServer
) -> None:
    report = await kraken.buy(BTC, Decimal("0.01"), client_order_id=LONG_ID)

    sent = kraken_server.calls(ADD)[0].params
    assert str(uuid.UUID(sent["cl_ord_id"])) == sent["cl_ord_id"]  # a UUID: too long for text
    assert (sent["ordertype"], sent["type"], sent["volume"]) == ("market", "buy", "0.01")
    assert (report.client_order_id, report.status, report.filled) == (
        LONG_ID,
        OrderStatus.FILLED,  # completed by a lookup: AddOrder only acknowledges
        Decimal("0.01"),
    )
    assert (report.fee, report.fee_currency) == (Decimal("0.75"), "USDT")
    found = await kraken.fetch_order(BTC, client_order_id=LONG_ID)
    assert found is not None
    assert found.exchange_order_id == report.exchange_order_id
    [fill] = await kraken.fetch_my_trades(BTC)
    assert (fill.client_order_id, fill.amount, fill.price) == (
        LONG_ID,
        Decimal("0.01"),
        Decimal(30000),
    )


async def test_kraken_protection_when_take_profit_given_holds_the_stop_and_leaves_tp_to_engine(
    kraken: KrakenVenue, kraken_server: KrakenTradingServer
) -> None:
    await kraken.buy(BTC, Decimal("0.01"), client_order_id="k-pos-e")
    protection = await kraken.place_protection(
        BTC,
        Decimal("0.01"),
        stop_loss=Decimal(29000),
        take_profit=Decimal(32000),
        client_order_id="k-pos",
    )

    assert kraken.capabilities.take_profit_by_engine
    assert not kraken.capabilities.native_oco
    assert (protection.native_oco, protection.take_profit) == (False, None)
    sl = protection.stop_loss
    assert (sl.client_order_id, sl.type, sl.price, sl.status) == (
        "k-pos-sl",
        OrderType.STOP_LOSS,
        Decimal(29000),
        OrderStatus.OPEN,
    )
    sent = kraken_server.calls(ADD)[1].params
    assert (sent["ordertype"], sent["price"], sent["cl_ord_id"]) == (
        "stop-loss",
        "29000",
        "k-pos-sl",
    )
    assert [o.client_order_id for o in await kraken.fetch_open_orders()] == ["k-pos-sl"]

    kraken_server.account.set_price("XBTUSDT", "28950")  # Kraken's stop fires
    fired = await kraken.fetch_order(BTC, client_order_id="k-pos-sl")
    assert fired is not None
    assert fired.status is OrderStatus.FILLED


async def test_kraken_cancel_order_when_cancelled_twice_returns_the_final_order(
    kraken: KrakenVenue,
) -> None:
    await kraken.buy(BTC, Decimal("0.01"), client_order_id="k-c-e")
    await kraken.place_protection(
        BTC, Decimal("0.01"), stop_loss=Decimal(29000), take_profit=None, client_order_id="k-c"
    )
    first = await kraken.cancel_order(BTC, client_order_id="k-c-sl")  # {"count": 1}, then looked up
    again = await kraken.cancel_order(BTC, client_order_id="k-c-sl")  # EOrder:Unknown order
    assert first.status is again.status is OrderStatus.CANCELED
    assert await kraken.fetch_order(BTC, client_order_id="never-sent") is None


async def test_kraken_buy_when_funds_insufficient_raises_insufficient_funds_once(
    kraken: KrakenVenue, kraken_server: KrakenTradingServer
) -> None:
    with pytest.raises(InsufficientFunds, match="EOrder:Insufficient funds"):
        await kraken.buy(BTC, Decimal("1"), client_order_id="k-big")
    assert len(kraken_server.calls(ADD)) == 1


async def test_kraken_buy_when_exchange_says_volume_minimum_not_met_raises_order_rejected(
    kraken: KrakenVenue, kraken_server: KrakenTradingServer
) -> None:
    stricter(kraken_server, Rules(Decimal("0.00000001"), Decimal("0.01"), Decimal("0.5")))
    with pytest.raises(OrderRejected, match="volume minimum not met"):
        await kraken.buy(BTC, Decimal("0.001"), client_order_id="k-small")
    assert len(kraken_server.calls(ADD)) == 1


async def test_kraken_buy_when_exchange_says_cost_minimum_not_met_is_a_refusal_not_an_alert(
    kraken: KrakenVenue, kraken_server: KrakenTradingServer
) -> None:
    stricter(kraken_server, Rules(Decimal("0.00000001"), Decimal("0.00005"), Decimal(100)))
    with pytest.raises(OrderRejected, match="EOrder:Cost minimum not met"):
        await kraken.buy(BTC, Decimal("0.001"), client_order_id="k-cost")


async def test_kraken_buy_when_below_the_advertised_minimum_refuses_before_sending(
    kraken: KrakenVenue, kraken_server: KrakenTradingServer
) -> None:
    with pytest.raises(
        OrderRejected, match=r"amount 0\.00001 is below the market minimum 0\.00005"
    ):
        await kraken.buy(BTC, Decimal("0.00001"), client_order_id="k-tiny")
    assert kraken_server.calls(ADD) == []


async def test_kraken_buy_when_answer_stalls_after_acceptance_raises_outcome_unknown(
    kraken_server: KrakenTradingServer,
) -> None:
    venue = kraken_venue(kraken_server)
    try:
        await venue.market_rules(BTC)
        answer = kraken_server.hold(ADD)  # accepted, never answered: the client times out
        try:
            with pytest.raises(OrderOutcomeUnknown) as caught:
                await venue.buy(BTC, Decimal("0.001"), Decimal(31000), client_order_id=LONG_ID)
        finally:
            answer.set()
        assert caught.value.client_order_id == LONG_ID
        found = await venue.fetch_order(BTC, client_order_id=LONG_ID)
        assert found is not None
        assert found.status is OrderStatus.FILLED
        assert len(kraken_server.calls(ADD)) == len(kraken_server.account.orders) == 1
    finally:
        await venue.close()


async def test_kraken_venue_when_api_key_invalid_stops_with_operational_error_and_no_secret(
    kraken_server: KrakenTradingServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong_key = "WRONG" + KRAKEN_KEY[5:]
    venue = kraken_venue(kraken_server, key=wrong_key)
    try:
        with pytest.raises(OperationalError, match="EAPI:Invalid key") as caught:
            await venue.fetch_balances()
    finally:
        await venue.close()
    assert "API-Key" in caplog.text
    for secret in (wrong_key, KRAKEN_SECRET):
        assert secret not in caplog.text
        assert secret not in str(caught.value)


async def test_kraken_fetch_my_trades_when_more_than_one_page_pages_by_offset(
    kraken: KrakenVenue, kraken_server: KrakenTradingServer
) -> None:
    kraken_server.account.deposit("USDT", "100000")
    for n in range(60):  # 60 fills: Kraken pages 50 at a time, newest first
        kraken_server.account.place(
            "XBTUSDT",
            side="buy",
            kind=Kind.MARKET,
            amount=Decimal("0.001"),
            client_id=f"f{n}",
            now_ms=1_700_000_000_000 + n * 1000,
        )
    fills = await kraken.fetch_my_trades(BTC)
    assert len(fills) == 60
    assert [f.timestamp for f in fills] == sorted(f.timestamp for f in fills)
    assert [r.params.get("ofs") for r in kraken_server.calls("/0/private/TradesHistory")] == [
        "0",
        "50",
    ]


async def test_kraken_venue_when_secret_is_not_base64_refuses_without_quoting_it() -> None:
    with pytest.raises(ConfigurationError, match="must be base64") as caught:
        KrakenVenue(
            credentials=ApiCredentials(api_key=KRAKEN_KEY, secret="not base64 at all!"),
            clock=TestClock(0),
            retry=RetryPolicy(),
        )
    assert "not base64 at all!" not in str(caught.value)
