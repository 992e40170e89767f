"""``engines.positions``: an order as its exchange's report leaves it."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from cryptotrader.domain.enums import BotKind, OrderStatus, OrderType, Side
from cryptotrader.domain.orders import Order
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.reports import OrderReport
from cryptotrader.engines.positions import order_from_report

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
