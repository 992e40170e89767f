"""Bots: state, requested state, configuration."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field, field_validator

from cryptotrader.api.schemas.common import Amount, Input, Schema
from cryptotrader.domain.enums import BotKind, BotStatus, RiskLevel
from cryptotrader.domain.values import RiskRatio, StopLoss, TakeProfit


class RequestedStatusPublic(Schema):
    """The run state last asked for (the runtime's ``status`` follows it)."""

    status: BotStatus
    action: str
    at: datetime
    by: str


class RuntimeMarketPublic(Schema):
    """A stored candle series a runtime trades (names as in ``/api/market/series``)."""

    exchange: str
    pair: str
    timeframe: str


class RuntimePresencePublic(Schema):
    """The last trading runtime seen driving the bots (its heartbeat)."""

    started_at: datetime = Field(description="when it started")
    seen_at: datetime = Field(description="its last heartbeat (every few seconds while alive)")
    stopped_at: datetime | None = Field(description="when it stopped cleanly; null if not")
    mode: str = Field(description="paper or live")
    market: str = Field(description="what it trades, in words")
    markets: list[RuntimeMarketPublic] = Field(
        default_factory=list,
        description="the stored series it trades (the dashboard's market); empty from a runtime"
        " of an older version",
    )

    @field_validator("markets", mode="before")
    @classmethod
    def _from_tuples(cls, value: Any) -> Any:
        """``RuntimePresence.markets`` holds ``(exchange, pair, timeframe)`` tuples."""
        return [
            dict(zip(("exchange", "pair", "timeframe"), m, strict=True))
            if isinstance(m, tuple)
            else m
            for m in value
        ]


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
    status: BotStatus = Field(description="the run state the bot was last set to")
    driven: bool = Field(
        description="a trading runtime is applying that state now (fresh heartbeat); "
        "false means nothing trades, whatever the status says"
    )
    driven_since: datetime | None = Field(
        description="when the runtime driving it started; null when not driven"
    )
    runtime: RuntimePresencePublic | None = Field(
        description="the last runtime seen (null if none ever ran on this database)"
    )
    requested: RequestedStatusPublic | None
    capital: Amount
    risk_level: RiskLevel
    current_risk_ratio: Amount
    config: BotConfigPublic
    pairs: list[str] | None = Field(
        description="the pairs it opens positions on, as chosen (PUT /api/bots/{bot}/pairs); "
        "null: every active pair of /config/pairs"
    )
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


class BotPairsPublic(Schema):
    """The pairs a bot opens positions on."""

    bot: BotKind
    chosen: list[str] | None = Field(
        description="as chosen through the API or the CLI; null: the default"
    )
    default: list[str] | None = Field(
        description="the runtime's setting for this bot (runtime.bot_pairs), used when none is "
        "chosen; null: every active pair"
    )
    trading: list[str] = Field(
        description="the active pairs of /config/pairs it opens positions on now; a running "
        "runtime applies a change at its next candle (a replay trades only the pairs of its "
        "files)"
    )


class BotPairsUpdate(Input):
    """The pairs a bot opens positions on; null returns to the default (every active pair)."""

    pairs: list[str] | None = Field(
        max_length=200, examples=[["BTC/USDT", "ETH/USDT"]], description="known to /config/pairs"
    )
