"""A trade: one position from its entry fill to its exit fill.

``Trade`` is the one shape of a trade. The database row (``persistence.repositories.trades``), the
API's schema (``api.schemas.trades``) and the backtest's report (``engines.backtest.report``) are
converted from it and to it at their edge: the figures they show (booked P&L, P&L percent,
risk/reward, confidence) are the ones defined here, at the precision the database keeps, so a
trade read back from the database equals the trade that was written.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, model_validator

from cryptotrader.domain.enums import BotKind, ExitReason, Side, TradeStatus
from cryptotrader.domain.fills import MONEY
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.values import Money, Price, Quantity, UtcDatetime, to_decimal

FIGURE = Decimal("1e-4")
"""Places kept of a trade's ratios (confidence, P&L percent, risk/reward): ``NUMERIC(_, 4)``."""


def figure(value: object) -> Decimal:
    """``value`` rounded half-up to 4 places as the database rounds it (a float via ``repr``)."""
    return to_decimal(value).quantize(FIGURE, rounding=ROUND_HALF_UP)


def booked(pnl: Decimal) -> Decimal:
    """A P&L as booked and recorded: money, rounded half-up to 1e-8 (``NUMERIC(20, 8)``)."""
    return pnl.quantize(MONEY, rounding=ROUND_HALF_UP)


Confidence = Annotated[
    Decimal,
    BeforeValidator(figure),
    Field(ge=0, le=1),
    PlainSerializer(float, return_type=float, when_used="json"),
]
"""The strategy's confidence in the entry, 0..1 at 4 places (a float in JSON)."""


class Trade(BaseModel):
    """A position and, once closed, its result. P&L is net of both fills' fees."""

    model_config = ConfigDict(frozen=True)

    bot: BotKind
    pair: Pair
    side: Side = Side.BUY
    quantity: Quantity
    entry_price: Price
    entry_time: UtcDatetime
    stop_loss: Price | None = None
    take_profit: Price | None = None
    exit_price: Price | None = None
    exit_time: UtcDatetime | None = None
    exit_reason: ExitReason | None = None
    fees: Money = Field(default_factory=lambda: Money(0))
    confidence: Confidence | None = None
    status: TradeStatus = TradeStatus.OPEN

    @model_validator(mode="after")
    def _check(self) -> Self:
        closed = self.status is TradeStatus.CLOSED
        has_exit = self.exit_price is not None and self.exit_time is not None
        if closed != has_exit:
            raise ValueError("a closed trade needs an exit price and time, an open one has neither")
        if self.exit_time is not None and self.exit_time < self.entry_time:
            raise ValueError("a trade cannot exit before it entered")
        return self

    @property
    def gross_pnl(self) -> Money | None:
        """Price difference times quantity, before fees; None while open."""
        if self.exit_price is None:
            return None
        direction = 1 if self.side is Side.BUY else -1
        return (self.exit_price - self.entry_price) * self.quantity * direction

    @property
    def pnl(self) -> Money | None:
        """Realised P&L net of fees; None while open."""
        gross = self.gross_pnl
        return None if gross is None else gross - self.fees

    @property
    def booked_pnl(self) -> Money | None:
        """``pnl`` as capital books it and the trade is recorded (1e-8); None while open."""
        pnl = self.pnl
        return None if pnl is None else booked(pnl)

    @property
    def pnl_percent(self) -> Decimal | None:
        """Net P&L as a percentage of the entry notional, at 4 places; None while open."""
        pnl = self.pnl
        if pnl is None:
            return None
        return figure(pnl / (self.entry_price * self.quantity) * 100)

    @property
    def risk_reward_ratio(self) -> Decimal | None:
        """Distance to take-profit over distance to stop-loss at 4 places, when both are set."""
        if self.stop_loss is None or self.take_profit is None:
            return None
        risk = abs(self.entry_price - self.stop_loss)
        return figure(abs(self.take_profit - self.entry_price) / risk) if risk else None


@dataclass(frozen=True, slots=True)
class RecordedTrade:
    """A trade as the database holds it: its row id, its venue and the indicators at entry."""

    id: int
    exchange: str
    trade: Trade
    indicators: dict[str, Any] | None = None
