"""Backtest jobs carry the heartbeat of the API process running them.

Revision ID: 0003_backtest_heartbeat
Revises: 0002_api_gateway
Create Date: 2026-11-24

A job whose process crashed stayed ``running`` for ever; with a heartbeat, any API process
marks it failed once the heartbeat stops. Existing unfinished jobs have none: they count from
their creation.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_backtest_heartbeat"
down_revision: str | None = "0002_api_gateway"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add ``backtests.heartbeat_at``."""
    with op.batch_alter_table("backtests") as batch:
        batch.add_column(sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Drop ``backtests.heartbeat_at``."""
    with op.batch_alter_table("backtests") as batch:
        batch.drop_column("heartbeat_at")
