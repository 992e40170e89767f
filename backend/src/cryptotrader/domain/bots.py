"""A bot's configuration as people set it: strategy, its parameters, and protection.

Stored as JSON in ``bots.strategy_config`` (decimals as strings). ``None`` means "the
default from the settings" (``trading.safe`` / ``trading.aggressive``); the runtime reads the
effective values when a bot starts or resumes.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from cryptotrader.domain.enums import BotKind, BotStatus

BotAction = Literal["start", "stop", "pause", "resume"]
"""What a person can ask of a bot (the ``ControlBot`` command)."""

REQUESTED_STATUS: dict[str, BotStatus] = {
    "start": BotStatus.RUNNING,
    "stop": BotStatus.STOPPED,
    "pause": BotStatus.PAUSED,
    "resume": BotStatus.RUNNING,
}
"""The run state each action asks for."""

DEFAULT_STRATEGY: dict[BotKind, str] = {
    BotKind.SAFE: "conservative",
    BotKind.AGGRESSIVE: "aggressive",
}


class BotConfig(BaseModel):
    """Strategy and protection of one bot; unset protection falls back to the settings."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    strategy: str
    params: dict[str, Any] = Field(default_factory=dict)
    stop_loss: Decimal | None = Field(default=None, gt=0, lt=1)
    take_profit: Decimal | None = Field(default=None, gt=0, le=100)
    risk_ratio: Decimal | None = Field(default=None, gt=0, le=1)


def requested_status_key(bot: BotKind) -> str:
    """The ``settings`` key holding the run state last requested for ``bot``."""
    return f"bots.{bot.value}.requested_status"
