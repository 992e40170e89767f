"""Read-side queries over trades for the API: filters, pagination and per-bot figures.

Money columns are exact text on SQLite: sums go through ``exact_sum``, which stays exact on both
databases.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Integer, Row, Select, case, cast, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from cryptotrader.domain.enums import BotKind, Side, TradeStatus
from cryptotrader.domain.trades import RecordedTrade
from cryptotrader.persistence.repositories._sql import dialect_name
from cryptotrader.persistence.repositories.trades import trade_of
from cryptotrader.persistence.tables import (
    BotRow,
    OhlcvRow,
    ReallocationRow,
    TradeRow,
    TradingPairRow,
)


@dataclass(frozen=True, slots=True)
class TradeFilter:
    """Which trades to list; every field is optional."""

    bot: BotKind | None = None
    status: TradeStatus | None = None
    symbol: str | None = None
    opened_from: datetime | None = None
    opened_until: datetime | None = None
    closed_from: datetime | None = None
    closed_until: datetime | None = None


@dataclass(frozen=True, slots=True)
class BotTradeFigures:
    """Realised results of one bot."""

    realised_pnl: Decimal
    fees: Decimal
    open_trades: int
    closed_trades: int
    wins: int
    losses: int
    losing_streak: int
    last_closed_at: datetime | None


@dataclass(frozen=True, slots=True)
class PairTradeFigures:
    """One bot's results on one pair, and what it holds there now."""

    realised_pnl: Decimal
    fees: Decimal
    open_trades: int
    closed_trades: int
    wins: int
    open_quantity: Decimal
    open_notional: Decimal
    """Entry price x quantity of the open positions (the exposure the risk manager limits)."""


_Listed = Select[TradeRow, BotKind, str, str, str]


def _base() -> _Listed:
    return (
        select(
            TradeRow,
            BotRow.type,
            TradingPairRow.base_asset,
            TradingPairRow.quote_asset,
            TradingPairRow.exchange,
        )
        .join(BotRow, TradeRow.bot_id == BotRow.id)
        .join(TradingPairRow, TradeRow.pair_id == TradingPairRow.id)
    )


def _recorded(found: Row[TradeRow, BotKind, str, str, str], *, indicators: bool) -> RecordedTrade:
    row, bot, base, quote, exchange = found
    snapshot = row.indicators_snapshot if indicators else None
    return RecordedTrade(row.id, exchange, trade_of(row, bot, base, quote), snapshot)


def _filtered(statement: _Listed, where: TradeFilter) -> _Listed:
    if where.bot is not None:
        statement = statement.where(BotRow.type == where.bot)
    if where.status is not None:
        statement = statement.where(TradeRow.status == where.status)
    if where.symbol is not None:
        statement = statement.where(TradingPairRow.symbol == where.symbol)
    if where.opened_from is not None:
        statement = statement.where(TradeRow.opened_at >= where.opened_from)
    if where.opened_until is not None:
        statement = statement.where(TradeRow.opened_at < where.opened_until)
    if where.closed_from is not None:
        statement = statement.where(TradeRow.closed_at >= where.closed_from)
    if where.closed_until is not None:
        statement = statement.where(TradeRow.closed_at < where.closed_until)
    return statement


async def search_trades(
    *, session: AsyncSession, where: TradeFilter, limit: int, offset: int
) -> tuple[list[RecordedTrade], int]:
    """Matching trades, newest first, one page of them, and how many match in all."""
    filtered = _filtered(_base(), where)
    total = (
        await session.execute(select(func.count()).select_from(filtered.subquery()))
    ).scalar_one()
    page = filtered.order_by(TradeRow.opened_at.desc(), TradeRow.id.desc()).limit(limit)
    rows = (await session.execute(page.offset(offset))).all()
    return [_recorded(found, indicators=False) for found in rows], int(total)


async def get_trade_record(*, session: AsyncSession, trade_id: int) -> RecordedTrade | None:
    """One trade with its venue and indicator snapshot, or None."""
    found = (await session.execute(_base().where(TradeRow.id == trade_id))).first()
    return None if found is None else _recorded(found, indicators=True)


