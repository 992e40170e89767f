"""Notification devices, users' choices and the delivery record (``tables.notifications``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from cryptotrader.persistence.repositories._sql import rowcount, upsert_insert
from cryptotrader.persistence.tables import (
    NotificationDeliveryRow,
    NotificationDeviceRow,
    NotificationSettingsRow,
    UserRow,
)

PENDING = "pending"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"
GONE = "gone"


@dataclass
class Recipient:
    """An active user with their choices (None: never set) and devices."""

    user_id: int
    settings: NotificationSettingsRow | None = None
    devices: list[NotificationDeviceRow] = field(default_factory=list)


async def get_settings(*, session: AsyncSession, user_id: int) -> NotificationSettingsRow | None:
    """The user's notification settings, if they ever saved any."""
    return await session.get(NotificationSettingsRow, user_id)


async def ensure_settings(
    *, session: AsyncSession, user_id: int, at: datetime
) -> NotificationSettingsRow:
    """The user's settings row, created empty (every event at its default) when missing."""
    row = await session.get(NotificationSettingsRow, user_id, with_for_update=True)
    if row is None:
        row = NotificationSettingsRow(user_id=user_id, preferences={}, language="en", updated_at=at)
        session.add(row)
        await session.flush()
    return row


async def list_devices(*, session: AsyncSession, user_id: int) -> list[NotificationDeviceRow]:
    """The user's devices, oldest first."""
    statement = (
        select(NotificationDeviceRow)
        .where(NotificationDeviceRow.user_id == user_id)
        .order_by(NotificationDeviceRow.id)
    )
    return list((await session.execute(statement)).scalars())


async def register_device(
    *,
    session: AsyncSession,
    user_id: int,
    channel: str,
    address: str,
    p256dh: str | None = None,
    auth: str | None = None,
    label: str | None = None,
) -> NotificationDeviceRow:
    """Add a device, or take over the same one (a new login on it, new keys); returns it."""
    values: dict[str, Any] = {"user_id": user_id, "p256dh": p256dh, "auth": auth, "label": label}
    statement = (
        upsert_insert(session, NotificationDeviceRow)
        .values(channel=channel, address=address, **values)
        .on_conflict_do_update(index_elements=["channel", "address"], set_=values)
    )
    await session.execute(statement)
    found = select(NotificationDeviceRow).where(
        NotificationDeviceRow.channel == channel, NotificationDeviceRow.address == address
    )
    return (await session.execute(found.execution_options(populate_existing=True))).scalar_one()


async def delete_device(
    *, session: AsyncSession, device_id: int, user_id: int | None = None
) -> bool:
    """Forget a device (only the user's own when ``user_id`` is given); False when none."""
    statement = delete(NotificationDeviceRow).where(NotificationDeviceRow.id == device_id)
    if user_id is not None:
        statement = statement.where(NotificationDeviceRow.user_id == user_id)
    return rowcount(await session.execute(statement)) == 1


async def recipients(*, session: AsyncSession) -> list[Recipient]:
    """Every active user, with settings and devices."""
    users = await session.execute(select(UserRow.id).where(UserRow.is_active).order_by(UserRow.id))
    found = {user_id: Recipient(user_id) for user_id in users.scalars()}
    for row in (await session.execute(select(NotificationSettingsRow))).scalars():
        if row.user_id in found:
            found[row.user_id].settings = row
    devices = select(NotificationDeviceRow).order_by(NotificationDeviceRow.id)
    for device in (await session.execute(devices)).scalars():
        if device.user_id in found:
            found[device.user_id].devices.append(device)
    return list(found.values())


async def add_deliveries(*, session: AsyncSession, rows: Sequence[dict[str, Any]]) -> int:
    """Record deliveries to make; returns how many were new.

    One already recorded (same message, user, channel and target) is left as it is.
    """
    if not rows:
        return 0
    statement = (
        upsert_insert(session, NotificationDeliveryRow)
        .values(list(rows))
        .on_conflict_do_nothing(index_elements=["message_id", "user_id", "channel", "target"])
    )
    return rowcount(await session.execute(statement))


async def due_deliveries(*, session: AsyncSession, now: datetime, limit: int) -> list[int]:
    """Ids of deliveries to attempt now: pending ones, and leases that ran out (a crash)."""
    statement = (
        select(NotificationDeliveryRow.id)
        .where(
            or_(
                NotificationDeliveryRow.status == PENDING,
                NotificationDeliveryRow.status == SENDING,
            ),
            NotificationDeliveryRow.next_attempt_at <= now,
        )
        .order_by(NotificationDeliveryRow.next_attempt_at, NotificationDeliveryRow.id)
        .limit(limit)
    )
    return list((await session.execute(statement)).scalars())


async def lease_delivery(
    *, session: AsyncSession, delivery_id: int, now: datetime, until: datetime
) -> NotificationDeliveryRow | None:
    """Take a due delivery for one attempt (until ``until``); None when another process has it.

    Commit right after: the lease is what keeps two dispatchers from sending the same one.
    """
    statement = (
        update(NotificationDeliveryRow)
        .where(
            NotificationDeliveryRow.id == delivery_id,
            NotificationDeliveryRow.status.in_((PENDING, SENDING)),
            NotificationDeliveryRow.next_attempt_at <= now,
        )
        .values(
            status=SENDING,
            next_attempt_at=until,
            attempts=NotificationDeliveryRow.attempts + 1,
        )
    )
    if rowcount(await session.execute(statement)) != 1:
        return None
    return await session.get(NotificationDeliveryRow, delivery_id, populate_existing=True)


async def list_deliveries(
    *, session: AsyncSession, user_id: int, limit: int
) -> list[NotificationDeliveryRow]:
    """The user's newest deliveries, newest first."""
    statement = (
        select(NotificationDeliveryRow)
        .where(NotificationDeliveryRow.user_id == user_id)
        .order_by(NotificationDeliveryRow.id.desc())
        .limit(limit)
    )
    return list((await session.execute(statement)).scalars())


async def awaiting_receipts(
    *, session: AsyncSession, channel: str, sent_before: datetime, limit: int
) -> list[NotificationDeliveryRow]:
    """Sent deliveries of ``channel`` whose provider receipt is still to be read, oldest first."""
    statement = (
        select(NotificationDeliveryRow)
        .where(
            NotificationDeliveryRow.channel == channel,
            NotificationDeliveryRow.status == SENT,
            NotificationDeliveryRow.receipt.is_not(None),
            NotificationDeliveryRow.sent_at <= sent_before,
        )
        .order_by(NotificationDeliveryRow.id)
        .limit(limit)
    )
    return list((await session.execute(statement)).scalars())


async def prune_deliveries(*, session: AsyncSession, before: datetime) -> int:
    """Forget finished deliveries (sent, failed, gone) created before ``before``; how many."""
    statement = delete(NotificationDeliveryRow).where(
        NotificationDeliveryRow.status.in_((SENT, FAILED, GONE)),
        NotificationDeliveryRow.receipt.is_(None),
        NotificationDeliveryRow.created_at < before,
    )
    return rowcount(await session.execute(statement))
