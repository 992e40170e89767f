"""A trade: one position from its entry fill to its exit fill."""

from __future__ import annotations

from decimal import Decimal
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from cryptotrader.domain.enums import BotKind, ExitReason, Side, TradeStatus
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.values import Money, Price, Quantity, UtcDatetime


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
    confidence: float | None = Field(default=None, ge=0, le=1)
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
    def pnl_percent(self) -> Decimal | None:
        """Net P&L as a percentage of the entry notional; None while open."""
        pnl = self.pnl
        if pnl is None:
            return None
        return pnl / (self.entry_price * self.quantity) * 100

    @property
    def risk_reward_ratio(self) -> Decimal | None:
        """Distance to take-profit over distance to stop-loss, when both are set."""
        if self.stop_loss is None or self.take_profit is None:
            return None
        risk = abs(self.entry_price - self.stop_loss)
        return abs(self.take_profit - self.entry_price) / risk if risk else None
