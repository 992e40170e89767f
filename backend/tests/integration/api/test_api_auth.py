"""Authentication: login, rotation, reuse detection, revocation, token forgery, scopes."""

from __future__ import annotations

import asyncio
import base64
import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
import pytest

from cryptotrader.api.app import create_app
from cryptotrader.config import ApiSettings, SecuritySettings, Settings, load_settings
from cryptotrader.errors import AuthenticationFailed, ConfigurationError
from cryptotrader.security.signing import SECRET_FILE
from cryptotrader.security.tokens import AccessTokens
from tests.integration.api.harness import JWT_SECRET, PASSWORDS, ApiHarness


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


@pytest.mark.asyncio
async def test_login_when_password_is_wrong_answers_401_with_one_message(api: ApiHarness) -> None:
    wrong = await api.client.post("/auth/login", json={"username": "admin", "password": "nope"})
    unknown = await api.client.post("/auth/login", json={"username": "ghost", "password": "x"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json() == {"detail": "wrong username or password"}
    assert wrong.headers["www-authenticate"] == "Bearer"


@pytest.mark.asyncio
async def test_access_token_when_expired_is_refused(api: ApiHarness) -> None:
    assert (await api.get("admin", "/auth/me")).status_code == 200
    api.clock.advance(15 * 60 * 1000 + 1000)
    answer = await api.get("admin", "/auth/me")
    assert answer.status_code == 401
    assert "expired" in answer.json()["detail"]


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
@pytest.mark.asyncio
async def test_access_token_when_tampered_or_unsigned_or_foreign_is_refused(
    api: ApiHarness,
) -> None:
    header, payload, signature = api.tokens["viewer"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = "1"  # the viewer claims to be the admin (user 1)
    tampered = f"{header}.{_b64(claims)}.{signature}"
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."
    foreign = jwt.encode(claims, "another-secret-that-is-long-enough-000000", algorithm="HS256")
    hs512 = jwt.encode(claims, JWT_SECRET, algorithm="HS512")  # right key, wrong algorithm
    for token in (tampered, unsigned, foreign, hs512, "garbage", ""):
        answer = await api.client.get("/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 401, token
    assert (await api.client.get("/auth/me")).status_code == 401


@pytest.mark.asyncio
async def test_refresh_when_used_rotates_and_reuse_revokes_the_whole_session(
    api: ApiHarness,
) -> None:
    first = api.refresh_tokens["trader"]
    rotated = await api.client.post("/auth/refresh", json={"refresh_token": first})
    assert rotated.status_code == 200
    second = rotated.json()["refresh_token"]
    assert second != first
    new_access = {"Authorization": f"Bearer {rotated.json()['access_token']}"}
    assert (await api.client.get("/auth/me", headers=new_access)).status_code == 200

    reuse = await api.client.post("/auth/refresh", json={"refresh_token": first})
    assert reuse.status_code == 401
    assert "revoked" in reuse.json()["detail"]
    # the thief's rotated token and every access token of the session are dead now
    assert (
        await api.client.post("/auth/refresh", json={"refresh_token": second})
    ).status_code == 401
    assert (await api.client.get("/auth/me", headers=new_access)).status_code == 401
    assert (await api.get("trader", "/auth/me")).status_code == 401
    # other sessions are untouched
    assert (await api.get("admin", "/auth/me")).status_code == 200


@pytest.mark.asyncio
async def test_logout_when_called_revokes_access_and_refresh_tokens(api: ApiHarness) -> None:
    assert (await api.post("viewer", "/auth/logout")).status_code == 204
    assert (await api.get("viewer", "/auth/me")).status_code == 401
    refresh = {"refresh_token": api.refresh_tokens["viewer"]}
    assert (await api.client.post("/auth/refresh", json=refresh)).status_code == 401


@pytest.mark.asyncio
async def test_logout_everywhere_ends_every_session_of_the_user_but_not_its_service_tokens(
    api: ApiHarness,
) -> None:
    second = await api.client.post(
        "/auth/login", json={"username": "trader", "password": PASSWORDS["trader"]}
    )
    other = {"Authorization": f"Bearer {second.json()['access_token']}"}
    created = await api.post("trader", "/auth/tokens", json={"name": "bot", "scopes": ["read"]})
    token = {"Authorization": f"Bearer {created.json()['token']}"}
    assert (await api.post("trader", "/auth/logout-all")).status_code == 204
    assert (await api.get("trader", "/auth/me")).status_code == 401
    assert (await api.client.get("/auth/me", headers=other)).status_code == 401
    for refresh in (api.refresh_tokens["trader"], second.json()["refresh_token"]):
        answer = await api.client.post("/auth/refresh", json={"refresh_token": refresh})
        assert answer.status_code == 401
    assert (await api.client.get("/auth/me", headers=token)).status_code == 200
    assert (await api.get("admin", "/auth/me")).status_code == 200  # other users untouched


@pytest.mark.asyncio
async def test_password_change_when_done_logs_out_every_session(api: ApiHarness) -> None:
    second_session = await api.client.post(
        "/auth/login", json={"username": "trader", "password": PASSWORDS["trader"]}
    )
    other = {"Authorization": f"Bearer {second_session.json()['access_token']}"}
    wrong = await api.post(
        "trader",
        "/auth/password",
        json={"current_password": "not-it-at-all", "new_password": "a-new-password-456"},
    )
    assert wrong.status_code == 401
    weak = await api.post(
        "trader",
        "/auth/password",
        json={"current_password": PASSWORDS["trader"], "new_password": "short"},
    )
    assert weak.status_code == 422
    done = await api.post(
        "trader",
        "/auth/password",
        json={"current_password": PASSWORDS["trader"], "new_password": "a-new-password-456"},
    )
    assert done.status_code == 204
    assert (await api.get("trader", "/auth/me")).status_code == 401
    assert (await api.client.get("/auth/me", headers=other)).status_code == 401
    old = await api.client.post(
        "/auth/login", json={"username": "trader", "password": PASSWORDS["trader"]}
    )
    assert old.status_code == 401
    new = await api.client.post(
        "/auth/login", json={"username": "trader", "password": "a-new-password-456"}
    )
    assert new.status_code == 200


@pytest.mark.asyncio
async def test_service_token_when_scoped_read_can_read_but_not_control(api: ApiHarness) -> None:
    created = await api.post(
        "trader", "/auth/tokens", json={"name": "discord-read", "scopes": ["read"]}
    )
    assert created.status_code == 201
    token = created.json()["token"]
    assert token.startswith("ctk_")
    bearer = {"Authorization": f"Bearer {token}"}
    assert (await api.client.get("/api/bots", headers=bearer)).status_code == 200
    control = await api.client.post("/api/bots/safe/pause", headers=bearer)
    assert control.status_code == 403
    assert "scopes" in control.json()["detail"]
    listed = await api.get("trader", "/auth/tokens")
    assert "token" not in listed.json()["data"][0]


@pytest.mark.asyncio
async def test_service_token_when_another_process_holds_the_write_lock_is_still_answered(
    api: ApiHarness, tmp_path: Path
) -> None:
    # The Discord bot's requests are reads: checking its token must not queue for the writer
    # lock behind the trading engine (it did, and answered 503 once the wait ran out).
    created = await api.post("trader", "/auth/tokens", json={"name": "bot", "scopes": ["read"]})
    bearer = {"Authorization": f"Bearer {created.json()['token']}"}
    assert (await api.client.get("/api/bots", headers=bearer)).status_code == 200  # first use
    await asyncio.sleep(1.1)  # past the one-second memory of whose token it is (monotonic)
    writer = sqlite3.connect(tmp_path / "test.db", isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")  # another process is writing
        answer = await api.client.get("/api/bots", headers=bearer)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert answer.status_code == 200, answer.text


@pytest.mark.asyncio
async def test_reads_when_another_process_holds_the_write_lock_are_answered(
    api: ApiHarness, tmp_path: Path
) -> None:
    # The trading engine writing (another process on the same SQLite file) must not turn the
    # app's reads into 503s: they used to begin as writers and wait for its lock.
    reads = [
        ("trader", "/api/portfolio"),
        ("trader", "/api/bots"),
        ("trader", "/api/bots/safe"),
        ("trader", "/api/bots/safe/pairs"),
        ("trader", "/api/portfolio/reallocations"),
        ("trader", "/api/trades"),
        ("trader", "/config/pairs"),
        ("trader", "/config/live-trading"),
        ("trader", "/config/notifications"),
        ("trader", "/api/notifications"),
        ("trader", "/api/notifications/deliveries"),
        ("trader", "/auth/tokens"),
        ("admin", "/auth/users"),
        ("admin", "/config/exchange-keys"),
    ]
    await asyncio.sleep(1.1)  # past the read cache's second
    writer = sqlite3.connect(tmp_path / "test.db", isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")  # another process is writing
        answers = {url: (await api.get(who, url)).status_code for who, url in reads}
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert answers == dict.fromkeys(answers, 200)


@pytest.mark.asyncio
async def test_service_token_when_used_records_its_last_use_at_most_every_five_minutes(
    api: ApiHarness,
) -> None:
    created = await api.post("trader", "/auth/tokens", json={"name": "bot", "scopes": ["read"]})
    bearer = {"Authorization": f"Bearer {created.json()['token']}"}

    async def last_used() -> object:
        listed = await api.get("trader", "/auth/tokens")
        return listed.json()["data"][0]["last_used_at"]

    assert await last_used() is None
    first = api.clock.now()
    assert (await api.client.get("/api/bots", headers=bearer)).status_code == 200
    assert await last_used() == first.isoformat().replace("+00:00", "Z")
    api.clock.advance(60_000)
    await asyncio.sleep(1.1)  # each check asks the database: the memory is one second
    assert (await api.client.get("/api/bots", headers=bearer)).status_code == 200
    assert await last_used() == first.isoformat().replace("+00:00", "Z")  # not rewritten yet
    api.clock.advance(5 * 60_000)
    await asyncio.sleep(1.1)
    later = api.clock.now()
    assert (await api.client.get("/api/bots", headers=bearer)).status_code == 200
    assert await last_used() == later.isoformat().replace("+00:00", "Z")


@pytest.mark.asyncio
async def test_service_token_when_scoped_control_controls_bots_but_never_configures(
    api: ApiHarness,
) -> None:
    created = await api.post(
        "admin", "/auth/tokens", json={"name": "discord", "scopes": ["read", "control"]}
    )
    bearer = {"Authorization": f"Bearer {created.json()['token']}"}
    paused = await api.client.post("/api/bots/aggressive/pause", headers=bearer)
    assert paused.status_code == 200
    assert paused.json()["requested"]["by"] == "admin/token:discord"
    for method, url, body in (
        ("PUT", "/config/exchange-keys/binance", {"api_key": "k" * 16, "api_secret": "s" * 16}),
        ("PATCH", "/api/bots/safe/settings", {"risk_ratio": "0.02"}),
        ("POST", "/auth/tokens", {"name": "more", "scopes": ["read"]}),
        ("POST", "/auth/logout", None),
    ):
        answer = await api.client.request(method, url, headers=bearer, json=body)
        assert answer.status_code == 403, (url, answer.text)


@pytest.mark.asyncio
async def test_service_token_when_revoked_is_refused_at_once(api: ApiHarness) -> None:
    created = await api.post("admin", "/auth/tokens", json={"name": "bot", "scopes": ["read"]})
    bearer = {"Authorization": f"Bearer {created.json()['token']}"}
    assert (await api.client.get("/api/bots", headers=bearer)).status_code == 200
    revoked = await api.delete("admin", f"/auth/tokens/{created.json()['id']}")
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    assert (await api.client.get("/api/bots", headers=bearer)).status_code == 401


@pytest.mark.asyncio
async def test_service_token_when_scope_exceeds_role_is_refused(api: ApiHarness) -> None:
    answer = await api.post("viewer", "/auth/tokens", json={"name": "x", "scopes": ["control"]})
    assert answer.status_code == 403


@pytest.mark.asyncio
async def test_deactivated_user_when_logged_in_loses_access_at_once(api: ApiHarness) -> None:
    users = (await api.get("admin", "/auth/users")).json()["data"]
    viewer_id = next(u["id"] for u in users if u["username"] == "viewer")
    answer = await api.patch("admin", f"/auth/users/{viewer_id}", json={"is_active": False})
    assert answer.status_code == 200
    assert (await api.get("viewer", "/auth/me")).status_code == 401
    login = await api.client.post(
        "/auth/login", json={"username": "viewer", "password": PASSWORDS["viewer"]}
    )
    assert login.status_code == 401


def test_settings_when_secret_is_weak_outside_development_refuse_to_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CRYPTOTRADER_ENVIRONMENT", "production")
    for weak in ("changethis", "secret", "short-but-not-known"):
        monkeypatch.setenv("CRYPTOTRADER_SECURITY__JWT_SECRET", weak)
        with pytest.raises(ConfigurationError, match="jwt_secret"):
            load_settings()
    bypass = Settings.model_construct(
        environment="production", security=SecuritySettings(jwt_secret="changethis")
    )
    with pytest.raises(ConfigurationError, match="jwt_secret"):
        create_app(bypass)


def test_create_app_when_encryption_key_or_cors_is_invalid_refuses_to_start(
    tmp_path: Path,
) -> None:
    bad_key = Settings(data_dir=tmp_path, security=SecuritySettings(encryption_keys=("nope",)))
    with pytest.raises(ConfigurationError, match="not a valid Fernet key"):
        create_app(bad_key)
    wildcard = Settings(data_dir=tmp_path, api=ApiSettings(cors_origins=("*",)))
    with pytest.raises(ConfigurationError, match="exact origins"):
        create_app(wildcard)


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_development_default_secret_when_used_is_replaced_by_a_generated_one(
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=tmp_path)
    assert settings.security.jwt_secret == "changethis"
    create_app(settings)
    secret_file = tmp_path / SECRET_FILE
    generated = secret_file.read_text()
    assert len(generated) >= 48
    assert generated != "changethis"
    assert secret_file.stat().st_mode & 0o777 == 0o600
    create_app(settings)
    assert secret_file.read_text() == generated
    forged = jwt.encode({"sub": "1", "sid": "x", "iat": 0, "exp": 2**40}, "changethis")
    with pytest.raises(AuthenticationFailed, match="invalid"):
        AccessTokens(generated, timedelta(minutes=15)).verify(forged, now=datetime.now(UTC))
