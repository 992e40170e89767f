"""Trades."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import model_validator

from cryptotrader.api.schemas.common import Amount, Schema
from cryptotrader.domain.enums import BotKind, ExitReason, Side, TradeStatus
from cryptotrader.domain.trades import RecordedTrade


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

    @model_validator(mode="before")
    @classmethod
    def _of_recorded(cls, value: Any) -> Any:
        """A ``domain.trades.RecordedTrade`` with the domain's figures under the API's names."""
        if not isinstance(value, RecordedTrade):
            return value
        trade = value.trade
        return {
            **dict(trade),
            "id": value.id,
            "exchange": value.exchange,
            "pair": trade.pair.symbol,
            "opened_at": trade.entry_time,
            "closed_at": trade.exit_time,
            "pnl": trade.booked_pnl,
            "pnl_percent": trade.pnl_percent,
            "risk_reward_ratio": trade.risk_reward_ratio,
            "indicators": value.indicators,
        }


class TradeDetailPublic(TradePublic):
    """A trade with the indicator snapshot taken when it opened."""

    indicators: dict[str, Any] | None


class TradesPublic(Schema):
    """One page of trades and the number matching in all."""

    data: list[TradePublic]
    count: int
