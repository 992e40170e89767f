"""Hostile input at the API edge: bounded decimals, no NUL or lone surrogate, no echo, no 5xx.

Each case is one the hardening probe found (issue 19): a tiny exponent in bot settings that made
every later ``GET /api/bots`` ten megabytes and the runtime refuse every entry, ``NaN`` or a lone
surrogate as a password that turned the 422 into a 500, a NUL byte read as a database outage, a
60 MB body read in full, and 422s that echoed a submitted secret.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from tests.integration.api.harness import ApiHarness

pytestmark = pytest.mark.asyncio

JSON = {"Content-Type": "application/json"}


@pytest.mark.parametrize(
    ("field", "value", "rule"),
    [
        ("stop_loss", "1E-10000000", "no more than 20 digits"),
        ("stop_loss", "1E-999999999", "no more than 20 digits"),
        ("stop_loss", "0.000000001", "no more than 8 decimal places"),
        ("stop_loss", "0.00001", "greater than or equal to 0.0001"),
        ("take_profit", "1E-10000000", "no more than 20 digits"),
        ("risk_ratio", "0.00000001", "greater than or equal to 0.0001"),
        ("stop_loss", "NaN", "finite number"),
        ("take_profit", "Infinity", "finite number"),
        ("risk_ratio", "-Infinity", "finite number"),
    ],
)
async def test_bot_settings_when_decimal_is_unbounded_are_refused_naming_the_rule(
    api: ApiHarness, field: str, value: str, rule: str
) -> None:
    before = await api.get("trader", "/api/bots")

    answer = await api.patch("trader", "/api/bots/safe/settings", json={field: value})

    assert answer.status_code == 422, answer.text
    (error,) = answer.json()["detail"]
    assert error["loc"] == ["body", field]
    assert rule in error["msg"].lower()
    assert value not in answer.text
    after = await api.get("trader", "/api/bots")
    assert after.json() == before.json()
    assert len(after.content) < 10_000


async def test_bot_settings_at_the_bounds_are_stored_exactly(api: ApiHarness) -> None:
    answer = await api.patch(
        "trader",
        "/api/bots/safe/settings",
        json={"stop_loss": "0.0001", "take_profit": "99.99999999", "risk_ratio": "1"},
    )

    assert answer.status_code == 200, answer.text
    config = answer.json()["config"]
    assert (config["stop_loss"], config["take_profit"], config["risk_ratio"]) == (
        "0.0001",
        "99.99999999",
        "1",
    )


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e999"])
async def test_non_finite_json_numbers_are_422_everywhere(api: ApiHarness, literal: str) -> None:
    login = await api.client.post(
        "/auth/login", content=f'{{"username": "trader", "password": {literal}}}', headers=JSON
    )
    assert login.status_code == 422, login.text
    settings = await api.client.patch(
        "/api/bots/safe/settings",
        content=f'{{"stop_loss": {literal}}}',
        headers={**JSON, **api.headers("trader")},
    )
    assert settings.status_code == 422, settings.text
    backtest = await api.client.post(
        "/api/backtest",
        content=f'{{"pair": "BTC/USDT", "strategy": "conservative", "initial_capital": {literal}}}',
        headers={**JSON, **api.headers("trader")},
    )
    assert backtest.status_code == 422, backtest.text


@pytest.mark.parametrize(
    "password", ["\\ud800x", "x\\udfff", "a\\u0000b"], ids=["high", "low", "nul"]
)
async def test_login_with_unencodable_text_is_422_on_both_databases(
    api_any_db: ApiHarness, password: str
) -> None:
    body = f'{{"username": "trader", "password": "{password}"}}'

    answer = await api_any_db.client.post("/auth/login", content=body, headers=JSON)

    assert answer.status_code == 422, answer.text
    assert "NUL characters or unpaired UTF-16 surrogates" in answer.json()["detail"][0]["msg"]


async def test_unknown_field_named_by_a_lone_surrogate_is_answered_printably(
    api: ApiHarness,
) -> None:
    body = '{"username": "trader", "password": "x", "\\ud800": 1}'

    answer = await api.client.post("/auth/login", content=body, headers=JSON)

    assert answer.status_code == 422
    json.loads(answer.content.decode("utf-8"))  # valid UTF-8 JSON


async def test_validation_errors_never_echo_a_submitted_secret(api: ApiHarness) -> None:
    secret = "s3cr3t-" + "x" * 2000

    keys = await api.put(
        "admin",
        "/config/exchange-keys/binance",
        json={"api_key": "key-12345678", "api_secret": secret},
    )
    login = await api.client.post("/auth/login", json={"username": "trader", "password": secret})

    for answer in (keys, login):
        assert answer.status_code == 422, answer.text
        assert "s3cr3t" not in answer.text
        assert "input" not in answer.json()["detail"][0]


async def test_body_above_the_limit_is_413_before_it_is_read(api: ApiHarness) -> None:
    limit = api.settings.api.max_body_bytes
    body = b'{"username": "trader", "password": "' + b"x" * limit + b'"}'

    declared = await api.client.post("/auth/login", content=body, headers=JSON)

    async def chunks() -> AsyncIterator[bytes]:
        """No Content-Length: the limit applies while the body streams in."""
        for start in range(0, len(body), 4096):
            yield body[start : start + 4096]

    streamed = await api.client.post("/auth/login", content=chunks(), headers=JSON)

    for answer in (declared, streamed):
        assert answer.status_code == 413, answer.text
        assert answer.json() == {"detail": f"the request body exceeds {limit} bytes"}
    fine = await api.client.post("/auth/login", json={"username": "trader", "password": "x" * 200})
    assert fine.status_code == 401


async def test_backtest_protection_that_would_divide_by_zero_is_refused(
    api: ApiHarness,
) -> None:
    answer = await api.post(
        "trader",
        "/api/backtest",
        json={"pair": "BTC/USDT", "strategy": "conservative", "stop_loss": "1e-320"},
    )

    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"][0]["loc"] == ["body", "stop_loss"]
