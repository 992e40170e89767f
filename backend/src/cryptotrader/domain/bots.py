"""A bot's configuration as people set it: strategy, its parameters, and protection.

Stored as JSON in ``bots.strategy_config`` (decimals as strings). ``None`` means "the
default from the settings" (``trading.safe`` / ``trading.aggressive``); the runtime reads the
effective values when a bot starts or resumes.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from cryptotrader.domain.enums import BotKind, BotStatus
from cryptotrader.domain.values import RiskRatio, StopLoss, TakeProfit

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
    stop_loss: StopLoss | None = None
    take_profit: TakeProfit | None = None
    risk_ratio: RiskRatio | None = None


def requested_status_key(bot: BotKind) -> str:
    """The ``settings`` key holding the run state last requested for ``bot``."""
    return f"bots.{bot.value}.requested_status"


def pairs_key(bot: BotKind) -> str:
    """The ``settings`` key holding the pairs ``bot`` opens positions on (set by the API/CLI).

    Absent: ``runtime.bot_pairs`` for that bot when set, else every active pair.
    """
    return f"bots.{bot.value}.pairs"


def stored_pairs(raw: Any) -> tuple[str, ...] | None:
    """The pairs stored under ``pairs_key`` (None: the default)."""
    if not isinstance(raw, list) or not raw:
        return None
    return tuple(str(p) for p in raw)
