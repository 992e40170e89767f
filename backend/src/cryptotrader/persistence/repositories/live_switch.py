"""The live-trading switch as stored: its one reader (and writer), the last lock before real money.

An admin flips it through the API (``services.live_trading``); the runtime reads it before every
live entry (``bootstrap``) and the portfolio view shows it. It is the ``settings`` row
``trading.live_trading_enabled`` holding ``{"enabled", "at", "by"}``; anything else there
(missing, malformed) reads as off.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from cryptotrader.persistence.repositories import settings

KEY = "trading.live_trading_enabled"


@dataclass(frozen=True, slots=True)
class StoredSwitch:
    """The switch's position, and when and by whom it was last set (None: never)."""

    enabled: bool
    at: datetime | None
    by: str | None


async def read_switch(*, session: AsyncSession) -> StoredSwitch:
    """The stored switch; off when it was never set or is unreadable."""
    raw: Any = await settings.get_setting(session=session, key=KEY)
    switch = raw if isinstance(raw, dict) else {}
    return StoredSwitch(
        enabled=bool(switch.get("enabled", False)), at=_time(switch.get("at")), by=switch.get("by")
    )


async def write_switch(*, session: AsyncSession, enabled: bool, at: datetime, by: str) -> None:
    """Record the switch set to ``enabled`` by ``by`` at ``at``."""
    value = {"enabled": enabled, "at": at.isoformat(), "by": by}
    await settings.put_setting(session=session, key=KEY, value=value, at=at, updated_by=by[:64])


def _time(raw: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:  # a hand-edited row: the position still counts, the time is unknown
        return None
