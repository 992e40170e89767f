"""The platform-wide notification switches an admin sets (``PATCH /config/notifications``).

They sit above every user's choices: ``enabled`` off silences everything, ``min_severity``
and ``muted_kinds`` filter alerts, ``push_enabled`` turns on the push channels (Web Push, Expo,
ntfy). The document lives in the ``settings`` table under ``notifications``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from cryptotrader.bus.messages import AlertRaised
from cryptotrader.persistence.repositories import settings

NOTIFICATIONS_KEY = "notifications"
"""The ``settings`` row holding the notification settings."""

Severity = Literal["info", "warning", "critical"]
_RANK = {"info": 0, "warning": 1, "critical": 2}


class NotificationSettings(BaseModel):
    """Which alerts go out, and where (the notifier reads this document)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    enabled: bool = True
    min_severity: Severity = "info"
    muted_kinds: list[str] = Field(default_factory=list, max_length=50)
    discord_enabled: bool = False
    push_enabled: bool = True
    """On by default (docs/notifications.md, "Push default"): push only reaches the devices and
    topics a user registered, so registering is the consent; an admin may turn it off for all."""
    discord_webhook_ciphertext: str | None = None

    def lets_push(self, alert: AlertRaised) -> bool:
        """True when the push channels may carry ``alert``."""
        return (
            self.enabled
            and self.push_enabled
            and alert.kind not in self.muted_kinds
            and _RANK[alert.severity] >= _RANK[self.min_severity]
        )


async def load_platform_settings(session: AsyncSession) -> NotificationSettings:
    """The stored document (the defaults when none, or when it cannot be read)."""
    raw = await settings.get_setting(session=session, key=NOTIFICATIONS_KEY)
    try:
        return NotificationSettings.model_validate(raw or {})
    except ValidationError:
        return NotificationSettings()
