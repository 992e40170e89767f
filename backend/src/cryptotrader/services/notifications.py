"""Each user's notifications: devices, which events on which channel, ntfy, a test push.

Everything here is the caller's own: devices, choices and the delivery record belong to the
user who set them up (another user's device id answers 404). Secrets go in and never come out:
an ntfy access token is stored encrypted (like exchange keys) and only said to be set; the
VAPID private key never leaves the server, only its public half (what browsers subscribe with).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from cryptotrader.clock import Clock
from cryptotrader.config import NotifySettings
from cryptotrader.errors import UserInputError
from cryptotrader.notify.channels import (
    CHANNELS,
    Notification,
    Status,
    WebPushSubscription,
    is_expo_token,
)
from cryptotrader.notify.channels.webpush import check_subscription
from cryptotrader.notify.events import EVENTS, LANGUAGES
from cryptotrader.notify.notifier import open_dispatcher, wants
from cryptotrader.notify.platform import load_platform_settings
from cryptotrader.notify.vapid import ensure_vapid
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.repositories import notifications as records
from cryptotrader.persistence.tables import NotificationDeviceRow, NotificationSettingsRow
from cryptotrader.persistence.uow import UnitOfWork
from cryptotrader.security.keys import KeyRing, mask
from cryptotrader.services import audit
from cryptotrader.services.context import Actor, Origin, Permission
from cryptotrader.services.errors import Conflict, InvalidField, NotFound

_TOPIC = re.compile(r"^[-_A-Za-z0-9]{1,64}$")
MAX_DEVICES = 20
"""Devices one user may register (a browser per machine, a phone or two)."""

_TEST = {
    "en": ("CryptoTrader test notification", "Notifications reach this {channel}."),
    "fr": ("Notification de test CryptoTrader", "Les notifications arrivent sur ce {channel}."),
}
_CHANNEL_WORDS = {
    "en": {"webpush": "browser", "expo": "device", "ntfy": "ntfy topic"},
    "fr": {"webpush": "navigateur", "expo": "appareil", "ntfy": "sujet ntfy"},
}


@dataclass(frozen=True, slots=True)
class DeviceView:
    """A registered device as its owner sees it (the address masked)."""

    id: int
    channel: str
    label: str | None
    address_masked: str
    created_at: datetime
    last_sent_at: datetime | None


@dataclass(frozen=True, slots=True)
class EventChoice:
    """One event and the channels it goes to."""

    event: str
    description: str
    channels: dict[str, bool]


@dataclass(frozen=True, slots=True)
class NtfyView:
    """Where ntfy notifications go (the token is never shown)."""

    base_url: str
    topic: str
    token_set: bool


@dataclass(frozen=True, slots=True)
class NotificationsView:
    """A user's whole notification set-up."""

    push_enabled: bool
    web_push_available: bool
    language: str
    events: list[EventChoice]
    ntfy: NtfyView | None
    devices: list[DeviceView]


@dataclass(frozen=True, slots=True)
class TestResult:
    """What one channel said to the test notification."""

    channel: str
    device_id: int | None
    status: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class DeliveryView:
    """One recorded delivery."""

    id: int
    event: str
    channel: str
    device_id: int | None
    title: str
    status: str
    attempts: int
    created_at: datetime
    sent_at: datetime | None
    last_error: str | None


@dataclass(frozen=True, slots=True)
class DeviceRequest:
    """A device to register: an Expo push token, or a browser's push subscription."""

    channel: str
    token: str | None = None
    subscription: WebPushSubscription | None = None
    label: str | None = field(default=None)


