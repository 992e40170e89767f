"""Trading tables: pairs, bots, orders and their fills, trades, reallocations.

Shaped like the original schema (``trading_pairs, bots, trades, reallocations``) plus ``orders``
and ``order_fills``, which the order engine needs to never submit twice and to reconcile with the
exchange after a restart.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column

from cryptotrader.domain.enums import (
    BotKind,
    BotStatus,
    ExitReason,
    OrderStatus,
    OrderType,
    RiskLevel,
    Side,
    TradeStatus,
)
from cryptotrader.persistence.tables.base import Base, created_at_column, updated_at_column
from cryptotrader.persistence.types import (
    ExactDecimal,
    JsonDocument,
    Money,
    StrEnumType,
    UtcDateTime,
)


class TradingPairRow(Base):
    """A market on one exchange; ``symbol`` is the ccxt spelling (``BTC/USDT``)."""

    __tablename__ = "trading_pairs"
    __table_args__ = (UniqueConstraint("exchange", "symbol"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    symbol: Mapped[str] = mapped_column(String(25))
    base_asset: Mapped[str] = mapped_column(String(12))
    quote_asset: Mapped[str] = mapped_column(String(12))
    exchange: Mapped[str] = mapped_column(String(32))
    is_active: Mapped[bool] = mapped_column(Boolean, server_default=true())


class BotRow(Base):
    """One bot of the portfolio; ``capital`` and ``current_risk_ratio`` survive restarts here."""

    __tablename__ = "bots"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    type: Mapped[BotKind] = mapped_column(StrEnumType(BotKind), unique=True)
    status: Mapped[BotStatus] = mapped_column(
        StrEnumType(BotStatus), server_default=BotStatus.STOPPED.value
    )
    capital: Mapped[Decimal] = mapped_column(Money())
    risk_level: Mapped[RiskLevel] = mapped_column(StrEnumType(RiskLevel, 10))
    current_risk_ratio: Mapped[Decimal] = mapped_column(ExactDecimal(5, 4))
    strategy_config: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


class TradeRow(Base):
    """A position from entry to exit; P&L is net of fees."""

    __tablename__ = "trades"
    # closed_at: a bot's P&L since a time (``trades.realised_since``) without a scan
    __table_args__ = (Index(None, "bot_id", "status", "closed_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bot_id: Mapped[int] = mapped_column(ForeignKey("bots.id"))
    pair_id: Mapped[int] = mapped_column(ForeignKey("trading_pairs.id"))
    side: Mapped[Side] = mapped_column(StrEnumType(Side, 4))
    entry_price: Mapped[Decimal] = mapped_column(Money())
    exit_price: Mapped[Decimal | None] = mapped_column(Money())
    quantity: Mapped[Decimal] = mapped_column(Money())
    stop_loss: Mapped[Decimal | None] = mapped_column(Money())
    take_profit: Mapped[Decimal | None] = mapped_column(Money())
    fees: Mapped[Decimal] = mapped_column(Money())
    pnl: Mapped[Decimal | None] = mapped_column(Money())
    pnl_percent: Mapped[Decimal | None] = mapped_column(ExactDecimal(12, 4))
    risk_reward_ratio: Mapped[Decimal | None] = mapped_column(ExactDecimal(12, 4))
    confidence: Mapped[Decimal | None] = mapped_column(ExactDecimal(5, 4))
    status: Mapped[TradeStatus] = mapped_column(StrEnumType(TradeStatus))
    exit_reason: Mapped[ExitReason | None] = mapped_column(StrEnumType(ExitReason))
    indicators_snapshot: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument)
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = created_at_column()


class OrderRow(Base):
    """An order as we sent it and as the exchange reports it; ``client_order_id`` is ours."""

    __tablename__ = "orders"
    # No index on ``status`` alone: the open orders (reconciliation) are read per bot through
    # ``(bot_id, status)``; one index fewer to write per order (migration 0009).
    __table_args__ = (Index(None, "bot_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_order_id: Mapped[str] = mapped_column(String(36), unique=True)
    bot_id: Mapped[int] = mapped_column(ForeignKey("bots.id"))
    pair_id: Mapped[int] = mapped_column(ForeignKey("trading_pairs.id"))
    trade_id: Mapped[int | None] = mapped_column(ForeignKey("trades.id"))
    side: Mapped[Side] = mapped_column(StrEnumType(Side, 4))
    type: Mapped[OrderType] = mapped_column(StrEnumType(OrderType))
    quantity: Mapped[Decimal] = mapped_column(Money())
    price: Mapped[Decimal | None] = mapped_column(Money())
    stop_loss: Mapped[Decimal | None] = mapped_column(Money())
    take_profit: Mapped[Decimal | None] = mapped_column(Money())
    status: Mapped[OrderStatus] = mapped_column(StrEnumType(OrderStatus))
    exchange_order_id: Mapped[str | None] = mapped_column(String(64))
    filled_quantity: Mapped[Decimal] = mapped_column(Money())
    average_fill_price: Mapped[Decimal | None] = mapped_column(Money())
    fee: Mapped[Decimal] = mapped_column(Money())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = updated_at_column()


class OrderFillRow(Base):
    """One execution of an order, keyed by the exchange's fill id so a replay adds it once."""

    __tablename__ = "order_fills"
    __table_args__ = (UniqueConstraint("order_id", "exchange_fill_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    exchange_fill_id: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[Decimal] = mapped_column(Money())
    price: Mapped[Decimal] = mapped_column(Money())
    fee: Mapped[Decimal] = mapped_column(Money())
    filled_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ReallocationRow(Base):
    """Capital moved between bots after a winning trade; one per trigger trade at most."""

    __tablename__ = "reallocations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    from_bot_id: Mapped[int] = mapped_column(ForeignKey("bots.id"))
    to_bot_id: Mapped[int] = mapped_column(ForeignKey("bots.id"))
    amount: Mapped[Decimal] = mapped_column(Money())
    trigger_trade_id: Mapped[int | None] = mapped_column(ForeignKey("trades.id"), unique=True)
    ratio_applied: Mapped[Decimal] = mapped_column(ExactDecimal(5, 4))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