_SCALE = Decimal("1e-8")


def exact_sum(session: AsyncSession, column: Any) -> Any:
    """``SUM`` of a ``Money`` column that stays exact on both databases.

    PostgreSQL sums ``NUMERIC`` exactly. SQLite stores money as canonical text with exactly 8
    decimals (``persistence.types.ExactDecimal``), so the digits without the point are the
    amount in 1e-8 units: summed as integers they are exact (``from_exact_sum`` scales back).
    """
    if dialect_name(session) == "sqlite":
        return func.sum(cast(func.replace(column, ".", ""), Integer))
    return func.sum(column)


def from_exact_sum(session: AsyncSession, value: Any) -> Decimal:
    """The ``Decimal`` of what ``exact_sum`` returned (None, the empty sum, is 0)."""
    if value is None:
        return Decimal(0)
    if dialect_name(session) == "sqlite":
        return (Decimal(int(value)) * _SCALE).quantize(_SCALE)
    return Decimal(value).quantize(_SCALE)


def _positive(session: AsyncSession, column: Any) -> Any:
    if dialect_name(session) == "sqlite":
        return cast(func.replace(column, ".", ""), Integer) > 0
    return column > 0


async def bot_figures(*, session: AsyncSession) -> dict[int, BotTradeFigures]:
    """Realised P&L, fees, counts and the current losing streak of every bot with trades.

    Two queries, both computed by the database (sums exactly, see ``exact_sum``): the totals
    per bot and status, and per bot the closed trades since its last winning one.
    """
    wins = func.sum(case((_positive(session, TradeRow.pnl), 1), else_=0))
    rows = await session.execute(
        select(
            TradeRow.bot_id,
            TradeRow.status,
            func.count(),
            exact_sum(session, TradeRow.pnl),
            exact_sum(session, TradeRow.fees),
            wins,
            func.max(TradeRow.closed_at),
        ).group_by(TradeRow.bot_id, TradeRow.status)
    )
    streaks = await _losing_streaks(session)
    tallies: dict[int, dict[str, Any]] = {}
    for bot_id, status, count, pnl, fees, won, last in rows.all():
        tally = tallies.setdefault(
            bot_id,
            {
                "pnl": Decimal(0),
                "fees": Decimal(0),
                "open": 0,
                "closed": 0,
                "wins": 0,
                "last": None,
            },
        )
        tally["fees"] += from_exact_sum(session, fees)
        if status == TradeStatus.CLOSED:
            tally.update(pnl=from_exact_sum(session, pnl), closed=int(count), wins=int(won or 0))
            tally["last"] = _utc(last)
        elif status == TradeStatus.OPEN:
            tally["open"] = int(count)
    return {
        bot_id: BotTradeFigures(
            realised_pnl=t["pnl"],
            fees=t["fees"],
            open_trades=t["open"],
            closed_trades=t["closed"],
            wins=t["wins"],
            losses=t["closed"] - t["wins"],
            losing_streak=streaks.get(bot_id, 0),
            last_closed_at=t["last"],
        )
        for bot_id, t in tallies.items()
    }


async def _losing_streaks(session: AsyncSession) -> dict[int, int]:
    # Closed trades after each bot's last winning close (all of them when it never won).
    last_win = (
        select(TradeRow.bot_id.label("bot_id"), func.max(TradeRow.closed_at).label("at"))
        .where(TradeRow.status == TradeStatus.CLOSED, _positive(session, TradeRow.pnl))
        .group_by(TradeRow.bot_id)
        .subquery()
    )
    rows = await session.execute(
        select(TradeRow.bot_id, func.count())
        .outerjoin(last_win, last_win.c.bot_id == TradeRow.bot_id)
        .where(
            TradeRow.status == TradeStatus.CLOSED,
            or_(last_win.c.at.is_(None), TradeRow.closed_at > last_win.c.at),
        )
        .group_by(TradeRow.bot_id)
    )
    return {bot_id: int(count) for bot_id, count in rows.all()}


def _utc(value: Any) -> datetime | None:
    # Aggregates bypass the column type: SQLite hands back text, PostgreSQL an aware datetime.
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)


