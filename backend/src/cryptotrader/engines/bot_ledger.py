"""The bots as one transaction sees them: read once, kept current by the writes made through it.

Settling a trade needed the bot's row (an ORM entity, locked), its risk state (a checkpoint), and
wrote its capital and its risk ratio in two statements; sizing an entry read the row, the risk
state and every bot's capital again. A batch of 50 exits read and wrote the same two rows 50
times. ``BotLedger.of(session)`` reads both bots with their risk states in one plain statement the
first time a transaction needs them (on PostgreSQL with the bots' rows locked, ``FOR UPDATE``, in
a fixed order, as the reallocation locks them), and every later read in that transaction is from
memory: the portfolio's own writes (``set_capital``, ``set_risk``, ``set_status``) go through the
ledger, which updates its copy as it writes the row.

A ledger belongs to one transaction of one session: a commit or a rollback ends it. The next
transaction reads the bots again, since another process (the API) or another piece of this one may
have changed a bot in between; except where the database itself can say that nothing changed.

**Kept across transactions, on the inline SQLite writer** (``Database(inline=True)``: a replay, a
process serving nothing else): the writers' one ``sqlite3`` connection watches the rows a ledger
holds. Temporary triggers (``temp`` schema: this connection's alone, never in the file) count every
row this connection inserts, updates or deletes in ``bots`` and in the risk states
(``engine_checkpoints``, engine ``portfolio``, keys ``risk:*``), in a temporary one-row table that
commits and rolls back with the writes it counts; ``PRAGMA data_version`` changes when any *other*
connection (another process, another ``Database`` on the file) commits. A ledger is the
database's state as of the count and data_version it was read at, plus its own writes: when its
transaction commits it is kept with (the count then + the rows it wrote, data_version), its
values normalised as a read would return them (capital and ratio through their columns'
rounding). The next transaction on that connection reads the count and data_version (one small
statement, under the write lock: after ``BEGIN IMMEDIATE``) and, if both are as kept, starts from
copies of the kept bots instead of reading. Anything else moves one of them: a bot or risk state
written by any other statement (in the ledger's own transaction too: the count then ends past the
kept one), another connection's commit; a rollback keeps nothing of its transaction (the count
goes back with it), and a new connection starts with nothing kept: all read again.
Elsewhere (PostgreSQL, aiosqlite's threaded connection, a reader) nothing is kept.
"""

from __future__ import annotations

import logging
import sqlite3
import weakref
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import String, and_, bindparam, insert, literal, select, update
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.ext.asyncio import AsyncSession

from cryptotrader.config import TradingSettings
from cryptotrader.domain.bots import BotConfig
from cryptotrader.domain.enums import BotKind, BotStatus
from cryptotrader.engines.bot_config import EffectiveConfig, config_of
from cryptotrader.errors import OperationalError
from cryptotrader.persistence import deferred, driver
from cryptotrader.persistence.database import WRITER_RAW
from cryptotrader.persistence.inline_sqlite import CountingConnection
from cryptotrader.persistence.repositories import checkpoints
from cryptotrader.persistence.repositories._sql import rowcount
from cryptotrader.persistence.tables import Base, BotRow, EngineCheckpointRow, ReallocationRow
from cryptotrader.persistence.types import ExactDecimal
from cryptotrader.persistence.uow import after_commit
from cryptotrader.risk.reducer import RiskState

log = logging.getLogger(__name__)

RISK_ENGINE = "portfolio"
"""``engine_checkpoints`` rows of the risk reducer's state, key ``risk:<bot>``."""

