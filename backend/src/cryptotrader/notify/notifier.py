"""The notifier: consumes ``alerts`` and records one delivery per user, channel and device.

Fanning out is one transaction with the inbox claim (consumer ``notifier``): a redelivered
alert finds its claim and adds nothing, and the delivery rows' unique key (message, user,
channel, target) holds even without it. Sending is the dispatcher's job, after the commit, so a
slow or failing provider never holds the bus. A malformed alert never reaches here (the bus
moves it to ``alerts.dead``); one whose handling keeps failing is moved there after the bus's
retry limit, like every consumer's.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import datetime
from typing import Any

import httpx

from cryptotrader.bus.messages import AlertRaised
from cryptotrader.bus.protocol import Delivery
from cryptotrader.clock import Clock
from cryptotrader.config import NotifySettings
from cryptotrader.monitoring.telemetry import Telemetry
from cryptotrader.notify.channels import (
    CHANNELS,
    ExpoChannel,
    Notification,
    NtfyChannel,
    VapidKeys,
    WebPushChannel,
)
from cryptotrader.notify.dispatcher import Dispatcher
from cryptotrader.notify.events import EVENTS, Language, is_notifiable, render
from cryptotrader.notify.platform import load_platform_settings
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.repositories import inbox
from cryptotrader.persistence.repositories import notifications as records
from cryptotrader.persistence.uow import UnitOfWork
from cryptotrader.security.keys import KeyRing

log = logging.getLogger(__name__)

CONSUMER = "notifier"
"""The inbox name and the consumer group on ``alerts``."""


def wants(preferences: dict[str, Any], event: str, channel: str) -> bool:
    """Whether a user's ``{event: {channel: bool}}`` choices send ``event`` on ``channel``."""
    chosen = preferences.get(event, {})
    value = chosen.get(channel) if isinstance(chosen, dict) else None
    return EVENTS[event].default if not isinstance(value, bool) else value


class Notifier:
    """Turns alerts into recorded deliveries and wakes the dispatcher.

    Args:
        database: inbox and delivery record.
        clock: the wall clock (an alert's age, delivery times).
        dispatcher: sends what was recorded.
        config: the oldest alert still worth pushing.
    """

    def __init__(
        self, *, database: Database, clock: Clock, dispatcher: Dispatcher, config: NotifySettings
    ) -> None:
        self._database = database
        self._clock = clock
        self.dispatcher = dispatcher
        self._config = config

    async def handle(self, delivery: Delivery) -> None:
        """Record the deliveries of one alert (idempotent)."""
        alert = delivery.message
        if not isinstance(alert, AlertRaised) or not is_notifiable(alert):
            return
        now = self._clock.now()
        added = 0
        async with UnitOfWork(self._database) as uow:
            session = uow.session
            fresh = await inbox.claim_message(
                session=session, consumer=CONSUMER, message_id=alert.message_id, at=now
            )
            if not fresh:
                return
            age = (now - alert.timestamp).total_seconds()
            platform = await load_platform_settings(session)
            if age > self._config.max_age_s:
                log.info("alert %s is %.0f s old: not pushed", alert.message_id, age)
            elif platform.lets_push(alert):
                rows = plan(alert, await records.recipients(session=session), now=now)
                added = await records.add_deliveries(session=session, rows=rows)
            await uow.commit()
        if added:
            self.dispatcher.kick()


def plan(
    alert: AlertRaised, recipients: list[records.Recipient], *, now: datetime
) -> list[dict[str, Any]]:
    """The delivery rows of ``alert``: each user's chosen channels, one row per device."""
    rendered: dict[Language, Notification] = {}
    rows: list[dict[str, Any]] = []
    for recipient in recipients:
        settings = recipient.settings
        preferences = settings.preferences if settings is not None else {}
        language: Language = "fr" if settings is not None and settings.language == "fr" else "en"
        if language not in rendered:
            rendered[language] = render(alert, language)
        document = asdict(rendered[language])
        targets: list[tuple[str, str, int | None]] = [
            (d.channel, f"device:{d.id}", d.id) for d in recipient.devices
        ]
        if settings is not None and settings.ntfy_url and settings.ntfy_topic:
            targets.append(("ntfy", "ntfy", None))
        for channel, target, device_id in targets:
            if channel not in CHANNELS or not wants(preferences, alert.kind, channel):
                continue
            rows.append({
                "message_id": alert.message_id, "user_id": recipient.user_id,
                "channel": channel, "target": target, "device_id": device_id,
                "event": alert.kind, "notification": document, "status": records.PENDING,
                "attempts": 0, "next_attempt_at": now, "created_at": now,
            })  # fmt: skip
    return rows


def open_dispatcher(
    *,
    database: Database,
    clock: Clock,
    config: NotifySettings,
    ring: KeyRing | None,
    client: httpx.AsyncClient,
    telemetry: Telemetry | None = None,
) -> Dispatcher:
    """A dispatcher whose channels share ``client``, configured from ``config``."""
    token = config.expo_access_token
    expo = ExpoChannel(
        client,
        base_url=config.expo_push_url,
        access_token=None if token is None else token.get_secret_value(),
    )

    def web_push(keys: VapidKeys) -> WebPushChannel:
        return WebPushChannel(client, keys=keys, subject=config.vapid_subject)

    return Dispatcher(
        database=database,
        clock=clock,
        expo=expo,
        ntfy=NtfyChannel(client),
        webpush=web_push if ring is not None else None,
        ring=ring,
        config=config,
        telemetry=telemetry,
    )
