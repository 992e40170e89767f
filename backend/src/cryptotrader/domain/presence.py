"""Whether a trading runtime is driving the bots right now, read from its heartbeat.

A bot's stored status says what it was last told (running, paused, stopped); only a runtime
applies it. The runtime that drives the bots (the one with the order engine) stores a heartbeat
every ``HEARTBEAT_S`` seconds of wall-clock time, and a stop time when it ends cleanly; a killed
one simply stops beating. Readers (API, CLI, clients) call a bot *driven* only while the last
beat is younger than ``STALE_AFTER_S``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

HEARTBEAT_KEY = "runtime.heartbeat"
HEARTBEAT_S = 5.0
STALE_AFTER_S = 30.0  # six missed beats: a loaded machine is not a dead runtime


@dataclass(frozen=True, slots=True)
class RuntimePresence:
    """The last runtime seen driving the bots."""

    started_at: datetime
    seen_at: datetime
    stopped_at: datetime | None
    pid: int
    mode: str  # "paper" or "live"
    market: str  # e.g. "BTC/USDT 1h from binance", or "a replay of ..."
    markets: tuple[tuple[str, str, str], ...] = ()
    """The stored series it trades: ``(exchange, pair, timeframe)`` each, the candle store's
    names (a replay's exchange is ``replay``); empty in a heartbeat of an older version."""

    def driven(self, now: datetime) -> bool:
        """True while the runtime beats: not stopped, last beat recent."""
        if self.stopped_at is not None:
            return False
        return now - self.seen_at <= timedelta(seconds=STALE_AFTER_S)

    def to_json(self) -> dict[str, Any]:
        """The stored form (settings value)."""
        return {
            "started_at": self.started_at.isoformat(),
            "seen_at": self.seen_at.isoformat(),
            "stopped_at": self.stopped_at.isoformat() if self.stopped_at else None,
            "pid": self.pid,
            "mode": self.mode,
            "market": self.market,
            "markets": [list(m) for m in self.markets],
        }

    @classmethod
    def from_json(cls, value: Any) -> RuntimePresence | None:
        """The stored form read back; None when absent or unreadable (never seen)."""
        if not isinstance(value, dict):
            return None
        try:
            stopped = value.get("stopped_at")
            return cls(
                started_at=datetime.fromisoformat(value["started_at"]),
                seen_at=datetime.fromisoformat(value["seen_at"]),
                stopped_at=datetime.fromisoformat(stopped) if stopped else None,
                pid=int(value["pid"]),
                mode=str(value["mode"]),
                market=str(value.get("market", "")),
                markets=tuple(
                    (str(exchange), str(pair), str(timeframe))
                    for exchange, pair, timeframe in value.get("markets") or ()
                ),
            )
        except (KeyError, TypeError, ValueError):
            return None