_BOTS = Base.metadata.tables[BotRow.__tablename__]
_CHECKPOINTS = Base.metadata.tables[EngineCheckpointRow.__tablename__]
_REALLOCATIONS = Base.metadata.tables[ReallocationRow.__tablename__]
_READ = (
    select(
        _BOTS.c.type,
        _BOTS.c.id,
        _BOTS.c.status,
        _BOTS.c.capital,
        _BOTS.c.current_risk_ratio,
        _BOTS.c.strategy_config,
        _CHECKPOINTS.c.value,
    )
    .select_from(
        _BOTS.outerjoin(
            _CHECKPOINTS,
            and_(
                _CHECKPOINTS.c.engine == RISK_ENGINE,
                _CHECKPOINTS.c.key == literal("risk:", String).concat(_BOTS.c.type),
            ),
        )
    )
    .order_by(_BOTS.c.type)
)
"""Each bot with its risk state (``risk:<bot>``, None before any): one statement, one round
trip to the database (its worker thread on SQLite) where two were."""
_READ_LOCKED = _READ.with_for_update(of=_BOTS)
_SET_CAPITAL = (
    update(_BOTS).where(_BOTS.c.type == bindparam("b_type")).values(capital=bindparam("b_capital"))
)
_SET_CAPITAL_AND_RATIO = (
    update(_BOTS)
    .where(_BOTS.c.type == bindparam("b_type"))
    .values(capital=bindparam("b_capital"), current_risk_ratio=bindparam("b_ratio"))
)
_SET_STATUS = (
    update(_BOTS).where(_BOTS.c.type == bindparam("b_type")).values(status=bindparam("b_status"))
)
_ADD_REALLOCATION = insert(_REALLOCATIONS)
_KEY = "cryptotrader.bot_ledger"


@dataclass(slots=True)
class LedgerBot:
    """One bot as its transaction sees it (``config``: as stored, defaults not filled in)."""

    kind: BotKind
    id: int
    status: BotStatus
    capital: Decimal
    ratio: Decimal
    """Its current risk ratio as stored (``bots.current_risk_ratio``)."""
    config: BotConfig
    risk: RiskState
    dirty: bool = False
    """Capital or ratio changed inside ``deferred.defer``: written once as the block ends."""
    effective: tuple[TradingSettings, EffectiveConfig] | None = None
    """Its configuration with the defaults of these settings (``PortfolioManager``'s), once."""
    risk_at: datetime | None = None
    """Risk state changed inside ``deferred.defer`` (at this time): written once as it ends."""


