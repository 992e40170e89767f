"""API gateway: user roles, service tokens, backtest jobs, who changed exchange keys.

Revision ID: 0002_api_gateway
Revises: 0001
Create Date: 2026-11-24

Existing users keep their rights: ``role`` becomes ``admin`` where ``is_admin`` was set and
``viewer`` otherwise. Types are spelled out here, never imported from the models.
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0002_api_gateway"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(JSONB(), "postgresql")


def _ts(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    """Add roles, service tokens, backtests and ``api_keys.updated_by``."""
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("role", sa.String(16), server_default="viewer", nullable=False))
    op.execute(sa.text("UPDATE users SET role = 'admin' WHERE is_admin"))
    with op.batch_alter_table("api_keys") as batch:
        batch.add_column(sa.Column("updated_by", sa.String(64), nullable=True))
    op.create_table(
        "service_tokens",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("token_hash", sa.String(128), nullable=False),
        sa.Column("scopes", sa.String(64), nullable=False),
        _ts("created_at"),
        _ts("expires_at", nullable=True),
        _ts("last_used_at", nullable=True),
        _ts("revoked_at", nullable=True),
        sa.UniqueConstraint("token_hash", name="uq_service_tokens_token_hash"),
    )
    op.create_index("ix_service_tokens_user_id", "service_tokens", ["user_id"])
    op.create_table(
        "backtests",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("request", _json(), nullable=False),
        sa.Column("result", _json(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        _ts("created_at"),
        _ts("started_at", nullable=True),
        _ts("finished_at", nullable=True),
    )
    op.create_index("ix_backtests_user_id", "backtests", ["user_id", "created_at"])


def downgrade() -> None:
    """Drop what ``upgrade`` added."""
    op.drop_table("backtests")
    op.drop_table("service_tokens")
    with op.batch_alter_table("api_keys") as batch:
        batch.drop_column("updated_by")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("role")
