"""The bots as one transaction sees them: read once, kept current by the writes made through it.

Settling a trade needed the bot's row (an ORM entity, locked), its risk state (a checkpoint), and
wrote its capital and its risk ratio in two statements; sizing an entry read the row, the risk
state and every bot's capital again. A batch of 50 exits read and wrote the same two rows 50
times. ``BotLedger.of(session)`` reads both bots with their risk states in one plain statement the
first time a transaction needs them (on PostgreSQL with the bots' rows locked, ``FOR UPDATE``, in
a fixed order, as the reallocation locks them), and every later read in that transaction is from
memory: the portfolio's own writes (``set_capital``, ``set_risk``, ``set_status``) go through the
ledger, which updates its copy as it writes the row.

A ledger belongs to one transaction of one session: a commit or a rollback ends it (the next use
reads again), so nothing is ever carried across transactions, where another process (the API)
may have changed a bot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import String, and_, bindparam, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from cryptotrader.config import TradingSettings
from cryptotrader.domain.bots import BotConfig
from cryptotrader.domain.enums import BotKind, BotStatus
from cryptotrader.engines.bot_config import EffectiveConfig, config_of
from cryptotrader.errors import OperationalError
from cryptotrader.persistence import deferred, driver
from cryptotrader.persistence.repositories import checkpoints
from cryptotrader.persistence.tables import Base, BotRow, EngineCheckpointRow, ReallocationRow
from cryptotrader.risk.reducer import RiskState

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

    @classmethod
    async def of(cls, session: AsyncSession, *, lock: bool = False) -> BotLedger:
        """The ledger of ``session``'s transaction, read on first use (``lock``: rows locked).

        Raises:
            OperationalError: a bot does not exist (the database was not initialised).
        """
        transaction = driver.transaction_key(session)
        cached = session.info.get(_KEY)
        if cached is not None and cached[0] == transaction and (cached[1].locked or not lock):
            ledger: BotLedger = cached[1]
            return ledger
        rows = await driver.rows(session, _READ_LOCKED if lock else _READ)
        bots = {}
        for kind, row_id, status, capital, ratio, raw, stored in rows:
            risk = RiskState() if stored is None else RiskState(**stored)
            config = config_of(kind, raw)
            bots[kind] = LedgerBot(kind, row_id, status, capital, ratio, config, risk)
        missing = [kind for kind in BotKind if kind not in bots]
        if missing:
            raise OperationalError(f"no {missing[0]} bot in the database: create the bots first")
        ledger = cls(session, bots, lock)
        session.info[_KEY] = (driver.transaction_key(session), ledger)
        return ledger

    @staticmethod
    def forget(session: AsyncSession) -> None:
        """Drop the ledger of ``session`` (a bot was written around it: read again)."""
        session.info.pop(_KEY, None)

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
            await driver.execute(self._session, _SET_CAPITAL, values)
        else:
            values = {"b_type": kind, "b_capital": capital, "b_ratio": ratio}
            await driver.execute(self._session, _SET_CAPITAL_AND_RATIO, values)

    async def _flush(self) -> None:
        """The bots changed inside a ``defer`` block, each written once, in the locks' order."""
        for bot in sorted(self.bots.values(), key=lambda b: b.kind):
            if bot.dirty:
                values = {"b_type": bot.kind, "b_capital": bot.capital, "b_ratio": bot.ratio}
                await deferred.write(
                    self._session, _SET_CAPITAL_AND_RATIO, values, phase=deferred.BOTS
                )
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

    async def set_status(self, kind: BotKind, status: BotStatus) -> None:
        """Write a bot's run state."""
        await self._session.execute(_SET_STATUS, {"b_type": kind, "b_status": status})
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
