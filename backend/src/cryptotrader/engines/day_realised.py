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

from sqlalchemy.ext.asyncio import AsyncSession

from cryptotrader.domain.enums import BotKind
from cryptotrader.persistence import deferred, driver
from cryptotrader.persistence.repositories import trades
from cryptotrader.persistence.uow import after_commit

_KEY = "cryptotrader.day_realised"

Sums = dict[BotKind, tuple[datetime, Decimal]]
"""Each bot's sum of the P&L of trades closed since a day's start: (the day's start, the sum)."""


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
        if found is not None and found[0] == day:
            return found[1]
        if deferred.deferring(session):  # this transaction's closes, before the read
            await deferred.flush(session)
        value = await trades.realised_since(session=session, bot=bot, since=day, bot_id=bot_id)
        if sums is not None:
            sums[bot] = (day, value)
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
        day, value = found
        sums[bot] = (day, value + booked_pnl if closed_at >= day else value)

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
