"""``ReportRecorder``'s ``trade_closed`` alert, built without validating it again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from cryptotrader.bus.messages import AlertRaised
from cryptotrader.domain.enums import BotKind, ExitReason, TradeStatus
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.trades import Trade
from cryptotrader.domain.values import plain
from cryptotrader.engines.order_reports import ReportRecorder
from cryptotrader.engines.positions import Position, replace_trade

T0 = datetime(2026, 2, 11, 14, 30, tzinfo=UTC)


def _validated(position: Position, closed: Trade) -> AlertRaised:
    """The alert as it was built before: every field validated."""
    assert closed.exit_time is not None
    assert closed.pnl is not None
    assert closed.exit_price is not None
    return AlertRaised(
        timestamp=closed.exit_time,
        kind="trade_closed",
        text=f"{position.bot} bot sold {plain(closed.quantity)} {closed.pair.base} at "
        f"{plain(closed.exit_price)} ({closed.exit_reason}): P&L {closed.pnl:.2f}",
        bot=position.bot,
        pair=closed.pair,
        side=closed.side.opposite,
        price=closed.exit_price,
        details={
            "pnl": plain(closed.pnl),
            "pnl_pct": f"{closed.pnl_percent:+.2f}",
            "entry_price": plain(closed.entry_price),
            "quantity": plain(closed.quantity),
            "reason": str(closed.exit_reason),
            "duration_s": str(int((closed.exit_time - closed.entry_time).total_seconds())),
            "trade_id": str(position.trade_id),
        },
    )


@pytest.mark.parametrize(
    ("exit_price", "reason"),
    [(Decimal("44000"), ExitReason.TAKE_PROFIT), (Decimal("39012.34567"), ExitReason.SIGNAL)],
)
def test_closed_alert_when_built_trusted_equals_the_validated_alert(
    exit_price: Decimal, reason: ExitReason
) -> None:
    opened = Trade(
        bot=BotKind.AGGRESSIVE, pair=Pair.parse("C07/USDT"), quantity=Decimal("0.00123"),
        entry_price=Decimal("40000.5"), entry_time=T0, stop_loss=Decimal("39000"),
        take_profit=Decimal("44000"), fees=Decimal("0.0492"), confidence=0.61234,
    )  # fmt: skip
    closed = replace_trade(
        opened,
        exit_price=exit_price,
        exit_time=T0 + timedelta(minutes=3),
        exit_reason=reason,
        status=TradeStatus.CLOSED,
        fees=Decimal("0.0984"),
    )
    position = Position(BotKind.AGGRESSIVE, 17, opened, "ct-a-C07USDT-1-e", opened.entry_price)

    built = ReportRecorder._closed_alert(position, closed)
    expected = _validated(position, closed)

    assert built.model_dump() == {**expected.model_dump(), "message_id": built.message_id}
    assert built.model_fields_set == expected.model_fields_set
    assert AlertRaised.model_validate_json(built.model_dump_json()) == built
    assert (
        built.model_dump_json()
        == expected.model_copy(update={"message_id": built.message_id}).model_dump_json()
    )
