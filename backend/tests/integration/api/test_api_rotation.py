"""Key rotation re-encrypts every stored secret: exchange keys and the Discord webhook.

Rotation used to skip the webhook: once the old encryption key was removed from the
configuration, ``/config/notifications`` answered 503 for everyone.
"""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from cryptotrader.bus import InProcessBus
from cryptotrader.config import SecuritySettings
from cryptotrader.persistence import Database
from cryptotrader.security.keys import KeyRing
from cryptotrader.services.exchange_keys import load_credentials
from tests.integration.api.harness import make_settings, running_api
from tests.integration.conftest import FAST

pytestmark = pytest.mark.asyncio

WEBHOOK = "https://discord.example/api/webhooks/123/very-secret-webhook-token"
API_SECRET = "very-secret-exchange-secret-abcdef"


def _keys(*keys: str) -> object:
    return make_settings().model_copy(
        update={"security": SecuritySettings(jwt_secret="j" * 48, encryption_keys=keys)}
    )


async def test_rotation_then_removing_the_old_key_keeps_keys_and_webhook_readable(
    sqlite_db: Database, clock: object
) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    bus = InProcessBus(options=FAST)
    async with running_api(sqlite_db, bus, clock, settings=_keys(old)) as api:  # type: ignore[arg-type]
        await api.login("admin")
        stored = await api.put(
            "admin",
            "/config/exchange-keys/kraken",
            json={"api_key": "AKkraken-key-0123", "api_secret": API_SECRET},
        )
        assert stored.status_code == 200, stored.text
        hooked = await api.patch(
            "admin", "/config/notifications", json={"discord_webhook_url": WEBHOOK}
        )
        assert hooked.status_code == 200, hooked.text
        masked = hooked.json()["discord_webhook"]

    async with running_api(sqlite_db, bus, clock, settings=_keys(new, old)) as api:  # type: ignore[arg-type]
        await api.login("admin")
        rotated = await api.post("admin", "/config/exchange-keys/rotate")
        assert rotated.json() == {"re_encrypted": 2}

    async with running_api(sqlite_db, bus, clock, settings=_keys(new)) as api:  # type: ignore[arg-type]
        await api.login("viewer")
        notifications = await api.get("viewer", "/config/notifications")
        assert notifications.status_code == 200, notifications.text
        assert notifications.json()["discord_webhook"] == masked
        assert WEBHOOK not in notifications.text
    credentials = await load_credentials(sqlite_db, KeyRing([new]), "kraken")
    assert credentials.api_secret == API_SECRET
    await bus.close()
