"""Sends the recorded deliveries: leases each, calls its channel, records what happened.

A delivery is leased (``sending``, attempts + 1) and committed before its request goes out,
and marked ``sent`` right after the provider took it: a restart resumes the pending ones and
never sends a sent one again. Only a process killed between a provider's answer and that
commit (milliseconds) sends that one again once its lease runs out. Several notifier processes
share the work through the lease. A provider's "slow down" or outage retries with exponential
back-off (or its ``Retry-After``); a dead device (``DeviceNotRegistered``, HTTP 404/410) is
removed; a refusal that retrying cannot cure is recorded and given up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from cryptotrader.clock import Clock
from cryptotrader.config import NotifySettings
from cryptotrader.errors import OperationalError
from cryptotrader.monitoring.telemetry import Telemetry
from cryptotrader.notify.channels import (
    ExpoChannel,
    Notification,
    NtfyChannel,
    NtfyTarget,
    Outcome,
    Status,
    VapidKeys,
    WebPushChannel,
    WebPushSubscription,
)
from cryptotrader.notify.vapid import load_vapid
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.repositories import notifications as records
from cryptotrader.persistence.tables import (
    NotificationDeliveryRow,
    NotificationDeviceRow,
    NotificationSettingsRow,
)
from cryptotrader.persistence.uow import UnitOfWork
from cryptotrader.security.keys import KeyRing

log = logging.getLogger(__name__)

_BATCH = 50
_LEASE_S = 120.0
RECEIPT_DELAY_S = 15 * 60
"""Expo's receipts are ready within minutes; ask once a ticket is this old."""
RECEIPT_GIVE_UP_S = 24 * 3600
"""Expo keeps receipts about a day: an older ticket's receipt is no longer asked for."""
_RECEIPTS_EVERY_S = 60.0
KEEP_DELIVERIES_S = 30 * 24 * 3600
"""Finished deliveries are kept this long (the user's history, a restart's memory), then pruned;
far longer than any redelivery of an alert, so pruning never lets one be sent twice."""


WebPushFactory = Callable[[VapidKeys], WebPushChannel]
"""Makes the Web Push channel once the platform's VAPID keys exist."""