class BotLedger:
    """Both bots and their risk states in one transaction (see the module docstring)."""

    def __init__(self, session: AsyncSession, bots: dict[BotKind, LedgerBot], locked: bool):
        self._session = session
        self.bots = bots
        self.locked = locked
        self._watch: _Watch | None = None
        """Inline SQLite writer: what was seen when this ledger was read (kept at its commit)."""

    @classmethod
    async def of(cls, session: AsyncSession, *, lock: bool = False) -> BotLedger:
        """The ledger of ``session``'s transaction, read on first use (``lock``: rows locked).

        On the inline SQLite writer, the ledger a committed transaction kept when nothing has
        written the bots since (module docstring), else read.

        Raises:
            OperationalError: a bot does not exist (the database was not initialised).
        """
        transaction = driver.transaction_key(session)
        cached = session.info.get(_KEY)
        if cached is not None and cached[0] == transaction and (cached[1].locked or not lock):
            ledger: BotLedger = cached[1]
            return ledger
        raw = await _writer(session)
        seen = None if raw is None else _seen(raw)
        kept = None if raw is None else _KEPT.get(raw)
        base = None
        if seen is not None and kept is not None and kept.bots and kept.seen == seen:
            base = kept.bots
            ledger = cls(session, {kind: replace(bot) for kind, bot in base.items()}, True)
        else:
            ledger = cls(session, await _read(session, lock), lock or raw is not None)
        if raw is not None and seen is not None:
            ledger._watch = _Watch(raw, *seen, base=base)
            after_commit(session, ledger._keep)
        session.info[_KEY] = (driver.transaction_key(session), ledger)
        return ledger

    @staticmethod
    def forget(session: AsyncSession) -> None:
        """Drop the ledger of ``session`` (a bot was written around it: read again)."""
        cached = session.info.pop(_KEY, None)
        if cached is not None:
            cached[1]._watch = None  # its copy is not the database's any more: never kept

    def _writes(self, rows: int) -> None:
        """``rows`` of the watched ones written by this ledger (the count its commit expects)."""
        if self._watch is not None:
            self._watch.own += rows

    def _keep(self) -> None:
        """Committed: keep a copy of the bots, valid while the count is its own writes' end.

        Kept with the count its transaction would leave if only this ledger wrote the watched
        rows (as read, plus its own writes): another statement's write in the transaction moved
        the count past it, so the next transaction finds it different and reads. Not kept if a
        change of it was never written (a ``deferred`` block committed unflushed). A ledger
        taken from the kept one that wrote nothing leaves that one as it is.
        """
        watch, self._watch = self._watch, None
        if watch is None:
            return
        if any(bot.dirty or bot.risk_at is not None for bot in self.bots.values()):
            _KEPT[watch.raw] = _Kept(None, (-1, -1))  # watched (committed), nothing kept
            return
        if watch.own == 0 and watch.base is not None:
            return  # the kept one, unchanged
        bots = {kind: _as_read(bot) for kind, bot in self.bots.items()}
        _KEPT[watch.raw] = _Kept(bots, (watch.count + watch.own, watch.version))

    async def set_capital(
        self, kind: BotKind, capital: Decimal, *, ratio: Decimal | None = None
    ) -> None:
        """Write a bot's capital (and its current risk ratio, when given): one statement.

        Inside ``deferred.defer``: once for the whole block, with the last values.
        """
        bot = self.bots[kind]
        bot.capital = capital
        if ratio is not None:
            bot.ratio = ratio
        if deferred.deferring(self._session):
            bot.dirty = True
            deferred.before_flush(self._session, _KEY, self._flush)
        elif ratio is None:
            values = {"b_type": kind, "b_capital": capital}
            self._writes(await driver.execute(self._session, _SET_CAPITAL, values))
        else:
            values = {"b_type": kind, "b_capital": capital, "b_ratio": ratio}
            self._writes(await driver.execute(self._session, _SET_CAPITAL_AND_RATIO, values))

    async def _flush(self) -> None:
        """The bots changed inside a ``defer`` block, each written once, in the locks' order."""
        for bot in sorted(self.bots.values(), key=lambda b: b.kind):
            if bot.dirty:
                values = {"b_type": bot.kind, "b_capital": bot.capital, "b_ratio": bot.ratio}
                await deferred.write(
                    self._session, _SET_CAPITAL_AND_RATIO, values, phase=deferred.BOTS
                )
                self._writes(1)  # its row, written by this flush
                bot.dirty = False
            if bot.risk_at is not None:
                await self._save_risk(bot.kind, bot.risk, bot.risk_at)
                bot.risk_at = None

    async def set_risk(self, kind: BotKind, state: RiskState, at: datetime) -> None:
        """Write a bot's risk reducer state (its ratio goes with ``set_capital``).

        Inside ``deferred.defer``: once for the whole block, with the last state (a batch of
        exits settled together moved it at every trade: one checkpoint row each).
        """
        self.bots[kind].risk = state
        if deferred.deferring(self._session):
            self.bots[kind].risk_at = at
            deferred.before_flush(self._session, _KEY, self._flush)
            return
        await self._save_risk(kind, state, at)

    async def _save_risk(self, kind: BotKind, state: RiskState, at: datetime) -> None:
        value = {
            "level": state.level,
            "losses": state.losses,
            "wins": state.wins,
            "paused": state.paused,
        }
        await checkpoints.save_checkpoint(
            session=self._session, engine=RISK_ENGINE, key=f"risk:{kind}", value=value, at=at
        )
        self._writes(1)  # one upsert: the row inserted or updated

    async def set_status(self, kind: BotKind, status: BotStatus) -> None:
        """Write a bot's run state."""
        result = await self._session.execute(_SET_STATUS, {"b_type": kind, "b_status": status})
        self._writes(rowcount(result))
        self.bots[kind].status = status

    async def reallocate(  # noqa: PLR0917 - a reallocation's fields
        self,
        giver: BotKind,
        receiver: BotKind,
        amount: Decimal,
        ratio: Decimal,
        trigger_trade_id: int | None,
        at: datetime,
    ) -> None:
        """Move ``amount`` of capital between bots and record it with its trigger trade.

        Raises:
            OperationalError: the amount is not positive or exceeds the giving bot's capital.
            sqlalchemy.exc.IntegrityError: this trigger trade was already reallocated.
        """
        if amount <= 0:
            raise OperationalError(f"reallocation amount must be positive, got {amount}")
        source, target = self.bots[giver], self.bots[receiver]
        if source.capital < amount:
            raise OperationalError(
                f"cannot move {amount} from the {giver} bot: its capital is {source.capital}"
            )
        record: dict[str, Any] = {
            "from_bot_id": source.id,
            "to_bot_id": target.id,
            "amount": amount,
            "trigger_trade_id": trigger_trade_id,
            "ratio_applied": ratio,
            "created_at": at,
        }
        await deferred.write(self._session, _ADD_REALLOCATION, record, phase=deferred.REALLOCATIONS)
        if deferred.deferring(self._session):
            await self.set_capital(giver, source.capital - amount)
            await self.set_capital(receiver, target.capital + amount)
            return
        source.capital, target.capital = source.capital - amount, target.capital + amount
        moved = sorted((source, target), key=lambda bot: bot.kind)  # the locks' order
        await self._session.execute(
            _SET_CAPITAL, [{"b_type": bot.kind, "b_capital": bot.capital} for bot in moved]
        )
        self._writes(len(moved))  # one row each


