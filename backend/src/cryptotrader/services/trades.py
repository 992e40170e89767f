"""Trades as recorded by the runtime: filtered, paginated, one by one."""

from __future__ import annotations

from cryptotrader.domain.trades import RecordedTrade
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.repositories import trade_queries
from cryptotrader.persistence.repositories.trade_queries import TradeFilter
from cryptotrader.persistence.uow import UnitOfWork
from cryptotrader.services.context import Actor, Permission
from cryptotrader.services.errors import NotFound

MAX_PAGE = 500


class TradeService:
    """Reads trades.

    Args:
        database: where the runtime records trades.
    """

    def __init__(self, *, database: Database) -> None:
        self._database = database

    async def search(
        self, actor: Actor, where: TradeFilter, *, limit: int, offset: int
    ) -> tuple[list[RecordedTrade], int]:
        """One page of matching trades (newest first) and the number matching in all."""
        actor.require(Permission.READ)
        async with UnitOfWork(self._database, read_only=True) as uow:
            records, total = await trade_queries.search_trades(
                session=uow.session, where=where, limit=min(limit, MAX_PAGE), offset=offset
            )
        return records, total

    async def get(self, actor: Actor, trade_id: int) -> RecordedTrade:
        """One trade with its indicator snapshot.

        Raises:
            NotFound: no such trade.
        """
        actor.require(Permission.READ)
        async with UnitOfWork(self._database, read_only=True) as uow:
            record = await trade_queries.get_trade_record(session=uow.session, trade_id=trade_id)
        if record is None:
            raise NotFound("trade not found")
        return record
