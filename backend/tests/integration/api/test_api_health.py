"""``/health`` is readiness (every dependency requests need), ``/health/live`` liveness.

``/health`` used to say ok while Redis was down and every other route answered 503.
"""

from __future__ import annotations

import pytest

from cryptotrader.bus import InProcessBus
from cryptotrader.clock import TestClock
from cryptotrader.persistence import Database
from tests.integration.api.harness import make_settings, running_api
from tests.integration.conftest import FAST, REDIS_URL, require_redis

pytestmark = pytest.mark.asyncio


async def test_health_with_redis_up_is_ready_and_names_each_dependency(
    sqlite_db: Database, clock: TestClock
) -> None:
    require_redis()
    settings = make_settings().model_copy(update={"redis_url": REDIS_URL})
    bus = InProcessBus(options=FAST)
    async with running_api(sqlite_db, bus, clock, settings=settings) as api:
        health = await api.client.get("/health")
        live = await api.client.get("/health/live")
    await bus.close()

    assert health.status_code == 200, health.text
    body = health.json()
    assert (body["status"], body["database"], body["redis"]) == ("ok", "ok", "ok")
    assert live.status_code == 200
    assert live.json()["status"] == "ok"


async def test_health_on_the_embedded_default_does_not_need_redis(
    sqlite_db: Database, clock: TestClock
) -> None:
    bus = InProcessBus(options=FAST)
    async with running_api(sqlite_db, bus, clock) as api:
        health = await api.client.get("/health")
    await bus.close()

    assert health.status_code == 200
    assert health.json()["redis"] == "unused"
