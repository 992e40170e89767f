"""The outbox's index on ``sent_at`` holds the sent rows only.

Every trading transaction inserts its events' outbox row, unsent (``sent_at`` NULL): with the
NULLs in ``ix_outbox_sent_at`` each of those commits also wrote that index's page. Its reader,
``outbox.prune_sent`` (``sent_at < ?``), only wants sent rows, which a partial index
``WHERE sent_at IS NOT NULL`` still serves (SQLite and PostgreSQL both take it for that
comparison); the relay's mark sent (its own transaction, every half second) adds the entries.

Revision ID: 0010_outbox_sent_index
Revises: 0009_orders_status_index
Create Date: 2026-12-05

Types are spelled out here, never imported from the models.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_outbox_sent_index"
down_revision: str | None = "0009_orders_status_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SENT = "sent_at IS NOT NULL"


def upgrade() -> None:
    """``ix_outbox_sent_at`` on the sent rows only."""
    op.drop_index("ix_outbox_sent_at", table_name="outbox")
    op.create_index(
        "ix_outbox_sent_at",
        "outbox",
        ["sent_at"],
        sqlite_where=sa.text(_SENT),
        postgresql_where=sa.text(_SENT),
    )


def downgrade() -> None:
    """``ix_outbox_sent_at`` on every row again."""
    op.drop_index("ix_outbox_sent_at", table_name="outbox")
    op.create_index("ix_outbox_sent_at", "outbox", ["sent_at"])
