"""Trades as recorded by the runtime: filtered, paginated, one by one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from cryptotrader.domain.enums import BotKind, ExitReason, Side, TradeStatus
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.repositories import trade_queries
from cryptotrader.persistence.repositories.trade_queries import TradeFilter, TradeRecord
from cryptotrader.persistence.uow import UnitOfWork
from cryptotrader.services.context import Actor, Permission
from cryptotrader.services.errors import NotFound

MAX_PAGE = 500


@dataclass(frozen=True, slots=True)
class TradeView:
    """One trade."""

    id: int
    bot: BotKind
    exchange: str
    pair: str
    side: Side
    status: TradeStatus
    quantity: Decimal
    entry_price: Decimal
    exit_price: Decimal | None
    stop_loss: Decimal | None
    take_profit: Decimal | None
    fees: Decimal
    pnl: Decimal | None
    pnl_percent: Decimal | None
    risk_reward_ratio: Decimal | None
    confidence: Decimal | None
    exit_reason: ExitReason | None
    opened_at: datetime
    closed_at: datetime | None
    indicators: dict[str, Any] | None


def trade_view(record: TradeRecord, *, with_indicators: bool = False) -> TradeView:
    """The view of a trade record."""
    row = record.row
    return TradeView(
        id=row.id,
        bot=record.bot,
        exchange=record.exchange,
        pair=record.symbol,
        side=row.side,
        status=row.status,
        quantity=row.quantity,
        entry_price=row.entry_price,
        exit_price=row.exit_price,
        stop_loss=row.stop_loss,
        take_profit=row.take_profit,
        fees=row.fees,
        pnl=row.pnl,
        pnl_percent=row.pnl_percent,
        risk_reward_ratio=row.risk_reward_ratio,
        confidence=row.confidence,
        exit_reason=row.exit_reason,
        opened_at=row.opened_at,
        closed_at=row.closed_at,
        indicators=row.indicators_snapshot if with_indicators else None,
    )


class TradeService:
    """Reads trades.

    Args:
        database: where the runtime records trades.
    """

    def __init__(self, *, database: Database) -> None:
        self._database = database

    async def search(
        self, actor: Actor, where: TradeFilter, *, limit: int, offset: int
    ) -> tuple[list[TradeView], int]:
        """One page of matching trades (newest first) and the number matching in all."""
        actor.require(Permission.READ)
        async with UnitOfWork(self._database) as uow:
            records, total = await trade_queries.search_trades(
                session=uow.session, where=where, limit=min(limit, MAX_PAGE), offset=offset
            )
        return [trade_view(record) for record in records], total

    async def get(self, actor: Actor, trade_id: int) -> TradeView:
        """One trade with its indicator snapshot.

        Raises:
            NotFound: no such trade.
        """
        actor.require(Permission.READ)
        async with UnitOfWork(self._database) as uow:
            record = await trade_queries.get_trade_record(session=uow.session, trade_id=trade_id)
        if record is None:
            raise NotFound("trade not found")
        return trade_view(record, with_indicators=True)
