"""Bots: read their state from the database, control them over the bus, edit their settings.

The API never runs a bot. Start, stop, pause and resume record the requested state (settings
key ``bots.<kind>.requested_status``) and the audit row in one transaction, with a
``ControlBot`` command on ``commands``; the runtime applies it and writes ``bots.status``. A
settings change is announced too (``BotReconfigured``): a running runtime applies it at the next
candle. So is a change of the pairs a bot trades (``BotPairsChanged``, stored under
``bots.<kind>.pairs``). Every such event is written in the transaction of its change through
the outbox (``cryptotrader.outbox``) and sent once it has committed; a bus that is down
meanwhile delays it (the relay sends it later), it never loses it nor fails the request.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select

from cryptotrader.bus import topics
from cryptotrader.bus.messages import AlertRaised, BotPairsChanged, BotReconfigured, ControlBot
from cryptotrader.bus.protocol import MessageBus
from cryptotrader.clock import Clock
from cryptotrader.config import TradingSettings
from cryptotrader.domain.bots import (
    REQUESTED_STATUS,
    BotAction,
    BotConfig,
    pairs_key,
    requested_status_key,
    stored_pairs,
)
from cryptotrader.domain.enums import BotKind, BotStatus, RiskLevel
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.presence import HEARTBEAT_KEY, RuntimePresence
from cryptotrader.engines.bot_config import EffectiveConfig, effective_config, stored_config
from cryptotrader.errors import UserInputError
from cryptotrader.outbox import Event, outbox_for
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.repositories import bots, settings
from cryptotrader.persistence.tables import BotRow, TradingPairRow
from cryptotrader.persistence.uow import UnitOfWork
from cryptotrader.services import audit
from cryptotrader.services.context import Actor, Origin, Permission
from cryptotrader.services.errors import InvalidField, NotFound
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
    pairs: tuple[str, ...] | None
    """The pairs it opens positions on, chosen through the API/CLI; None: the default (every
    active pair, or ``runtime.bot_pairs``)."""
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class BotPairsView:
    """The pairs a bot opens positions on: as chosen, and what that means now."""

    bot: BotKind
    chosen: tuple[str, ...] | None
    """Chosen through the API/CLI; None: the default."""
    default: tuple[str, ...] | None
    """``runtime.bot_pairs`` for this bot (None: every active pair), used when none is chosen."""
    trading: tuple[str, ...]
    """The active pairs of ``/config/pairs`` it opens positions on now (a running runtime
    trades those of them it has candles for)."""


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
    row: BotRow,
    requested: Any,
    heartbeat: Any,
    *,
    now: datetime,
    trading: TradingSettings,
    pairs: Any = None,
) -> BotView:
    """The view of a bot's row, its requested state, its pairs and the runtime's heartbeat."""
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
        pairs=stored_pairs(pairs),
        updated_at=row.updated_at,
    )


async def read_bots(database: Database, *, clock: Clock, trading: TradingSettings) -> list[BotView]:
    """Every bot by id: what ``/api/bots`` returns and ``cryptotrader bots`` prints."""
    async with UnitOfWork(database, read_only=True) as uow:
        rows = await bots.list_bots(session=uow.session)
        stored = await settings.all_settings(session=uow.session)
    heartbeat, now = stored.get(HEARTBEAT_KEY), clock.now()
    return [
        bot_view(
            row,
            stored.get(requested_status_key(row.type)),
            heartbeat,
            now=now,
            trading=trading,
            pairs=stored.get(pairs_key(row.type)),
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
        runtime_pairs: ``runtime.bot_pairs``: a bot's pairs when none were chosen here.
    """

    def __init__(
        self,
        *,
        database: Database,
        bus: MessageBus,
        clock: Clock,
        trading: TradingSettings,
        cache: ReadCache | None = None,
        runtime_pairs: Mapping[BotKind, tuple[str, ...]] | None = None,
    ) -> None:
        self._runtime_pairs = dict(runtime_pairs or {})
        self._database = database
        self._bus = bus
        self._clock = clock
        self._trading = trading
        self._cache = cache or ReadCache(ttl_s=0)

    def _view(self, row: BotRow, requested: Any, heartbeat: Any, pairs: Any) -> BotView:
        return bot_view(
            row, requested, heartbeat, now=self._clock.now(), trading=self._trading, pairs=pairs
        )

    async def _stored_view(self, uow: UnitOfWork, row: BotRow, **known: Any) -> BotView:
        """The view of ``row`` with its stored parts (those not given in ``known``) read."""
        keys = {
            "requested": requested_status_key(row.type),
            "heartbeat": HEARTBEAT_KEY,
            "pairs": pairs_key(row.type),
        }
        parts = {
            name: known[name]
            if name in known
            else await settings.get_setting(session=uow.session, key=key)
            for name, key in keys.items()
        }
        return self._view(row, parts["requested"], parts["heartbeat"], parts["pairs"])

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
        async with UnitOfWork(self._database, read_only=True) as uow:
            row = await bots.get_bot(session=uow.session, kind=kind)
            if row is None:
                raise NotFound(f"no {kind} bot yet (the runtime creates the bots on first run)")
            return await self._stored_view(uow, row)

    async def control(
        self, actor: Actor, kind: BotKind, action: BotAction, origin: Origin
    ) -> BotView:
        """Ask the runtime to start, stop, pause or resume a bot.

        Raises:
            NotFound: no such bot yet.
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
            command = ControlBot(timestamp=now, bot=kind, action=action, requested_by=actor.name)
            await self._stage(uow, [(topics.COMMANDS, command)])
            await uow.commit()
            self._cache.clear()
            return await self._stored_view(uow, row, requested=after)

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
            alert = AlertRaised(
                timestamp=self._clock.now(),
                kind="bot_settings_changed",
                text=f"{kind} bot settings changed by {actor.name}: {effective.strategy}",
                bot=kind,
                details={"changed": ",".join(sorted(changes))},
            )
            # The running indicator engine applies it at the next candle and says when.
            reconfigured = BotReconfigured(
                timestamp=self._clock.now(),
                bot=kind,
                strategy=effective.strategy,
                params=effective.params,
                requested_by=actor.name,
            )
            await self._stage(uow, [(topics.ALERTS, alert), (topics.COMMANDS, reconfigured)])
            await uow.commit()
            self._cache.clear()
            return await self._stored_view(uow, row)

    async def pairs(self, actor: Actor, kind: BotKind) -> BotPairsView:
        """The pairs ``kind`` opens positions on, as chosen and as they stand now."""
        actor.require(Permission.READ)
        async with UnitOfWork(self._database, read_only=True) as uow:
            chosen = stored_pairs(
                await settings.get_setting(session=uow.session, key=pairs_key(kind))
            )
            statement = select(TradingPairRow.symbol).where(TradingPairRow.is_active).distinct()
            active = set((await uow.session.execute(statement)).scalars())
        return self._pairs_view(kind, chosen, active)

    def _pairs_view(
        self, kind: BotKind, chosen: tuple[str, ...] | None, active: set[str]
    ) -> BotPairsView:
        default = self._runtime_pairs.get(kind)
        narrowed = chosen if chosen is not None else default
        trading = active if narrowed is None else active & set(narrowed)
        return BotPairsView(kind, chosen, default, tuple(sorted(trading)))

    async def set_pairs(
        self, actor: Actor, kind: BotKind, pairs: list[str] | None, origin: Origin
    ) -> BotPairsView:
        """Choose the pairs a bot opens positions on (None: back to the default).

        Each pair must be known to ``/config/pairs`` (a deactivated one is kept but opens nothing
        until it is active again). Stored and audited (``bot.pairs``) in one transaction, with
        its ``BotPairsChanged`` (sent once committed): a running runtime applies it at the next
        candle and says so (``bot_pairs_applied``).

        Raises:
            NotFound: no such bot yet.
            InvalidField: an empty list, a malformed symbol, or a pair ``/config/pairs`` does
                not know (HTTP 422 on ``pairs``).
        """
        actor.require(Permission.CONFIGURE)
        now = self._clock.now()
        async with UnitOfWork(self._database) as uow:
            row = await bots.get_bot(session=uow.session, kind=kind)
            if row is None:
                raise NotFound(f"no {kind} bot yet (the runtime creates the bots on first run)")
            listed = (
                await uow.session.execute(select(TradingPairRow.symbol, TradingPairRow.is_active))
            ).all()
            known = {symbol for symbol, _ in listed}
            active = {symbol for symbol, is_active in listed if is_active}
            chosen = None if pairs is None else _checked_pairs(pairs, known)
            key = pairs_key(kind)
            before = stored_pairs(await settings.get_setting(session=uow.session, key=key))
            if chosen is None:
                await settings.delete_setting(session=uow.session, key=key)
            else:
                await settings.put_setting(
                    session=uow.session,
                    key=key,
                    value=list(chosen),
                    at=now,
                    updated_by=actor.name[:64],
                )
            await audit.record(
                uow.session,
                self._clock,
                origin,
                actor=actor.name,
                action="bot.pairs",
                target=f"bot:{kind}",
                before={"pairs": None if before is None else list(before)},
                after={"pairs": None if chosen is None else list(chosen)},
            )
            changed = BotPairsChanged(
                timestamp=now,
                bot=kind,
                pairs=None if chosen is None else [Pair.parse(p) for p in chosen],
                requested_by=actor.name,
            )
            await self._stage(uow, [(topics.COMMANDS, changed)])
            await uow.commit()
            self._cache.clear()
        return self._pairs_view(kind, chosen, active)

    async def _stage(self, uow: UnitOfWork, events: list[Event]) -> None:
        """Write ``events`` with the change (the outbox): sent once ``uow`` has committed."""
        await outbox_for(self._database, self._bus).add(uow.session, events)


def _checked_pairs(given: list[str], known: set[str]) -> tuple[str, ...]:
    """``given`` as sorted, unique symbols, each known to ``/config/pairs``.

    Raises:
        InvalidField: an empty list, a malformed symbol or an unknown pair.
    """
    if not given:
        raise InvalidField(
            "pairs",
            "give at least one pair, or null for every active pair (to stop a bot opening "
            "positions, pause it)",
        )
    symbols = set()
    for text in given:
        try:
            symbols.add(Pair.parse(text).symbol)
        except UserInputError as exc:
            raise InvalidField("pairs", str(exc)) from None
    unknown = sorted(symbols - known)
    if unknown:
        listed = ", ".join(sorted(known)) or "none yet"
        raise InvalidField(
            "pairs",
            f"unknown pair {', '.join(unknown)}: add it through /config/pairs first "
            f"(known: {listed})",
        )
    return tuple(sorted(symbols))
