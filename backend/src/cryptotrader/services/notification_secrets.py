"""Where the notification settings keep their one secret, and its re-encryption on rotation.

The Discord webhook URL is stored encrypted inside the ``notifications`` setting. Key rotation
(``ExchangeKeyService.rotate``) must re-encrypt it with the exchange keys: once the old
encryption key is removed, a webhook left under it could no longer be read, and every
``/config/notifications`` answered 503.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from cryptotrader.notify.platform import NOTIFICATIONS_KEY
from cryptotrader.persistence.repositories import settings
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
