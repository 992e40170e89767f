"""Trades (positions from entry to exit), converted to and from ``domain.Trade``."""

from __future__ import annotations

import weakref
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, bindparam, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from cryptotrader.domain.enums import BotKind, TradeStatus
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.trades import Trade
from cryptotrader.errors import OperationalError
from cryptotrader.persistence import deferred, driver
from cryptotrader.persistence.repositories.bots import require_bot
from cryptotrader.persistence.repositories.pairs import ensure_pair
from cryptotrader.persistence.tables import Base, BotRow, TradeRow, TradingPairRow

_TRADES = Base.metadata.tables[TradeRow.__tablename__]
_CLOSE = (
    update(_TRADES)
    .where(_TRADES.c.id == bindparam("b_id"), _TRADES.c.status == bindparam("b_open"))
    .values(
        quantity=bindparam("b_quantity"),
        exit_price=bindparam("b_exit_price"),
        closed_at=bindparam("b_closed_at"),
        exit_reason=bindparam("b_exit_reason"),
        fees=bindparam("b_fees"),
        status=bindparam("b_status"),
        pnl=bindparam("b_pnl"),
        pnl_percent=bindparam("b_pnl_percent"),
        risk_reward_ratio=bindparam("b_rr"),
    )
)
"""A trade's exit, built once (executed with its values; several at once when deferred)."""

_REALISED = select(_TRADES.c.pnl).where(
    _TRADES.c.bot_id == bindparam("b_bot_id"),
    _TRADES.c.status == bindparam("b_status"),
    _TRADES.c.closed_at >= bindparam("b_since"),
)
"""The P&L of a bot's trades closed since a time, built once."""

_ADD = insert(_TRADES).returning(_TRADES.c.id)
"""A new trade, built once (a Core insert: the ORM's add and flush cost ~5x the statement)."""

_ADD_WITH_ID = insert(_TRADES)
"""A new trade whose id was taken from the sequence beforehand (queued: ``_new_id``)."""

_NEXT_IDS = text(
    "SELECT nextval(pg_get_serial_sequence('trades', 'id')) FROM generate_series(1, :n)"
)
"""PostgreSQL: ``n`` new trade ids from the table's own sequence, in one round trip."""

ID_BLOCK = 32
"""Trade ids taken from the sequence at a time (PostgreSQL): the unused ones of a process that
stops are gaps, as a rolled-back insert's id always was."""

_FREE_IDS: weakref.WeakKeyDictionary[Any, list[int]] = weakref.WeakKeyDictionary()
"""Per engine (a database and schema), the trade ids taken and not yet used, last first."""


async def _new_id(session: AsyncSession) -> int:
    """A new trade id from the sequence (``ID_BLOCK`` taken in one round trip when none is left).

    Unique as the sequence's values are (``nextval`` is never rolled back), increasing within
    the process: the order engine, the one writer of trades, keeps them in its order.
    """
    bind = session.get_bind()
    engine = getattr(bind, "engine", bind)
    free = _FREE_IDS.setdefault(engine, [])
    if not free:
        found = (await session.execute(_NEXT_IDS, {"n": ID_BLOCK})).scalars().all()
        free.extend(sorted((int(i) for i in found), reverse=True))
    return free.pop()


def _select() -> Select[TradeRow, BotKind, str, str]:
    return (
        select(TradeRow, BotRow.type, TradingPairRow.base_asset, TradingPairRow.quote_asset)
        .join(BotRow, TradeRow.bot_id == BotRow.id)
        .join(TradingPairRow, TradeRow.pair_id == TradingPairRow.id)
    )


def trade_of(row: TradeRow, bot: BotKind, base: str, quote: str) -> Trade:
    """The domain trade of a row (the row's figures are the trade's own: ``domain.trades``)."""
    return Trade(
        bot=bot,
        pair=Pair(base=base, quote=quote),
        side=row.side,
        quantity=row.quantity,
        entry_price=row.entry_price,
        entry_time=row.opened_at,
        stop_loss=row.stop_loss,
        take_profit=row.take_profit,
        exit_price=row.exit_price,
        exit_time=row.closed_at,
        exit_reason=row.exit_reason,
        fees=row.fees,
        confidence=row.confidence,
        status=row.status,
    )


async def add_trade(
    *,
    session: AsyncSession,
    trade: Trade,
    exchange: str,
    indicators_snapshot: dict[str, Any] | None = None,
    ids: tuple[int, int] | None = None,
) -> int:
    """Store a trade (usually when its entry fills); returns its row id.

    ``ids``: its bot's and pair's row ids, when the caller knows them.
    """
    if ids is None:
        bot_id = (await require_bot(session=session, kind=trade.bot)).id
        pair_id = await ensure_pair(session=session, exchange=exchange, pair=trade.pair)
    else:
        bot_id, pair_id = ids
    values = {
        "bot_id": bot_id,
        "pair_id": pair_id,
        "side": trade.side,
        "entry_price": trade.entry_price,
        "quantity": trade.quantity,
        "stop_loss": trade.stop_loss,
        "take_profit": trade.take_profit,
        "confidence": trade.confidence,
        "opened_at": trade.entry_time,
        "indicators_snapshot": indicators_snapshot,
        "exit_price": trade.exit_price,
        "closed_at": trade.exit_time,
        "exit_reason": trade.exit_reason,
        "fees": trade.fees,
        "status": trade.status,
        "pnl": trade.booked_pnl,
        "pnl_percent": trade.pnl_percent,
        "risk_reward_ratio": trade.risk_reward_ratio,
    }
    if deferred.deferring(session) and session.get_bind().dialect.name == "postgresql":
        # its id from the sequence, the row written with the transaction's other queued rows:
        # no INSERT ... RETURNING round trip per trade (docs/BENCHMARKS.md, issue 17)
        values["id"] = trade_id = await _new_id(session)
        await deferred.write(session, _ADD_WITH_ID, values, phase=deferred.TRADES_INSERT)
        return trade_id
    return await driver.inserted_id(session, _ADD, values)


