"""``order_send.new_order``: built trusted, it equals the validated ``Order``; else it validates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from cryptotrader.domain.enums import BotKind, OrderType, Side
from cryptotrader.domain.orders import Order
from cryptotrader.domain.pairs import Pair
from cryptotrader.engines import client_ids
from cryptotrader.engines.order_send import new_order

T0 = datetime(2026, 12, 5, 15, 0, tzinfo=UTC)
PAIR = Pair.parse("C49/USDT")
ENTRY = client_ids.decision_id(BotKind.AGGRESSIVE, PAIR.symbol, 1_764_946_800_000, "e")
EXIT = client_ids.decision_id(BotKind.AGGRESSIVE, PAIR.symbol, 1_764_946_800_000, "x")


def _validated(**fields: Any) -> Order:
    return Order(**{k: v for k, v in fields.items() if k not in ("stop_loss", "take_profit")} | {
        k: fields[k] for k in ("stop_loss", "take_profit") if fields.get(k) is not None
    })  # fmt: skip


CASES = [
    # a batch's sale (``OrderEngine.sale``)
    {"client_order_id": EXIT, "bot": BotKind.AGGRESSIVE, "pair": PAIR, "side": Side.SELL,
     "type": OrderType.MARKET, "quantity": Decimal("0.00123"), "price": None, "created_at": T0},
    # an entry (``Entries.decide``) at market and a bracket's limit
    {"client_order_id": ENTRY, "bot": BotKind.SAFE, "pair": PAIR, "side": Side.BUY,
     "type": OrderType.MARKET, "quantity": Decimal("0.25"), "price": None,
     "stop_loss": Decimal("41000.12"), "take_profit": Decimal("43000.5"), "created_at": T0},
    {"client_order_id": ENTRY, "bot": BotKind.SAFE, "pair": PAIR, "side": Side.BUY,
     "type": OrderType.LIMIT, "quantity": Decimal("0"), "price": Decimal("42000.01"),
     "stop_loss": Decimal("41000"), "take_profit": Decimal("43000"), "created_at": T0},
]  # fmt: skip


@pytest.mark.parametrize("fields", CASES)
def test_new_order_when_built_trusted_equals_the_validated_order(fields: dict[str, Any]) -> None:
    built = new_order(
        fields["client_order_id"],
        fields["bot"],
        fields["pair"],
        fields["side"],
        fields["type"],
        fields["quantity"],
        price=fields["price"],
        created_at=fields["created_at"],
        stop_loss=fields.get("stop_loss"),
        take_profit=fields.get("take_profit"),
    )
    expected = _validated(**fields)
    assert built == expected
    assert built.__dict__ == expected.__dict__
    assert list(built.__dict__) == list(Order.model_fields)
    assert built.model_fields_set == expected.model_fields_set
    assert built.model_dump_json() == expected.model_dump_json()


@pytest.mark.parametrize(
    "change",
    [
        {"quantity": Decimal(-1)},
        {"quantity": Decimal("NaN")},
        {"type": OrderType.LIMIT},  # no price
        {"price": Decimal(0), "type": OrderType.LIMIT},
        {"stop_loss": Decimal(44000)},  # above the take-profit
        {"client_order_id": "x" * 37},
        {"client_order_id": "bad id"},
        {"created_at": T0.replace(tzinfo=None)},
    ],
)
def test_new_order_refuses_what_order_refuses(change: dict[str, Any]) -> None:
    fields = {**CASES[1], **change}
    with pytest.raises(ValidationError):
        _validated(**fields)
    with pytest.raises(ValidationError):
        new_order(
            fields["client_order_id"],
            fields["bot"],
            fields["pair"],
            fields["side"],
            fields["type"],
            fields["quantity"],
            price=fields["price"],
            created_at=fields["created_at"],
            stop_loss=fields.get("stop_loss"),
            take_profit=fields.get("take_profit"),
        )


def test_new_order_in_another_timezone_is_validated_into_utc() -> None:
    paris = T0.astimezone(timezone(timedelta(hours=1)))
    built = new_order(EXIT, BotKind.SAFE, PAIR, Side.SELL, OrderType.MARKET, Decimal(1),
                      price=None, created_at=paris)  # fmt: skip
    assert built.created_at == T0
    assert built.created_at.tzinfo is UTC
