"""Orders and their fills, converted to and from ``domain.Order``.

The client order id is the key: it is unique, so inserting the same order twice fails instead of
creating a second one, and a restarted order engine finds what it sent before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import (
    CursorResult,
    Integer,
    Row,
    Select,
    bindparam,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from cryptotrader.domain.enums import BotKind, OrderStatus
from cryptotrader.domain.orders import Order
from cryptotrader.domain.pairs import Pair
from cryptotrader.errors import OperationalError
from cryptotrader.persistence import deferred
from cryptotrader.persistence.repositories._sql import built_once, rowcount, upsert_insert
from cryptotrader.persistence.repositories.bots import bot_ids, require_bot
from cryptotrader.persistence.repositories.pairs import ensure_pair
from cryptotrader.persistence.tables import Base, BotRow, OrderFillRow, OrderRow, TradingPairRow

_OPEN_STATUSES = [status for status in OrderStatus if not status.is_final]
_ORDERS = Base.metadata.tables[OrderRow.__tablename__]
# The hot statements, built once (plain Core on the tables: no ORM bulk machinery per call).
_INSERT = insert(_ORDERS)
_UPDATE = (
    update(_ORDERS)
    .where(_ORDERS.c.client_order_id == bindparam("b_coid"))
    .values(
        status=bindparam("b_status"),
        exchange_order_id=bindparam("b_exchange_order_id"),
        filled_quantity=bindparam("b_filled"),
        average_fill_price=bindparam("b_average"),
        fee=bindparam("b_fee"),
        # the trade, when ``link_trade`` set it on this queued update (else left as it is)
        trade_id=func.coalesce(bindparam("b_trade_id", type_=Integer), _ORDERS.c.trade_id),
    )
)
_LINK = (
    update(_ORDERS)
    .where(_ORDERS.c.client_order_id.in_(bindparam("b_coids", expanding=True)))
    .values(trade_id=bindparam("b_trade_id"))
)
_LINK_ONE = (
    update(_ORDERS)
    .where(_ORDERS.c.client_order_id == bindparam("b_coid"))
    .values(trade_id=bindparam("b_trade_id"))
)
_ORDER_ID = select(_ORDERS.c.id).where(_ORDERS.c.client_order_id == bindparam("b_coid"))


@dataclass(frozen=True, slots=True)
class RowIds:
    """The row ids an order of one market points at: every bot's and the pair's.

    Bots and pairs are never deleted, so a writer may look them up once (``row_ids``) and pass
    them to ``add_order`` instead of looking them up with every order.
    """

    bots: dict[BotKind, int]
    pair: int


async def row_ids(*, session: AsyncSession, exchange: str, pair: Pair) -> RowIds:
    """The bots' ids and ``pair``'s on ``exchange`` (created on first use: commit before caching).

    Raises:
        OperationalError: the bots were not created yet.
    """
    bots = await bot_ids(session=session)
    missing = [kind for kind in BotKind if kind not in bots]
    if missing:
        raise OperationalError(f"no {missing[0]} bot in the database: create the bots first")
    return RowIds(bots=bots, pair=await ensure_pair(session=session, exchange=exchange, pair=pair))


def _select() -> Select[Any]:
    # Columns, not ``OrderRow`` entities: nothing enters the session's identity map, so a row
    # read after a Core ``UPDATE`` in the same transaction is never a stale copy.
    return (
        select(
            *_ORDERS.c,
            BotRow.type.label("bot_kind"),
            TradingPairRow.base_asset,
            TradingPairRow.quote_asset,
        )
        .join(BotRow, OrderRow.bot_id == BotRow.id)
        .join(TradingPairRow, OrderRow.pair_id == TradingPairRow.id)
    )


def _to_domain(row: Row[Any]) -> Order:
    return Order(
        client_order_id=row.client_order_id,
        bot=row.bot_kind,
        pair=Pair(base=row.base_asset, quote=row.quote_asset),
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


async def _values(
    session: AsyncSession, order: Order, exchange: str, trade_id: int | None, ids: RowIds | None
) -> dict[str, Any]:
    if ids is None:
        bot_id = (await require_bot(session=session, kind=order.bot)).id
        pair_id = await ensure_pair(session=session, exchange=exchange, pair=order.pair)
    else:
        bot_id, pair_id = ids.bots[order.bot], ids.pair
    return {
        "client_order_id": order.client_order_id,
        "bot_id": bot_id,
        "pair_id": pair_id,
        "trade_id": trade_id,
        "side": order.side,
        "type": order.type,
        "quantity": order.quantity,
        "price": order.price,
        "stop_loss": order.stop_loss,
        "take_profit": order.take_profit,
        "status": order.status,
        "exchange_order_id": order.exchange_order_id,
        "filled_quantity": order.filled_quantity,
        "average_fill_price": order.average_fill_price,
        "fee": order.fee,
        "created_at": order.created_at,
    }


async def add_order(
    *,
    session: AsyncSession,
    order: Order,
    exchange: str,
    trade_id: int | None = None,
    ids: RowIds | None = None,
) -> int | None:
    """Store a new order (before it is sent); returns its row id (None: queued, ``deferred``).

    ``ids`` (``row_ids``, for ``exchange`` and the order's pair) saves looking them up.

    Raises:
        sqlalchemy.exc.IntegrityError: an order with this client order id already exists.
    """
    values = await _values(session, order, exchange, trade_id, ids)
    if deferred.deferring(session):
        await deferred.write(session, _INSERT, values, phase=deferred.ORDERS_INSERT)
        return None
    result = await session.execute(_INSERT, values)
    key = cast(CursorResult[Any], result).inserted_primary_key
    assert key is not None, "an INSERT has a primary key"
    return int(key[0])


async def add_order_if_new(
    *,
    session: AsyncSession,
    order: Order,
    exchange: str,
    trade_id: int | None = None,
    ids: RowIds | None = None,
) -> bool:
    """Store a new order unless one with its client order id exists; True when stored.

    Inside ``deferred.defer`` it is queued and True (the caller writes orders it knows are new:
    one that exists already is left as it is, and announced once more).
    """
    values = await _values(session, order, exchange, trade_id, ids)
    statement = built_once(
        session,
        "orders.add_if_new",
        lambda: upsert_insert(session, OrderRow).on_conflict_do_nothing(
            index_elements=["client_order_id"]
        ),
    )
    touched = await deferred.write(session, statement, values, phase=deferred.ORDERS_INSERT)
    return touched is None or touched == 1


async def get_order(*, session: AsyncSession, client_order_id: str) -> Order | None:
    """The order with this client order id, or None."""
    found = (
        await session.execute(_select().where(OrderRow.client_order_id == client_order_id))
    ).first()
    return None if found is None else _to_domain(found)


async def update_order(*, session: AsyncSession, order: Order) -> None:
    """Record the exchange's view of an order: status, exchange id, fills and fee.

    Raises:
        OperationalError: no order with this client order id was stored.
    """
    values = {
        "b_coid": order.client_order_id,
        "b_status": order.status,
        "b_exchange_order_id": order.exchange_order_id,
        "b_filled": order.filled_quantity,
        "b_average": order.average_fill_price,
        "b_fee": order.fee,
        "b_trade_id": None,
    }
    missing = f"order {order.client_order_id} is not in the database"
    await deferred.write(session, _UPDATE, values, phase=deferred.ORDERS_UPDATE, one_row=missing)


async def add_fill(
    *,
    session: AsyncSession,
    client_order_id: str,
    exchange_fill_id: str,
    quantity: Decimal,
    price: Decimal,
    fee: Decimal,
    filled_at: datetime,
) -> bool:
    """Add one fill of a stored order, in one statement; False when it was already recorded.

    Unlike ``record_fill`` it leaves the order's totals alone: the caller records the
    exchange's (``update_order``). Inside ``deferred.defer`` it is queued (True).
    """
    values = {
        "b_coid": client_order_id,
        "b_fill_id": exchange_fill_id,
        "b_quantity": quantity,
        "b_price": price,
        "b_fee": fee,
        "b_at": filled_at,
    }
    touched = await deferred.write(session, _add_fill(session), values, phase=deferred.FILLS)
    return touched is None or touched == 1


def _add_fill(session: AsyncSession) -> Any:
    def build() -> Any:
        return (
            upsert_insert(session, OrderFillRow)
            .values(
                order_id=_ORDER_ID.scalar_subquery(),
                exchange_fill_id=bindparam("b_fill_id"),
                quantity=bindparam("b_quantity"),
                price=bindparam("b_price"),
                fee=bindparam("b_fee"),
                filled_at=bindparam("b_at"),
            )
            .on_conflict_do_nothing(index_elements=["order_id", "exchange_fill_id"])
        )

    return built_once(session, "orders.add_fill", build)


async def open_orders(*, session: AsyncSession, bot: BotKind | None = None) -> list[Order]:
    """Orders not yet final (pending, open, partially filled): what reconciliation checks."""
    return [_to_domain(found) for found in (await session.execute(open_statement(bot))).all()]


def open_statement(bot: BotKind | None) -> Select[Any]:
    """The open orders, read per bot through ``(bot_id, status)``.

    There is no index on ``status`` alone (one fewer to write per order, migration 0009): the
    bots (a handful of rows) are named so that the planner searches that index bot by bot
    instead of scanning every order ever placed.
    """
    bots = select(BotRow.id) if bot is None else select(BotRow.id).where(BotRow.type == bot)
    return (
        _select()
        .where(OrderRow.bot_id.in_(bots), OrderRow.status.in_(_OPEN_STATUSES))
        .order_by(OrderRow.id)
    )


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
    """Attach orders (an entry, its protection, its exit) to the trade they belong to.

    Inside ``deferred.defer``, an order whose update (``update_order``) is queued in the same
    transaction gets its trade set by that update (a later update of it keeps it: the
    statement's ``COALESCE``), not by a statement of its own: an entry's fill and an exit's
    each wrote two ``UPDATE``s of the same row (docs/BENCHMARKS.md, issue 17).
    """
    if not deferred.deferring(session):
        await session.execute(_LINK, {"b_coids": client_order_ids, "b_trade_id": trade_id})
        return
    for coid in client_order_ids:
        update = deferred.queued(session, _UPDATE, "b_coid", coid)
        if update is not None:
            update["b_trade_id"] = trade_id
            continue
        params = {"b_coid": coid, "b_trade_id": trade_id}
        await deferred.write(session, _LINK_ONE, params, phase=deferred.ORDERS_UPDATE)


async def trade_orders(*, session: AsyncSession, trade_id: int) -> list[Order]:
    """Every order of a trade, oldest first."""
    statement = _select().where(OrderRow.trade_id == trade_id).order_by(OrderRow.id)
    return [_to_domain(found) for found in (await session.execute(statement)).all()]
