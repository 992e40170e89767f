"""The orders' index on ``status`` alone dropped.

Every order is inserted and its status updated 2-3 times: each write also rewrote
``ix_orders_status``. Its only reader, the open orders of reconciliation
(``orders.open_orders``), joins the bots (a handful of rows) and reads each bot's open orders
through ``ix_orders_bot_id`` ``(bot_id, status)``, which answers the same.

Revision ID: 0009_orders_status_index
Revises: 0008_trades_closed_index
Create Date: 2026-12-05

Types are spelled out here, never imported from the models.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009_orders_status_index"
down_revision: str | None = "0008_trades_closed_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """No ``ix_orders_status``."""
    op.drop_index("ix_orders_status", table_name="orders")


def downgrade() -> None:
    """``ix_orders_status`` on ``(status)`` again."""
    op.create_index("ix_orders_status", "orders", ["status"])
