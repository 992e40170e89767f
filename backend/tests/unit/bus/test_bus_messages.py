"""Message schemas: shaped like the original examples and lossless to and from the domain."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from cryptotrader.bus import topics
from cryptotrader.bus.codec import decode, encode
from cryptotrader.bus.messages import OrderUpdated, SignalGenerated
from cryptotrader.domain import BotKind, Order, OrderType, Pair, Side, SignalAction, Timeframe
from cryptotrader.domain.signals import TradingSignal

T0 = datetime(2026, 2, 11, 14, 30, 2, tzinfo=UTC)


def test_order_updated_when_encoded_has_decimal_strings_and_utc_z_like_the_original() -> None:
    order = Order(
        client_order_id="agg-1",
        bot=BotKind.AGGRESSIVE,
        pair=Pair.parse("BTCUSDT"),
        side=Side.BUY,
        type=OrderType.LIMIT,
        quantity="0.0045",
        price="67450.00",
        stop_loss="66101.00",
        take_profit="74195.00",
        created_at=T0,
    )

    data = json.loads(encode(OrderUpdated.from_domain(order, at=T0))["data"])

    assert data["timestamp"] == "2026-02-11T14:30:02Z"
    assert (data["pair"], data["side"], data["quantity"], data["price"]) == (
        "BTC/USDT",
        "buy",
        "0.0045",
        "67450.00",
    )
    assert (data["stop_loss"], data["take_profit"]) == ("66101.00", "74195.00")
    assert len(data["message_id"]) == 32
    message = decode(topics.ORDERS, {"data": json.dumps(data)})
    assert isinstance(message, OrderUpdated)
    assert message.to_domain() == order


def test_signal_generated_when_round_tripped_gives_back_the_trading_signal() -> None:
    signal = TradingSignal(
        timestamp=T0,
        pair=Pair.parse("BTC/USDT"),
        timeframe=Timeframe.H1,
        action=SignalAction.BUY,
        confidence=0.78,
        score=0.5,
        strategy="aggressive",
        target_bot=BotKind.AGGRESSIVE,
    )

    message = decode(topics.SIGNALS, encode(SignalGenerated.from_domain(signal)))

    assert isinstance(message, SignalGenerated)
    assert message.to_domain() == signal
    assert json.loads(encode(message)["data"])["confidence"] == 0.78
