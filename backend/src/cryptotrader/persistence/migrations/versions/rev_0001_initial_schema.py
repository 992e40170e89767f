"""Initial schema: trading, candles, accounts, audit, settings and restart state.

Revision ID: 0001
Revises:
Create Date: 2026-11-24

``ohlcv_data`` becomes a TimescaleDB hypertable when the extension can be loaded and stays a
plain table with primary key (pair_id, timeframe, time) otherwise. Types are spelled out here
(not imported from the models) so that this revision never changes after it shipped.
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from cryptotrader.persistence.timescale import make_hypertable

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _decimal(precision: int, scale: int) -> sa.types.TypeEngine[Any]:
    # Exact decimals: NUMERIC on PostgreSQL, canonical text on SQLite (see persistence.types).
    return sa.Numeric(precision, scale).with_variant(sa.String(precision + 2), "sqlite")


def _money() -> sa.types.TypeEngine[Any]:
    return _decimal(20, 8)


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(JSONB(), "postgresql")


def _ts(name: str, *, nullable: bool = False, default: bool = False) -> sa.Column[object]:
    server_default = sa.func.now() if default else None
    return sa.Column(
        name, sa.DateTime(timezone=True), nullable=nullable, server_default=server_default
    )


def _id() -> sa.Column[object]:
    return sa.Column("id", sa.Integer(), primary_key=True)


def _trading() -> None:
    op.create_table(
        "trading_pairs",
        _id(),
        sa.Column("symbol", sa.String(25), nullable=False),
        sa.Column("base_asset", sa.String(12), nullable=False),
        sa.Column("quote_asset", sa.String(12), nullable=False),
        sa.Column("exchange", sa.String(32), nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.UniqueConstraint("exchange", "symbol", name="uq_trading_pairs_exchange_symbol"),
    )
    op.create_table(
        "bots",
        _id(),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("type", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), server_default="stopped", nullable=False),
        sa.Column("capital", _money(), nullable=False),
        sa.Column("risk_level", sa.String(10), nullable=False),
        sa.Column("current_risk_ratio", _decimal(5, 4), nullable=False),
        sa.Column("strategy_config", _json(), nullable=True),
        _ts("created_at", default=True),
        _ts("updated_at", default=True),
        sa.UniqueConstraint("name", name="uq_bots_name"),
        sa.UniqueConstraint("type", name="uq_bots_type"),
    )
    op.create_table(
        "trades",
        _id(),
        sa.Column("bot_id", sa.Integer(), sa.ForeignKey("bots.id"), nullable=False),
        sa.Column("pair_id", sa.Integer(), sa.ForeignKey("trading_pairs.id"), nullable=False),
        sa.Column("side", sa.String(4), nullable=False),
        sa.Column("entry_price", _money(), nullable=False),
        sa.Column("exit_price", _money(), nullable=True),
        sa.Column("quantity", _money(), nullable=False),
        sa.Column("stop_loss", _money(), nullable=True),
        sa.Column("take_profit", _money(), nullable=True),
        sa.Column("fees", _money(), nullable=False),
        sa.Column("pnl", _money(), nullable=True),
        sa.Column("pnl_percent", _decimal(12, 4), nullable=True),
        sa.Column("risk_reward_ratio", _decimal(12, 4), nullable=True),
        sa.Column("confidence", _decimal(5, 4), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("exit_reason", sa.String(20), nullable=True),
        sa.Column("indicators_snapshot", _json(), nullable=True),
        _ts("opened_at"),
        _ts("closed_at", nullable=True),
        _ts("created_at", default=True),
    )
    op.create_index("ix_trades_bot_id", "trades", ["bot_id", "status"])
    op.create_table(
        "orders",
        _id(),
        sa.Column("client_order_id", sa.String(36), nullable=False),
        sa.Column("bot_id", sa.Integer(), sa.ForeignKey("bots.id"), nullable=False),
        sa.Column("pair_id", sa.Integer(), sa.ForeignKey("trading_pairs.id"), nullable=False),
        sa.Column("trade_id", sa.Integer(), sa.ForeignKey("trades.id"), nullable=True),
        sa.Column("side", sa.String(4), nullable=False),
        sa.Column("type", sa.String(20), nullable=False),
        sa.Column("quantity", _money(), nullable=False),
        sa.Column("price", _money(), nullable=True),
        sa.Column("stop_loss", _money(), nullable=True),
        sa.Column("take_profit", _money(), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("exchange_order_id", sa.String(64), nullable=True),
        sa.Column("filled_quantity", _money(), nullable=False),
        sa.Column("average_fill_price", _money(), nullable=True),
        sa.Column("fee", _money(), nullable=False),
        _ts("created_at"),
        _ts("updated_at", default=True),
        sa.UniqueConstraint("client_order_id", name="uq_orders_client_order_id"),
    )
    op.create_index("ix_orders_status", "orders", ["status"])
    op.create_index("ix_orders_bot_id", "orders", ["bot_id", "status"])
    op.create_table(
        "order_fills",
        _id(),
        sa.Column(
            "order_id",
            sa.Integer(),
            sa.ForeignKey("orders.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("exchange_fill_id", sa.String(64), nullable=False),
        sa.Column("quantity", _money(), nullable=False),
        sa.Column("price", _money(), nullable=False),
        sa.Column("fee", _money(), nullable=False),
        _ts("filled_at"),
        sa.UniqueConstraint(
            "order_id", "exchange_fill_id", name="uq_order_fills_order_id_exchange_fill_id"
        ),
    )
    op.create_table(
        "reallocations",
        _id(),
        sa.Column("from_bot_id", sa.Integer(), sa.ForeignKey("bots.id"), nullable=False),
        sa.Column("to_bot_id", sa.Integer(), sa.ForeignKey("bots.id"), nullable=False),
        sa.Column("amount", _money(), nullable=False),
        sa.Column(
            "trigger_trade_id",
            sa.Integer(),
            sa.ForeignKey("trades.id"),
            nullable=True,
        ),
        sa.Column("ratio_applied", _decimal(5, 4), nullable=False),
        _ts("created_at"),
        sa.UniqueConstraint("trigger_trade_id", name="uq_reallocations_trigger_trade_id"),
    )


def _candles() -> None:
    price: sa.types.TypeEngine[Any] = (
        sa.Double()
    )  # float64 candles stored exactly (see tables/market.py)
    op.create_table(
        "ohlcv_data",
        sa.Column(
            "pair_id",
            sa.Integer(),
            sa.ForeignKey("trading_pairs.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("timeframe", sa.String(10), primary_key=True),
        sa.Column("time", sa.DateTime(timezone=True), primary_key=True),
        *(sa.Column(name, price, nullable=False) for name in ("open", "high", "low", "close")),
        sa.Column("volume", price, nullable=False),
    )
    make_hypertable(op.get_bind(), "ohlcv_data", "time")


def _accounts() -> None:
    op.create_table(
        "users",
        _id(),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("email", sa.String(255), nullable=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("is_admin", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default=sa.true(), nullable=False),
        _ts("created_at", default=True),
        _ts("last_login_at", nullable=True),
        sa.UniqueConstraint("username", name="uq_users_username"),
        sa.UniqueConstraint("email", name="uq_users_email"),
    )
    op.create_table(
        "refresh_tokens",
        _id(),
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("token_hash", sa.String(128), nullable=False),
        sa.Column("family_id", sa.String(36), nullable=False),
        _ts("issued_at"),
        _ts("expires_at"),
        _ts("revoked_at", nullable=True),
        sa.UniqueConstraint("token_hash", name="uq_refresh_tokens_token_hash"),
    )
    op.create_index("ix_refresh_tokens_user_id", "refresh_tokens", ["user_id"])
    op.create_index("ix_refresh_tokens_family_id", "refresh_tokens", ["family_id"])
    op.create_table(
        "api_keys",
        _id(),
        sa.Column("exchange", sa.String(32), nullable=False),
        sa.Column("api_key_ciphertext", sa.Text(), nullable=False),
        sa.Column("api_secret_ciphertext", sa.Text(), nullable=False),
        sa.Column("passphrase_ciphertext", sa.Text(), nullable=True),
        _ts("created_at", default=True),
        _ts("updated_at", default=True),
        sa.UniqueConstraint("exchange", name="uq_api_keys_exchange"),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        _ts("at"),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("target", sa.String(128), nullable=True),
        sa.Column("details", _json(), nullable=True),
        sa.Column("ip", sa.String(45), nullable=True),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_actor", "audit_log", ["actor", "at"])


def _runtime() -> None:
    op.create_table(
        "settings",
        sa.Column("key", sa.String(128), primary_key=True),
        sa.Column("value", _json(), nullable=False),
        _ts("updated_at"),
        sa.Column("updated_by", sa.String(64), nullable=True),
    )
    op.create_table(
        "engine_checkpoints",
        sa.Column("engine", sa.String(64), primary_key=True),
        sa.Column("key", sa.String(128), primary_key=True),
        sa.Column("value", _json(), nullable=False),
        _ts("updated_at"),
    )
    op.create_table(
        "processed_messages",
        sa.Column("consumer", sa.String(64), primary_key=True),
        sa.Column("message_id", sa.String(64), primary_key=True),
        _ts("processed_at"),
    )
    op.create_index("ix_processed_messages_processed_at", "processed_messages", ["processed_at"])


def upgrade() -> None:
    """Create every table."""
    _trading()
    _candles()
    _accounts()
    _runtime()


def downgrade() -> None:
    """Drop every table, dependants first."""
    for table in (
        "processed_messages",
        "engine_checkpoints",
        "settings",
        "audit_log",
        "api_keys",
        "refresh_tokens",
        "users",
        "ohlcv_data",
        "reallocations",
        "order_fills",
        "orders",
        "trades",
        "bots",
        "trading_pairs",
    ):
        op.drop_table(table)
