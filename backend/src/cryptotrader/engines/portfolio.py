"""PortfolioManager: the two bots' capital, risk state and run state, in the database.

It sizes entries from the bot's capital, the signal's confidence and its current risk ratio
(``risk.sizing``), and settles every closed trade with the rules the portfolio backtest uses
(``risk.allocation.settle_trade``): capital moves by the net P&L (``booked``: money, to 1e-8),
the ``RiskReducer`` state moves
(persisted: ``bots.current_risk_ratio`` and the streaks), and a winning aggressive trade gives
``ratio x profit`` to the safe bot, recorded with its trigger trade. It also applies the bot
control commands (start, stop, pause, resume) the API sends on ``commands``.

Why settlement runs inside the order engine's transaction rather than as a separate consumer
of ``orders``: the next entry must be sized on the capital after every earlier fill (a
reallocation at an open is in the safe bot's capital before it sizes its entry at that same
open, as in the backtest); an asynchronous consumer would size on stale capital. The methods
that change state therefore take the caller's session and return the events, which the caller
writes in that transaction (the outbox). Those that own their transaction (bot control, changes
applied) write theirs in it when the manager has the runtime's ``outbox``, and return nothing to
publish; without one (a tool, a test) they return the events for the caller to publish.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from cryptotrader.bus import topics
from cryptotrader.bus.messages import (
    AlertRaised,
    BotPairsChanged,
    BotReconfigured,
    BusMessage,
    CapitalReallocated,
    Severity,
)
from cryptotrader.clock import Clock
from cryptotrader.config import BotSettings, TradingSettings
from cryptotrader.domain.bots import REQUESTED_STATUS, BotAction, requested_status_key
from cryptotrader.domain.enums import BotKind, BotStatus, RiskLevel
from cryptotrader.domain.markets import MarketRules
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.trades import Trade
from cryptotrader.domain.values import utc_from_ms
from cryptotrader.engines.bot_config import EffectiveConfig, effective_config, stored_config
from cryptotrader.engines.bot_ledger import RISK_ENGINE, BotLedger, LedgerBot
from cryptotrader.engines.day_realised import DayRealised
from cryptotrader.outbox import Outbox
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.repositories import audit, bots, checkpoints, inbox, settings
from cryptotrader.persistence.tables import BotRow
from cryptotrader.persistence.uow import UnitOfWork
from cryptotrader.risk.allocation import (
    MONEY_STEP,
    Settlement,
    check_ratio,
    current_risk_ratio,
    settle_trade,
)
from cryptotrader.risk.limits import OpenPosition, free_capital
from cryptotrader.risk.reducer import RiskReducer, RiskState
from cryptotrader.risk.sizing import PositionSize, size_position

log = logging.getLogger(__name__)

Event = tuple[str, BusMessage]
"""A message to publish on a channel once the transaction that caused it has committed."""

_ENGINE = RISK_ENGINE
_RISK_LEVEL = {BotKind.SAFE: RiskLevel.LOW, BotKind.AGGRESSIVE: RiskLevel.MAX}


@dataclass(frozen=True, slots=True)
class BotTerms:
    """The terms one bot trades on now, read in one transaction.

    Its run state, capital and current risk (for sizing and the risk manager), its strategy and
    its stop-loss / take-profit.

    Not the bot as people see it (``services.bots.BotView``): nothing here is for display.
    """

    kind: BotKind
    status: BotStatus
    capital: Decimal
    base_risk: Decimal
    risk: RiskState
    strategy: str
    params: dict[str, Any]
    stop_loss: Decimal
    take_profit: Decimal

    @property
    def risk_ratio(self) -> Decimal:
        """The ratio entries are sized with now."""
        return current_risk_ratio(self.base_risk, self.risk)


class PortfolioManager:
    """Owns the bots' capital, risk and run state.

    Args:
        database: where the bots live.
        clock: timestamps of records and events.
        trading: the bots' defaults and the reallocation ratio.
        reducer: the risk reduction rules.
        outbox: where the events of the transactions it owns are written (the runtime's).

    Example:
        portfolio = PortfolioManager(database=db, clock=clock, trading=settings.trading,
                                     reducer=RiskReducer())
        await portfolio.ensure_bots()
    """

    def __init__(
        self,
        *,
        database: Database,
        clock: Clock,
        trading: TradingSettings,
        reducer: RiskReducer,
        outbox: Outbox | None = None,
    ) -> None:
        self._database = database
        self.outbox = outbox
        self._clock = clock
        self.trading = trading
        self.reducer = reducer
        self.ratio = check_ratio(trading.reallocation_ratio)
        self.day_realised = DayRealised()
        """The bots' P&L of the day, kept by ``settle`` (the daily loss limit reads it)."""

    # --- bots --------------------------------------------------------------------------------

    async def ensure_bots(self) -> None:
        """Create the two bots on first run; start them unless a person paused or stopped them.

        Engines started together (one process each) may race to create them: the loser of the
        race finds them created and goes on.
        """
        try:
            await self._ensure_bots()
        except IntegrityError:
            await self._ensure_bots()

    async def _ensure_bots(self) -> None:
        async with UnitOfWork(self._database) as uow:
            for kind in BotKind:
                row = await bots.get_bot(session=uow.session, kind=kind)
                if row is None:
                    defaults = self._defaults(kind)
                    row = await bots.create_bot(
                        session=uow.session,
                        name=kind.value,
                        kind=kind,
                        capital=defaults.capital,
                        risk_level=_RISK_LEVEL[kind],
                        risk_ratio=defaults.risk_ratio,
                    )
                requested = await settings.get_setting(
                    session=uow.session, key=requested_status_key(kind)
                )
                status = _requested_status(requested, row.status)
                await bots.set_status(session=uow.session, kind=kind, status=status)
            await uow.commit()

    async def terms(self, kind: BotKind, *, session: AsyncSession) -> BotTerms:
        """The bot's terms as they stand in ``session``'s transaction."""
        bot = (await BotLedger.of(session)).bots[kind]
        config = self._effective(bot)
        return BotTerms(
            kind=kind,
            status=bot.status,
            capital=bot.capital,
            base_risk=config.risk_ratio,
            risk=bot.risk,
            strategy=config.strategy,
            params=config.params,
            stop_loss=config.stop_loss,
            take_profit=config.take_profit,
        )

    async def capitals(self, *, session: AsyncSession) -> dict[BotKind, Decimal]:
        """Every bot's capital in ``session``'s transaction (the pair limit is on their sum)."""
        return {kind: bot.capital for kind, bot in (await BotLedger.of(session)).bots.items()}

    def size_entry(
        self,
        bot: BotTerms,
        *,
        confidence: float,
        entry: Decimal,
        stop_loss: Decimal,
        rules: MarketRules,
        fee_rate: Decimal,
        book: Iterable[OpenPosition] = (),
    ) -> PositionSize:
        """Risk-based quantity: capital x current risk x confidence / (entry - stop).

        Capped by the bot's free capital: its capital less what its open positions (``book``,
        on other pairs) cost; with none open, the capital.
        """
        return size_position(
            capital=bot.capital,
            risk_ratio=bot.risk_ratio,
            confidence=Decimal(repr(confidence)),
            entry=entry,
            stop_loss=stop_loss,
            available=free_capital(book, bot=bot.kind, capital=bot.capital, fee_rate=fee_rate),
            rules=rules,
            fee_rate=fee_rate,
        )

    # --- settlement --------------------------------------------------------------------------

    async def settle(
        self, *, session: AsyncSession, trade_id: int, trade: Trade, at: datetime
    ) -> list[Event]:
        """Apply a closed trade to its bot in ``session``; the events to publish after commit.

        The bots are read (locked) once per transaction (``BotLedger``): a batch of exits
        settled in one transaction reads them once, and each settlement writes its bot's
        capital and risk ratio in one statement.
        """
        pnl = trade.pnl
        assert pnl is not None, "settle a closed trade"
        ledger = await BotLedger.of(session, lock=True)
        bot = ledger.bots[trade.bot]
        config = self._effective(bot)
        before = bot.risk
        settled = settle_trade(
            kind=trade.bot,
            capital=bot.capital,
            state=before,
            pnl=pnl,
            reducer=self.reducer,
            ratio=self.ratio,
        )
        changed = settled.state != before
        ratio = current_risk_ratio(config.risk_ratio, settled.state) if changed else None
        await ledger.set_capital(trade.bot, bot.capital + booked(pnl), ratio=ratio)
        assert trade.exit_time is not None, "a closed trade has its exit time"
        self.day_realised.settled(session, trade.bot, booked(pnl), trade.exit_time)
        events: list[Event] = []
        if changed:
            events += await self._store_risk(ledger, trade.bot, config.risk_ratio, settled, at)
        if settled.reallocation > 0:
            events += await self._reallocate(
                ledger, trade_id, pnl, settled.reallocation, at, pair=trade.pair
            )
        return events

    def _effective(self, bot: LedgerBot) -> EffectiveConfig:
        """The bot's effective configuration, worked out once per transaction (its ledger).

        A batch of exits settled together needs it at every trade (the risk ratio); the stored
        configuration does not change inside a transaction.
        """
        found = bot.effective
        if found is None or found[0] is not self.trading:
            found = bot.effective = (
                self.trading,
                effective_config(bot.config, bot.kind, self.trading),
            )
        return found[1]

    async def _reallocate(
        self,
        ledger: BotLedger,
        trade_id: int,
        profit: Decimal,
        amount: Decimal,
        at: datetime,
        *,
        pair: Pair,
    ) -> list[Event]:
        await ledger.reallocate(BotKind.AGGRESSIVE, BotKind.SAFE, amount, self.ratio, trade_id, at)
        moved = CapitalReallocated(
            timestamp=at,
            from_bot=BotKind.AGGRESSIVE,
            to_bot=BotKind.SAFE,
            amount=amount,
            ratio=self.ratio,
            profit=profit,
            trigger_trade_id=trade_id,
            pair=pair,
        )
        alert = AlertRaised(
            timestamp=at,
            kind="reallocation",
            pair=pair,
            text=f"{amount} moved from the aggressive to the safe bot ({self.ratio:.0%} of "
            f"{profit:.2f} profit, trade {trade_id})",
            bot=BotKind.SAFE,
            details={"amount": str(amount), "trigger_trade_id": str(trade_id)},
        )
        return [(topics.REBALANCE, moved), (topics.ALERTS, alert)]

    async def _store_risk(
        self,
        ledger: BotLedger,
        kind: BotKind,
        base: Decimal,
        settled: Settlement,
        at: datetime,
    ) -> list[Event]:
        """The risk state moved (its ratio is written with the capital): stored, and said."""
        state = settled.state
        await ledger.set_risk(kind, state, at)
        change = settled.change
        if change is None:
            return []
        events: list[Event] = []
        if state.paused:
            await ledger.set_status(kind, BotStatus.PAUSED)
            cause = {"cause": change.reason, "losses": str(state.losses)}
            breaker = _alert(at, "circuit_breaker", kind, change.reason, "critical", details=cause)
            events.append((topics.ALERTS, breaker))
        reduced = change.after < change.before
        text = (
            f"{kind} bot risk {'reduced' if reduced else 'restored'}: "
            f"{base * change.before} -> {base * change.after} ({change.reason})"
        )
        kind_name = "risk_reduced" if reduced else "risk_restored"
        figures = {
            "reason": change.reason,
            "old_risk": str(base * change.before),
            "new_risk": str(base * change.after),
            "level": str(state.level),
            "losses": str(state.losses),
            "wins": str(state.wins),
        }
        alert = _alert(at, kind_name, kind, text, "warning", details=figures)
        events.append((topics.ALERTS, alert))
        return events

    # --- control -----------------------------------------------------------------------------

    async def control(
        self, kind: BotKind, action: BotAction, *, by: str, message_id: str | None = None
    ) -> list[Event]:
        """Apply a start, stop, pause or resume; returns the events to publish.

        ``message_id``: the command's, claimed in the inbox (consumer ``control``) with the
        change: a copy (the outbox sends its rows again after Redis restarted empty) changes
        nothing; a resume sent again must not undo a pause the engine made since.
        """
        at = self._clock.now()
        async with UnitOfWork(self._database) as uow:
            session = uow.session
            if message_id is not None and not await inbox.claim_message(
                session=session, consumer="control", message_id=message_id, at=datetime.now(UTC)
            ):
                log.info("bot command %s applied already: dropped", message_id)
                return []
            BotLedger.forget(session)  # written below through the ORM row
            row = await bots.require_bot(session=session, kind=kind, lock=True)
            before = row.status
            after = REQUESTED_STATUS[action]
            await bots.set_status(session=session, kind=kind, status=after)
            if action in ("resume", "start"):
                await self._resume_risk(session, row, at)
            await audit.append_audit(
                session=session,
                at=at,
                actor=by[:64],
                action=f"bot.{action}.applied",
                target=f"bot:{kind}",
                details={"before": before.value, "after": after.value},
            )
            text = f"{kind} bot {after} ({action} by {by})"
            severity: Severity = "warning" if after is BotStatus.PAUSED else "info"
            kind_name = "bot_paused" if after is BotStatus.PAUSED else f"bot_{after}"
            alert = _alert(at, kind_name, kind, text, severity)
            events = await self._written(session, [(topics.ALERTS, alert)])
            await uow.commit()
        return events

    async def _written(self, session: AsyncSession, events: list[Event]) -> list[Event]:
        """Write ``events`` in ``session`` when there is an outbox; what is left to publish."""
        if self.outbox is None:
            return events
        await self.outbox.add(session, events)
        return []

    async def settings_applied(
        self,
        change: BotReconfigured,
        *,
        candle_ms: int,
        by: str = "runtime",
        worker: str | None = None,
    ) -> list[Event]:
        """Record that a running engine decides with ``change`` from the candle ``candle_ms`` on.

        The audit row (``bot.settings.applied``) and the ``bot_settings_applied`` alert say
        when the change asked at ``change.timestamp`` took effect. ``worker``: the indicator
        worker that applied it; each of several workers applies every change to its own pairs
        (and records that it did), the first one announces it.
        """
        return await self._applied(
            change,
            "settings",
            f"decides with {change.strategy}",
            recorded={"strategy": change.strategy, "params": change.params},
            shown={"strategy": change.strategy},
            candle_ms=candle_ms,
            by=by,
            worker=worker,
        )

    async def pairs_applied(
        self,
        change: BotPairsChanged,
        *,
        candle_ms: int,
        pairs: tuple[str, ...] | None,
        untraded: tuple[str, ...] = (),
        by: str = "runtime",
    ) -> list[Event]:
        """Record that a running order engine opens on ``pairs`` from the candle ``candle_ms`` on.

        ``pairs`` None: every pair it trades. ``untraded``: chosen pairs the runtime has no
        candles for (a replay trades only the pairs of its files), named in the alert. The audit
        row (``bot.pairs.applied``) and the ``bot_pairs_applied`` alert say when the change asked
        at ``change.timestamp`` took effect.
        """
        listed = "every active pair" if pairs is None else ", ".join(pairs)
        shown = {"pairs": listed}
        note = ""
        if untraded:
            shown["untraded"] = ", ".join(untraded)
            note = (
                f"; no candles for {', '.join(untraded)} in this runtime (a replay trades only "
                "the pairs of its files)"
            )
        return await self._applied(
            change,
            "pairs",
            f"opens positions on {listed}",
            recorded={"pairs": None if pairs is None else list(pairs), "untraded": list(untraded)},
            shown=shown,
            candle_ms=candle_ms,
            by=by,
            note=note,
            severity="warning" if untraded else "info",
        )

    async def applied_already(
        self, change: BotReconfigured | BotPairsChanged, worker: str | None = None
    ) -> bool:
        """True when ``change`` was applied (its ``*_applied`` alert written) already.

        The outbox sends a command again after Redis restarted empty: the engines drop a copy
        of one applied (``_applied`` claims its ``message_id`` in the inbox, consumer
        ``bot.settings`` or ``bot.pairs``, with the audit row and the alert). ``worker``: was
        it applied by that indicator worker (consumer ``bot.settings@<worker>``); another
        worker applying it first does not make it this one's.
        """
        what = "settings" if isinstance(change, BotReconfigured) else "pairs"
        async with UnitOfWork(self._database, read_only=True) as uow:
            return await inbox.is_processed(
                session=uow.session,
                consumer=_applied_by(what, worker),
                message_id=change.message_id,
            )

    async def _applied(
        self,
        change: BotReconfigured | BotPairsChanged,
        what: str,
        does: str,
        *,
        recorded: dict[str, Any],
        shown: dict[str, str],
        candle_ms: int,
        by: str,
        note: str = "",
        severity: Severity = "info",
        worker: str | None = None,
    ) -> list[Event]:
        """A bot's change (``what``: settings, pairs) in effect from the candle ``candle_ms`` on.

        One audit row ``bot.{what}.applied`` (``recorded`` and when it was asked) and one
        ``bot_{what}_applied`` alert ("the bot {does} from the candle of ..."), once per
        ``change.message_id`` (claimed in the inbox with them: a copy sent again writes nothing).
        """
        at = self._clock.now()
        candle = utc_from_ms(candle_ms)
        asked = {
            "requested_by": change.requested_by,
            "requested_at": change.timestamp.isoformat(),
            "from_candle": candle.isoformat(),
        }
        text = (
            f"{change.bot} bot {does} from the candle of {candle:%Y-%m-%d %H:%M} UTC on "
            f"(asked by {change.requested_by}){note}"
        )
        details = {
            **shown,
            "from_candle": asked["from_candle"],
            "requested_at": asked["requested_at"],
        }
        alert = _alert(at, f"bot_{what}_applied", change.bot, text, severity, details=details)
        async with UnitOfWork(self._database) as uow:
            if worker is not None:  # this worker's pairs decide with it now
                await inbox.claim_message(
                    session=uow.session,
                    consumer=_applied_by(what, worker),
                    message_id=change.message_id,
                    at=datetime.now(UTC),
                )
            if not await inbox.claim_message(
                session=uow.session,
                consumer=f"bot.{what}",
                message_id=change.message_id,
                at=datetime.now(UTC),
            ):
                log.info("bot %s change %s applied already: dropped", what, change.message_id)
                await uow.commit()  # the worker's own claim
                return []
            await audit.append_audit(
                session=uow.session,
                at=at,
                actor=by[:64],
                action=f"bot.{what}.applied",
                target=f"bot:{change.bot}",
                details={**recorded, **asked},
            )
            events = await self._written(uow.session, [(topics.ALERTS, alert)])
            await uow.commit()
        return events

    async def entries_changed(
        self,
        *,
        opened: tuple[str, ...],
        closed: tuple[str, ...],
        untraded: tuple[str, ...],
        traded: tuple[str, ...],
        replay: bool,
        candle_ms: int,
        follows: bool = False,
    ) -> list[Event]:
        """Record that pairs opened or closed to entries from the candle ``candle_ms`` on.

        ``opened``/``closed``: activated or deactivated through ``/config/pairs`` (a closed pair
        opens nothing new; its open position keeps its protection until it closes), or fed
        from this candle on. ``untraded``: active pairs this runtime has no candles for yet
        (``follows``: a live run following ``/config/pairs`` is adding them). One audit row
        (``pairs.applied``) and one ``pairs_applied`` alert.
        """
        at = self._clock.now()
        candle = utc_from_ms(candle_ms)
        parts = []
        if opened:
            parts.append(f"{', '.join(opened)} open positions")
        if closed:
            parts.append(
                f"{', '.join(closed)} open nothing new (open positions keep their protection)"
            )
        text = f"from the candle of {candle:%Y-%m-%d %H:%M} UTC on: " + "; ".join(parts)
        if not parts:
            text = "pairs of /config/pairs"
        if untraded:
            if replay:
                why = f"a replay trades only the pairs of its files ({', '.join(traded)})"
            elif follows:
                why = (
                    "each opens positions from its first candle once the market data feeds it "
                    "(a pair_refused alert says why it cannot)"
                )
            else:
                why = (
                    f"this runtime trades only the pairs given with --pair ({', '.join(traded)});"
                    " run it without --pair to follow /config/pairs"
                )
            text += f"; no candles for {', '.join(untraded)}: {why}"
        details = {"from_candle": candle.isoformat()}
        for name, listed in (("opened", opened), ("closed", closed), ("untraded", untraded)):
            if listed:
                details[name] = ", ".join(listed)
        alert = AlertRaised(
            timestamp=at,
            kind="pairs_applied",
            severity="warning" if untraded and not follows else "info",
            text=text,
            details=details,
        )
        async with UnitOfWork(self._database) as uow:
            await audit.append_audit(
                session=uow.session,
                at=at,
                actor="runtime",
                action="pairs.applied",
                target=None,
                details={
                    "opened": list(opened),
                    "closed": list(closed),
                    "untraded": list(untraded),
                    "from_candle": candle.isoformat(),
                },
            )
            events = await self._written(uow.session, [(topics.ALERTS, alert)])
            await uow.commit()
        return events

    async def pause(
        self, kind: BotKind, *, reason: str, session: AsyncSession, pair: Pair | None = None
    ) -> list[Event]:
        """Pause a bot in ``session`` (circuit breaker, failed protection on ``pair``)."""
        await (await BotLedger.of(session)).set_status(kind, BotStatus.PAUSED)
        await audit.append_audit(
            session=session,
            at=self._clock.now(),
            actor="runtime",
            action="bot.pause.applied",
            target=f"bot:{kind}",
            details={"reason": reason},
        )
        text = f"{kind} bot paused: {reason}"
        alert = _alert(self._clock.now(), "bot_paused", kind, text, "critical", pair=pair)
        return [(topics.ALERTS, alert)]

    # --- risk state ----------------------------------------------------------------------------

    async def _resume_risk(self, session: AsyncSession, row: BotRow, at: datetime) -> None:
        state = await self._risk_state(session, row.type)
        if not state.paused:
            return
        resumed = self.reducer.resume(state)
        config = effective_config(stored_config(row), row.type, self.trading)
        await self._save_risk_state(session, row.type, resumed, at)
        await bots.set_risk_ratio(
            session=session, kind=row.type, ratio=current_risk_ratio(config.risk_ratio, resumed)
        )

    @staticmethod
    async def _risk_state(session: AsyncSession, kind: BotKind) -> RiskState:
        stored = await checkpoints.load_checkpoint(
            session=session, engine=_ENGINE, key=f"risk:{kind}"
        )
        return RiskState() if stored is None else RiskState(**stored)

    async def _save_risk_state(
        self, session: AsyncSession, kind: BotKind, state: RiskState, at: datetime
    ) -> None:
        value = {
            "level": state.level,
            "losses": state.losses,
            "wins": state.wins,
            "paused": state.paused,
        }
        await checkpoints.save_checkpoint(
            session=session, engine=_ENGINE, key=f"risk:{kind}", value=value, at=at
        )

    def _defaults(self, kind: BotKind) -> BotSettings:
        return self.trading.safe if kind is BotKind.SAFE else self.trading.aggressive


def booked(pnl: Decimal) -> Decimal:
    """A trade's P&L as booked on its bot's capital: money, rounded half-up to 1e-8.

    Capital is ``NUMERIC(20, 8)``; rounding each trade explicitly (rather than letting the
    column round the sum) keeps ``capital = initial + sum of booked P&L - reallocations`` exact.
    """
    return pnl.quantize(MONEY_STEP, rounding=ROUND_HALF_UP)


def _requested_status(requested: Any, current: BotStatus) -> BotStatus:
    """The run state a starting runtime gives a bot: what a person last asked, else running.

    A paused bot stays paused: it waits for a person.
    """
    if isinstance(requested, dict) and "status" in requested:
        return BotStatus(requested["status"])
    return BotStatus.PAUSED if current is BotStatus.PAUSED else BotStatus.RUNNING


def _alert(
    at: datetime,
    kind: str,
    bot: BotKind,
    text: str,
    severity: Severity,
    *,
    details: dict[str, str] | None = None,
    pair: Pair | None = None,
) -> AlertRaised:
    return AlertRaised(
        timestamp=at,
        kind=kind,
        severity=severity,
        text=text,
        bot=bot,
        pair=pair,
        details=details or {},
    )


def _applied_by(what: str, worker: str | None) -> str:
    """The inbox consumer that says a change was applied (by ``worker``, or announced)."""
    return f"bot.{what}" if worker is None else f"bot.{what}@{worker}"