# --- kept across transactions on the inline SQLite writer (module docstring) ---------------------

_COUNT_ONE = "UPDATE cryptotrader_ledger_writes SET n = n + 1"
_RISK_ROW = "{row}.engine = 'portfolio' AND substr({row}.key, 1, 5) = 'risk:'"
_WATCH_SQL = (
    "CREATE TEMP TABLE IF NOT EXISTS cryptotrader_ledger_writes (n INTEGER NOT NULL)",
    "INSERT INTO temp.cryptotrader_ledger_writes SELECT 0 "
    "WHERE NOT EXISTS (SELECT 1 FROM temp.cryptotrader_ledger_writes)",
    *(
        f"CREATE TEMP TRIGGER IF NOT EXISTS cryptotrader_ledger_bots_{event.lower()} "
        f"AFTER {event} ON main.bots BEGIN {_COUNT_ONE}; END"
        for event in ("INSERT", "UPDATE", "DELETE")
    ),
    *(
        f"CREATE TEMP TRIGGER IF NOT EXISTS cryptotrader_ledger_risk_{event.lower()} "
        f"AFTER {event} ON main.engine_checkpoints WHEN {when} BEGIN {_COUNT_ONE}; END"
        for event, when in (
            ("INSERT", _RISK_ROW.format(row="NEW")),
            ("UPDATE", f"({_RISK_ROW.format(row='NEW')}) OR ({_RISK_ROW.format(row='OLD')})"),
            ("DELETE", _RISK_ROW.format(row="OLD")),
        )
    ),
)
"""The watch on the writers' connection: a temporary table counting, with temporary triggers,
every row it writes in ``bots`` and in the risk states (``engine_checkpoints``, ``portfolio``,
``risk:*``). Temporary: this connection's alone, never in the database file."""
assert _BOTS.name == "bots"
assert _CHECKPOINTS.name == "engine_checkpoints"
assert RISK_ENGINE == "portfolio"
_SEEN = (
    "SELECT n, (SELECT data_version FROM pragma_data_version) FROM temp.cryptotrader_ledger_writes"
)