async def reallocation_totals(*, session: AsyncSession) -> dict[tuple[int, str], Decimal]:
    """Capital moved out of (``"out"``) and into (``"in"``) each bot, by bot id."""
    rows = await session.execute(
        select(
            ReallocationRow.from_bot_id,
            ReallocationRow.to_bot_id,
            exact_sum(session, ReallocationRow.amount),
        ).group_by(ReallocationRow.from_bot_id, ReallocationRow.to_bot_id)
    )
    totals: dict[tuple[int, str], Decimal] = {}
    for giver, receiver, amount in rows.all():
        moved = from_exact_sum(session, amount)
        totals[(giver, "out")] = totals.get((giver, "out"), Decimal(0)) + moved
        totals[(receiver, "in")] = totals.get((receiver, "in"), Decimal(0)) + moved
    return totals


@dataclass(frozen=True, slots=True)
class MarkedPosition:
    """An open trade and the last stored close of its pair (None when none is stored)."""

    bot_id: int
    side: Side
    quantity: Decimal
    entry_price: Decimal
    fees: Decimal
    mark: Decimal | None

    @property
    def unrealised_pnl(self) -> Decimal | None:
        """What closing at the mark would make, net of the fees paid so far."""
        if self.mark is None:
            return None
        direction = 1 if self.side is Side.BUY else -1
        gross = (self.mark - self.entry_price) * self.quantity * direction
        return (gross - self.fees).quantize(Decimal("0.00000001"))


@dataclass(frozen=True, slots=True)
class TradedSeries:
    """The candles a runtime trades a venue's pair on, and how far it has gone through them."""

    venue: str
    """Where its trades are recorded (``paper``, or the live exchange)."""
    symbol: str
    source: str
    """The exchange the candles are stored under (``binance``, ``replay``)."""
    timeframe: str
    reached: datetime
    """Open time of the newest candle the runtime has stepped through (published to it)."""


async def open_positions_marked(
    *, session: AsyncSession, traded: Sequence[TradedSeries] = ()
) -> list[MarkedPosition]:
    """Every open trade, marked at the close of the newest candle the runtime has reached.

    A position of a series in ``traded`` (the order engine's checkpoints) is marked on that
    series at or before the candle the runtime reached: a replay stores its whole file before
    publishing it, and its newest stored close is a price the replay has not reached yet.
    Otherwise it is the close of its pair's newest stored candle (any timeframe), matched by
    symbol, not by row: a paper trade is recorded under the ``paper`` venue while the candles it
    traded on are stored under their source, so its own row never has candles. The trade's own
    venue's candles (a live trade's exchange) come first; otherwise the newest of the symbol's on
    any venue.
    """
    held = aliased(TradingPairRow)
    candle_pair = aliased(TradingPairRow)
    own_close = (
        select(OhlcvRow.close)
        .where(OhlcvRow.pair_id == TradeRow.pair_id)
        .order_by(OhlcvRow.time.desc())
        .limit(1)
        .correlate(TradeRow)
        .scalar_subquery()
    )
    symbol_close = (
        select(OhlcvRow.close)
        .join(candle_pair, OhlcvRow.pair_id == candle_pair.id)
        .where(candle_pair.symbol == held.symbol)
        .order_by(OhlcvRow.time.desc())
        .limit(1)
        .correlate(held)
        .scalar_subquery()
    )
    last_close = func.coalesce(own_close, symbol_close)
    rows = await session.execute(
        select(
            TradeRow.bot_id,
            TradeRow.side,
            TradeRow.quantity,
            TradeRow.entry_price,
            TradeRow.fees,
            last_close,
            held.exchange,
            held.symbol,
        )
        .join(held, TradeRow.pair_id == held.id)
        .where(TradeRow.status == TradeStatus.OPEN)
    )
    found = rows.all()
    furthest: dict[tuple[str, str], TradedSeries] = {}
    for series in traded:
        key = (series.venue, series.symbol)
        if key not in furthest or furthest[key].reached < series.reached:
            furthest[key] = series
    reached: dict[tuple[str, str], float | None] = {}
    for *_, exchange, symbol in found:
        key = (exchange, symbol)
        if key in furthest and key not in reached:
            reached[key] = await _close_reached(session, furthest[key])
    marked = []
    for bot_id, side, quantity, entry, fees, newest, exchange, symbol in found:
        close = reached.get((exchange, symbol), newest)
        marked.append(
            MarkedPosition(
                bot_id=bot_id,
                side=side,
                quantity=quantity,
                entry_price=entry,
                fees=fees,
                # candles are floats (indicator maths); repr gives the shortest exact decimal
                mark=None if close is None else Decimal(repr(float(close))),
            )
        )
    return marked


