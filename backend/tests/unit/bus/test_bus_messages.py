"""Message schemas: shaped like the original examples and lossless to and from the domain."""

from __future__ import annotations

import itertools
import json
import os
import threading
import uuid
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from cryptotrader.bus import messages, topics
from cryptotrader.bus.codec import decode, encode
from cryptotrader.bus.messages import OrderUpdated, SignalGenerated, new_message_id
from cryptotrader.domain import (
    BotKind,
    Order,
    OrderStatus,
    OrderType,
    Pair,
    Side,
    SignalAction,
    Timeframe,
)
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


def test_order_updated_from_domain_equals_the_validated_message() -> None:
    """``from_domain`` skips validation: what it builds must be what validation builds."""
    placed = Order(
        client_order_id="agg-2",
        bot=BotKind.SAFE,
        pair=Pair.parse("ETH/USDT"),
        side=Side.SELL,
        type=OrderType.MARKET,
        quantity=Decimal("1.5"),
        created_at=T0,
    )
    filled = placed.model_copy(
        update={
            "status": OrderStatus.FILLED,
            "exchange_order_id": "x-9",
            "filled_quantity": Decimal("1.5"),
            "average_fill_price": Decimal("3120.5"),
            "fee": Decimal("0.0046"),
        }
    )
    paris = timezone(timedelta(hours=1))
    for order, at in ((placed, T0), (filled, datetime(2026, 2, 11, 15, 30, 2, tzinfo=paris))):
        built = OrderUpdated.from_domain(order, at=at)
        fields = {name: getattr(order, name) for name in Order.model_fields if name != "type"}
        validated = OrderUpdated(timestamp=at, order_type=order.type, **fields)
        assert built.model_fields_set == validated.model_fields_set
        assert list(built.__dict__) == list(OrderUpdated.model_fields)  # the JSON's order
        validated = validated.model_copy(update={"message_id": built.message_id})
        assert built == validated
        assert built.timestamp.tzinfo is UTC
        assert built.model_dump_json() == validated.model_dump_json()
        assert built.type == "order_updated"


def test_new_message_id_is_laid_out_as_a_uuid4_hex() -> None:
    ids = [new_message_id() for _ in range(1000)]
    assert len(set(ids)) == 1000
    for text in ids:
        assert len(text) == 32
        parsed = uuid.UUID(hex=text)
        assert (parsed.version, parsed.variant) == (4, uuid.RFC_4122)
        assert parsed.hex == text


def test_new_message_ids_are_unique_across_threads() -> None:
    """The counter steps once per call whatever the thread (a read-then-write would not)."""
    found: list[list[str]] = [[] for _ in range(4)]

    def take(into: list[str]) -> None:
        into.extend(new_message_id() for _ in range(20_000))

    threads = [threading.Thread(target=take, args=(into,)) for into in found]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({text for into in found for text in into}) == 80_000


def test_a_new_prefix_is_drawn_when_the_counter_would_wrap(monkeypatch: pytest.MonkeyPatch) -> None:
    prefix = "0" * 12 + "4" + "0" * 3 + "8" + "0" * 3
    monkeypatch.setattr(messages, "_ids", (prefix, itertools.count(messages._ID_LAST)))

    last, after = new_message_id(), new_message_id()

    assert last == prefix + "f" * 12
    assert after[:20] != prefix
    assert after[20:] == "0" * 12
    assert uuid.UUID(hex=after).version == 4


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork only")
def test_a_forked_child_draws_its_own_prefix() -> None:
    """A child would otherwise continue its parent's ids: the same ones as the parent's next."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its first id, then out without pytest's clean-up
        os.write(write, new_message_id().encode())
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    child = os.read(read, 64).decode()
    os.close(read)
    parent = new_message_id()
    assert len(child) == 32
    assert child[:20] != parent[:20]


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
