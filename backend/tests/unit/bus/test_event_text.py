"""The events' JSON as the outbox writes it: pydantic's text, whatever path builds it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cryptotrader import outbox
from cryptotrader.bus import topics
from cryptotrader.bus.messages import (
    AlertRaised,
    BusMessage,
    CapitalReallocated,
    OrderUpdated,
    _plain,
)
from cryptotrader.domain import BotKind, Order, OrderStatus, OrderType, Pair, Side

T0 = datetime(2026, 2, 11, 14, 30, 2, tzinfo=UTC)

_DECIMALS = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=False, allow_infinity=False, places=8),
    st.builds(  # any sign, digits and exponent: "1E+2", "1E-7", "0E-8", "-0.000", ...
        lambda sign, digits, exponent: Decimal((sign, tuple(digits), exponent)),
        st.integers(0, 1),
        st.lists(st.integers(0, 9), min_size=1, max_size=30),
        st.integers(-40, 40),
    ),
)


@settings(max_examples=2000)
@given(_DECIMALS)
def test_the_wire_text_of_a_decimal_is_its_fixed_point_format(value: Decimal) -> None:
    assert _plain(value) == format(value, "f")


def _old_encode(events: list[tuple[str, BusMessage]]) -> str:
    """What ``outbox.encode`` wrote before it took the serializer's bytes."""
    return "[" + ",".join(f'["{t}",{m.model_dump_json()}]' for t, m in events) + "]"


_PRICES = st.decimals(min_value=Decimal("1e-8"), max_value=Decimal("1e9"), places=8)
_TEXTS = st.text(max_size=40)  # any code point: quotes, controls, non-ASCII (no lone surrogate)


def _order(quantity: Decimal, price: Decimal, fee: Decimal, at: datetime) -> Order:
    return Order(
        client_order_id="agg-1.x_2",
        bot=BotKind.AGGRESSIVE,
        pair=Pair.parse("BTC/USDT"),
        side=Side.BUY,
        type=OrderType.LIMIT,
        quantity=quantity,
        price=price,
        stop_loss=None,
        take_profit=None,
        status=OrderStatus.FILLED,
        exchange_order_id="x-1",
        filled_quantity=quantity,
        average_fill_price=price,
        fee=fee,
        created_at=at,
    )


@settings(max_examples=300)
@given(
    quantity=_PRICES,
    price=_PRICES,
    fee=_DECIMALS.filter(lambda d: d.is_finite()),
    micros=st.integers(0, 999_999),
    text=_TEXTS,
    details=st.dictionaries(_TEXTS, _TEXTS, max_size=4),
)
def test_a_rows_json_is_each_message_as_model_dump_json_writes_it(
    *,
    quantity: Decimal,
    price: Decimal,
    fee: Decimal,
    micros: int,
    text: str,
    details: dict[str, str],
) -> None:
    at = T0 + timedelta(microseconds=micros)
    update = OrderUpdated.from_domain(_order(quantity, price, fee, at), at=at)
    alert = AlertRaised(
        timestamp=at,
        kind="trade_opened",
        text=text,
        bot=BotKind.SAFE,
        pair=Pair.parse("ETH/USDT"),
        side=Side.SELL,
        price=price,
        risk=fee,
        details=details,
    )
    moved = CapitalReallocated(
        timestamp=at,
        from_bot=BotKind.AGGRESSIVE,
        to_bot=BotKind.SAFE,
        amount=fee,
        ratio=Decimal("0.5"),
        profit=quantity,
        trigger_trade_id=7,
    )
    events: list[tuple[str, BusMessage]] = [
        (topics.ORDERS, update),
        (topics.ALERTS, alert),
        (topics.REBALANCE, moved),
    ]

    row = outbox.encode(events)

    assert row == _old_encode(events)
    assert outbox.decode_row(row) == events


def test_a_row_on_an_unknown_channel_is_refused() -> None:
    alert = AlertRaised(timestamp=T0, kind="k", text="t")
    with pytest.raises(ValueError, match="unknown channel"):
        outbox.encode([("nowhere", alert)])
