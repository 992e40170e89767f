"""Per-account throttling of password guesses: back-off, never a lock-out for good.

The probe made 121 guesses on one account in 41 s from 6 addresses (the limit was per IP), and
25 wrong current passwords in 5.6 s on ``POST /auth/password`` without a 429.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest

from cryptotrader.services.login_throttle import FREE_FAILURES
from tests.integration.api.harness import PASSWORDS, ApiHarness

pytestmark = pytest.mark.asyncio


def _from(api: ApiHarness, ip: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=api.app, raise_app_exceptions=False, client=(ip, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def test_guesses_on_one_account_from_many_addresses_are_throttled_then_let_through(
    api: ApiHarness,
) -> None:
    wrong = {"username": "trader", "password": "not-the-password"}
    right = {"username": "trader", "password": PASSWORDS["trader"]}
    statuses = []
    for attempt in range(FREE_FAILURES + 3):
        async with _from(api, f"203.0.113.{attempt + 1}") as attacker:
            statuses.append((await attacker.post("/auth/login", json=wrong)).status_code)

    assert statuses[: FREE_FAILURES + 1] == [401] * (FREE_FAILURES + 1)
    assert 429 in statuses[FREE_FAILURES + 1 :]
    async with _from(api, "203.0.113.200") as stranger:
        blocked = await stranger.post("/auth/login", json=right)  # even the right password waits
        assert blocked.status_code == 429, blocked.text
        assert int(blocked.headers["retry-after"]) >= 1
        assert "too many failed attempts for this account" in blocked.json()["detail"]
        owner = await api.client.post("/auth/login", json=right)  # the owner's known address
        assert owner.status_code == 200, owner.text
        other = await stranger.post(
            "/auth/login", json={"username": "viewer", "password": PASSWORDS["viewer"]}
        )
        assert other.status_code == 200  # other accounts are not affected

        async with asyncio.timeout(60):  # the block ends: nobody is locked out for good
            while (answer := await stranger.post("/auth/login", json=right)).status_code == 429:  # noqa: ASYNC110 - waits as told
                await asyncio.sleep(int(answer.headers["retry-after"]))
        assert answer.status_code == 200, answer.text


async def test_wrong_current_passwords_are_throttled_per_account(api: ApiHarness) -> None:
    body = {"current_password": "not-the-password", "new_password": "a-new-password-1234"}
    statuses = [
        (await api.post("trader", "/auth/password", json=body)).status_code
        for _ in range(FREE_FAILURES + 3)
    ]

    assert statuses[: FREE_FAILURES + 1] == [401] * (FREE_FAILURES + 1)
    assert 429 in statuses[FREE_FAILURES + 1 :]
