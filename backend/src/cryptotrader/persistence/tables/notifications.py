"""Notifications: each user's devices and choices, and every delivery the notifier made.

A delivery row is written for each (alert, user, channel, device) before anything is sent and
marked ``sent`` once the provider took it: a restart resumes the unsent ones and never sends a
sent one again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cryptotrader.persistence.tables.base import Base, created_at_column
from cryptotrader.persistence.types import JsonDocument, UtcDateTime

_BIG_ID = BigInteger().with_variant(Integer, "sqlite")


class NotificationDeviceRow(Base):
    """A device that receives a user's pushes: a browser's Web Push subscription or an Expo token.

    ``address`` is the subscription's endpoint URL or the Expo push token; a device belongs to
    one user at a time (registering it again moves it to whoever is logged in on it).
    """

    __tablename__ = "notification_devices"
    __table_args__ = (UniqueConstraint("channel", "address"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    """``webpush`` or ``expo``."""
    address: Mapped[str] = mapped_column(String(1024))
    p256dh: Mapped[str | None] = mapped_column(String(128))
    auth: Mapped[str | None] = mapped_column(String(64))
    label: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = created_at_column()
    last_sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class NotificationSettingsRow(Base):
    """One user's choices: which events on which channel, language, and their ntfy topic."""

    __tablename__ = "notification_settings"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    preferences: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    """``{event: {channel: bool}}``; an absent entry means the event's default."""
    language: Mapped[str] = mapped_column(String(8), server_default="en")
    ntfy_url: Mapped[str | None] = mapped_column(String(512))
    ntfy_topic: Mapped[str | None] = mapped_column(String(64))
    ntfy_token_ciphertext: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class NotificationDeliveryRow(Base):
    """One notification to one user on one channel and device, and what became of it.

    ``status``: ``pending`` (to send at ``next_attempt_at``), ``sending`` (leased by a
    dispatcher until ``next_attempt_at``), ``sent``, ``failed`` (given up) or ``gone`` (the
    device no longer exists).
    """

    __tablename__ = "notification_deliveries"
    __table_args__ = (
        UniqueConstraint("message_id", "user_id", "channel", "target"),
        Index(None, "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(_BIG_ID, primary_key=True)
    message_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(String(32))
    """``device:<id>`` or ``ntfy``."""
    device_id: Mapped[int | None] = mapped_column(
        ForeignKey("notification_devices.id", ondelete="SET NULL")
    )
    event: Mapped[str] = mapped_column(String(32))
    notification: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    receipt: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(String(255))
