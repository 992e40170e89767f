"""``engines.positions``: an order as its exchange's report leaves it, a trade as it changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from pydantic import ValidationError

from cryptotrader.domain.enums import BotKind, ExitReason, OrderStatus, OrderType, Side, TradeStatus
from cryptotrader.domain.orders import Order
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.reports import OrderReport
from cryptotrader.domain.trades import Trade
from cryptotrader.engines.positions import order_from_report, replace_trade

T0 = datetime(2026, 2, 11, 14, 30, tzinfo=UTC)
PAIR = Pair.parse("BTC/USDT")


def test_order_from_report_when_built_without_model_copy_equals_model_copy() -> None:
    """``order_from_report`` builds the order itself: it must be what ``model_copy`` builds."""
    placed = Order(
        client_order_id="ct-a-1-e-sl",
        bot=BotKind.AGGRESSIVE,
        pair=PAIR,
        side=Side.SELL,
        type=OrderType.STOP_LOSS,
        quantity=Decimal("0.1"),
        price=Decimal("39000"),
        created_at=T0,
    )
    acked = OrderReport(
        client_order_id=placed.client_order_id, exchange_order_id="P7", pair=PAIR,
        side=Side.SELL, type=OrderType.STOP_LOSS, status=OrderStatus.OPEN,
        amount=Decimal("0.1"), price=Decimal("39000"), timestamp=T0,
    )  # fmt: skip
    filled = acked.model_copy(
        update={
            "exchange_order_id": None,  # a venue's later answer without it: the id is kept
            "status": OrderStatus.FILLED,
            "filled": Decimal("0.1"),
            "average_price": Decimal("38980.5"),
            "fee": Decimal("0.0039"),
        }
    )
    current = placed
    for report in (acked, filled):
        built = order_from_report(report, current)
        copied = current.model_copy(
            update={
                "status": report.status,
                "exchange_order_id": report.exchange_order_id or current.exchange_order_id,
                "filled_quantity": report.filled,
                "average_fill_price": report.average_price,
                "fee": report.fee,
            }
        )
        assert built == copied
        assert built.model_fields_set == copied.model_fields_set
        assert list(built.__dict__) == list(Order.model_fields)
        assert built.model_dump_json() == copied.model_dump_json()
        assert current.status is not built.status  # a copy: the order given is unchanged
        current = built
    assert current.exchange_order_id == "P7"


def test_replace_trade_when_closing_equals_the_dumped_and_validated_copy_and_still_checks() -> None:
    opened = Trade(
        bot=BotKind.SAFE, pair=PAIR, quantity=Decimal("0.1"), entry_price=Decimal("40000"),
        entry_time=T0, stop_loss=Decimal("39000"), take_profit=Decimal("44000"),
        fees=Decimal("4.0002"), confidence=0.61234,
    )  # fmt: skip
    changes = {
        "exit_price": Decimal("44000"),
        "exit_time": T0 + timedelta(hours=3),
        "exit_reason": ExitReason.TAKE_PROFIT,
        "status": TradeStatus.CLOSED,
        "fees": Decimal("8.4002"),
    }
    closed = replace_trade(opened, **changes)
    assert closed == Trade.model_validate({**opened.model_dump(), **changes})
    assert closed.model_fields_set == set(Trade.model_fields)
    with pytest.raises(ValidationError):  # still validated: an exit before the entry
        replace_trade(opened, **{**changes, "exit_time": T0 - timedelta(hours=1)})