async def update_trade(*, session: AsyncSession, trade_id: int, trade: Trade) -> None:
    """Record a trade's exit (price, time, reason, fees, the quantity sold) and its P&L.

    Only an open trade closes: a close recorded again (a commit that succeeded although its
    connection failed, then the same fill applied once more) fails its transaction, and with it
    a second settlement and a second ``trade_closed`` alert under another message id.

    Raises:
        OperationalError: no open trade has this id.
    """
    values = {
        "b_id": trade_id,
        "b_open": TradeStatus.OPEN,
        "b_quantity": trade.quantity,
        "b_exit_price": trade.exit_price,
        "b_closed_at": trade.exit_time,
        "b_exit_reason": trade.exit_reason,
        "b_fees": trade.fees,
        "b_status": trade.status,
        "b_pnl": trade.booked_pnl,
        "b_pnl_percent": trade.pnl_percent,
        "b_rr": trade.risk_reward_ratio,
    }
    missing = f"trade {trade_id} is not open in the database"
    await deferred.write(session, _CLOSE, values, phase=deferred.TRADES_UPDATE, one_row=missing)


async def get_trade(*, session: AsyncSession, trade_id: int) -> Trade | None:
    """The trade with this id, or None."""
    found = (await session.execute(_select().where(TradeRow.id == trade_id))).first()
    return None if found is None else trade_of(*found)


async def list_trades(
    *,
    session: AsyncSession,
    bot: BotKind | None = None,
    status: TradeStatus | None = None,
    limit: int = 100,
    pair: Pair | None = None,
) -> list[tuple[int, Trade]]:
    """Newest trades first, with their ids, optionally for one bot, status and pair."""
    statement = _select().order_by(TradeRow.opened_at.desc(), TradeRow.id.desc()).limit(limit)
    if bot is not None:
        statement = statement.where(BotRow.type == bot)
    if status is not None:
        statement = statement.where(TradeRow.status == status)
    if pair is not None:
        statement = statement.where(TradingPairRow.symbol == pair.symbol)
    rows = (await session.execute(statement)).all()
    return [(row.id, trade_of(row, kind, base, quote)) for row, kind, base, quote in rows]


async def count_trades(
    *, session: AsyncSession, bot: BotKind | None = None, pair: Pair | None = None
) -> int:
    """How many trades are stored, optionally for one bot and pair (a listing shows N of them)."""
    statement = select(func.count(TradeRow.id))
    if bot is not None:
        statement = statement.join(BotRow, TradeRow.bot_id == BotRow.id).where(BotRow.type == bot)
    if pair is not None:
        statement = statement.join(TradingPairRow, TradeRow.pair_id == TradingPairRow.id).where(
            TradingPairRow.symbol == pair.symbol
        )
    return int((await session.execute(statement)).scalar_one())


async def realised_since(
    *, session: AsyncSession, bot: BotKind, since: datetime, bot_id: int | None = None
) -> Decimal:
    """Net P&L of the bot's trades closed at or after ``since`` (summed in Python: exact).

    ``bot_id``: the bot's row id, when the caller knows it.
    """
    if bot_id is None:
        bot_id = (await require_bot(session=session, kind=bot)).id
    params = {"b_bot_id": bot_id, "b_status": TradeStatus.CLOSED, "b_since": since}
    found = await driver.rows(session, _REALISED, params)
    return sum((pnl for (pnl,) in found if pnl is not None), Decimal(0))


async def activity_between(
    *, session: AsyncSession, since: datetime, until: datetime
) -> list[tuple[int, Trade]]:
    """Trades opened or closed in ``[since, until)``, oldest first (a day's activity)."""
    opened = (TradeRow.opened_at >= since) & (TradeRow.opened_at < until)
    closed = (TradeRow.closed_at >= since) & (TradeRow.closed_at < until)
    statement = _select().where(opened | closed).order_by(TradeRow.opened_at, TradeRow.id)
    rows = (await session.execute(statement)).all()
    return [(row.id, trade_of(row, kind, base, quote)) for row, kind, base, quote in rows]


async def open_trades(*, session: AsyncSession) -> list[tuple[int, Trade]]:
    """Every open trade with its id, oldest first."""
    statement = _select().where(TradeRow.status == TradeStatus.OPEN).order_by(TradeRow.id)
    rows = (await session.execute(statement)).all()
    return [(row.id, trade_of(row, kind, base, quote)) for row, kind, base, quote in rows]


async def update_quantity(*, session: AsyncSession, trade_id: int, trade: Trade) -> None:
    """Record an open trade's grown quantity, entry price and entry fees (a partial fill grew).

    Raises:
        OperationalError: no trade has this id.
    """
    queued = deferred.queued(session, _ADD_WITH_ID, "id", trade_id)
    if queued is not None:  # its insert is still queued: written with these values
        queued.update(quantity=trade.quantity, entry_price=trade.entry_price, fees=trade.fees)
        return
    row = await session.get(TradeRow, trade_id)
    if row is None:
        raise OperationalError(f"trade {trade_id} is not in the database")
    row.quantity = trade.quantity
    row.entry_price = trade.entry_price
    row.fees = trade.fees
    await session.flush()
