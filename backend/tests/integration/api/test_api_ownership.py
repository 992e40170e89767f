"""Object-level authorization: another user's backtests, tokens and sessions are out of reach.

Model (services/context.py): backtests, service tokens and login sessions belong to their
user; anyone else gets 404, exactly as for an id that does not exist. Bots, trades, portfolio,
pairs and exchange keys are the platform's, guarded by role.
"""

from __future__ import annotations

import pytest

from tests.integration.api.harness import ApiHarness, seed_candles


@pytest.mark.asyncio
async def test_backtest_when_another_user_asks_for_it_answers_404(api: ApiHarness) -> None:
    await seed_candles(api.database, 600)
    launched = await api.post(
        "trader",
        "/api/backtest",
        json={"pair": "BTC/USDT", "timeframe": "1h", "strategy": "sma_cross"},
    )
    assert launched.status_code == 202, launched.text
    job = launched.json()["id"]
    await api.app.state.services.backtests.wait(job)
    assert (await api.get("trader", f"/api/backtest/{job}")).status_code == 200
    for who in ("other", "viewer", "admin"):
        for url in (f"/api/backtest/{job}", f"/api/backtest/{job}/result"):
            answer = await api.get(who, url)
            assert answer.status_code == 404, (who, url)
            assert answer.json() == {"detail": "backtest not found"}
        assert (await api.get(who, "/api/backtest")).json()["count"] == 0
    missing = await api.get("other", "/api/backtest/99999")
    assert missing.json() == {"detail": "backtest not found"}


@pytest.mark.asyncio
async def test_service_token_when_another_user_revokes_or_lists_it_is_refused(
    api: ApiHarness,
) -> None:
    created = await api.post("trader", "/auth/tokens", json={"name": "mine", "scopes": ["read"]})
    token_id = created.json()["id"]
    assert (await api.delete("other", f"/auth/tokens/{token_id}")).status_code == 404
    assert (await api.get("other", "/auth/tokens")).json()["count"] == 0
    assert (await api.get("other", "/auth/tokens", params={"everyone": True})).status_code == 403
    everyone = await api.get("admin", "/auth/tokens", params={"everyone": True})
    assert [t["id"] for t in everyone.json()["data"]] == [token_id]
    bearer = {"Authorization": f"Bearer {created.json()['token']}"}
    assert (await api.client.get("/api/bots", headers=bearer)).status_code == 200
    assert (await api.delete("admin", f"/auth/tokens/{token_id}")).status_code == 200
    assert (await api.client.get("/api/bots", headers=bearer)).status_code == 401


@pytest.mark.asyncio
async def test_users_when_not_admin_cannot_list_create_or_change_users(api: ApiHarness) -> None:
    assert (await api.get("trader", "/auth/users")).status_code == 403
    body = {"username": "mallory", "password": "mallory-password-1", "role": "admin"}
    assert (await api.post("trader", "/auth/users", json=body)).status_code == 403
    assert (await api.patch("trader", "/auth/users/1", json={"role": "viewer"})).status_code == 403
    me = (await api.get("admin", "/auth/me")).json()
    demote = await api.patch("admin", f"/auth/users/{me['id']}", json={"role": "viewer"})
    assert demote.status_code == 409
    created = await api.post("admin", "/auth/users", json=body | {"role": "viewer"})
    assert created.status_code == 201
    assert (await api.post("admin", "/auth/users", json=body)).status_code == 409


@pytest.mark.asyncio
async def test_roles_when_viewer_tries_changes_every_one_is_refused(api: ApiHarness) -> None:
    for method, url, body in (
        ("POST", "/api/bots/safe/stop", None),
        ("PATCH", "/api/bots/safe/settings", {"stop_loss": "0.01"}),
        ("POST", "/api/backtest", {"pair": "BTC/USDT", "strategy": "sma_cross"}),
        ("POST", "/config/pairs", {"exchange": "binance", "symbol": "BTC/USDT"}),
        ("PATCH", "/config/notifications", {"enabled": False}),
        ("PUT", "/config/live-trading", {"enabled": False}),
        ("POST", "/config/exchange-keys/rotate", None),
    ):
        answer = await api.client.request(method, url, headers=api.headers("viewer"), json=body)
        assert answer.status_code == 403, (url, answer.text)
