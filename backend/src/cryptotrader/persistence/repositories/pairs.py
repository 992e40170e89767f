"""Trading pairs: every row that names a market points at ``trading_pairs``."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from cryptotrader.domain.enums import TradeStatus
from cryptotrader.domain.pairs import Pair
from cryptotrader.persistence.repositories._sql import upsert_insert
from cryptotrader.persistence.tables import TradeRow, TradingPairRow


async def ensure_pair(*, session: AsyncSession, exchange: str, pair: Pair) -> int:
    """Id of ``pair`` on ``exchange``, creating the row on first use (safe under concurrency)."""
    found = await find_pair(session=session, exchange=exchange, pair=pair)
    if found is not None:
        return found
    statement = (
        upsert_insert(session, TradingPairRow)
        .values(
            symbol=pair.symbol,
            base_asset=pair.base,
            quote_asset=pair.quote,
            exchange=exchange,
        )
        .on_conflict_do_nothing(index_elements=["exchange", "symbol"])
    )
    await session.execute(statement)
    created = await find_pair(session=session, exchange=exchange, pair=pair)
    if created is None:  # pragma: no cover - the insert or a concurrent one created it
        raise RuntimeError(f"trading pair {exchange}:{pair} vanished while being created")
    return created


async def find_pair(*, session: AsyncSession, exchange: str, pair: Pair) -> int | None:
    """Id of ``pair`` on ``exchange``, or None when it was never stored."""
    statement = select(TradingPairRow.id).where(
        TradingPairRow.exchange == exchange, TradingPairRow.symbol == pair.symbol
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def inactive_pairs(*, session: AsyncSession) -> set[tuple[str, str]]:
    """``(exchange, symbol)`` of every pair deactivated through ``/config/pairs``."""
    statement = select(TradingPairRow.exchange, TradingPairRow.symbol).where(
        TradingPairRow.is_active.is_(False)
    )
    return {(exchange, symbol) for exchange, symbol in (await session.execute(statement)).all()}


async def active_pairs(*, session: AsyncSession, exchange: str) -> list[str]:
    """Symbols of the active pairs of ``exchange`` (``/config/pairs``), sorted."""
    statement = (
        select(TradingPairRow.symbol)
        .where(TradingPairRow.exchange == exchange, TradingPairRow.is_active.is_(True))
        .order_by(TradingPairRow.symbol)
    )
    return list((await session.execute(statement)).scalars())


async def open_trade_pairs(*, session: AsyncSession) -> list[str]:
    """Symbols with an open trade (on any venue row: paper trades are recorded under ``paper``)."""
    statement = (
        select(TradingPairRow.symbol)
        .join(TradeRow, TradeRow.pair_id == TradingPairRow.id)
        .where(TradeRow.status == TradeStatus.OPEN)
        .distinct()
        .order_by(TradingPairRow.symbol)
    )
    return list((await session.execute(statement)).scalars())
