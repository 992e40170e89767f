"""Positions and their records: what the order engine writes when an exchange reports a change.

Every function takes the caller's session: the order engine groups a report's effects (the
order's new state, its fill, the trade it opens or closes, the portfolio's settlement and the
progress checkpoint) in one transaction, so a crash leaves all of them or none.

Prices recorded on trades are money (8 decimals, the backtest ledger's ``money``); the exact
fill price (``OrderReport.average_price``) is what protection levels are computed from.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from cryptotrader.domain.enums import BotKind, ExitReason, OrderStatus, OrderType, Side, TradeStatus
from cryptotrader.domain.fills import money
from cryptotrader.domain.orders import Order
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.reports import OrderReport
from cryptotrader.domain.trades import Trade, booked
from cryptotrader.domain.trusted import trusted
from cryptotrader.engines.client_ids import parse
from cryptotrader.errors import OperationalError
from cryptotrader.persistence.repositories import orders, trades


@dataclass(slots=True)
class Position:
    """An open trade as the order engine tracks it.

    Attributes:
        bot: whose position.
        trade_id: its ``trades`` row.
        trade: the trade (entry money, quantity, entry fees).
        entry_id: the entry order's client id.
        entry_price: the entry's exact average fill price.
        protection: base client id of the live protection (``-sl``/``-tp`` added), if any.
        protected: the amount that protection covers.
        version: how many protections were placed.
        stop: the exact stop price; take: the exact take-profit price.
    """

    bot: BotKind
    trade_id: int
    trade: Trade
    entry_id: str
    entry_price: Decimal
    protection: str | None = None
    protected: Decimal = Decimal(0)
    version: int = 0
    stop: Decimal | None = None
    take: Decimal | None = None

    @property
    def quantity(self) -> Decimal:
        """The amount held."""
        return self.trade.quantity

    @property
    def unprotected(self) -> bool:
        """True while part of the position has no live stop-loss."""
        return self.protection is None or self.protected < self.quantity

    def stop_id(self) -> str | None:
        """Client id of the live stop-loss order."""
        return None if self.protection is None else f"{self.protection}-sl"

    def take_id(self) -> str | None:
        """Client id of the live take-profit order."""
        return None if self.protection is None else f"{self.protection}-tp"


def order_from_report(report: OrderReport, current: Order) -> Order:
    """``current`` updated with what the exchange reports.

    What ``model_copy(update=...)`` builds (not validated either: the report's values are of
    the fields' types), at a third of its cost: once per order report.
    ``tests/unit/engines/test_positions.py`` checks it equals ``model_copy``'s.
    """
    values = dict(current.__dict__)
    values["status"] = report.status
    values["exchange_order_id"] = report.exchange_order_id or current.exchange_order_id
    values["filled_quantity"] = report.filled
    values["average_fill_price"] = report.average_price
    values["fee"] = report.fee
    return trusted(Order, values, frozenset(current.model_fields_set) | _REPORTED)


_REPORTED = frozenset(
    ("status", "exchange_order_id", "filled_quantity", "average_fill_price", "fee")
)


async def record_report(
    *, session: AsyncSession, report: OrderReport, current: Order | None = None
) -> Order:
    """Store the exchange's view of one of our orders, and its new fill if any.

    A fill is keyed by ``<exchange id>:<cumulative filled>``, so a report seen twice adds it
    once. ``current``: the order as committed, when the caller knows it (else it is read).
    At most two statements: the new fill, and the order's status, fills and fee.

    Raises:
        OperationalError: the order is not in the database.
    """
    if current is None:
        current = await orders.get_order(session=session, client_order_id=report.client_order_id)
    if current is None:
        raise OperationalError(f"the exchange reports order {report.client_order_id}, unknown here")
    delta = report.filled - current.filled_quantity
    if delta > 0 and report.average_price is not None:
        key = report.exchange_order_id or current.client_order_id
        before = (current.average_fill_price or Decimal(0)) * current.filled_quantity
        price = (report.average_price * report.filled - before) / delta
        await orders.add_fill(
            session=session,
            client_order_id=report.client_order_id,
            exchange_fill_id=f"{key}:{report.filled}",
            quantity=delta,
            price=price,
            fee=report.fee - current.fee,
            filled_at=report.timestamp,
        )
    updated = order_from_report(report, current)
    await orders.update_order(session=session, order=updated)
    return updated


async def open_trade(
    *,
    session: AsyncSession,
    entry: Order,
    report: OrderReport,
    levels: tuple[Decimal, Decimal],
    confidence: float | None,
    snapshot: dict[str, Any] | None,
    venue: str,
    ids: tuple[int, int] | None = None,
) -> Position:
    """The trade an entry's first fill opens, stored and linked to its entry order.

    ``ids``: the bot's and the pair's row ids, when the caller knows them.
    """
    assert report.average_price is not None
    stop, take = levels
    quantity, fees = held_after_fee(report, entry.pair)
    trade = Trade(
        bot=entry.bot,
        pair=entry.pair,
        quantity=quantity,
        entry_price=money(float(report.average_price)),
        entry_time=report.timestamp,
        stop_loss=money(float(stop)),
        take_profit=money(float(take)),
        fees=fees,
        confidence=confidence,
        status=TradeStatus.OPEN,
    )
    trade_id = await trades.add_trade(
        session=session, trade=trade, exchange=venue, indicators_snapshot=snapshot, ids=ids
    )
    await orders.link_trade(
        session=session, client_order_ids=[entry.client_order_id], trade_id=trade_id
    )
    return Position(
        bot=entry.bot,
        trade_id=trade_id,
        trade=trade,
        entry_id=entry.client_order_id,
        entry_price=report.average_price,
        stop=stop,
        take=take,
    )


async def grow_trade(*, session: AsyncSession, position: Position, report: OrderReport) -> None:
    """A partially filled entry filled more: the trade's quantity and entry follow it."""
    assert report.average_price is not None
    quantity, fees = held_after_fee(report, position.trade.pair)
    position.trade = replace_trade(
        position.trade,
        quantity=quantity,
        entry_price=money(float(report.average_price)),
        fees=fees,
    )
    position.entry_price = report.average_price
    await trades.update_quantity(session=session, trade_id=position.trade_id, trade=position.trade)


async def close_trade(
    *,
    session: AsyncSession,
    position: Position,
    exit_report: OrderReport,
    reason: ExitReason,
) -> Trade:
    """Record a position's exit; returns the closed trade (its ``pnl`` is net of both fees).

    An exit that sold less than held (the venue sells whole steps: a base-asset fee left a
    remainder below one) closes the trade at the amount sold; the remainder, left at the
    exchange and worth less than a step, is written off at its entry cost with the fees, so
    the P&L is the quote the account paid and received.
    """
    assert exit_report.average_price is not None
    sold = exit_report.filled
    changes: dict[str, Any] = {}
    fees = position.trade.fees + exit_report.fee
    if 0 < sold < position.quantity:
        fees += booked((position.quantity - sold) * position.entry_price)
        changes["quantity"] = sold
    closed = replace_trade(
        position.trade,
        exit_price=money(float(exit_report.average_price)),
        exit_time=exit_report.timestamp,
        exit_reason=reason,
        fees=fees,
        status=TradeStatus.CLOSED,
        **changes,
    )
    await trades.update_trade(session=session, trade_id=position.trade_id, trade=closed)
    await orders.link_trade(
        session=session, client_order_ids=[exit_report.client_order_id], trade_id=position.trade_id
    )
    return closed


def held_after_fee(report: OrderReport, pair: Pair) -> tuple[Decimal, Decimal]:
    """What a buy's fills leave held, and their fee in the quote asset.

    A fee taken from the coin bought (Binance without BNB) leaves the amount filled less the
    fee: that is the position (what its stop and its exit sell). The fee's quote cost is the
    coin it took at the fill's price (money, 8 places, as stored), so the P&L counts the quote
    paid. A fee in the
    quote asset (the paper exchange, backtests, Kraken) leaves the amount filled as it is.
    """
    if report.fee_currency == pair.base and report.fee > 0:
        assert report.average_price is not None, "a fill has a price"
        return report.filled - report.fee, booked(report.fee * report.average_price)
    return report.filled, report.fee


def replace_trade(trade: Trade, **changes: Any) -> Trade:
    """A validated copy of ``trade`` with ``changes``.

    Validated from the fields themselves (``__dict__``), not a ``model_dump``: the same trade
    without dumping it and building its ``Pair`` again (twice the cost, once per fill).
    """
    return Trade.model_validate({**trade.__dict__, **changes})


def exit_reason(order_type: OrderType) -> ExitReason:
    """Why a filled protective order closed its position."""
    return ExitReason.TAKE_PROFIT if order_type is OrderType.TAKE_PROFIT else ExitReason.STOP_LOSS


async def load_positions(
    *, session: AsyncSession, pair: str | None = None
) -> dict[BotKind, Position]:
    """The open trades (on ``pair``, or every pair) and their protection, as stored.

    Raises:
        OperationalError: a bot has more than one open trade, or a trade has no entry order.
    """
    positions: dict[BotKind, Position] = {}
    for trade_id, trade in await trades.open_trades(session=session):
        if pair is not None and trade.pair.symbol != pair:
            continue
        if trade.bot in positions:
            raise OperationalError(f"the {trade.bot} bot has two open trades (ids {trade_id})")
        linked = await orders.trade_orders(session=session, trade_id=trade_id)
        positions[trade.bot] = _position(trade_id, trade, linked)
    return positions


def _position(trade_id: int, trade: Trade, linked: list[Order]) -> Position:
    entry = next((o for o in linked if o.side is Side.BUY), None)
    if entry is None or entry.average_fill_price is None:
        raise OperationalError(f"trade {trade_id} has no filled entry order")
    position = Position(
        bot=trade.bot,
        trade_id=trade_id,
        trade=trade,
        entry_id=entry.client_order_id,
        entry_price=entry.average_fill_price,
        stop=entry.stop_loss,
        take=entry.take_profit,
    )
    stops = [o for o in linked if o.type is OrderType.STOP_LOSS]
    never_sent = bool(stops) and stops[-1].status is OrderStatus.PENDING
    position.version = len(stops) - 1 if never_sent else len(stops)  # resend it with its ids
    live = [o for o in stops if o.status in {OrderStatus.OPEN, OrderStatus.PARTIALLY_FILLED}]
    if live:
        position.protection = live[-1].client_order_id.removesuffix("-sl")
        position.protected = live[-1].quantity
    return position


def is_bracket(order: Order) -> bool:
    """True for an entry sent with its protection as one order list (``Entries``).

    Such entries are limit buys carrying their levels; the engine's other entries are market
    orders.
    """
    return order.side is Side.BUY and order.type is OrderType.LIMIT and order.stop_loss is not None


def is_protective(client_order_id: str) -> bool:
    """True for the ``-sl``/``-tp`` legs of a protection."""
    parsed = parse(client_order_id)
    return parsed is not None and parsed.protection
