"""Notifications: users' devices and choices, and the record of every delivery.

Revision ID: 0004_notifications
Revises: 0003_backtest_heartbeat
Create Date: 2026-12-04

Types are spelled out here, never imported from the models.
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0004_notifications"
down_revision: str | None = "0003_backtest_heartbeat"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(JSONB(), "postgresql")


def _ts(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _user_id() -> sa.Column[object]:
    return sa.Column(
        "user_id",
        sa.Integer(),
        sa.ForeignKey("users.id", ondelete="CASCADE"),
        nullable=False,
    )


def upgrade() -> None:
    """Create ``notification_devices``, ``notification_settings``, ``notification_deliveries``."""
    op.create_table(
        "notification_devices",
        sa.Column("id", sa.Integer(), primary_key=True),
        _user_id(),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("address", sa.String(1024), nullable=False),
        sa.Column("p256dh", sa.String(128), nullable=True),
        sa.Column("auth", sa.String(64), nullable=True),
        sa.Column("label", sa.String(64), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        _ts("last_sent_at", nullable=True),
        sa.UniqueConstraint("channel", "address", name="uq_notification_devices_channel_address"),
    )
    op.create_index("ix_notification_devices_user_id", "notification_devices", ["user_id"])
    op.create_table(
        "notification_settings",
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("preferences", _json(), nullable=False),
        sa.Column("language", sa.String(8), server_default="en", nullable=False),
        sa.Column("ntfy_url", sa.String(512), nullable=True),
        sa.Column("ntfy_topic", sa.String(64), nullable=True),
        sa.Column("ntfy_token_ciphertext", sa.Text(), nullable=True),
        _ts("updated_at"),
    )
    op.create_table(
        "notification_deliveries",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("message_id", sa.String(64), nullable=False),
        _user_id(),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("target", sa.String(32), nullable=False),
        sa.Column(
            "device_id",
            sa.Integer(),
            sa.ForeignKey("notification_devices.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("event", sa.String(32), nullable=False),
        sa.Column("notification", _json(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        _ts("next_attempt_at"),
        _ts("created_at"),
        _ts("sent_at", nullable=True),
        sa.Column("receipt", sa.String(64), nullable=True),
        sa.Column("last_error", sa.String(255), nullable=True),
        sa.UniqueConstraint(
            "message_id",
            "user_id",
            "channel",
            "target",
            name="uq_notification_deliveries_message_id_user_id_channel_target",
        ),
    )
    op.create_index(
        "ix_notification_deliveries_status",
        "notification_deliveries",
        ["status", "next_attempt_at"],
    )
    op.create_index("ix_notification_deliveries_user_id", "notification_deliveries", ["user_id"])


def downgrade() -> None:
    """Drop what ``upgrade`` created."""
    op.drop_table("notification_deliveries")
    op.drop_table("notification_settings")
    op.drop_table("notification_devices")
