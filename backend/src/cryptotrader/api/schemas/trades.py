"""Trades."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cryptotrader.api.schemas.common import Amount, Schema
from cryptotrader.domain.enums import BotKind, ExitReason, Side, TradeStatus


class TradePublic(Schema):
    """A trade: a position from entry to exit; P&L is net of fees."""

    id: int
    bot: BotKind
    exchange: str
    pair: str
    side: Side
    status: TradeStatus
    quantity: Amount
    entry_price: Amount
    exit_price: Amount | None
    stop_loss: Amount | None
    take_profit: Amount | None
    fees: Amount
    pnl: Amount | None
    pnl_percent: Amount | None
    risk_reward_ratio: Amount | None
    confidence: Amount | None
    exit_reason: ExitReason | None
    opened_at: datetime
    closed_at: datetime | None


class TradeDetailPublic(TradePublic):
    """A trade with the indicator snapshot taken when it opened."""

    indicators: dict[str, Any] | None


class TradesPublic(Schema):
    """One page of trades and the number matching in all."""

    data: list[TradePublic]
    count: int
