"""Backtests launched through the API: who asked, what, and the result once it ran."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cryptotrader.persistence.tables.base import Base
from cryptotrader.persistence.types import JsonDocument, UtcDateTime


class BacktestRow(Base):
    """One backtest job; ``result`` holds the JSON report (metrics, trades, equity curve)."""

    __tablename__ = "backtests"
    __table_args__ = (Index(None, "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str | None] = mapped_column(String(100))
    """What the user called the run (None: unnamed)."""
    kind: Mapped[str] = mapped_column(String(16))
    """``single`` or ``compare`` (backtests), ``optimize`` (an optimisation study)."""
    status: Mapped[str] = mapped_column(String(16))
    """``queued``, ``running``, ``succeeded`` or ``failed``."""
    request: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    result: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    heartbeat_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    """Refreshed by the API process running the job: when it stops, that process is gone."""
