"""BinanceVenue orders with real ccxt against a local server that answers like Binance's API.

Sizing (precision, the free-balance cap, minimums refused before sending), the client order id,
Binance's error payloads mapped by reaction, and the ambiguous failures: a timeout after the
order was accepted, a dropped connection, an unreachable host.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from cryptotrader.domain import OrderStatus, OrderType, Side, Timeframe
from cryptotrader.errors import (
    InsufficientFunds,
    NetworkUnavailableError,
    OrderOutcomeUnknown,
    OrderRejected,
)
from cryptotrader.exchanges.ccxt import BinanceVenue
from tests.integration.exchanges.conftest import BINANCE_KEY, BINANCE_SECRET, BTC, binance_venue
from tests.support.binance_server import BINANCE_RATE_LIMIT_BODY
from tests.support.binance_trading_server import BinanceTradingServer
from tests.support.exchange_server import DROP, Fault, Listing, running
from tests.support.scripted import candles
from tests.support.spot_account import Rules

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(900)]

ORDER = "/api/v3/order"


def posted(server: BinanceTradingServer) -> list[dict[str, str]]:
    return [r.params for r in server.calls(ORDER) if r.method == "POST"]


async def test_binance_market_rules_when_loaded_come_from_lot_size_and_notional_filters(
    binance: BinanceVenue,
) -> None:
    rules = await binance.market_rules(BTC)
    assert (rules.amount_step, rules.min_amount, rules.min_notional) == (
        Decimal("0.00001"),
        Decimal("0.00001"),
        Decimal(5),
    )


async def test_binance_fetch_ohlcv_when_candles_listed_returns_them_oldest_first(
    binance: BinanceVenue, binance_server: BinanceTradingServer
) -> None:
    series = candles([(100.0, 101.0, 99.0, 100.5), (100.5, 102.0, 100.0, 101.5)] * 3)
    binance_server.list_market(Listing("BTCUSDT", "BTC", "USDT", {Timeframe.H1: series}))
    got = await binance.fetch_ohlcv(BTC, Timeframe.H1, since_ms=int(series.timestamps[2]))
    np.testing.assert_array_equal(got.timestamps, series.timestamps[2:])
    np.testing.assert_array_equal(got.close, series.close[2:])


async def test_binance_buy_when_market_order_fills_reports_fill_fee_and_our_client_id(
    binance: BinanceVenue, binance_server: BinanceTradingServer
) -> None:
    report = await binance.buy(BTC, Decimal("0.01"), client_order_id="ct-safe-1-entry")

    assert (report.client_order_id, report.side, report.type) == (
        "ct-safe-1-entry",
        Side.BUY,
        OrderType.MARKET,
    )
    assert (report.status, report.amount, report.filled) == (
        OrderStatus.FILLED,
        Decimal("0.01"),
        Decimal("0.01"),
    )
    assert report.average_price == Decimal(30000)
    assert (report.fee, report.fee_currency) == (Decimal("0.00001"), "BTC")  # 0.1% of 0.01 BTC
    [sent] = posted(binance_server)
    assert (sent["newClientOrderId"], sent["type"], sent["quantity"]) == (
        "ct-safe-1-entry",
        "MARKET",
        "0.01",
    )
    balances = await binance.fetch_balances()
    assert (balances["BTC"].free, balances["USDT"].free) == (Decimal("0.00999"), Decimal(700))


async def test_binance_buy_when_amount_finer_than_the_step_truncates_never_rounds_up(
    binance: BinanceVenue, binance_server: BinanceTradingServer
) -> None:
    report = await binance.buy(BTC, Decimal("0.0123456789"), client_order_id="trunc-1")
    assert report.amount == Decimal("0.01234")  # nearest would be 0.01235
    assert posted(binance_server)[0]["quantity"] == "0.01234"


async def test_binance_sell_when_rounding_would_go_above_the_free_balance_rounds_down(
    binance: BinanceVenue, binance_server: BinanceTradingServer
) -> None:
    binance_server.account.deposit("BTC", "0.01234987")  # to the nearest step: 0.01235
    report = await binance.sell(BTC, Decimal("0.01234987"), client_order_id="whole-1")

    assert posted(binance_server)[0]["quantity"] == "0.01234"
    assert report.status is OrderStatus.FILLED
    assert report.amount == Decimal("0.01234") <= Decimal("0.01234987")


async def test_binance_sell_when_fees_left_less_than_the_position_sells_the_free_balance(
    binance: BinanceVenue, binance_server: BinanceTradingServer, caplog: pytest.LogCaptureFixture
) -> None:
    await binance.buy(BTC, Decimal("0.01"), client_order_id="pos-1-entry")  # 0.00999 BTC after fee
    report = await binance.sell(BTC, Decimal("0.01"), client_order_id="pos-1-exit")

    assert report.amount == Decimal("0.00999")
    assert posted(binance_server)[1]["quantity"] == "0.00999"
    assert "only 0.00999 free: selling the free balance" in caplog.text


async def test_binance_sell_when_free_balance_far_below_the_amount_refuses_before_sending(
    binance: BinanceVenue, binance_server: BinanceTradingServer
) -> None:
    binance_server.account.deposit("BTC", "0.005")
    with pytest.raises(InsufficientFunds, match=r"sells 0.01 BTC but only 0.005 is free"):
        await binance.sell(BTC, Decimal("0.01"), client_order_id="short-1")
    assert posted(binance_server) == []


async def test_binance_buy_when_below_the_minimum_notional_refuses_before_sending(
    binance: BinanceVenue, binance_server: BinanceTradingServer
) -> None:
    with pytest.raises(OrderRejected, match=r"tiny-1 refused before sending: notional 3.0003"):
        await binance.buy(BTC, Decimal("0.0001"), client_order_id="tiny-1")  # ~3 USDT < 5
    with pytest.raises(OrderRejected, match=r"amount 0 is below the market minimum 0.00001"):
        await binance.buy(BTC, Decimal("0.000001"), client_order_id="tiny-2")  # below one step
    assert posted(binance_server) == []


async def test_binance_buy_when_exchange_refuses_the_notional_raises_order_rejected_once(
    binance: BinanceVenue, binance_server: BinanceTradingServer
) -> None:
    # The exchange applies a stricter filter than it advertised: its -1013 is the answer.
    market = binance_server.account.markets["BTCUSDT"]
    binance_server.account.markets["BTCUSDT"] = market.__class__(
        "BTCUSDT", "BTC", "USDT", Rules(Decimal("0.00001"), Decimal("0.00001"), Decimal(100))
    )
    with pytest.raises(OrderRejected, match=r"Filter failure: NOTIONAL \(code -1013\)") as caught:
        await binance.buy(BTC, Decimal("0.001"), client_order_id="notional-1")
    assert not isinstance(caught.value, InsufficientFunds)
    assert len(posted(binance_server)) == 1  # never retried


async def test_binance_buy_when_balance_insufficient_raises_insufficient_funds_once(
    binance: BinanceVenue, binance_server: BinanceTradingServer
) -> None:
    with pytest.raises(
        InsufficientFunds, match="Account has insufficient balance for requested action"
    ):
        await binance.buy(BTC, Decimal("1"), client_order_id="big-1")  # 30,000 USDT > 1,000
    assert len(posted(binance_server)) == 1


async def test_binance_buy_when_rate_limited_retries_with_the_same_client_id(
    binance: BinanceVenue, binance_server: BinanceTradingServer
) -> None:
    binance_server.inject(ORDER, Fault(429, BINANCE_RATE_LIMIT_BODY, {"Retry-After": "0"}))
    report = await binance.buy(BTC, Decimal("0.001"), client_order_id="limited-1")

    assert report.status is OrderStatus.FILLED
    statuses = [r.status for r in binance_server.calls(ORDER)]
    assert statuses == [429, 200]
    assert [p["newClientOrderId"] for p in posted(binance_server)] == ["limited-1"] * 2
    assert len(binance_server.account.orders) == 1


async def test_binance_buy_when_answer_stalls_after_acceptance_raises_outcome_unknown(
    binance_server: BinanceTradingServer,
) -> None:
    venue = binance_venue(binance_server)
    try:
        await venue.market_rules(BTC)  # markets loaded before the answer is held
        answer = binance_server.hold(ORDER)  # accepted, never answered: the client times out
        try:
            with pytest.raises(OrderOutcomeUnknown, match=r"no answer from 127\.0\.0\.1") as caught:
                await venue.buy(BTC, Decimal("0.001"), client_order_id="stalled-1")
        finally:
            answer.set()
        assert caught.value.client_order_id == "stalled-1"
        assert len(posted(binance_server)) == 1  # not re-sent

        found = await venue.fetch_order(BTC, client_order_id="stalled-1")  # what the engine does
        assert found is not None
        assert (found.status, found.filled) == (OrderStatus.FILLED, Decimal("0.001"))
        assert len(binance_server.account.orders) == 1  # no duplicate
    finally:
        await venue.close()


async def test_binance_buy_when_binance_says_execution_status_unknown_raises_outcome_unknown(
    binance: BinanceVenue, binance_server: BinanceTradingServer
) -> None:
    said = (
        "Timeout waiting for response from backend server. "
        "Send status unknown; execution status unknown."
    )
    binance_server.inject(ORDER, Fault(503, {"code": -1007, "msg": said}))
    with pytest.raises(OrderOutcomeUnknown, match="may or may not have been placed") as caught:
        await binance.buy(BTC, Decimal("0.001"), client_order_id="unknown-1")
    assert caught.value.client_order_id == "unknown-1"
    assert len(binance_server.calls(ORDER)) == 1


async def test_binance_buy_when_connection_dropped_raises_outcome_unknown_then_not_found(
    binance: BinanceVenue, binance_server: BinanceTradingServer
) -> None:
    binance_server.inject(ORDER, Fault(DROP))
    with pytest.raises(OrderOutcomeUnknown) as caught:
        await binance.buy(BTC, Decimal("0.001"), client_order_id="dropped-1")
    assert caught.value.client_order_id == "dropped-1"
    assert await binance.fetch_order(BTC, client_order_id="dropped-1") is None  # safe to re-send


async def test_binance_buy_when_host_unreachable_raises_network_error_not_outcome_unknown() -> None:
    server = BinanceTradingServer(api_key=BINANCE_KEY, secret=BINANCE_SECRET)
    server.trade("BTCUSDT", "BTC", "USDT", price="30000")
    with running(server):
        venue = binance_venue(server)
        await venue.market_rules(BTC)
    try:  # the exchange is gone: the connection is refused, so nothing can have been sent
        with pytest.raises(NetworkUnavailableError, match=r"was not sent.*gave up after 3"):
            await venue.buy(BTC, Decimal("0.001"), Decimal(29000), client_order_id="unsent-1")
    finally:
        await venue.close()
