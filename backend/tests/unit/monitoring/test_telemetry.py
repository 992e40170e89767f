"""What the telemetry counts from the events the engines publish."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from cryptotrader.bus import topics
from cryptotrader.bus.messages import AlertRaised, BusMessage, OrderUpdated, Severity
from cryptotrader.domain import Order, OrderStatus, OrderType, Pair, Side
from cryptotrader.domain.enums import BotKind
from cryptotrader.monitoring.telemetry import Telemetry

AT = datetime(2026, 1, 5, tzinfo=UTC)


def _alert(kind: str, severity: Severity) -> tuple[str, BusMessage]:
    return topics.ALERTS, AlertRaised(
        timestamp=AT, kind=kind, severity=severity, text=kind, bot=BotKind.SAFE
    )


def test_circuit_breaker_trips_count_the_automatic_pauses_only() -> None:
    telemetry = Telemetry()
    telemetry.published(
        [
            _alert("circuit_breaker", "critical"),  # the risk manager's loss streak
            _alert("bot_paused", "critical"),  # the order engine's failures in a row
            _alert("bot_paused", "warning"),  # a person paused it
            _alert("order_failed", "warning"),
        ]
    )
    trips = telemetry.registry.get_sample_value(
        "cryptotrader_circuit_breaker_trips_total", {"bot": "safe"}
    )
    failures = telemetry.registry.get_sample_value(
        "cryptotrader_order_failures_total", {"bot": "safe"}
    )
    assert (trips, failures) == (2.0, 1.0)


def test_order_updates_are_counted_by_bot_side_and_status() -> None:
    telemetry = Telemetry()
    placed = Order(
        client_order_id="ct-a-1-e",
        bot=BotKind.AGGRESSIVE,
        pair=Pair.parse("BTC/USDT"),
        side=Side.BUY,
        type=OrderType.MARKET,
        quantity=Decimal("0.1"),
        created_at=AT,
    )
    filled = placed.model_copy(update={"status": OrderStatus.FILLED})
    updates = [placed, filled, placed, filled, filled]
    telemetry.published([(topics.ORDERS, OrderUpdated.from_domain(o, at=AT)) for o in updates])
    telemetry.published([(topics.ORDERS, OrderUpdated.from_domain(placed, at=AT))])

    def counted(status: str) -> float | None:
        return telemetry.registry.get_sample_value(
            "cryptotrader_orders_total", {"bot": "aggressive", "side": "buy", "status": status}
        )

    assert (counted("pending"), counted("filled")) == (3.0, 3.0)
