"""Outbox rows kept a while once sent (``sent_at``): re-sent when Redis restarted empty.

Revision ID: 0007_outbox_retained
Revises: 0006_outbox
Create Date: 2026-12-05

Types are spelled out here, never imported from the models.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_outbox_retained"
down_revision: str | None = "0006_outbox"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add ``outbox.sent_at`` (NULL: not sent yet) and its index."""
    op.add_column("outbox", sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_outbox_sent_at", "outbox", ["sent_at"])


def downgrade() -> None:
    """Drop ``outbox.sent_at``."""
    op.drop_index("ix_outbox_sent_at", table_name="outbox")
    op.drop_column("outbox", "sent_at")