@dataclass(slots=True)
class _Watch:
    raw: CountingConnection
    count: int
    """The count of watched writes when the ledger was read (or taken from the kept one)."""
    version: int
    """The connection's ``data_version`` then (in the transaction: no other commit since)."""
    base: dict[BotKind, LedgerBot] | None = None
    """The kept bots the ledger was copied from (None: read)."""
    own: int = 0
    """The watched rows the ledger wrote since."""


@dataclass(frozen=True, slots=True)
class _Kept:
    bots: dict[BotKind, LedgerBot] | None
    """None: the connection is watched (set up and committed), nothing kept."""
    seen: tuple[int, int]
    """(count of watched writes, ``data_version``) when it was kept."""


_KEPT: weakref.WeakKeyDictionary[CountingConnection, _Kept] = weakref.WeakKeyDictionary()
"""By writers' connection (a new one, after a failed rollback, starts with nothing kept)."""


async def _writer(session: AsyncSession) -> CountingConnection | None:
    """The inline SQLite writers' connection of ``session``'s transaction (begun), else None."""
    writer = session.info.get(WRITER_RAW)
    if not isinstance(writer, CountingConnection):
        return None
    raw = await driver.connection(session)
    return writer if raw is writer else None


def _seen(raw: CountingConnection) -> tuple[int, int] | None:
    """(count of watched writes, ``data_version``) now; the watch set up on first use.

    None when SQLite refused (nothing kept then). Inside the writer's transaction (begun: the
    write lock held), so no other connection can commit before this one does. Set up in it
    (``CREATE TEMP ... IF NOT EXISTS``) until a transaction that did so commits (``_KEPT``):
    rolled back, the temporary table and triggers go with it.
    """
    try:
        if raw not in _KEPT:
            for sql in _WATCH_SQL:
                raw.execute(sql)
        count, version = raw.execute(_SEEN).fetchone()
    except sqlite3.Error:
        log.warning("bot ledger: cannot watch the writers' connection; read every time")
        return None
    return int(count), int(version)


async def _read(session: AsyncSession, lock: bool) -> dict[BotKind, LedgerBot]:
    rows = await driver.rows(session, _READ_LOCKED if lock else _READ)
    bots = {}
    for kind, row_id, status, capital, ratio, raw, stored in rows:
        risk = RiskState() if stored is None else RiskState(**stored)
        config = config_of(kind, raw)
        bots[kind] = LedgerBot(kind, row_id, status, capital, ratio, config, risk)
    missing = [kind for kind in BotKind if kind not in bots]
    if missing:
        raise OperationalError(f"no {missing[0]} bot in the database: create the bots first")
    return bots


def _as_read(bot: LedgerBot) -> LedgerBot:
    """A copy of ``bot`` with the values a read of its row would give (its columns' rounding).

    Its configuration is as read (a ledger never writes it); its risk state is the one it wrote
    (plain integers and a flag: the same after the JSON's round trip).
    """
    capital, ratio = _stored(_CAPITAL, bot.capital), _stored(_RATIO, bot.ratio)
    return replace(bot, capital=capital, ratio=ratio, dirty=False, risk_at=None)


_CAPITAL = cast(ExactDecimal, _BOTS.c.capital.type)
_RATIO = cast(ExactDecimal, _BOTS.c.current_risk_ratio.type)
_SQLITE = sqlite_dialect.dialect()


def _stored(column: ExactDecimal, value: Decimal) -> Decimal:
    """``value`` as SQLite stores and gives it back (rounded to the column's places).

    A finite ``Decimal`` with exactly those places already is (the text of its digits, read
    back and quantized to the same places: the same digits, exponent and sign).
    """
    if type(value) is Decimal and value.is_finite() and value.as_tuple().exponent == -column.scale:
        return value
    stored = column.process_result_value(column.process_bind_param(value, _SQLITE), _SQLITE)
    assert stored is not None
    return stored
