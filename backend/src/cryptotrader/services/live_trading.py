"""The live-trading switch: the last of three locks between the bots and real money.

Real orders need all of: ``exchange.mode = live`` and ``trading.live_trading_enabled`` in the
operator's settings, API keys stored for the configured exchange, and this switch, turned on by
an admin who re-enters their password and types the confirmation phrase. The switch lives in
the ``settings`` table under ``trading.live_trading_enabled`` (``{"enabled", "at", "by"}``),
where the runtime's risk manager reads it. Turning it off needs no confirmation.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from cryptotrader.bus import topics
from cryptotrader.bus.messages import AlertRaised
from cryptotrader.bus.protocol import MessageBus
from cryptotrader.clock import Clock
from cryptotrader.config import Settings
from cryptotrader.domain.enums import TradingMode
from cryptotrader.errors import AuthenticationFailed
from cryptotrader.outbox import outbox_for
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.repositories import api_keys, live_switch, users
from cryptotrader.persistence.uow import UnitOfWork
from cryptotrader.security import passwords
from cryptotrader.services import audit
from cryptotrader.services.context import Actor, Origin, Permission
from cryptotrader.services.errors import Conflict


def confirmation_phrase(exchange: str) -> str:
    """What an admin must type to turn live trading on."""
    return f"enable live trading on {exchange}"


@dataclass(frozen=True, slots=True)
class LiveTradingState:
    """The switch, and whatever else still stands between the bots and real orders."""

    enabled: bool
    effective: bool
    mode: TradingMode
    exchange: str
    changed_at: datetime | None
    changed_by: str | None
    blockers: list[str]
    confirmation_phrase: str


async def live_trading_state(session: AsyncSession, config: Settings) -> LiveTradingState:
    """Read the switch and list the blockers."""
    switch = await live_switch.read_switch(session=session)
    exchange = config.exchange.name
    blockers = [f"needs {lock}" for lock in config.live_locks_closed()]
    if not config.security.encryption_keys:
        blockers.append("no encryption keys (CRYPTOTRADER_SECURITY__ENCRYPTION_KEYS)")
    if await api_keys.get_api_key(session=session, exchange=exchange) is None:
        blockers.append(f"no API key stored for {exchange}")
    return LiveTradingState(
        enabled=switch.enabled,
        effective=switch.enabled and not blockers,
        mode=config.exchange.mode,
        exchange=exchange,
        changed_at=switch.at,
        changed_by=switch.by,
        blockers=blockers,
        confirmation_phrase=confirmation_phrase(exchange),
    )


class LiveTradingService:
    """Reads and flips the switch.

    Args:
        database: settings, users, API keys.
        bus: where the switch is announced (critical alert).
        clock: times.
        settings: the operator's settings (mode, exchange, keys).
    """

    def __init__(
        self, *, database: Database, bus: MessageBus, clock: Clock, settings: Settings
    ) -> None:
        self._database = database
        self._bus = bus
        self._clock = clock
        self._settings = settings

    async def state(self, actor: Actor) -> LiveTradingState:
        """The switch and its blockers."""
        actor.require(Permission.READ)
        async with UnitOfWork(self._database, read_only=True) as uow:
            return await live_trading_state(uow.session, self._settings)

    async def switch(
        self,
        actor: Actor,
        *,
        enabled: bool,
        confirmation: str | None,
        password: str | None,
        origin: Origin,
    ) -> LiveTradingState:
        """Turn live trading on (confirmed) or off.

        Raises:
            PermissionDenied: not an admin, or a service token.
            AuthenticationFailed: the password is wrong (turning on).
            Conflict: the phrase does not match, or something else still blocks live trading.
        """
        actor.require(Permission.ADMIN)
        actor.require_person()
        async with UnitOfWork(self._database) as uow:
            before = await live_trading_state(uow.session, self._settings)
            if enabled:
                await self._check_enable(uow, actor, before, confirmation, password)
            now = self._clock.now()
            await live_switch.write_switch(
                session=uow.session, enabled=enabled, at=now, by=actor.name
            )
            await audit.record(
                uow.session,
                self._clock,
                origin,
                actor=actor.name,
                action="config.live_trading",
                target="setting:" + live_switch.KEY,
                before={"enabled": before.enabled},
                after={"enabled": enabled},
            )
            await self._announce(uow, actor, enabled)
            await uow.commit()
            return await live_trading_state(uow.session, self._settings)

    async def _check_enable(
        self,
        uow: UnitOfWork,
        actor: Actor,
        state: LiveTradingState,
        confirmation: str | None,
        password: str | None,
    ) -> None:
        if confirmation != state.confirmation_phrase:
            raise Conflict(f"type the confirmation exactly: {state.confirmation_phrase!r}")
        user = await users.get_user(session=uow.session, user_id=actor.user_id)
        hashed = user.password_hash if user is not None else None
        if not await asyncio.to_thread(passwords.verify_password, hashed, password or ""):
            raise AuthenticationFailed("the password is wrong")
        if state.blockers:
            raise Conflict("live trading cannot be enabled: " + "; ".join(state.blockers))

    async def _announce(self, uow: UnitOfWork, actor: Actor, enabled: bool) -> None:
        """The critical alert, written with the switch (the outbox): sent once committed."""
        alert = AlertRaised(
            timestamp=self._clock.now(),
            kind="live_trading_switched",
            severity="critical",
            text=f"live trading {'ENABLED' if enabled else 'disabled'} by {actor.name}",
        )
        await outbox_for(self._database, self._bus).add(uow.session, [(topics.ALERTS, alert)])
