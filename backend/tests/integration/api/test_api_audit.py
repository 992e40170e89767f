"""The audit log matches the mutating calls one to one, and no secret leaks anywhere.

One flow drives every mutating operation of the OpenAPI schema (the test fails if a new one is
added and not driven here), then compares the ``audit_log`` rows with the successful calls in
order, and searches every response body, every log line and every audit row for secrets.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from cryptotrader.persistence import UnitOfWork
from cryptotrader.persistence.repositories.audit import list_audit
from tests.integration.api.harness import (
    ENCRYPTION_KEY,
    JWT_SECRET,
    PASSWORDS,
    ApiHarness,
    seed_candles,
)

API_KEY = "AKaudit-key-0123456789"
API_SECRET = "audit-exchange-secret-abcdef-0123"
NEW_PASSWORD = "brand-new-password-789"
WEBHOOK = "https://discord.com/api/webhooks/1/secret-webhook-token-xyz"
NTFY_TOKEN = "tk_audit_ntfy_secret_token"
MUTATING = {"post", "put", "patch", "delete"}


@dataclass
class Call:
    method: str
    template: str
    response: httpx.Response
    action: str | None  # the audit action expected, None when nothing must be written
    actor: str


class Flow:
    def __init__(self, api: ApiHarness) -> None:
        self.api = api
        self.calls: list[Call] = []

    async def do(
        self,
        who: str | None,
        method: str,
        url: str,
        template: str,
        action: str | None,
        *,
        json_body: Any = None,
        files: Any = None,
        headers: dict[str, str] | None = None,
        actor: str = "",
    ) -> httpx.Response:
        sent = dict(headers or ({} if who is None else self.api.headers(who)))
        response = await self.api.client.request(
            method, url, json=json_body, files=files, headers=sent
        )
        self.calls.append(Call(method.lower(), template, response, action, actor or who or ""))
        return response


async def _drive(api: ApiHarness, flow: Flow) -> None:
    login = {"username": "admin", "password": PASSWORDS["admin"]}
    await flow.do(
        None, "POST", "/auth/login", "/auth/login", "auth.login", json_body=login, actor="admin"
    )
    bad = {"username": "admin", "password": "wrong-password"}
    await flow.do(
        None,
        "POST",
        "/auth/login",
        "/auth/login",
        "auth.login_failed",
        json_body=bad,
        actor="admin",
    )
    spent = api.refresh_tokens["admin"]
    fresh = await flow.do(
        None,
        "POST",
        "/auth/refresh",
        "/auth/refresh",
        "auth.refresh",
        json_body={"refresh_token": spent},
        actor="admin",
    )
    assert fresh.status_code == 200
    await flow.do(
        None,
        "POST",
        "/auth/refresh",
        "/auth/refresh",
        "auth.refresh_reused",
        json_body={"refresh_token": spent},
        actor="admin",
    )
    again = await flow.do(
        None, "POST", "/auth/login", "/auth/login", "auth.login", json_body=login, actor="admin"
    )
    api.tokens["admin"] = again.json()["access_token"]
    await flow.do("admin", "POST", "/auth/ws-ticket", "/auth/ws-ticket", "auth.ws_ticket")
    token = await flow.do(
        "admin",
        "POST",
        "/auth/tokens",
        "/auth/tokens",
        "token.create",
        json_body={"name": "discord", "scopes": ["read", "control"]},
    )
    await flow.do(
        "admin",
        "DELETE",
        f"/auth/tokens/{token.json()['id']}",
        "/auth/tokens/{token_id}",
        "token.revoke",
    )
    user = await flow.do(
        "admin",
        "POST",
        "/auth/users",
        "/auth/users",
        "user.create",
        json_body={"username": "eve", "password": "eve-password-1234"},
    )
    await flow.do(
        "admin",
        "PATCH",
        f"/auth/users/{user.json()['id']}",
        "/auth/users/{user_id}",
        "user.update",
        json_body={"role": "trader"},
    )
    await _drive_bots(flow)
    candles = "timestamp,open,high,low,close,volume\n1699999200000,1,2,0.5,1.5,10\n"
    series = "/api/market/series"
    upload = {"file": ("kraken_ETH-USDT_1h.csv", candles.encode(), "text/csv")}
    await flow.do("trader", "POST", series, series, "market.import", files=upload)
    spoiled = {"file": ("kraken_ETH-USDT_1h.csv", candles.replace("1.5", "x").encode())}
    await flow.do("trader", "POST", series, series, None, files=spoiled)  # 422
    job = await flow.do(
        "trader",
        "POST",
        "/api/backtest",
        "/api/backtest",
        "backtest.single",
        json_body={"pair": "BTC/USDT", "strategy": "sma_cross"},
    )
    await api.app.state.services.backtests.wait(job.json()["id"])
    run = f"/api/backtest/{job.json()['id']}"
    await flow.do("trader", "PATCH", run, "/api/backtest/{job_id}", "backtest.rename",
                  json_body={"name": "first run"})  # fmt: skip
    await flow.do("trader", "DELETE", run, "/api/backtest/{job_id}", "backtest.delete")
    job = await flow.do(
        "trader",
        "POST",
        "/api/backtest/compare",
        "/api/backtest/compare",
        "backtest.compare",
        json_body={"pair": "BTC/USDT", "strategies": ["sma_cross", "aggressive"]},
    )
    await api.app.state.services.backtests.wait(job.json()["id"])
    job = await flow.do(
        "trader",
        "POST",
        "/api/backtest/portfolio",
        "/api/backtest/portfolio",
        "backtest.portfolio",
        json_body={"pair": "BTC/USDT", "reallocation": "0.2"},
    )
    await api.app.state.services.backtests.wait(job.json()["id"])
    study = {"pair": "BTC/USDT", "strategy": "sma_cross", "trials": 3, "seed": 1, "min_trades": 0}
    job = await flow.do(
        "trader", "POST", "/api/optimize", "/api/optimize", "backtest.optimize", json_body=study
    )
    await api.app.state.services.backtests.wait(job.json()["id"])
    await flow.do(
        "trader",
        "POST",
        f"/api/optimize/{job.json()['id']}/apply",
        "/api/optimize/{job_id}/apply",
        "optimization.apply",
        json_body={"bot": "aggressive"},
    )
    pair = await flow.do(
        "trader",
        "POST",
        "/config/pairs",
        "/config/pairs",
        "pair.create",
        json_body={"exchange": "kraken", "symbol": "ETH/USD"},
    )
    await flow.do(
        "trader",
        "PATCH",
        f"/config/pairs/{pair.json()['id']}",
        "/config/pairs/{pair_id}",
        "pair.update",
        json_body={"is_active": False},
    )
    await flow.do(
        "admin",
        "PUT",
        "/config/exchange-keys/binance",
        "/config/exchange-keys/{exchange}",
        "exchange_key.create",
        json_body={"api_key": API_KEY, "api_secret": API_SECRET},
    )
    await flow.do(
        "admin",
        "PUT",
        "/config/exchange-keys/binance",
        "/config/exchange-keys/{exchange}",
        "exchange_key.replace",
        json_body={"api_key": API_KEY, "api_secret": API_SECRET + "2"},
    )
    await flow.do(
        "admin",
        "POST",
        "/config/exchange-keys/rotate",
        "/config/exchange-keys/rotate",
        "exchange_key.rotate",
    )
    await flow.do(
        "admin",
        "DELETE",
        "/config/exchange-keys/binance",
        "/config/exchange-keys/{exchange}",
        "exchange_key.delete",
    )
    await flow.do(
        "admin",
        "PATCH",
        "/config/notifications",
        "/config/notifications",
        "config.notifications",
        json_body={"discord_webhook_url": WEBHOOK, "discord_enabled": True},
    )
    await flow.do(
        "admin",
        "PUT",
        "/config/live-trading",
        "/config/live-trading",
        "config.live_trading",
        json_body={"enabled": False},
    )
    await _drive_notifications(flow)
    await flow.do(
        "trader",
        "POST",
        "/auth/password",
        "/auth/password",
        "auth.password_change",
        json_body={"current_password": PASSWORDS["trader"], "new_password": NEW_PASSWORD},
    )
    await flow.do("viewer", "POST", "/auth/logout", "/auth/logout", "auth.logout")
    await flow.do(  # last: it ends every session of the admin
        "admin", "POST", "/auth/logout-all", "/auth/logout-all", "auth.logout_everywhere"
    )


async def _drive_bots(flow: Flow) -> None:
    """Bot controls, settings and pairs: each success audited, each refusal not."""
    for verb in ("start", "stop", "pause", "resume"):
        await flow.do(
            "trader", "POST", f"/api/bots/safe/{verb}", f"/api/bots/{{bot}}/{verb}", f"bot.{verb}"
        )
    await flow.do("viewer", "POST", "/api/bots/safe/stop", "/api/bots/{bot}/stop", None)  # 403
    await flow.do(
        "trader",
        "PATCH",
        "/api/bots/safe/settings",
        "/api/bots/{bot}/settings",
        "bot.settings",
        json_body={"stop_loss": "0.03"},
    )
    await flow.do(
        "trader",
        "PATCH",
        "/api/bots/safe/settings",
        "/api/bots/{bot}/settings",
        None,
        json_body={"params": {"nope": 1}},
    )  # 400
    pairs = "/api/bots/safe/pairs"
    await flow.do(
        "trader",
        "PUT",
        pairs,
        "/api/bots/{bot}/pairs",
        "bot.pairs",
        json_body={"pairs": ["BTC/USDT"]},
    )
    await flow.do(
        "trader", "PUT", pairs, "/api/bots/{bot}/pairs", None, json_body={"pairs": ["XRP/USDT"]}
    )  # 422: not a pair of /config/pairs


async def _drive_notifications(flow: Flow) -> None:
    base = "/api/notifications"
    closed = {"base_url": "http://127.0.0.1:1", "topic": "audit", "token": NTFY_TOKEN}
    await flow.do("viewer", "PUT", f"{base}/ntfy", f"{base}/ntfy", "notifications.ntfy",
                  json_body=closed)  # fmt: skip
    await flow.do("viewer", "POST", f"{base}/test", f"{base}/test", "notifications.test")
    await flow.do(
        "viewer", "PATCH", f"{base}/preferences", f"{base}/preferences",
        "notifications.preferences", json_body={"events": {"trade_opened": {"ntfy": False}}},
    )  # fmt: skip
    device = await flow.do(
        "viewer", "POST", f"{base}/devices", f"{base}/devices", "notifications.device.create",
        json_body={"channel": "expo", "token": "ExponentPushToken[audit-device-0000]"},
    )  # fmt: skip
    url = f"{base}/devices/{device.json()['id']}"
    template = f"{base}/devices/{{device_id}}"
    await flow.do("viewer", "DELETE", url, template, "notifications.device.delete")
    await flow.do("viewer", "DELETE", f"{base}/ntfy", f"{base}/ntfy", "notifications.ntfy.delete")


def _mutating_operations(api: ApiHarness) -> set[tuple[str, str]]:
    schema = api.app.openapi()
    return {
        (method, path)
        for path, operations in schema["paths"].items()
        for method in operations
        if method in MUTATING
    }


@pytest.mark.asyncio
async def test_audit_when_every_mutating_call_is_made_matches_them_one_to_one_without_secrets(
    api: ApiHarness, caplog: pytest.LogCaptureFixture
) -> None:
    await seed_candles(api.database, 800)
    async with UnitOfWork(api.database) as uow:
        before = {row.id for row in await list_audit(session=uow.session, limit=10_000)}
    caplog.set_level(logging.DEBUG)
    flow = Flow(api)
    await _drive(api, flow)

    driven = {(c.method, c.template) for c in flow.calls}
    assert _mutating_operations(api) <= driven, "a mutating operation is not audited by this test"

    async with UnitOfWork(api.database) as uow:
        rows = [
            r for r in await list_audit(session=uow.session, limit=10_000) if r.id not in before
        ]
    rows.sort(key=lambda r: r.id)
    expected = [c for c in flow.calls if c.action is not None]
    for call in flow.calls:
        ok = call.response.status_code < 300
        security_event = call.action in ("auth.login_failed", "auth.refresh_reused")
        assert ok == (call.action is not None and not security_event), (
            call.template,
            call.response.text,
        )
    assert [(r.action, r.actor) for r in rows] == [(c.action, c.actor) for c in expected]
    for row in rows:
        assert row.ip == "198.51.100.7"
        assert row.at == api.clock.now()
        assert row.details is not None
        assert {"before", "after"} <= set(row.details)
        assert row.details.get("request_id")

    issued: dict[int, set[str]] = {}
    for index, call in enumerate(flow.calls):
        body = call.response.json() if call.response.content else {}
        keys = ("access_token", "refresh_token", "token", "ticket")
        issued[index] = {body[k] for k in keys if isinstance(body.get(k), str)}
    every_token = set().union(*issued.values()) | set(api.refresh_tokens.values())
    secrets = {
        *PASSWORDS.values(),
        NEW_PASSWORD,
        "eve-password-1234",
        API_KEY,
        API_SECRET,
        API_SECRET + "2",
        WEBHOOK,
        NTFY_TOKEN,
        JWT_SECRET,
        ENCRYPTION_KEY,
    }
    for index, call in enumerate(flow.calls):
        text = call.response.text
        for secret in secrets | (every_token - issued[index]):
            assert secret not in text, (call.template, "leaks a secret in its response")
    logged = caplog.text
    audit_text = json.dumps([r.details for r in rows])
    for secret in secrets | every_token:
        assert secret not in logged, "a secret reached the logs"
        assert secret not in audit_text, "a secret reached the audit log"
