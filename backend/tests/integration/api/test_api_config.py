"""Exchange keys (encrypted, masked, rotated), live-trading switch, pairs, notifications."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from cryptotrader.bus import InProcessBus, topics
from cryptotrader.bus.messages import AlertRaised
from cryptotrader.config import ExchangeSettings, SecuritySettings, TradingSettings
from cryptotrader.domain.enums import TradingMode
from cryptotrader.persistence import Database, UnitOfWork
from cryptotrader.persistence.tables import ApiKeyRow
from cryptotrader.security.keys import KeyRing
from cryptotrader.services.exchange_keys import load_credentials
from tests.integration.api.harness import (
    ENCRYPTION_KEY,
    PASSWORDS,
    ApiHarness,
    Recorder,
    make_settings,
    running_api,
    wait_for,
)
from tests.integration.conftest import FAST

API_KEY = "AKbinance-key-0123456789"
API_SECRET = "very-secret-exchange-secret-abcdef"


async def _rows(database: Database) -> list[ApiKeyRow]:
    async with UnitOfWork(database) as uow:
        return list((await uow.session.execute(select(ApiKeyRow))).scalars())


@pytest.mark.asyncio
async def test_exchange_key_when_stored_is_encrypted_and_only_ever_shown_masked(
    api_any_db: ApiHarness,
) -> None:
    api = api_any_db
    stored = await api.put(
        "admin",
        "/config/exchange-keys/binance",
        json={"api_key": API_KEY, "api_secret": API_SECRET, "passphrase": "pass-phrase-1"},
    )
    assert stored.status_code == 200, stored.text
    assert stored.json()["api_key_masked"] == "AKbi…6789"
    assert stored.json()["has_passphrase"] is True
    listed = await api.get("admin", "/config/exchange-keys")
    for answer in (stored, listed):
        assert API_KEY not in answer.text
        assert API_SECRET not in answer.text
    (row,) = await _rows(api.database)
    assert API_KEY not in row.api_key_ciphertext
    assert API_SECRET not in row.api_secret_ciphertext
    credentials = await load_credentials(api.database, KeyRing([ENCRYPTION_KEY]), "binance")
    assert (credentials.api_key, credentials.api_secret) == (API_KEY, API_SECRET)
    assert API_SECRET not in repr(credentials)


@pytest.mark.asyncio
async def test_exchange_keys_when_rotated_decrypt_with_the_new_key_alone(
    sqlite_db: Database, clock: object
) -> None:
    bus = InProcessBus(options=FAST)
    async with running_api(sqlite_db, bus, clock) as api:  # type: ignore[arg-type]
        await api.login("admin")
        await api.put(
            "admin",
            "/config/exchange-keys/kraken",
            json={"api_key": API_KEY, "api_secret": API_SECRET},
        )
    newer = Fernet.generate_key().decode()
    rotated_settings = make_settings().model_copy(
        update={
            "security": SecuritySettings(
                jwt_secret="j" * 48, encryption_keys=(newer, ENCRYPTION_KEY)
            )
        }
    )
    async with running_api(sqlite_db, bus, clock, settings=rotated_settings) as api:  # type: ignore[arg-type]
        await api.login("admin")
        before = (await api.get("admin", "/config/exchange-keys")).json()["data"][0]
        assert before["current_encryption"] is False
        rotated = await api.post("admin", "/config/exchange-keys/rotate")
        assert rotated.json() == {"re_encrypted": 1}
        after = (await api.get("admin", "/config/exchange-keys")).json()["data"][0]
        assert after["current_encryption"] is True
        assert (await api.post("admin", "/config/exchange-keys/rotate")).json() == {
            "re_encrypted": 0
        }
    credentials = await load_credentials(sqlite_db, KeyRing([newer]), "kraken")
    assert credentials.api_secret == API_SECRET
    await bus.close()


@pytest.mark.asyncio
async def test_exchange_keys_when_not_admin_are_refused(api: ApiHarness) -> None:
    body = {"api_key": API_KEY, "api_secret": API_SECRET}
    assert (await api.put("trader", "/config/exchange-keys/binance", json=body)).status_code == 403
    assert (await api.get("trader", "/config/exchange-keys")).status_code == 403
    assert (await api.delete("admin", "/config/exchange-keys/binance")).status_code == 404


@pytest.mark.asyncio
async def test_live_trading_when_enabled_needs_phrase_password_and_no_blocker(
    sqlite_db: Database, clock: object
) -> None:
    settings = make_settings().model_copy(
        update={
            "exchange": ExchangeSettings(mode=TradingMode.LIVE),
            "trading": TradingSettings(live_trading_enabled=True),
        }
    )
    bus = InProcessBus(options=FAST)
    recorder = Recorder()
    await bus.subscribe(topics.ALERTS, group="test", consumer="t", handler=recorder.handler)
    async with running_api(sqlite_db, bus, clock, settings=settings) as api:  # type: ignore[arg-type]
        await api.login("admin")
        await api.login("trader")
        phrase = (await api.get("admin", "/config/live-trading")).json()["confirmation_phrase"]
        assert phrase == "enable live trading on binance"
        url = "/config/live-trading"
        on = {"enabled": True, "confirmation": phrase, "password": PASSWORDS["admin"]}
        blocked = await api.put("admin", url, json=on)
        assert blocked.status_code == 409
        assert "no API key stored for binance" in blocked.json()["detail"]
        await api.put(
            "admin",
            "/config/exchange-keys/binance",
            json={"api_key": API_KEY, "api_secret": API_SECRET},
        )
        assert (await api.put("admin", url, json={**on, "confirmation": "yes"})).status_code == 409
        assert (
            await api.put("admin", url, json={**on, "password": "wrong-pass"})
        ).status_code == 401
        assert (await api.put("trader", url, json=on)).status_code == 403
        enabled = await api.put("admin", url, json=on)
        assert enabled.status_code == 200, enabled.text
        assert enabled.json()["enabled"] is True
        assert enabled.json()["effective"] is True
        assert enabled.json()["changed_by"] == "admin"
        disabled = await api.put("admin", url, json={"enabled": False})
        assert disabled.json()["enabled"] is False

        async def two_alerts() -> bool:
            return len(recorder.messages.get(topics.ALERTS, [])) >= 2

        await wait_for(two_alerts)
    alerts = recorder.messages[topics.ALERTS]
    assert all(isinstance(a, AlertRaised) and a.severity == "critical" for a in alerts)
    assert "ENABLED" in alerts[0].text
    await bus.close()


@pytest.mark.asyncio
async def test_live_trading_when_paper_mode_cannot_be_enabled(api: ApiHarness) -> None:
    state = (await api.get("admin", "/config/live-trading")).json()
    body = {
        "enabled": True,
        "confirmation": state["confirmation_phrase"],
        "password": PASSWORDS["admin"],
    }
    answer = await api.put("admin", "/config/live-trading", json=body)
    assert answer.status_code == 409
    assert "paper" in answer.json()["detail"]


@pytest.mark.asyncio
async def test_pairs_when_added_and_deactivated_show_in_market_pairs(api: ApiHarness) -> None:
    added = await api.post(
        "trader", "/config/pairs", json={"exchange": "kraken", "symbol": "sol-usd"}
    )
    assert added.status_code == 201
    assert added.json()["symbol"] == "SOL/USD"
    pair_id = added.json()["id"]
    market = (await api.get("viewer", "/api/market/pairs")).json()["data"]
    assert "SOL/USD" in {p["symbol"] for p in market}
    off = await api.patch("trader", f"/config/pairs/{pair_id}", json={"is_active": False})
    assert off.json()["is_active"] is False
    market = (await api.get("viewer", "/api/market/pairs")).json()["data"]
    assert "SOL/USD" not in {p["symbol"] for p in market}
    assert (
        await api.patch("trader", "/config/pairs/424242", json={"is_active": True})
    ).status_code == 404
    assert (
        await api.post("viewer", "/config/pairs", json={"exchange": "kraken", "symbol": "BTC/USD"})
    ).status_code == 403
    bad = await api.post(
        "trader", "/config/pairs", json={"exchange": "kraken", "symbol": "nonsense!!"}
    )
    assert bad.status_code == 400
    unknown = await api.post(
        "trader", "/config/pairs", json={"exchange": "krakken", "symbol": "ETH/USD"}
    )
    assert unknown.status_code == 400
    assert "did you mean 'kraken'" in unknown.json()["detail"]
    listed = (await api.get("viewer", "/config/pairs")).json()["data"]
    assert "krakken" not in {p["exchange"] for p in listed}  # nothing recorded


@pytest.mark.asyncio
async def test_notifications_when_webhook_is_set_it_is_stored_encrypted_and_masked(
    api: ApiHarness,
) -> None:
    url = "https://discord.com/api/webhooks/123/very-secret-webhook-token"
    answer = await api.patch(
        "admin",
        "/config/notifications",
        json={"discord_enabled": True, "min_severity": "warning", "discord_webhook_url": url},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["discord_webhook"] == "http…oken"
    assert url not in answer.text
    read = await api.get("viewer", "/config/notifications")
    assert read.json()["min_severity"] == "warning"
    assert url not in read.text
    bad = await api.patch(
        "admin", "/config/notifications", json={"discord_webhook_url": "http://x"}
    )
    assert bad.status_code == 400
    assert (
        await api.patch("trader", "/config/notifications", json={"enabled": False})
    ).status_code == 403


@pytest.mark.asyncio
async def test_muted_kinds_that_would_be_served_to_every_viewer_are_bounded(
    api: ApiHarness,
) -> None:
    """The probe stored a 10 MB ``muted_kinds`` that every viewer was then served."""
    huge = await api.patch(
        "admin", "/config/notifications", json={"muted_kinds": ["k" * 64] * 160_000}
    )
    assert huge.status_code == 413  # refused before it is read
    many = await api.patch(
        "admin", "/config/notifications", json={"muted_kinds": [f"kind{i}" for i in range(51)]}
    )
    assert many.status_code == 422
    long = await api.patch("admin", "/config/notifications", json={"muted_kinds": ["k" * 65]})
    assert long.status_code == 422
    fine = await api.patch("admin", "/config/notifications", json={"muted_kinds": ["k" * 64] * 50})
    assert fine.status_code == 200, fine.text
    served = await api.get("viewer", "/config/notifications")
    assert len(served.content) < 8 * 1024