async def _close_reached(session: AsyncSession, series: TradedSeries) -> float | None:
    """Close of the series' newest candle at or before the one the runtime reached."""
    statement = (
        select(OhlcvRow.close)
        .join(TradingPairRow, OhlcvRow.pair_id == TradingPairRow.id)
        .where(
            TradingPairRow.exchange == series.source,
            TradingPairRow.symbol == series.symbol,
            OhlcvRow.timeframe == series.timeframe,
            OhlcvRow.time <= series.reached,
        )
        .order_by(OhlcvRow.time.desc())
        .limit(1)
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def closed_pnl_in_order(*, session: AsyncSession) -> list[Decimal]:
    """Net P&L of every closed trade of both bots, in the order they closed."""
    rows = await session.execute(
        select(TradeRow.pnl)
        .where(TradeRow.status == TradeStatus.CLOSED, TradeRow.pnl.is_not(None))
        .order_by(TradeRow.closed_at, TradeRow.id)
    )
    return [pnl for pnl in rows.scalars() if pnl is not None]


async def pair_figures(*, session: AsyncSession) -> dict[tuple[int, str], PairTradeFigures]:
    """Each bot's results per pair (``(bot id, symbol)``), summed exactly by the database.

    The open positions' amounts are few (one per bot and pair at most): they are summed in
    Python, exactly.
    """
    wins = func.sum(case((_positive(session, TradeRow.pnl), 1), else_=0))
    rows = await session.execute(
        select(
            TradeRow.bot_id,
            TradingPairRow.symbol,
            TradeRow.status,
            func.count(),
            exact_sum(session, TradeRow.pnl),
            exact_sum(session, TradeRow.fees),
            wins,
        )
        .join(TradingPairRow, TradeRow.pair_id == TradingPairRow.id)
        .group_by(TradeRow.bot_id, TradingPairRow.symbol, TradeRow.status)
    )
    held = await session.execute(
        select(TradeRow.bot_id, TradingPairRow.symbol, TradeRow.entry_price, TradeRow.quantity)
        .join(TradingPairRow, TradeRow.pair_id == TradingPairRow.id)
        .where(TradeRow.status == TradeStatus.OPEN)
    )
    tallies: dict[tuple[int, str], dict[str, Any]] = {}

    def tally(key: tuple[int, str]) -> dict[str, Any]:
        zero = Decimal(0)
        blank = {"pnl": zero, "fees": zero, "open": 0, "closed": 0, "wins": 0, "qty": zero}
        return tallies.setdefault(key, {**blank, "notional": zero})

    for bot_id, symbol, status, count, pnl, fees, won in rows.all():
        figures = tally((bot_id, symbol))
        figures["fees"] += from_exact_sum(session, fees)
        if status == TradeStatus.CLOSED:
            figures.update(pnl=from_exact_sum(session, pnl), closed=int(count), wins=int(won or 0))
        elif status == TradeStatus.OPEN:
            figures["open"] = int(count)
    for bot_id, symbol, price, quantity in held.all():
        figures = tally((bot_id, symbol))
        figures["qty"] += quantity
        figures["notional"] += price * quantity
    return {
        key: PairTradeFigures(
            realised_pnl=t["pnl"],
            fees=t["fees"],
            open_trades=t["open"],
            closed_trades=t["closed"],
            wins=t["wins"],
            open_quantity=t["qty"],
            open_notional=t["notional"],
        )
        for key, t in sorted(tallies.items())
    }
