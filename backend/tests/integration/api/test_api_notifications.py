"""``/api/notifications``: each user's devices, choices, ntfy topic and test push, through the
API against local Expo, ntfy and Web Push servers (the browser's payload decrypted)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack
from dataclasses import dataclass

import pytest
import pytest_asyncio
from cryptography.fernet import Fernet
from sqlalchemy import select

from cryptotrader.bus import InProcessBus
from cryptotrader.clock import TestClock
from cryptotrader.config import NotifySettings, SecuritySettings, Settings
from cryptotrader.notify.vapid import VAPID_KEY
from cryptotrader.persistence import Database
from cryptotrader.persistence.repositories import settings as stored
from cryptotrader.persistence.tables import NotificationSettingsRow
from cryptotrader.persistence.uow import UnitOfWork
from cryptotrader.security.keys import KeyRing
from tests.integration.api.harness import ApiHarness, make_settings, running_api
from tests.integration.conftest import FAST
from tests.support.push_servers import (
    ExpoServer,
    NtfyServer,
    NtfyState,
    WebPushService,
    expo_server,
    ntfy_server,
    web_push_service,
)

pytestmark = pytest.mark.asyncio

TOKEN = "ExponentPushToken[viewer-phone-0000000]"
NTFY_TOKEN = "tk_viewer_secret_token_value"


@dataclass
class Providers:
    expo: ExpoServer
    ntfy: NtfyServer
    push: WebPushService


@pytest.fixture
def providers() -> Iterator[Providers]:
    with ExitStack() as stack:
        yield Providers(
            stack.enter_context(expo_server()),
            stack.enter_context(ntfy_server(NtfyState(tokens={"viewer": NTFY_TOKEN}))),
            stack.enter_context(web_push_service()),
        )


def _settings(providers: Providers, *keys: str) -> Settings:
    base = make_settings()
    update: dict[str, object] = {
        "notify": NotifySettings(
            expo_push_url=providers.expo.url,
            vapid_subject="mailto:ops@example.org",
            allow_http_push_endpoints=True,
        )
    }
    if keys:
        update["security"] = SecuritySettings(jwt_secret="j" * 48, encryption_keys=keys)
    return base.model_copy(update=update)


@pytest_asyncio.fixture
async def api(
    sqlite_db: Database, clock: TestClock, providers: Providers
) -> AsyncIterator[ApiHarness]:
    bus = InProcessBus(clock=clock, options=FAST)
    async with running_api(sqlite_db, bus, clock, settings=_settings(providers)) as harness:
        for who in ("viewer", "other"):
            await harness.login(who)
        yield harness
    await bus.close()


async def _subscribe_everything(api: ApiHarness, providers: Providers) -> tuple[str, int, int]:
    key = await api.get("viewer", "/api/notifications/vapid-public-key")
    assert key.status_code == 200, key.text
    assert len(key.json()["public_key"]) == 87  # a base64url P-256 point
    sid, subscription = providers.push.subscribe()
    browser = await api.post(
        "viewer",
        "/api/notifications/devices",
        json={
            "channel": "webpush",
            "subscription": {
                "endpoint": subscription.endpoint,
                "expirationTime": None,
                "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
            },
            "label": "Firefox",
        },
    )
    assert browser.status_code == 201, browser.text
    phone = await api.post(
        "viewer", "/api/notifications/devices", json={"channel": "expo", "token": TOKEN}
    )
    assert phone.status_code == 201, phone.text
    assert phone.json()["address_masked"] == "Expo…000]"  # never the whole token
    for field, bad in (("base_url", {"base_url": "ftp://ntfy.example"}), ("topic", {})):
        body = {"base_url": providers.ntfy.url, "topic": "a b" if field == "topic" else "t"}
        refused = await api.put("viewer", "/api/notifications/ntfy", json=body | bad)
        assert refused.status_code == 422, refused.text
        assert refused.json()["detail"][0]["loc"] == ["body", field]  # shown on that field
    ntfy = await api.put(
        "viewer",
        "/api/notifications/ntfy",
        json={"base_url": providers.ntfy.url, "topic": "viewer", "token": NTFY_TOKEN},
    )
    assert ntfy.status_code == 200, ntfy.text
    assert ntfy.json()["ntfy"]["token_set"] is True
    assert NTFY_TOKEN not in ntfy.text
    return sid, browser.json()["id"], phone.json()["id"]


async def test_notifications_when_set_up_test_push_reaches_every_channel(
    api: ApiHarness, providers: Providers
) -> None:
    sid, browser_id, phone_id = await _subscribe_everything(api, providers)

    test = await api.post("viewer", "/api/notifications/test")

    assert test.status_code == 200, test.text
    results = {(r["channel"], r["device_id"]): r["status"] for r in test.json()["data"]}
    assert results == {
        ("webpush", browser_id): "sent",
        ("expo", phone_id): "sent",
        ("ntfy", None): "sent",
    }
    [payload] = providers.push.state.payloads(sid)  # decrypted by the browser's key
    assert payload["title"] == "CryptoTrader test notification"
    assert payload["body"] == "Notifications reach this browser."
    assert providers.expo.state.messages_to(TOKEN)[0]["title"] == payload["title"]
    assert providers.ntfy.state.on("viewer")[0]["title"] == payload["title"]
    shown = await api.get("viewer", "/api/notifications")
    assert NTFY_TOKEN not in shown.text
    assert [d["id"] for d in shown.json()["devices"]] == [browser_id, phone_id]
    async with UnitOfWork(api.database) as uow:  # the token at rest is a ciphertext
        row = (await uow.session.execute(select(NotificationSettingsRow))).scalar_one()
        assert row.ntfy_token_ciphertext is not None
        assert NTFY_TOKEN not in row.ntfy_token_ciphertext
        vapid = await stored.get_setting(session=uow.session, key=VAPID_KEY)
        assert "PRIVATE" not in str(vapid)


async def test_notifications_preferences_change_per_event_and_channel(api: ApiHarness) -> None:
    before = await api.get("viewer", "/api/notifications")
    assert before.json()["push_enabled"] is True  # on until an admin turns push off
    events = {e["event"]: e["channels"] for e in before.json()["events"]}
    assert events["trade_closed"] == {"webpush": True, "expo": True, "ntfy": True}
    assert {"engine_silent", "daily_digest", "protection_failed"} <= set(events)

    changed = await api.patch(
        "viewer",
        "/api/notifications/preferences",
        json={"events": {"trade_opened": {"expo": False}}, "language": "fr"},
    )

    assert changed.status_code == 200, changed.text
    after = {e["event"]: e["channels"] for e in changed.json()["events"]}
    assert after["trade_opened"] == {"webpush": True, "expo": False, "ntfy": True}
    assert changed.json()["language"] == "fr"
    other = await api.get("other", "/api/notifications")  # choices are per user
    assert {e["event"]: e["channels"] for e in other.json()["events"]}["trade_opened"]["expo"]


async def test_notifications_test_when_the_device_is_dead_removes_it(
    api: ApiHarness, providers: Providers
) -> None:
    providers.expo.state.dead_tokens.add(TOKEN)
    await api.post("viewer", "/api/notifications/devices", json={"channel": "expo", "token": TOKEN})

    test = await api.post("viewer", "/api/notifications/test")

    [result] = test.json()["data"]
    assert result["status"] == "gone"
    assert "DeviceNotRegistered" in result["detail"]
    assert (await api.get("viewer", "/api/notifications/devices")).json() == []


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"channel": "expo", "token": "not-a-token"}, "Expo push token"),
        (
            {
                "channel": "webpush",
                "subscription": {
                    "endpoint": "https://push.example/x",
                    "keys": {"p256dh": "A" * 87, "auth": "tBHItJI5svbpez7KI4CCXg"},
                },
            },
            "subscription",
        ),
    ],
)
async def test_notifications_when_a_device_is_malformed_answers_400(
    api: ApiHarness, body: dict[str, object], detail: str
) -> None:
    answer = await api.post("viewer", "/api/notifications/devices", json=body)
    assert answer.status_code == 400, answer.text
    assert detail in answer.json()["detail"]


async def test_notifications_bad_input_and_other_peoples_devices(api: ApiHarness) -> None:
    unknown = await api.patch(
        "viewer", "/api/notifications/preferences", json={"events": {"lunch": {"expo": True}}}
    )
    assert unknown.status_code == 400
    assert "unknown event" in unknown.json()["detail"]
    bad_channel = await api.patch(
        "viewer", "/api/notifications/preferences", json={"events": {"trade_opened": {"sms": True}}}
    )
    assert bad_channel.status_code == 422
    topic = await api.put(
        "viewer", "/api/notifications/ntfy", json={"base_url": "ftp://x.example", "topic": "t"}
    )
    assert topic.status_code == 422  # on its field, for the app's form
    assert topic.json()["detail"][0]["loc"] == ["body", "base_url"]
    mine = await api.post(
        "viewer", "/api/notifications/devices", json={"channel": "expo", "token": TOKEN}
    )
    stolen = await api.delete("other", f"/api/notifications/devices/{mine.json()['id']}")
    assert stolen.status_code == 404
    gone = await api.delete("viewer", f"/api/notifications/devices/{mine.json()['id']}")
    assert gone.status_code == 204


async def test_notifications_secrets_survive_key_rotation(
    sqlite_db: Database, clock: TestClock, providers: Providers
) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    bus = InProcessBus(clock=clock, options=FAST)
    async with running_api(sqlite_db, bus, clock, settings=_settings(providers, old)) as api:
        await api.login("viewer")
        sid, _, _ = await _subscribe_everything(api, providers)
        public = (await api.get("viewer", "/api/notifications/vapid-public-key")).json()
    async with running_api(sqlite_db, bus, clock, settings=_settings(providers, new, old)) as api:
        await api.login("admin")
        rotated = await api.post("admin", "/config/exchange-keys/rotate")
        assert rotated.json() == {"re_encrypted": 2}  # the VAPID key and the ntfy token
    async with running_api(sqlite_db, bus, clock, settings=_settings(providers, new)) as api:
        await api.login("viewer")
        assert (await api.get("viewer", "/api/notifications/vapid-public-key")).json() == public
        test = await api.post("viewer", "/api/notifications/test")
        assert {r["status"] for r in test.json()["data"]} == {"sent"}
    assert len(providers.push.state.payloads(sid)) == 1
    assert len(providers.ntfy.state.on("viewer")) == 1
    async with UnitOfWork(sqlite_db) as uow:
        row = (await uow.session.execute(select(NotificationSettingsRow))).scalar_one()
        assert KeyRing([new]).decrypt(row.ntfy_token_ciphertext or "") == NTFY_TOKEN
    await bus.close()
