"""Each bot's P&L of the day so far, read once rather than at every candle time's entries.

The daily loss limit needs a bot's net P&L of the trades closed since the UTC day began
(``trades.realised_since``). Read at every entry batch, that read grew with the day's trades: in
a replay of 50 pairs of 1m with a trade on almost every candle, ~8 ms of CPU per candle time after
300 of them (docs/BENCHMARKS.md, issue 15, fifth pass), and a live day has 1,440 candle times.

Every trade is closed by the order engine (one per database: its writer lease) and settled
through ``PortfolioManager.settle``, which tells this (``settled``): after one read, a bot's sum
follows by the P&L settled, as the column stores it (``booked``, 1e-8) and only for a trade closed
at or after the day's start, as the query counts it. Only what was committed is kept across
transactions: a transaction that settles takes the bot's sum out and puts it back, grown, when
it commits (``after_commit``); rolled back, or committed another way, the sum is absent and read
again at the next entry, never stale. Inside a transaction the sums are that transaction's
(what it read, grown by what it settled since), so entries decided after the sales of their
candle time, in the sales' transaction, count them as the read after a flush did.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from cryptotrader.domain.enums import BotKind, TradeStatus
from cryptotrader.persistence import deferred, driver
from cryptotrader.persistence.tables import Base, TradeRow
from cryptotrader.persistence.uow import after_commit

_KEY = "cryptotrader.day_realised"
_TRADES = Base.metadata.tables[TradeRow.__tablename__]
_REALISED = select(_TRADES.c.pnl, _TRADES.c.closed_at).where(
    _TRADES.c.bot_id == bindparam("b_bot_id"),
    _TRADES.c.status == bindparam("b_status"),
    _TRADES.c.closed_at >= bindparam("b_since"),
)
"""``trades.realised_since``'s query with each trade's close (the sum's ``latest``)."""

Sums = dict[BotKind, tuple[datetime, Decimal, datetime | None]]
"""Each bot's sum of the P&L of trades closed since a day's start: (the day's start, the sum,
the latest close it counted, None when none)."""


class DayRealised:
    """The bots' realised P&L since a day's start, read once and kept by the settlements.

    Example:
        realised = DayRealised()
        today = await realised.since(session, BotKind.SAFE, day, bot_id)
        realised.settled(session, trade.bot, booked(pnl), trade.exit_time)  # in its transaction
    """

    def __init__(self) -> None:
        self._committed: Sums = {}

    async def since(
        self, session: AsyncSession, bot: BotKind, day: datetime, bot_id: int
    ) -> Decimal:
        """The bot's net P&L of trades closed at or after ``day``, in ``session``'s transaction."""
        sums = self._open(session)
        found = sums.get(bot) if sums is not None else None
        if found is None:
            found = self._committed.get(bot)
        if found is not None:
            start, value, latest = found
            if start == day:
                return value
            if start < day and (latest is None or latest < day):  # nothing closed since `day`
                if sums is not None:
                    sums[bot] = (day, Decimal(0), None)
                return Decimal(0)
        if deferred.deferring(session):  # this transaction's closes, before the read
            await deferred.flush(session)
        params = {"b_bot_id": bot_id, "b_status": TradeStatus.CLOSED, "b_since": day}
        found_rows = await driver.rows(session, _REALISED, params)
        value = sum((pnl for pnl, _ in found_rows if pnl is not None), Decimal(0))
        latest = max((closed for _, closed in found_rows), default=None)
        if sums is not None:
            sums[bot] = (day, value, latest)
        return value

    def settled(
        self, session: AsyncSession, bot: BotKind, booked_pnl: Decimal, closed_at: datetime
    ) -> None:
        """A trade of ``bot`` closed in ``session``'s transaction with this booked P&L."""
        known = self._committed.pop(
            bot, None
        )  # forgotten before the write: absent if not committed
        sums = self._open(session)
        if sums is None:
            return
        found = sums.get(bot, known)
        if found is None:
            return
        day, value, latest = found
        if closed_at >= day:
            latest = closed_at if latest is None else max(latest, closed_at)
            sums[bot] = (day, value + booked_pnl, latest)
        else:
            sums[bot] = found

    def _open(self, session: AsyncSession) -> Sums | None:
        """The sums of ``session``'s transaction (None outside one: nothing kept)."""
        key = driver.transaction_key(session)
        if key is None:
            return None
        found = session.info.get(_KEY)
        if found is not None and found[0] is self and found[1] == key:
            sums: Sums = found[2]
            return sums
        sums = {}
        session.info[_KEY] = (self, key, sums)
        after_commit(session, lambda: self._committed.update(sums))
        return sums
