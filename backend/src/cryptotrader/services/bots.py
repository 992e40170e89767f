"""Bots: read their state from the database, control them over the bus, edit their settings.

The API never runs a bot. Start, stop, pause and resume record the requested state (settings
key ``bots.<kind>.requested_status``) and the audit row in one transaction, then publish a
``ControlBot`` command on ``commands``; the runtime applies it and writes ``bots.status``. If the
bus is down after the commit, the caller gets 503 and the request stays recorded: calling again
publishes again (the command is idempotent). A settings change is published too
(``BotReconfigured``): a running runtime applies it at the next candle.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from cryptotrader.bus import topics
from cryptotrader.bus.messages import AlertRaised, BotReconfigured, ControlBot
from cryptotrader.bus.protocol import MessageBus
from cryptotrader.clock import Clock
from cryptotrader.config import TradingSettings
from cryptotrader.domain.bots import (
    REQUESTED_STATUS,
    BotAction,
    BotConfig,
    requested_status_key,
)
from cryptotrader.domain.enums import BotKind, BotStatus, RiskLevel
from cryptotrader.domain.presence import HEARTBEAT_KEY, RuntimePresence
from cryptotrader.engines.bot_config import EffectiveConfig, effective_config, stored_config
from cryptotrader.errors import UserInputError
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.repositories import bots, settings
from cryptotrader.persistence.tables import BotRow
from cryptotrader.persistence.uow import UnitOfWork
from cryptotrader.services import audit
from cryptotrader.services.context import Actor, Origin, Permission
from cryptotrader.services.errors import NotFound, Unavailable
from cryptotrader.services.read_cache import ReadCache

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RequestedStatus:
    """The run state last asked for, by whom and when."""

    status: BotStatus
    action: str
    at: datetime
    by: str


@dataclass(frozen=True, slots=True)
class BotView:
    """A bot as the API shows it."""

    id: int
    kind: BotKind
    name: str
    status: BotStatus
    driven: bool
    driven_since: datetime | None
    runtime: RuntimePresence | None
    requested: RequestedStatus | None
    capital: Decimal
    risk_level: RiskLevel
    current_risk_ratio: Decimal
    config: EffectiveConfig
    updated_at: datetime


def _requested(raw: Any) -> RequestedStatus | None:
    if not isinstance(raw, dict):
        return None
    return RequestedStatus(
        status=BotStatus(raw["status"]),
        action=str(raw["action"]),
        at=datetime.fromisoformat(str(raw["at"])),
        by=str(raw["by"]),
    )


def bot_view(
    row: BotRow, requested: Any, heartbeat: Any, *, now: datetime, trading: TradingSettings
) -> BotView:
    """The view of a bot's row, its requested state and the runtime's heartbeat at ``now``."""
    presence = RuntimePresence.from_json(heartbeat)
    driven = presence is not None and presence.driven(now)
    return BotView(
        id=row.id,
        kind=row.type,
        name=row.name,
        status=row.status,
        driven=driven,
        driven_since=presence.started_at if driven and presence is not None else None,
        runtime=presence,
        requested=_requested(requested),
        capital=row.capital,
        risk_level=row.risk_level,
        current_risk_ratio=row.current_risk_ratio,
        config=effective_config(stored_config(row), row.type, trading),
        updated_at=row.updated_at,
    )


async def read_bots(database: Database, *, clock: Clock, trading: TradingSettings) -> list[BotView]:
    """Every bot by id: what ``/api/bots`` returns and ``cryptotrader bots`` prints."""
    async with UnitOfWork(database) as uow:
        rows = await bots.list_bots(session=uow.session)
        stored = await settings.all_settings(session=uow.session)
    heartbeat, now = stored.get(HEARTBEAT_KEY), clock.now()
    return [
        bot_view(
            row, stored.get(requested_status_key(row.type)), heartbeat, now=now, trading=trading
        )
        for row in rows
    ]


class BotService:
    """Lists, controls and configures the bots.

    Args:
        database: bots and settings.
        bus: where ``ControlBot`` commands and settings alerts go.
        clock: request and audit times.
        trading: default protection per bot.
        cache: the read cache (cleared by every change made here).
    """

    def __init__(
        self,
        *,
        database: Database,
        bus: MessageBus,
        clock: Clock,
        trading: TradingSettings,
        cache: ReadCache | None = None,
    ) -> None:
        self._database = database
        self._bus = bus
        self._clock = clock
        self._trading = trading
        self._cache = cache or ReadCache(ttl_s=0)

    def _view(self, row: BotRow, requested: Any, heartbeat: Any) -> BotView:
        return bot_view(row, requested, heartbeat, now=self._clock.now(), trading=self._trading)

    async def list_bots(self, actor: Actor) -> list[BotView]:
        """Every bot, by id (from the read cache when fresh)."""
        actor.require(Permission.READ)
        return await self._cache.get_or_load("bots", self._load_bots)

    async def _load_bots(self) -> list[BotView]:
        return await read_bots(self._database, clock=self._clock, trading=self._trading)

    async def get_bot(self, actor: Actor, kind: BotKind) -> BotView:
        """One bot.

        Raises:
            NotFound: the runtime has not created this bot yet.
        """
        actor.require(Permission.READ)
        async with UnitOfWork(self._database) as uow:
            row = await bots.get_bot(session=uow.session, kind=kind)
            if row is None:
                raise NotFound(f"no {kind} bot yet (the runtime creates the bots on first run)")
            requested = await settings.get_setting(
                session=uow.session, key=requested_status_key(kind)
            )
            heartbeat = await settings.get_setting(session=uow.session, key=HEARTBEAT_KEY)
        return self._view(row, requested, heartbeat)

    async def control(
        self, actor: Actor, kind: BotKind, action: BotAction, origin: Origin
    ) -> BotView:
        """Ask the runtime to start, stop, pause or resume a bot.

        Raises:
            NotFound: no such bot yet.
            Unavailable: recorded, but the bus could not take the command; call again.
        """
        actor.require(Permission.CONTROL)
        now = self._clock.now()
        async with UnitOfWork(self._database) as uow:
            row = await bots.get_bot(session=uow.session, kind=kind)
            if row is None:
                raise NotFound(f"no {kind} bot yet (the runtime creates the bots on first run)")
            key = requested_status_key(kind)
            before = await settings.get_setting(session=uow.session, key=key)
            after = {
                "status": REQUESTED_STATUS[action].value,
                "action": action,
                "at": now.isoformat(),
                "by": actor.name,
            }
            await settings.put_setting(
                session=uow.session, key=key, value=after, at=now, updated_by=actor.name[:64]
            )
            await audit.record(
                uow.session,
                self._clock,
                origin,
                actor=actor.name,
                action=f"bot.{action}",
                target=f"bot:{kind}",
                before={"status": row.status.value, "requested": before},
                after=after,
            )
            await uow.commit()
            self._cache.clear()
            heartbeat = await settings.get_setting(session=uow.session, key=HEARTBEAT_KEY)
            view = self._view(row, after, heartbeat)
        command = ControlBot(timestamp=now, bot=kind, action=action, requested_by=actor.name)
        await self._publish(topics.COMMANDS, command)
        return view

    async def update_settings(
        self,
        actor: Actor,
        kind: BotKind,
        changes: dict[str, Any],
        origin: Origin,
        *,
        action: str = "bot.settings",
        cause: dict[str, Any] | None = None,
    ) -> BotView:
        """Change strategy, parameters or protection; validated by the strategy's Params model.

        ``changes`` holds only the fields to change (``params`` replaces the parameters; a
        new ``strategy`` without ``params`` starts from that strategy's defaults). ``action`` and
        ``cause`` name the change in its audit row when it comes from elsewhere (an optimisation
        applied), so that one change is one row, written with it.

        Raises:
            NotFound: no such bot yet.
            UserInputError: unknown strategy or parameter (with a hint), or a value out of range.
        """
        actor.require(Permission.CONFIGURE)
        async with UnitOfWork(self._database) as uow:
            row = await bots.get_bot(session=uow.session, kind=kind)
            if row is None:
                raise NotFound(f"no {kind} bot yet (the runtime creates the bots on first run)")
            current = stored_config(row)
            merged = current.model_dump(mode="json")
            if "strategy" in changes and "params" not in changes:
                merged["params"] = {}
            merged.update(changes)
            try:
                updated = BotConfig.model_validate(merged)
            except ValidationError as exc:
                first = exc.errors()[0]
                raise UserInputError(
                    f"{'.'.join(map(str, first['loc']))}: {first['msg']}"
                ) from None
            effective = effective_config(updated, kind, self._trading)  # validates params
            row.strategy_config = updated.model_dump(mode="json", exclude_none=True)
            await uow.session.flush()
            await uow.session.refresh(row)  # updated_at is set by the database
            await audit.record(
                uow.session,
                self._clock,
                origin,
                actor=actor.name,
                action=action,
                target=f"bot:{kind}",
                before=current.model_dump(mode="json"),
                after={**(cause or {}), **updated.model_dump(mode="json")},
            )
            await uow.commit()
            self._cache.clear()
            requested = await settings.get_setting(
                session=uow.session, key=requested_status_key(kind)
            )
            heartbeat = await settings.get_setting(session=uow.session, key=HEARTBEAT_KEY)
            view = self._view(row, requested, heartbeat)
        alert = AlertRaised(
            timestamp=self._clock.now(),
            kind="bot_settings_changed",
            text=f"{kind} bot settings changed by {actor.name}: {effective.strategy}",
            bot=kind,
            details={"changed": ",".join(sorted(changes))},
        )
        await self._publish(topics.ALERTS, alert)
        # The running indicator engine applies it at the next candle and says when.
        reconfigured = BotReconfigured(
            timestamp=self._clock.now(),
            bot=kind,
            strategy=effective.strategy,
            params=effective.params,
            requested_by=actor.name,
        )
        await self._publish(topics.COMMANDS, reconfigured)
        return view

    async def _publish(
        self, topic: str, message: ControlBot | AlertRaised | BotReconfigured
    ) -> None:
        try:
            await self._bus.publish(topic, message)
        except Exception as exc:  # noqa: BLE001 - any transport failure: recorded, say so
            log.error("publishing on %s failed: %r", topic, exc)
            raise Unavailable(
                "recorded, but the message bus is unavailable: the runtime did not get it yet; "
                "retry"
            ) from None
