"""Orders and their fills, converted to and from ``domain.Order``.

The client order id is the key: it is unique, so inserting the same order twice fails instead of
creating a second one, and a restarted order engine finds what it sent before.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from cryptotrader.domain.enums import BotKind, OrderStatus
from cryptotrader.domain.orders import Order
from cryptotrader.domain.pairs import Pair
from cryptotrader.errors import OperationalError
from cryptotrader.persistence.repositories._sql import rowcount, upsert_insert
from cryptotrader.persistence.repositories.bots import require_bot
from cryptotrader.persistence.repositories.pairs import ensure_pair
from cryptotrader.persistence.tables import BotRow, OrderFillRow, OrderRow, TradingPairRow

_OPEN_STATUSES = [status for status in OrderStatus if not status.is_final]


def _select() -> Select[OrderRow, BotKind, str, str]:
    return (
        select(OrderRow, BotRow.type, TradingPairRow.base_asset, TradingPairRow.quote_asset)
        .join(BotRow, OrderRow.bot_id == BotRow.id)
        .join(TradingPairRow, OrderRow.pair_id == TradingPairRow.id)
    )


def _to_domain(row: OrderRow, bot: BotKind, base: str, quote: str) -> Order:
    return Order(
        client_order_id=row.client_order_id,
        bot=bot,
        pair=Pair(base=base, quote=quote),
        side=row.side,
        type=row.type,
        quantity=row.quantity,
        price=row.price,
        stop_loss=row.stop_loss,
        take_profit=row.take_profit,
        status=row.status,
        exchange_order_id=row.exchange_order_id,
        filled_quantity=row.filled_quantity,
        average_fill_price=row.average_fill_price,
        fee=row.fee,
        created_at=row.created_at,
    )


async def add_order(
    *, session: AsyncSession, order: Order, exchange: str, trade_id: int | None = None
) -> int:
    """Store a new order (before it is sent); returns its row id.

    Raises:
        sqlalchemy.exc.IntegrityError: an order with this client order id already exists.
    """
    bot = await require_bot(session=session, kind=order.bot)
    row = OrderRow(
        client_order_id=order.client_order_id,
        bot_id=bot.id,
        pair_id=await ensure_pair(session=session, exchange=exchange, pair=order.pair),
        trade_id=trade_id,
        side=order.side,
        type=order.type,
        quantity=order.quantity,
        price=order.price,
        stop_loss=order.stop_loss,
        take_profit=order.take_profit,
        status=order.status,
        exchange_order_id=order.exchange_order_id,
        filled_quantity=order.filled_quantity,
        average_fill_price=order.average_fill_price,
        fee=order.fee,
        created_at=order.created_at,
    )
    session.add(row)
    await session.flush()
    return row.id


async def get_order(*, session: AsyncSession, client_order_id: str) -> Order | None:
    """The order with this client order id, or None."""
    found = (
        await session.execute(_select().where(OrderRow.client_order_id == client_order_id))
    ).first()
    return None if found is None else _to_domain(*found)


async def update_order(*, session: AsyncSession, order: Order) -> None:
    """Record the exchange's view of an order: status, exchange id, fills and fee.

    Raises:
        OperationalError: no order with this client order id was stored.
    """
    row = (
        await session.execute(
            select(OrderRow).where(OrderRow.client_order_id == order.client_order_id)
        )
    ).scalar_one_or_none()
    if row is None:
        raise OperationalError(f"order {order.client_order_id} is not in the database")
    row.status = order.status
    row.exchange_order_id = order.exchange_order_id
    row.filled_quantity = order.filled_quantity
    row.average_fill_price = order.average_fill_price
    row.fee = order.fee
    await session.flush()


async def open_orders(*, session: AsyncSession, bot: BotKind | None = None) -> list[Order]:
    """Orders not yet final (pending, open, partially filled): what reconciliation checks."""
    statement = _select().where(OrderRow.status.in_(_OPEN_STATUSES)).order_by(OrderRow.id)
    if bot is not None:
        statement = statement.where(BotRow.type == bot)
    return [_to_domain(*found) for found in (await session.execute(statement)).all()]


async def record_fill(
    *,
    session: AsyncSession,
    client_order_id: str,
    exchange_fill_id: str,
    quantity: Decimal,
    price: Decimal,
    fee: Decimal,
    filled_at: datetime,
) -> bool:
    """Add one fill and refresh the order's filled quantity, average price and fee.

    Returns False when this fill was already recorded (a replayed exchange report).

    Raises:
        OperationalError: the order is unknown.
    """
    order = (
        await session.execute(
            select(OrderRow)
            .where(OrderRow.client_order_id == client_order_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).scalar_one_or_none()
    if order is None:
        raise OperationalError(f"fill for unknown order {client_order_id}")
    inserted = await session.execute(
        upsert_insert(session, OrderFillRow)
        .values(
            order_id=order.id,
            exchange_fill_id=exchange_fill_id,
            quantity=quantity,
            price=price,
            fee=fee,
            filled_at=filled_at,
        )
        .on_conflict_do_nothing(index_elements=["order_id", "exchange_fill_id"])
    )
    if rowcount(inserted) != 1:
        return False
    fills = (
        await session.execute(
            select(OrderFillRow.quantity, OrderFillRow.price, OrderFillRow.fee).where(
                OrderFillRow.order_id == order.id
            )
        )
    ).all()
    filled = sum((q for q, _, _ in fills), Decimal(0))
    order.filled_quantity = filled
    order.average_fill_price = sum((q * p for q, p, _ in fills), Decimal(0)) / filled
    order.fee = sum((f for _, _, f in fills), Decimal(0))
    order.status = OrderStatus.FILLED if filled >= order.quantity else OrderStatus.PARTIALLY_FILLED
    await session.flush()
    return True


async def count_orders(*, session: AsyncSession) -> int:
    """How many orders are stored."""
    return int((await session.execute(select(func.count()).select_from(OrderRow))).scalar_one())


async def link_trade(*, session: AsyncSession, client_order_ids: list[str], trade_id: int) -> None:
    """Attach orders (an entry, its protection, its exit) to the trade they belong to."""
    rows = await session.execute(
        select(OrderRow).where(OrderRow.client_order_id.in_(client_order_ids))
    )
    for row in rows.scalars():
        row.trade_id = trade_id
    await session.flush()


async def trade_orders(*, session: AsyncSession, trade_id: int) -> list[Order]:
    """Every order of a trade, oldest first."""
    statement = _select().where(OrderRow.trade_id == trade_id).order_by(OrderRow.id)
    return [_to_domain(*found) for found in (await session.execute(statement)).all()]