class Dispatcher:
    """Sends due deliveries until stopped.

    Args:
        database: the delivery record, devices and settings.
        clock: when deliveries are due (wall clock in production).
        expo: the Expo channel.
        ntfy: the ntfy channel.
        webpush: builds the Web Push channel once VAPID keys exist (None: no encryption keys,
            so Web Push cannot be configured at all).
        ring: decrypts the VAPID key and ntfy tokens.
        config: attempts and back-off.
        telemetry: counts each attempt's outcome per channel (``cryptotrader_notifications``).
    """

    def __init__(
        self,
        *,
        database: Database,
        clock: Clock,
        expo: ExpoChannel,
        ntfy: NtfyChannel,
        webpush: WebPushFactory | None,
        ring: KeyRing | None,
        config: NotifySettings,
        telemetry: Telemetry | None = None,
    ) -> None:
        self._database = database
        self._telemetry = telemetry
        self._clock = clock
        self._expo = expo
        self._ntfy = ntfy
        self._webpush_factory = webpush
        self._webpush: WebPushChannel | None = None
        self._ring = ring
        self._config = config
        self._wake = asyncio.Event()
        self._next_receipts = clock.now()

    def kick(self) -> None:
        """Look for due deliveries now rather than at the next poll."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Send what is due, then wait for a kick or the poll interval; until ``stop``."""
        while not stop.is_set():
            self._wake.clear()
            try:
                while await self.send_due():
                    pass
                if self._clock.now() >= self._next_receipts:
                    self._next_receipts = self._clock.now() + timedelta(seconds=_RECEIPTS_EVERY_S)
                    await self.check_receipts()
                    await self.prune()
            except asyncio.CancelledError:
                raise
            except Exception:  # a broken database connection must not end the notifier
                log.exception("notification dispatch failed; retrying")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._config.poll_interval_s)

    async def send_due(self) -> int:
        """One pass over the due deliveries (at most a batch); returns how many were attempted."""
        async with UnitOfWork(self._database) as uow:
            due = await records.due_deliveries(
                session=uow.session, now=self._clock.now(), limit=_BATCH
            )
        attempted = 0
        for delivery_id in due:
            if await self.attempt(delivery_id):
                attempted += 1
        return attempted

    async def check_receipts(self) -> int:
        """Ask Expo what became of the tickets sent a while ago; returns how many it answered.

        A receipt can still say ``DeviceNotRegistered`` (Apple or Google dropped the token after
        Expo took the message): the device is removed and the delivery marked ``gone``; a
        ``MessageRateExceeded`` receipt sends the notification again later.
        """
        now = self._clock.now()
        async with UnitOfWork(self._database) as uow:
            rows = await records.awaiting_receipts(
                session=uow.session,
                channel="expo",
                sent_before=now - timedelta(seconds=RECEIPT_DELAY_S),
                limit=1000,
            )
            tickets = {row.receipt: row.id for row in rows if row.receipt is not None}
        if not tickets:
            return 0
        answers = await self._expo.receipts(list(tickets))
        async with UnitOfWork(self._database) as uow:
            for ticket, delivery_id in tickets.items():
                row = await uow.session.get(NotificationDeliveryRow, delivery_id)
                if row is not None:
                    await self._settle_receipt(uow, row, answers.get(ticket), now)
            await uow.commit()
        return len(answers)

    async def prune(self) -> int:
        """Forget finished deliveries older than ``KEEP_DELIVERIES_S``; returns how many."""
        before = self._clock.now() - timedelta(seconds=KEEP_DELIVERIES_S)
        async with UnitOfWork(self._database) as uow:
            pruned = await records.prune_deliveries(session=uow.session, before=before)
            await uow.commit()
        return pruned

    async def _settle_receipt(
        self, uow: UnitOfWork, row: NotificationDeliveryRow, answer: Outcome | None, now: datetime
    ) -> None:
        if answer is None:  # not ready yet; past a day, Expo no longer has it
            sent = row.sent_at or now
            if (now - sent).total_seconds() > RECEIPT_GIVE_UP_S:
                row.receipt = None
            return
        row.receipt = None
        if answer.status is Status.SENT:
            return
        row.last_error = answer.detail[:255] or None
        if answer.status is Status.GONE:
            row.status = records.GONE
            if row.device_id is not None:
                await records.delete_device(session=uow.session, device_id=row.device_id)
                log.info("removed dead expo device %d (receipt)", row.device_id)
        elif answer.status is Status.RETRY and row.attempts < self._config.max_attempts:
            row.status = records.PENDING
            row.next_attempt_at = now + timedelta(seconds=self._delay(row, answer))
        else:
            row.status = records.FAILED

    async def attempt(self, delivery_id: int) -> bool:
        """Lease, send and record one delivery; False when another process holds it."""
        now = self._clock.now()
        async with UnitOfWork(self._database) as uow:
            row = await records.lease_delivery(
                session=uow.session,
                delivery_id=delivery_id,
                now=now,
                until=now + timedelta(seconds=_LEASE_S),
            )
            if row is None:
                return False
            device = (
                None
                if row.device_id is None
                else await uow.session.get(NotificationDeviceRow, row.device_id)
            )
            user = await records.get_settings(session=uow.session, user_id=row.user_id)
            await uow.commit()
        try:
            outcome = await self._send(row, device, user)
        except OperationalError as exc:  # a stored secret the configured keys cannot decrypt
            outcome = Outcome(Status.FAILED, str(exc))
        except Exception as exc:  # recorded and retried like a provider failure
            log.exception("sending notification %d on %s failed", row.id, row.channel)
            outcome = Outcome(Status.RETRY, f"{type(exc).__name__}: {exc}")
        if self._telemetry is not None:
            self._telemetry.notification(channel=row.channel, outcome=outcome.status.value)
        await self._record(row, outcome)
        return True

    async def _send(
        self,
        row: NotificationDeliveryRow,
        device: NotificationDeviceRow | None,
        user: NotificationSettingsRow | None,
    ) -> Outcome:
        return await self.send(row.channel, Notification(**row.notification), device, user)

    async def send(
        self,
        channel: str,
        notification: Notification,
        device: NotificationDeviceRow | None,
        user: NotificationSettingsRow | None,
    ) -> Outcome:
        """Send ``notification`` once on ``channel``: to ``device``, or to the user's ntfy topic.

        Raises:
            OperationalError: a stored secret cannot be decrypted with the configured keys.
        """
        if channel == "ntfy":
            target = self._ntfy_target(user)
            if target is None:
                return Outcome(Status.GONE, "ntfy is no longer configured")
            return await self._ntfy.send(target, notification)
        if device is None:
            return Outcome(Status.GONE, "the device was removed")
        if channel == "expo":
            return await self._expo.send(device.address, notification)
        web_push = await self._web_push()
        if web_push is None:
            return Outcome(Status.FAILED, "Web Push has no VAPID keys (no encryption key set)")
        assert device.p256dh is not None
        assert device.auth is not None
        subscription = WebPushSubscription(device.address, device.p256dh, device.auth)
        return await web_push.send(subscription, notification)

    def _ntfy_target(self, user: NotificationSettingsRow | None) -> NtfyTarget | None:
        if user is None or not user.ntfy_url or not user.ntfy_topic:
            return None
        token = None
        if user.ntfy_token_ciphertext is not None:
            if self._ring is None:
                return None
            token = self._ring.decrypt(user.ntfy_token_ciphertext)
        return NtfyTarget(user.ntfy_url, user.ntfy_topic, token)

    async def _web_push(self) -> WebPushChannel | None:
        if self._webpush is None and self._webpush_factory is not None and self._ring is not None:
            async with UnitOfWork(self._database) as uow:
                keys = await load_vapid(uow.session, self._ring)
            if keys is not None:
                self._webpush = self._webpush_factory(keys)
        return self._webpush

    async def _record(self, row: NotificationDeliveryRow, outcome: Outcome) -> None:
        now = self._clock.now()
        async with UnitOfWork(self._database) as uow:
            current = await uow.session.get(NotificationDeliveryRow, row.id)
            if current is None:  # its user was deleted meanwhile
                return
            current.last_error = outcome.detail[:255] or None
            if outcome.status is Status.SENT:
                current.status = records.SENT
                current.sent_at = now
                current.receipt = outcome.receipt
                await _touch_device(uow, row.device_id, now)
            elif outcome.status is Status.GONE:
                current.status = records.GONE
                if row.device_id is not None:
                    await records.delete_device(session=uow.session, device_id=row.device_id)
                    log.info("removed dead %s device %d", row.channel, row.device_id)
            elif outcome.status is Status.RETRY and current.attempts < self._config.max_attempts:
                current.status = records.PENDING
                current.next_attempt_at = now + timedelta(seconds=self._delay(current, outcome))
            else:
                current.status = records.FAILED
                log.warning("notification %d on %s given up: %s", row.id, row.channel,
                            outcome.detail)  # fmt: skip
            await uow.commit()

    def _delay(self, row: NotificationDeliveryRow, outcome: Outcome) -> float:
        """Exponential back-off from the first attempt, or longer when the provider says so."""
        backoff = self._config.retry_base_s * 2.0 ** max(0, row.attempts - 1)
        return max(min(backoff, self._config.retry_max_s), outcome.retry_after_s or 0.0)


async def _touch_device(uow: UnitOfWork, device_id: int | None, now: datetime) -> None:
    if device_id is None:
        return
    device = await uow.session.get(NotificationDeviceRow, device_id)
    if device is not None:
        device.last_sent_at = now
