"""The trades' index by bot and status extended with ``closed_at``.

A bot's P&L since a time (``trades.realised_since``: every entry's daily-loss check) read every
closed trade of the bot through ``(bot_id, status)`` and checked ``closed_at`` row by row: linear
in the bot's history (0.23 ms with 550 closed trades, 0.03 ms through this index). The extended
index serves what the old one did (its first two columns), so it replaces it: no extra index to
write per trade.

Revision ID: 0008_trades_closed_index
Revises: 0007_outbox_retained
Create Date: 2026-12-05

Types are spelled out here, never imported from the models.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008_trades_closed_index"
down_revision: str | None = "0007_outbox_retained"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """``ix_trades_bot_id`` on ``(bot_id, status, closed_at)``."""
    op.drop_index("ix_trades_bot_id", table_name="trades")
    op.create_index("ix_trades_bot_id", "trades", ["bot_id", "status", "closed_at"])


def downgrade() -> None:
    """``ix_trades_bot_id`` on ``(bot_id, status)`` again."""
    op.drop_index("ix_trades_bot_id", table_name="trades")
    op.create_index("ix_trades_bot_id", "trades", ["bot_id", "status"])
