"""``/api/strategies``: the schema a form is generated from, with the defaults really applied."""

from __future__ import annotations

import pytest

from cryptotrader.strategies import create_strategy
from tests.integration.api.harness import ApiHarness


@pytest.mark.asyncio
async def test_strategies_when_listed_give_types_bounds_and_applied_defaults(
    api: ApiHarness,
) -> None:
    answer = await api.get("viewer", "/api/strategies")
    assert answer.status_code == 200, answer.text
    by_name = {s["name"]: s for s in answer.json()["data"]}
    assert {"conservative", "aggressive", "sma_cross"} <= set(by_name)
    sma = {p["name"]: p for p in by_name["sma_cross"]["parameters"]}
    assert sma["fast"]["kind"] == "integer"
    assert (sma["fast"]["default"], sma["fast"]["minimum"], sma["fast"]["maximum"]) == (
        20,
        1,
        10_000,
    )
    assert sma["fast"]["search"] == {"low": 5, "high": 50, "log": False}
    conservative = {p["name"]: p for p in by_name["conservative"]["parameters"]}
    buy = conservative["buy_threshold"]
    assert buy["kind"] == "number"
    assert (buy["exclusive_minimum"], buy["maximum"]) == (0, 1)
    # the defaults the strategy applies (its own, not the shared model's)
    applied = create_strategy("conservative").params.model_dump(mode="json")
    assert {name: p["default"] for name, p in conservative.items()} == applied
    trend = conservative["trend_timeframe"]
    assert trend["kind"] == "choice"
    assert trend["nullable"] is True
    assert "1h" in trend["choices"]
    assert conservative["require_trend_agreement"]["kind"] == "boolean"
    assert by_name["conservative"]["target_bot"] == "safe"


@pytest.mark.asyncio
async def test_strategies_without_credentials_are_refused(api: ApiHarness) -> None:
    assert (await api.client.get("/api/strategies")).status_code == 401
