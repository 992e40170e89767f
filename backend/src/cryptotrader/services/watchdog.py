"""Alerts the API raises from watching: a silent engine and its recovery, the daily digest.

Nothing in the engines raises these: a dead runtime cannot say it died, and a digest is a view
over the day's stored trades. The API process watches instead, every ``check_interval_s``:

- **engine silent**: the runtime that drives the bots (its heartbeat, ``domain.presence``) stopped
  beating without a clean stop, or no candle reached the bus for ``silent_after_candles``
  timeframes. ``engine_silent`` is raised once per episode, ``engine_recovered`` when candles
  flow again. Candle times are wall-clock arrival times seen by this process's hub, so a replay
  on a market clock is judged like live trading.
- **daily digest**: at ``digest_time`` (UTC) each day, P&L, trades and capital per bot over the
  24 hours before it. A digest missed while the API was down is sent when it comes back.

Several API processes may watch the same database: each alert is claimed in the ``settings``
table by one statement (``settings.claim_setting``) before it is published, so exactly one
process raises it, and a restarted process does not raise it again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from cryptotrader.bus import topics
from cryptotrader.bus.messages import AlertRaised, BusMessage, CandleClosed, CandlesClosed
from cryptotrader.bus.protocol import MessageBus
from cryptotrader.clock import Clock
from cryptotrader.config import AlertSettings
from cryptotrader.domain.enums import BotKind, TradeStatus
from cryptotrader.domain.presence import HEARTBEAT_KEY, RuntimePresence
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.domain.trades import Trade
from cryptotrader.errors import UnknownNameError
from cryptotrader.outbox import outbox_for
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.repositories import bots, settings, trades
from cryptotrader.persistence.uow import UnitOfWork

log = logging.getLogger(__name__)

SILENT_KEY = "alerts.engine_silent"
"""Present while an ``engine_silent`` episode is open (its value says since when and why)."""
DIGEST_KEY = "alerts.daily_digest"
"""Its ``updated_at`` is the slot of the last digest (sent, or skipped on first sight)."""
_UPDATED_BY = "watchdog"


def _seconds(delta: timedelta) -> str:
    return str(int(delta.total_seconds()))


def _since(opened: object) -> datetime | None:
    if isinstance(opened, dict) and isinstance(opened.get("since"), str):
        with contextlib.suppress(ValueError):
            return datetime.fromisoformat(opened["since"])
    return None


@dataclass(frozen=True, slots=True)
class _Silence:
    cause: str  # "heartbeat" (the runtime stopped beating) or "candles"
    text: str
    details: dict[str, str]


@dataclass
class EngineWatch:
    """Raises ``engine_silent`` once per episode and ``engine_recovered`` at its end.

    Args:
        database: where the runtime's heartbeat and the episode's claim live.
        bus: where the alerts go.
        clock: wall-clock time (the API's).
        timeframe: the candles' timeframe until one is seen (``runtime.timeframe``).
        silent_after: timeframes without a candle that make the engine silent.
    """

    database: Database
    bus: MessageBus
    clock: Clock
    timeframe: Timeframe
    silent_after: int
    last_candle_at: datetime | None = None
    watching_since: datetime = field(init=False)

    def __post_init__(self) -> None:
        self.watching_since = self.clock.now()

    def observe(self, message: BusMessage) -> None:
        """Note a candle's arrival (the hub calls this for every event it receives)."""
        if isinstance(message, CandleClosed | CandlesClosed):
            self.last_candle_at = self.clock.now()
            self.timeframe = message.timeframe

    async def check(self) -> AlertRaised | None:
        """Look once; returns the alert this call raised, if any."""
        now = self.clock.now()
        async with UnitOfWork(self.database) as uow:
            presence = RuntimePresence.from_json(
                await settings.get_setting(session=uow.session, key=HEARTBEAT_KEY)
            )
            if presence is None or presence.stopped_at is not None:
                # No runtime is meant to run (never started, or stopped cleanly): nothing is
                # silent, and an open episode ends without a recovery to announce.
                await settings.delete_setting(session=uow.session, key=SILENT_KEY)
                await uow.commit()
                return None
            silence = self._silence(presence, now)
            if silence is not None:
                claimed = await settings.claim_setting(
                    session=uow.session,
                    key=SILENT_KEY,
                    value={"since": now.isoformat(), "cause": silence.cause},
                    at=now,
                    updated_by=_UPDATED_BY,
                )
                alert = self._silent_alert(silence) if claimed else None
            else:
                alert = await self._recover(uow, now)
            if alert is not None:  # written with the claim (the outbox): sent once committed
                await outbox_for(self.database, self.bus).add(uow.session, [(topics.ALERTS, alert)])
            await uow.commit()
        return alert

    async def _recover(self, uow: UnitOfWork, now: datetime) -> AlertRaised | None:
        """End an open episode once a candle arrived after it began (a beat alone is not enough)."""
        opened = await settings.get_setting(session=uow.session, key=SILENT_KEY)
        if opened is None:
            return None
        since = _since(opened)
        if self.last_candle_at is None or (since is not None and self.last_candle_at <= since):
            return None
        if not await settings.delete_setting(session=uow.session, key=SILENT_KEY):
            return None  # another process ended it
        details = {"last_candle_at": self.last_candle_at.isoformat()}
        if since is not None:
            details |= {"since": since.isoformat(), "silent_s": _seconds(now - since)}
        if isinstance(opened, dict) and "cause" in opened:
            details["cause"] = str(opened["cause"])
        return AlertRaised(
            timestamp=now,
            kind="engine_recovered",
            severity="info",
            text="Engine recovered: candles are flowing again.",
            details=details,
        )

    def _silence(self, presence: RuntimePresence, now: datetime) -> _Silence | None:
        if not presence.driven(now):
            return _Silence(
                cause="heartbeat",
                text=(
                    "Engine silent: the trading runtime stopped beating at "
                    f"{presence.seen_at:%Y-%m-%d %H:%M:%S} UTC without stopping cleanly."
                ),
                details={
                    "cause": "heartbeat",
                    "last_beat": presence.seen_at.isoformat(),
                    "silent_s": _seconds(now - presence.seen_at),
                    "pid": str(presence.pid),
                },
            )
        since = max(self.last_candle_at or self.watching_since, presence.started_at)
        allowed = timedelta(milliseconds=self.timeframe.milliseconds * self.silent_after)
        if now - since <= allowed:
            return None
        details = {
            "cause": "candles",
            "timeframe": self.timeframe.value,
            "candles_missed": str(self.silent_after),
            "silent_s": _seconds(now - since),
        }
        if self.last_candle_at is not None:
            details["last_candle_at"] = self.last_candle_at.isoformat()
        return _Silence(
            cause="candles",
            text=(
                f"Engine silent: no {self.timeframe.value} candle for {self.silent_after} "
                f"timeframes ({presence.market or 'the market'})."
            ),
            details=details,
        )

    def _silent_alert(self, silence: _Silence) -> AlertRaised:
        return AlertRaised(
            timestamp=self.clock.now(),
            kind="engine_silent",
            severity="critical",
            text=silence.text,
            details=silence.details,
        )


@dataclass(frozen=True, slots=True)
class _BotDay:
    capital: Decimal
    pnl: Decimal = Decimal(0)
    opened: int = 0
    closed: int = 0
    wins: int = 0
    losses: int = 0
    open_now: int = 0


@dataclass
class DailyDigest:
    """Raises ``daily_digest`` once a day at ``at`` (UTC), over the 24 hours before it."""

    database: Database
    bus: MessageBus
    clock: Clock
    at: time

    def slot(self, now: datetime) -> datetime:
        """The latest digest time at or before ``now``."""
        today = datetime.combine(now.astimezone(UTC).date(), self.at, tzinfo=UTC)
        return today if today <= now else today - timedelta(days=1)

    async def check(self) -> AlertRaised | None:
        """Send the digest of the latest slot unless it was sent; returns it when this did.

        On first sight (nothing stored) the slot is only recorded: a new installation's first
        digest is the next one, not one at start-up.
        """
        slot = self.slot(self.clock.now())
        async with UnitOfWork(self.database) as uow:
            seen = await settings.get_setting(session=uow.session, key=DIGEST_KEY) is not None
            claimed = await settings.claim_setting(
                session=uow.session,
                key=DIGEST_KEY,
                value={"slot": slot.isoformat(), "sent": seen},
                at=slot,
                older_than=slot,
                updated_by=_UPDATED_BY,
            )
            alert = None
            if claimed and seen:
                alert = await self._digest(uow, slot - timedelta(days=1), slot)
                await outbox_for(self.database, self.bus).add(uow.session, [(topics.ALERTS, alert)])
            await uow.commit()
        return alert

    async def _digest(self, uow: UnitOfWork, since: datetime, until: datetime) -> AlertRaised:
        rows = await bots.list_bots(session=uow.session)
        days = {row.type: _BotDay(capital=row.capital) for row in rows}
        for _, trade in await trades.activity_between(
            session=uow.session, since=since, until=until
        ):
            days[trade.bot] = _count(days.get(trade.bot, _BotDay(Decimal(0))), trade, since, until)
        for _, trade in await trades.open_trades(session=uow.session):
            day = days.get(trade.bot, _BotDay(Decimal(0)))
            days[trade.bot] = replace(day, open_now=day.open_now + 1)
        capital = sum((d.capital for d in days.values()), Decimal(0))
        pnl = sum((d.pnl for d in days.values()), Decimal(0))
        closed = sum(d.closed for d in days.values())
        details = {
            "period_start": since.isoformat(),
            "period_end": until.isoformat(),
            "capital": str(capital),
            "pnl": str(pnl),
            "trades_opened": str(sum(d.opened for d in days.values())),
            "trades_closed": str(closed),
        }
        for bot in sorted(days, key=_bot_order):
            day = days[bot]
            details |= {
                f"capital:{bot.value}": str(day.capital),
                f"pnl:{bot.value}": str(day.pnl),
                f"opened:{bot.value}": str(day.opened),
                f"closed:{bot.value}": str(day.closed),
                f"wins:{bot.value}": str(day.wins),
                f"losses:{bot.value}": str(day.losses),
                f"open:{bot.value}": str(day.open_now),
            }
        sign = "+" if pnl > 0 else ""
        text = (
            f"Daily digest to {until:%Y-%m-%d %H:%M} UTC: P&L {sign}{_plain(pnl)} over {closed} "
            f"closed trade{'s' if closed != 1 else ''}; capital {_plain(capital)}."
        )
        return AlertRaised(
            timestamp=self.clock.now(),
            kind="daily_digest",
            severity="info",
            text=text,
            details=details,
        )


def _plain(amount: Decimal) -> str:
    """``23.2000`` as ``23.2``, ``1E+3`` as ``1000`` (for the sentence; details keep the text)."""
    return f"{amount.normalize():f}"


def _bot_order(bot: BotKind) -> int:
    return list(BotKind).index(bot)


def _count(day: _BotDay, trade: Trade, since: datetime, until: datetime) -> _BotDay:
    opened = day.opened + (1 if since <= trade.entry_time < until else 0)
    if trade.status is not TradeStatus.CLOSED or trade.exit_time is None:
        return replace(day, opened=opened)
    if not since <= trade.exit_time < until:
        return replace(day, opened=opened)
    pnl = trade.pnl or Decimal(0)
    return replace(
        day,
        opened=opened,
        closed=day.closed + 1,
        pnl=day.pnl + pnl,
        wins=day.wins + (1 if pnl > 0 else 0),
        losses=day.losses + (1 if pnl < 0 else 0),
    )


class Watchdog:
    """Runs the engine watch and the daily digest every ``check_interval_s`` (never raises).

    ``timeframe``: the configured candles' (``runtime.timeframe``) until one is seen.
    """

    def __init__(
        self,
        *,
        database: Database,
        bus: MessageBus,
        clock: Clock,
        config: AlertSettings,
        timeframe: str,
    ) -> None:
        try:
            expected = Timeframe.parse(timeframe)
        except UnknownNameError:  # the runtime refuses it with the clear error; watch hourly
            expected = Timeframe.H1
        self.engine = EngineWatch(
            database=database,
            bus=bus,
            clock=clock,
            timeframe=expected,
            silent_after=config.silent_after_candles,
        )
        self.digest = (
            DailyDigest(database=database, bus=bus, clock=clock, at=config.digest_time)
            if config.digest_enabled
            else None
        )
        self._interval_s = config.check_interval_s
        self._task: asyncio.Task[None] | None = None

    def observe(self, message: BusMessage) -> None:
        """Hand a bus event to the engine watch."""
        self.engine.observe(message)

    def start(self) -> None:
        """Look every interval, from one interval after now (the runtime may be starting)."""
        self._task = asyncio.create_task(self._run(), name="alert-watchdog")

    async def stop(self) -> None:
        """Stop looking."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def check(self) -> list[AlertRaised]:
        """Look once at both; the alerts raised (a failure is logged and retried next time)."""
        raised = []
        for name, check in (("engine watch", self.engine.check), ("daily digest", self._digest)):
            try:
                alert = await check()
            except Exception:
                log.warning("the %s failed; looking again at the next check", name, exc_info=True)
                continue
            if alert is not None:
                raised.append(alert)
        return raised

    async def _digest(self) -> AlertRaised | None:
        return None if self.digest is None else await self.digest.check()

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval_s)
            await self.check()
