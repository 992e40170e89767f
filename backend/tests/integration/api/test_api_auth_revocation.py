"""What a credential change takes away: service tokens across a password change or a
deactivation, the reads of a control-only token, and an admin's own sessions."""

from __future__ import annotations

import asyncio

import pytest

from cryptotrader.services.context import Actor, Origin, Role
from cryptotrader.services.errors import PermissionDenied
from cryptotrader.services.users import UserService
from tests.integration.api.harness import PASSWORDS, ApiHarness


async def _token(api: ApiHarness, who: str, scopes: list[str]) -> dict[str, str]:
    created = await api.post(who, "/auth/tokens", json={"name": f"t-{who}", "scopes": scopes})
    assert created.status_code == 201, created.text
    return {"Authorization": f"Bearer {created.json()['token']}"}


async def _user_id(api: ApiHarness, username: str) -> int:
    listed = (await api.get("admin", "/auth/users")).json()["data"]
    return int(next(u["id"] for u in listed if u["username"] == username))


@pytest.mark.asyncio
async def test_service_tokens_when_owner_changes_password_are_revoked(api: ApiHarness) -> None:
    bearer = await _token(api, "trader", ["read", "control"])
    assert (await api.client.get("/api/bots", headers=bearer)).status_code == 200
    body = {"current_password": PASSWORDS["trader"], "new_password": "a-new-password-456"}
    assert (await api.post("trader", "/auth/password", json=body)).status_code == 204
    assert (await api.client.get("/api/bots", headers=bearer)).status_code == 401
    assert (await api.client.post("/api/bots/safe/pause", headers=bearer)).status_code == 401


@pytest.mark.asyncio
async def test_service_tokens_when_owner_is_deactivated_then_reactivated_stay_revoked(
    api: ApiHarness,
) -> None:
    bearer = await _token(api, "trader", ["read"])
    trader = await _user_id(api, "trader")
    off = await api.patch("admin", f"/auth/users/{trader}", json={"is_active": False})
    assert off.status_code == 200
    assert (await api.client.get("/api/bots", headers=bearer)).status_code == 401
    on = await api.patch("admin", f"/auth/users/{trader}", json={"is_active": True})
    assert on.status_code == 200
    assert (await api.client.get("/api/bots", headers=bearer)).status_code == 401
    tokens = (await api.get("admin", "/auth/tokens", params={"everyone": "true"})).json()["data"]
    assert all(t["revoked_at"] is not None for t in tokens if t["user_id"] == trader)
    await api.login("trader")  # the person logs in again and may mint a new token
    assert (await api.get("trader", "/auth/me")).status_code == 200


@pytest.mark.asyncio
async def test_control_only_token_can_control_but_not_read_me_nor_get_a_ws_ticket(
    api: ApiHarness,
) -> None:
    bearer = await _token(api, "trader", ["control"])
    assert (await api.client.post("/api/bots/safe/pause", headers=bearer)).status_code == 200
    me = await api.client.get("/auth/me", headers=bearer)
    assert me.status_code == 403, me.text
    ticket = await api.client.post("/auth/ws-ticket", headers=bearer)
    assert ticket.status_code == 403, ticket.text
    readable = await _token(api, "viewer", ["read"])
    assert (await api.client.get("/auth/me", headers=readable)).status_code == 200
    assert (await api.client.post("/auth/ws-ticket", headers=readable)).status_code == 200


@pytest.mark.asyncio
async def test_admin_setting_their_own_role_to_admin_stays_logged_in(api: ApiHarness) -> None:
    admin = await _user_id(api, "admin")
    bearer = await _token(api, "admin", ["read"])
    same = await api.patch("admin", f"/auth/users/{admin}", json={"role": "admin"})
    assert same.status_code == 200, same.text
    assert (await api.get("admin", "/auth/me")).status_code == 200
    assert (await api.client.get("/api/bots", headers=bearer)).status_code == 200
    refresh = {"refresh_token": api.refresh_tokens["admin"]}
    assert (await api.client.post("/auth/refresh", json=refresh)).status_code == 200
    # a real change still revokes: the trader made viewer is logged out
    trader = await _user_id(api, "trader")
    assert (await api.patch("admin", f"/auth/users/{trader}", json={"role": "viewer"})).is_success
    assert (await api.get("trader", "/auth/me")).status_code == 401


@pytest.mark.asyncio
async def test_two_admins_demoting_each_other_leave_one_admin(api: ApiHarness) -> None:
    body = {"username": "second", "password": "second-password-1", "role": "admin"}
    assert (await api.post("admin", "/auth/users", json=body)).status_code == 201
    admin, second = await _user_id(api, "admin"), await _user_id(api, "second")
    users = UserService(database=api.database, clock=api.clock)
    # Both authenticated as admins before either change (two requests in flight at once).
    first = Actor(user_id=admin, username="admin", role=Role.ADMIN, session_id="a")
    other = Actor(user_id=second, username="second", role=Role.ADMIN, session_id="b")
    await users.update_user(first, second, role=Role.VIEWER, is_active=None, origin=Origin())
    with pytest.raises(PermissionDenied):
        await users.update_user(other, admin, role=Role.VIEWER, is_active=None, origin=Origin())
    roles = {u.username: u.role for u in await users.list_users(first)}
    assert roles["admin"] is Role.ADMIN
    assert roles["second"] is Role.VIEWER


@pytest.mark.asyncio
async def test_admins_demoting_each_other_in_parallel_always_keep_an_admin(
    api_any_db: ApiHarness,
) -> None:
    api = api_any_db
    body = {"username": "second", "password": "second-password-1", "role": "admin"}
    assert (await api.post("admin", "/auth/users", json=body)).status_code == 201
    login = {"username": "second", "password": "second-password-1"}
    api.tokens["second"] = (await api.client.post("/auth/login", json=login)).json()["access_token"]
    admin, second = await _user_id(api, "admin"), await _user_id(api, "second")
    answers = await asyncio.gather(
        api.patch("admin", f"/auth/users/{second}", json={"role": "viewer"}),
        api.patch("second", f"/auth/users/{admin}", json={"role": "viewer"}),
    )
    codes = sorted(answer.status_code for answer in answers)
    assert codes in ([200, 401], [200, 403]), [answer.text for answer in answers]
    users = UserService(database=api.database, clock=api.clock)
    system = Actor(user_id=admin, username="system", role=Role.ADMIN)
    admins = [u for u in await users.list_users(system) if u.role is Role.ADMIN and u.is_active]
    assert len(admins) == 1
