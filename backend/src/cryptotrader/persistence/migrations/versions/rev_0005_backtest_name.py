"""Backtest runs can be named (the app's Backtest tab keeps, renames and deletes runs).

Revision ID: 0005_backtest_name
Revises: 0004_notifications
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_backtest_name"
down_revision: str | None = "0004_notifications"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add ``backtests.name``."""
    with op.batch_alter_table("backtests") as batch:
        batch.add_column(sa.Column("name", sa.String(length=100), nullable=True))


def downgrade() -> None:
    """Drop ``backtests.name``."""
    with op.batch_alter_table("backtests") as batch:
        batch.drop_column("name")