class NotificationService:
    """Users' notification settings, devices and test pushes.

    Args:
        database: the notification tables.
        clock: audit and update times.
        ring: encrypts ntfy tokens and the VAPID private key; None when no encryption key is
            configured (then neither can be stored, and Web Push is unavailable).
        config: the providers' URLs (test pushes go through them).
    """

    def __init__(
        self, *, database: Database, clock: Clock, ring: KeyRing | None, config: NotifySettings
    ) -> None:
        self._database = database
        self._clock = clock
        self._ring = ring
        self._config = config

    async def overview(self, actor: Actor) -> NotificationsView:
        """The caller's settings, devices and the platform switches."""
        actor.require(Permission.READ)
        async with UnitOfWork(self._database, read_only=True) as uow:
            return await self._view(uow, actor.user_id)

    async def update_preferences(
        self,
        actor: Actor,
        origin: Origin,
        *,
        events: dict[str, dict[str, bool]] | None = None,
        language: str | None = None,
    ) -> NotificationsView:
        """Turn events on or off per channel (only those named change) and set the language.

        Raises:
            UserInputError: an unknown event, channel or language.
        """
        self._require_owner(actor)
        for event, channels in (events or {}).items():
            if event not in EVENTS:
                raise UserInputError(f"events: unknown event {event!r} ({', '.join(EVENTS)})")
            for channel in channels:
                if channel not in CHANNELS:
                    raise UserInputError(f"events.{event}: unknown channel {channel!r}")
        if language is not None and language not in LANGUAGES:
            raise UserInputError(f"language must be one of {', '.join(LANGUAGES)}")
        async with UnitOfWork(self._database) as uow:
            row = await self._settings_row(uow, actor.user_id)
            before = {"preferences": row.preferences, "language": row.language}
            merged = {event: dict(choice) for event, choice in row.preferences.items()}
            for event, channels in (events or {}).items():
                merged.setdefault(event, {}).update(channels)
            row.preferences = merged
            row.language = language or row.language
            after = {"preferences": merged, "language": row.language}
            await self._audit(
                uow, actor, origin, "notifications.preferences", before=before, after=after
            )
            await uow.commit()
            return await self._view(uow, actor.user_id)

    async def set_ntfy(
        self, actor: Actor, origin: Origin, *, base_url: str, topic: str, token: str | None
    ) -> NotificationsView:
        """Send notifications to an ntfy topic; ``token`` (encrypted) replaces the stored one.

        Raises:
            InvalidField: not an http(s) URL (``base_url``), or not an ntfy topic name (``topic``).
            Conflict: a token is given but no encryption key is configured.
        """
        self._require_owner(actor)
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise InvalidField("base_url", "base_url must be an http:// or https:// URL")
        if not _TOPIC.match(topic):
            raise InvalidField("topic", "topic: 1 to 64 letters, digits, '-' or '_'")
        ciphertext = None
        if token:
            if self._ring is None:
                raise Conflict("no encryption keys configured: cannot store an ntfy token")
            ciphertext = self._ring.encrypt(token)
        async with UnitOfWork(self._database) as uow:
            row = await self._settings_row(uow, actor.user_id)
            row.ntfy_url, row.ntfy_topic = base_url.rstrip("/"), topic
            row.ntfy_token_ciphertext = ciphertext
            after = {"base_url": row.ntfy_url, "topic": topic, "token_set": bool(ciphertext)}
            await self._audit(uow, actor, origin, "notifications.ntfy", before=None, after=after)
            await uow.commit()
            return await self._view(uow, actor.user_id)

    async def clear_ntfy(self, actor: Actor, origin: Origin) -> None:
        """Stop sending to ntfy (the token is forgotten)."""
        self._require_owner(actor)
        async with UnitOfWork(self._database) as uow:
            row = await self._settings_row(uow, actor.user_id)
            row.ntfy_url = row.ntfy_topic = row.ntfy_token_ciphertext = None
            await self._audit(
                uow, actor, origin, "notifications.ntfy.delete", before=None, after=None
            )
            await uow.commit()

    async def register_device(
        self, actor: Actor, origin: Origin, request: DeviceRequest
    ) -> DeviceView:
        """Register (or refresh) a device of the caller's.

        Raises:
            UserInputError: a malformed token or subscription, or too many devices.
            Conflict: Web Push asked but unavailable (no encryption key for VAPID).
        """
        self._require_owner(actor)
        address, p256dh, auth = self._checked(request)
        async with UnitOfWork(self._database) as uow:
            owned = await records.list_devices(session=uow.session, user_id=actor.user_id)
            if len(owned) >= MAX_DEVICES and all(d.address != address for d in owned):
                raise UserInputError(f"at most {MAX_DEVICES} devices: remove one first")
            row = await records.register_device(
                session=uow.session, user_id=actor.user_id, channel=request.channel,
                address=address, p256dh=p256dh, auth=auth, label=request.label,
            )  # fmt: skip
            view = _device_view(row)
            after = {"channel": view.channel, "address": view.address_masked, "label": view.label}
            await self._audit(
                uow, actor, origin, "notifications.device.create", before=None, after=after
            )
            await uow.commit()
        return view

    async def unregister_device(self, actor: Actor, origin: Origin, device_id: int) -> None:
        """Forget one of the caller's devices.

        Raises:
            NotFound: no such device of the caller's.
        """
        self._require_owner(actor)
        async with UnitOfWork(self._database) as uow:
            deleted = await records.delete_device(
                session=uow.session, device_id=device_id, user_id=actor.user_id
            )
            if not deleted:
                raise NotFound("device not found")
            target = f"notification_device:{device_id}"
            await self._audit(
                uow, actor, origin, "notifications.device.delete", before=None, after=target
            )
            await uow.commit()

    async def vapid_public_key(self, actor: Actor) -> str:
        """The key browsers subscribe with (``applicationServerKey``), made on first use.

        Raises:
            Conflict: no encryption key is configured, so no private key can be kept.
        """
        actor.require(Permission.READ)
        if self._ring is None:
            raise Conflict("Web Push needs CRYPTOTRADER_SECURITY__ENCRYPTION_KEYS")
        async with UnitOfWork(self._database) as uow:
            keys = await ensure_vapid(uow.session, self._ring, at=self._clock.now())
            await uow.commit()
        return keys.public_key

    async def send_test(self, actor: Actor, origin: Origin) -> list[TestResult]:
        """Push a test notification to every channel the caller set up, now; dead devices go."""
        self._require_owner(actor)
        results = await self._send_tests(actor)
        async with UnitOfWork(self._database) as uow:
            after = [{"channel": r.channel, "status": r.status} for r in results]
            await self._audit(uow, actor, origin, "notifications.test", before=None, after=after)
            await uow.commit()
        return results

    async def _send_tests(self, actor: Actor) -> list[TestResult]:
        async with UnitOfWork(self._database, read_only=True) as uow:
            user = await records.get_settings(session=uow.session, user_id=actor.user_id)
            devices = await records.list_devices(session=uow.session, user_id=actor.user_id)
        language = "fr" if user is not None and user.language == "fr" else "en"
        targets: list[tuple[str, NotificationDeviceRow | None]] = [(d.channel, d) for d in devices]
        if user is not None and user.ntfy_url:
            targets.append(("ntfy", None))
        results = []
        async with httpx.AsyncClient(timeout=self._config.timeout_s) as client:
            dispatcher = open_dispatcher(
                database=self._database, clock=self._clock, config=self._config,
                ring=self._ring, client=client,
            )  # fmt: skip
            for channel, device in targets:
                title, body = _TEST[language]
                notification = Notification(
                    event="test", title=title,
                    body=body.format(channel=_CHANNEL_WORDS[language][channel]), tag="test",
                )  # fmt: skip
                outcome = await dispatcher.send(channel, notification, device, user)
                if outcome.status is Status.GONE and device is not None:
                    async with UnitOfWork(self._database) as uow:
                        await records.delete_device(session=uow.session, device_id=device.id)
                        await uow.commit()
                results.append(TestResult(
                    channel, None if device is None else device.id, outcome.status.value,
                    outcome.detail,
                ))  # fmt: skip
        return results

    async def deliveries(self, actor: Actor, limit: int) -> list[DeliveryView]:
        """The caller's newest deliveries and what became of them."""
        actor.require(Permission.READ)
        async with UnitOfWork(self._database, read_only=True) as uow:
            rows = await records.list_deliveries(
                session=uow.session, user_id=actor.user_id, limit=limit
            )
        return [
            DeliveryView(
                id=r.id,
                event=r.event,
                channel=r.channel,
                device_id=r.device_id,
                title=str(r.notification.get("title", "")),
                status=r.status,
                attempts=r.attempts,
                created_at=r.created_at,
                sent_at=r.sent_at,
                last_error=r.last_error,
            )
            for r in rows
        ]

    # --- internals -------------------------------------------------------------------------

    @staticmethod
    def _require_owner(actor: Actor) -> None:
        actor.require(Permission.READ)
        actor.require_person()

    def _checked(self, request: DeviceRequest) -> tuple[str, str | None, str | None]:
        if request.channel == "expo":
            if request.token is None or not is_expo_token(request.token):
                raise UserInputError("token: not an Expo push token (ExponentPushToken[...])")
            return request.token, None, None
        subscription = request.subscription
        if request.channel != "webpush" or subscription is None:
            raise UserInputError("channel must be webpush (with subscription) or expo (token)")
        if self._ring is None:
            raise Conflict("Web Push needs CRYPTOTRADER_SECURITY__ENCRYPTION_KEYS")
        scheme = urlsplit(subscription.endpoint).scheme
        if scheme != "https" and not (scheme == "http" and self._config.allow_http_push_endpoints):
            raise UserInputError("subscription.endpoint must be an https:// URL")
        try:
            check_subscription(subscription)
        except ValueError as exc:
            raise UserInputError(f"subscription: {exc}") from None
        return subscription.endpoint, subscription.p256dh, subscription.auth

    async def _settings_row(self, uow: UnitOfWork, user_id: int) -> NotificationSettingsRow:
        return await records.ensure_settings(
            session=uow.session, user_id=user_id, at=self._clock.now()
        )

    async def _view(self, uow: UnitOfWork, user_id: int) -> NotificationsView:
        platform = await load_platform_settings(uow.session)
        row = await records.get_settings(session=uow.session, user_id=user_id)
        devices = await records.list_devices(session=uow.session, user_id=user_id)
        preferences: dict[str, Any] = row.preferences if row is not None else {}
        events = [
            EventChoice(
                event, info.description, {c: wants(preferences, event, c) for c in CHANNELS}
            )
            for event, info in EVENTS.items()
        ]
        ntfy = None
        if row is not None and row.ntfy_url and row.ntfy_topic:
            ntfy = NtfyView(row.ntfy_url, row.ntfy_topic, row.ntfy_token_ciphertext is not None)
        return NotificationsView(
            push_enabled=platform.enabled and platform.push_enabled,
            web_push_available=self._ring is not None,
            language=row.language if row is not None else "en",
            events=events,
            ntfy=ntfy,
            devices=[_device_view(d) for d in devices],
        )

    async def _audit(
        self,
        uow: UnitOfWork,
        actor: Actor,
        origin: Origin,
        action: str,
        *,
        before: Any,
        after: Any,
    ) -> None:
        await audit.record(
            uow.session, self._clock, origin, actor=actor.name, action=action,
            target=f"user:{actor.user_id}", before=before, after=after,
        )  # fmt: skip


def _device_view(row: NotificationDeviceRow) -> DeviceView:
    shown = mask(row.address)
    if row.channel == "webpush":
        shown = urlsplit(row.address).netloc or shown
    return DeviceView(
        id=row.id, channel=row.channel, label=row.label, address_masked=shown,
        created_at=row.created_at, last_sent_at=row.last_sent_at,
    )  # fmt: skip
