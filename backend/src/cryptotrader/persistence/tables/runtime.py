"""What lets the platform restart where it stopped: settings, engine checkpoints, inbox, outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from cryptotrader.persistence.tables.base import Base
from cryptotrader.persistence.types import JsonDocument, UtcDateTime


class SettingRow(Base):
    """A setting changed at run time (through the API), as a JSON value."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    value: Mapped[Any] = mapped_column(JsonDocument)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_by: Mapped[str | None] = mapped_column(String(64))


class EngineCheckpointRow(Base):
    """Where an engine stopped, per key (e.g. last candle processed per pair and timeframe)."""

    __tablename__ = "engine_checkpoints"

    engine: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ProcessedMessageRow(Base):
    """A bus message a consumer has applied; written in the same transaction as its effect."""

    __tablename__ = "processed_messages"
    __table_args__ = (Index(None, "processed_at"),)

    consumer: Mapped[str] = mapped_column(String(64), primary_key=True)
    message_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(UtcDateTime())


class OutboxRow(Base):
    """The events of one transaction, written in it, kept until the relay has sent them.

    ``payload`` is a JSON array of ``[topic, message]`` pairs in the order they were written
    (each message has its ``message_id``, so one sent twice is recognised by the consumers'
    inbox). One row per transaction: one insert, whatever the number of events. ``sent_at`` is
    NULL until the relay has sent it; sent rows are kept ``RETAIN`` (``cryptotrader.outbox``),
    to be sent again if Redis restarts empty, then deleted.
    """

    __tablename__ = "outbox"
    __table_args__ = (  # the sent rows only: an insert (unsent) writes no index but the key
        Index(
            None,
            "sent_at",
            sqlite_where=text("sent_at IS NOT NULL"),
            postgresql_where=text("sent_at IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
