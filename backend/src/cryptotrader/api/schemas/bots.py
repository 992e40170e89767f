"""Bots: state, requested state, configuration."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from cryptotrader.api.schemas.common import Amount, Input, Schema
from cryptotrader.domain.enums import BotKind, BotStatus, RiskLevel
from cryptotrader.domain.values import RiskRatio, StopLoss, TakeProfit


class RequestedStatusPublic(Schema):
    """The run state last asked for (the runtime's ``status`` follows it)."""

    status: BotStatus
    action: str
    at: datetime
    by: str


class BotConfigPublic(Schema):
    """Strategy, its parameters (defaults filled in) and protection."""

    strategy: str
    params: dict[str, Any]
    stop_loss: Amount
    take_profit: Amount
    risk_ratio: Amount


class BotPublic(Schema):
    """A bot."""

    id: int
    kind: BotKind
    name: str
    status: BotStatus
    requested: RequestedStatusPublic | None
    capital: Amount
    risk_level: RiskLevel
    current_risk_ratio: Amount
    config: BotConfigPublic
    updated_at: datetime


class BotsPublic(Schema):
    """Bots."""

    data: list[BotPublic]
    count: int


class BotSettingsUpdate(Input):
    """Fields to change; ``params`` is checked by the strategy's parameter model."""

    strategy: str | None = Field(default=None, min_length=1, max_length=64)
    params: dict[str, Any] | None = None
    stop_loss: StopLoss | None = None
    take_profit: TakeProfit | None = None
    risk_ratio: RiskRatio | None = None
