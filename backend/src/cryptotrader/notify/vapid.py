"""The platform's VAPID key pair: made once, its private half stored encrypted.

Browsers subscribe with the public key, so it must never change under them: the first process
that needs keys creates them with an insert that loses to a concurrent one (then reads the
winner's), and key rotation re-encrypts the private key without changing it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from cryptotrader.notify.channels.webpush import VapidKeys
from cryptotrader.persistence.repositories import settings
from cryptotrader.persistence.repositories._sql import upsert_insert
from cryptotrader.persistence.tables import SettingRow
from cryptotrader.security.keys import KeyRing

VAPID_KEY = "notifications.vapid"
"""The ``settings`` row: ``{"public_key": ..., "private_key_ciphertext": ...}``."""


async def load_vapid(session: AsyncSession, ring: KeyRing) -> VapidKeys | None:
    """The stored key pair, or None when none was made yet.

    Raises:
        OperationalError: the private key cannot be decrypted with the configured keys.
    """
    stored = await settings.get_setting(session=session, key=VAPID_KEY)
    if not isinstance(stored, dict) or not isinstance(stored.get("private_key_ciphertext"), str):
        return None
    return VapidKeys(ring.decrypt(stored["private_key_ciphertext"]))


async def ensure_vapid(session: AsyncSession, ring: KeyRing, *, at: datetime) -> VapidKeys:
    """The stored key pair, made now if there is none (commit the session afterwards)."""
    found = await load_vapid(session, ring)
    if found is not None:
        return found
    made = VapidKeys.generate()
    value = {
        "public_key": made.public_key,
        "private_key_ciphertext": ring.encrypt(made.private_pem),
    }
    statement = (
        upsert_insert(session, SettingRow)
        .values(key=VAPID_KEY, value=value, updated_at=at, updated_by="notifier")
        .on_conflict_do_nothing(index_elements=["key"])
    )
    await session.execute(statement)
    winner = await load_vapid(session, ring)
    assert winner is not None
    return winner


async def rotate_vapid(session: AsyncSession, ring: KeyRing, *, at: datetime, by: str) -> int:
    """Re-encrypt the stored private key with the newest key; 1 when it changed, else 0.

    Raises:
        OperationalError: it cannot be decrypted with the configured keys.
    """
    stored = await settings.get_setting(session=session, key=VAPID_KEY)
    token = stored.get("private_key_ciphertext") if isinstance(stored, dict) else None
    if not isinstance(token, str) or ring.is_current(token):
        return 0
    assert isinstance(stored, dict)
    value = {**stored, "private_key_ciphertext": ring.rotate(token)}
    await settings.put_setting(session=session, key=VAPID_KEY, value=value, at=at, updated_by=by)
    return 1
