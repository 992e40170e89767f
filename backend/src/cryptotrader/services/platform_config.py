"""Platform configuration changed at run time: trading pairs and notification settings.

Pairs live in ``trading_pairs`` (``is_active`` says which ones the bots trade); a pair added,
activated or deactivated is announced (``PairChanged`` on ``commands``), written with the change
through the outbox and sent once it has committed (by the relay later if the bus is down): a
running live runtime feeds it, or stops feeding it, without a restart.
Notification settings live in the ``settings`` table under ``notifications``. A Discord webhook
URL is a secret (anyone holding it can post): it is stored encrypted and only shown masked.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import ValidationError
from sqlalchemy import select

from cryptotrader.bus import topics
from cryptotrader.bus.messages import PairChanged
from cryptotrader.bus.protocol import MessageBus
from cryptotrader.clock import Clock
from cryptotrader.domain.pairs import Pair
from cryptotrader.errors import UserInputError
from cryptotrader.exchanges.ccxt.factory import exchange_class
from cryptotrader.notify.platform import (
    NOTIFICATIONS_KEY,
    NotificationSettings,
    load_platform_settings,
)
from cryptotrader.outbox import outbox_for
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.repositories import settings
from cryptotrader.persistence.repositories.pairs import ensure_pair, find_pair
from cryptotrader.persistence.tables import TradingPairRow
from cryptotrader.persistence.uow import UnitOfWork
from cryptotrader.security.keys import KeyRing, mask
from cryptotrader.services import audit
from cryptotrader.services.context import Actor, Origin, Permission
from cryptotrader.services.errors import Conflict, NotFound
from cryptotrader.services.exchange_keys import check_exchange

Severity = Literal["info", "warning", "critical"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PairView:
    """A market the platform knows."""

    id: int
    exchange: str
    symbol: str
    base: str
    quote: str
    is_active: bool


@dataclass(frozen=True, slots=True)
class NotificationView:
    """Notification settings as shown (the webhook masked)."""

    settings: NotificationSettings
    discord_webhook_masked: str | None


def _pair_view(row: TradingPairRow) -> PairView:
    return PairView(
        id=row.id,
        exchange=row.exchange,
        symbol=row.symbol,
        base=row.base_asset,
        quote=row.quote_asset,
        is_active=row.is_active,
    )


class PlatformConfigService:
    """Pairs and notifications.

    Args:
        database: ``trading_pairs`` and ``settings``.
        bus: where pair changes are published (``commands``).
        clock: audit times.
        ring: encrypts the webhook URL; None when no encryption key is configured.
    """

    def __init__(
        self, *, database: Database, bus: MessageBus, clock: Clock, ring: KeyRing | None
    ) -> None:
        self._database = database
        self._bus = bus
        self._clock = clock
        self._ring = ring

    async def list_pairs(self, actor: Actor, *, active_only: bool = False) -> list[PairView]:
        """Every known pair (or only active ones), by exchange and symbol."""
        actor.require(Permission.READ)
        statement = select(TradingPairRow).order_by(TradingPairRow.exchange, TradingPairRow.symbol)
        if active_only:
            statement = statement.where(TradingPairRow.is_active)
        async with UnitOfWork(self._database, read_only=True) as uow:
            rows = (await uow.session.execute(statement)).scalars()
            return [_pair_view(row) for row in rows]

    async def add_pair(self, actor: Actor, exchange: str, symbol: str, origin: Origin) -> PairView:
        """Add (or reactivate) a pair; ``PairChanged`` is written with it (sent once committed).

        Raises:
            UserInputError: malformed symbol, malformed exchange id or one ccxt does not know.
        """
        actor.require(Permission.CONFIGURE)
        pair = Pair.parse(symbol)
        check_exchange(exchange)
        # ccxt takes a second to import: off the loop; unknown -> one line with the closest id
        await asyncio.to_thread(exchange_class, exchange)
        async with UnitOfWork(self._database) as uow:
            known = await find_pair(session=uow.session, exchange=exchange, pair=pair)
            pair_id = await ensure_pair(session=uow.session, exchange=exchange, pair=pair)
            row = await uow.session.get(TradingPairRow, pair_id)
            assert row is not None
            before = row.is_active if known is not None else None  # None: a new pair
            row.is_active = True
            await uow.session.flush()
            await audit.record(
                uow.session,
                self._clock,
                origin,
                actor=actor.name,
                action="pair.create",
                target=f"pair:{pair_id}",
                after={"exchange": exchange, "symbol": pair.symbol, "was_active": before},
            )
            view = _pair_view(row)
            await self._stage(uow, actor, view)
            await uow.commit()
        return view

    async def set_pair_active(
        self, actor: Actor, pair_id: int, active: bool, origin: Origin
    ) -> PairView:
        """Activate or deactivate a pair (pairs with history are never deleted); published.

        Raises:
            NotFound: no such pair.
        """
        actor.require(Permission.CONFIGURE)
        async with UnitOfWork(self._database) as uow:
            row = await uow.session.get(TradingPairRow, pair_id)
            if row is None:
                raise NotFound("pair not found")
            before = row.is_active
            row.is_active = active
            await uow.session.flush()
            await audit.record(
                uow.session,
                self._clock,
                origin,
                actor=actor.name,
                action="pair.update",
                target=f"pair:{pair_id}",
                before={"is_active": before},
                after={"is_active": active},
            )
            view = _pair_view(row)
            await self._stage(uow, actor, view)
            await uow.commit()
        return view

    async def _stage(self, uow: UnitOfWork, actor: Actor, view: PairView) -> None:
        """Tell a running runtime (``commands``) that the pair changed: written with the change.

        Through the outbox (``cryptotrader.outbox``): sent once the change has committed, and
        by the relay later when the bus is down meanwhile.
        """
        message = PairChanged(
            timestamp=self._clock.now(),
            exchange=view.exchange,
            pair=Pair.parse(view.symbol),
            active=view.is_active,
            requested_by=actor.name,
        )
        await outbox_for(self._database, self._bus).add(uow.session, [(topics.COMMANDS, message)])

    async def notifications(self, actor: Actor) -> NotificationView:
        """The notification settings."""
        actor.require(Permission.READ)
        async with UnitOfWork(self._database, read_only=True) as uow:
            current = await self._load(uow)
        return self._notification_view(current)

    async def update_notifications(
        self, actor: Actor, changes: dict[str, Any], origin: Origin
    ) -> NotificationView:
        """Change notification settings; ``discord_webhook_url`` ("" clears it) is encrypted.

        Raises:
            Conflict: a webhook URL is given but no encryption key is configured.
            UserInputError: a value is invalid.
        """
        actor.require(Permission.ADMIN)
        actor.require_person()
        webhook = changes.pop("discord_webhook_url", None)
        async with UnitOfWork(self._database) as uow:
            current = await self._load(uow)
            merged = current.model_dump()
            merged.update(changes)
            if webhook is not None:
                merged["discord_webhook_ciphertext"] = self._encrypt_webhook(webhook)
            try:
                updated = NotificationSettings.model_validate(merged)
            except ValidationError as exc:
                first = exc.errors()[0]
                raise UserInputError(
                    f"{'.'.join(map(str, first['loc']))}: {first['msg']}"
                ) from None
            now = self._clock.now()
            await settings.put_setting(
                session=uow.session,
                key=NOTIFICATIONS_KEY,
                value=updated.model_dump(),
                at=now,
                updated_by=actor.name[:64],
            )
            await audit.record(
                uow.session,
                self._clock,
                origin,
                actor=actor.name,
                action="config.notifications",
                target="setting:" + NOTIFICATIONS_KEY,
                before=_public(current),
                after=_public(updated),
            )
            await uow.commit()
        return self._notification_view(updated)

    def _encrypt_webhook(self, url: str) -> str | None:
        if not url:
            return None
        if not url.startswith("https://"):
            raise UserInputError("discord_webhook_url must be an https:// URL")
        if self._ring is None:
            raise Conflict("no encryption keys configured: cannot store a webhook URL")
        return self._ring.encrypt(url)

    async def _load(self, uow: UnitOfWork) -> NotificationSettings:
        return await load_platform_settings(uow.session)

    def _notification_view(self, current: NotificationSettings) -> NotificationView:
        shown = None
        token = current.discord_webhook_ciphertext
        if token is not None:
            shown = mask(self._ring.decrypt(token)) if self._ring is not None else "…"
        return NotificationView(settings=current, discord_webhook_masked=shown)


def _public(value: NotificationSettings) -> dict[str, Any]:
    shown = value.model_dump(exclude={"discord_webhook_ciphertext"})
    shown["discord_webhook_set"] = value.discord_webhook_ciphertext is not None
    return shown
