"""Run-time configuration: pairs, exchange API keys, notifications, the live-trading switch."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, SecretStr

from cryptotrader.api.schemas.common import Input, Schema
from cryptotrader.domain.enums import TradingMode


class PairCreate(Input):
    """A market to add (or reactivate)."""

    exchange: str = Field(pattern=r"^[a-z0-9_]{2,32}$", examples=["binance"])
    symbol: str = Field(min_length=3, max_length=25, examples=["BTC/USDT"])


class PairUpdate(Input):
    """Activate or deactivate a pair."""

    is_active: bool


class PairPublic(Schema):
    """A market."""

    id: int
    exchange: str
    symbol: str
    base: str
    quote: str
    is_active: bool


class PairsPublic(Schema):
    """Markets."""

    data: list[PairPublic]
    count: int


class ApiKeyPut(Input):
    """Exchange credentials: stored encrypted, never returned."""

    api_key: SecretStr = Field(min_length=8, max_length=512)
    api_secret: SecretStr = Field(min_length=8, max_length=1024)
    passphrase: SecretStr | None = Field(default=None, max_length=512)


class ApiKeyPublic(Schema):
    """A stored key, masked; ``current_encryption`` is False until rotated to the newest key."""

    exchange: str
    api_key_masked: str
    has_passphrase: bool
    current_encryption: bool
    created_at: datetime
    updated_at: datetime
    updated_by: str | None


class ApiKeysPublic(Schema):
    """Stored keys."""

    data: list[ApiKeyPublic]
    count: int


class RotationPublic(Schema):
    """How many stored secrets (exchange keys, the webhook) the newest key re-encrypted."""

    re_encrypted: int


Severity = Literal["info", "warning", "critical"]


class NotificationsPublic(Schema):
    """Which alerts go out, and where; the webhook URL is masked."""

    enabled: bool
    min_severity: Severity
    muted_kinds: list[str]
    discord_enabled: bool
    push_enabled: bool
    discord_webhook: str | None


class NotificationsUpdate(Input):
    """Fields to change; ``discord_webhook_url`` "" clears it."""

    enabled: bool | None = None
    min_severity: Severity | None = None
    muted_kinds: list[Annotated[str, Field(min_length=1, max_length=64)]] | None = Field(
        default=None, max_length=50
    )
    discord_enabled: bool | None = None
    push_enabled: bool | None = None
    discord_webhook_url: SecretStr | None = Field(default=None, max_length=512)


class LiveTradingPublic(Schema):
    """The switch, and what else blocks real orders (``effective`` is True only with none)."""

    enabled: bool
    effective: bool
    mode: TradingMode
    exchange: str
    changed_at: datetime | None
    changed_by: str | None
    blockers: list[str]
    confirmation_phrase: str


class LiveTradingUpdate(Input):
    """Turn live trading on (with ``confirmation`` = the phrase, and your password) or off."""

    enabled: bool
    confirmation: str | None = Field(default=None, max_length=128)
    password: SecretStr | None = Field(default=None, max_length=256)
