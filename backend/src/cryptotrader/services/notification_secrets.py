"""Where notifications keep their secrets, and their re-encryption on rotation.

The Discord webhook URL is stored encrypted inside the ``notifications`` setting, the VAPID
private key inside ``notifications.vapid``, each user's ntfy token in ``notification_settings``.
Key rotation (``ExchangeKeyService.rotate``) must re-encrypt them with the exchange keys: once
the old encryption key is removed, a secret left under it could no longer be read (every
``/config/notifications`` answered 503; Web Push and that ntfy topic stopped).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from cryptotrader.notify.platform import NOTIFICATIONS_KEY
from cryptotrader.notify.vapid import rotate_vapid
from cryptotrader.persistence.repositories import settings
from cryptotrader.persistence.tables import NotificationSettingsRow
from cryptotrader.security.keys import KeyRing

WEBHOOK_FIELD = "discord_webhook_ciphertext"
"""The field of that document holding the encrypted webhook URL."""


async def rotate_webhook(session: AsyncSession, ring: KeyRing, *, at: datetime, by: str) -> int:
    """Re-encrypt the stored webhook with the newest key; 1 when it changed, else 0.

    Raises:
        OperationalError: the webhook cannot be decrypted with the configured keys.
    """
    stored = await settings.get_setting(session=session, key=NOTIFICATIONS_KEY)
    token = stored.get(WEBHOOK_FIELD) if isinstance(stored, dict) else None
    if not isinstance(token, str) or ring.is_current(token):
        return 0
    assert isinstance(stored, dict)
    value = {**stored, WEBHOOK_FIELD: ring.rotate(token)}
    await settings.put_setting(
        session=session, key=NOTIFICATIONS_KEY, value=value, at=at, updated_by=by[:64]
    )
    return 1


async def rotate_notification_secrets(
    session: AsyncSession, ring: KeyRing, *, at: datetime, by: str
) -> int:
    """Re-encrypt every notification secret with the newest key; returns how many changed.

    The Discord webhook, the VAPID private key, and each user's ntfy token.

    Raises:
        OperationalError: one cannot be decrypted with the configured keys.
    """
    changed = await rotate_webhook(session, ring, at=at, by=by)
    changed += await rotate_vapid(session, ring, at=at, by=by[:64])
    statement = select(NotificationSettingsRow).where(
        NotificationSettingsRow.ntfy_token_ciphertext.is_not(None)
    )
    for row in (await session.execute(statement.with_for_update())).scalars():
        token = row.ntfy_token_ciphertext
        if token is not None and not ring.is_current(token):
            row.ntfy_token_ciphertext = ring.rotate(token)
            changed += 1
    return changed
