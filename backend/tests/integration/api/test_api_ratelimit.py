"""Rate limits: per user or trusted client IP, in memory and in Redis, failing safe."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from redis.asyncio import Redis

from cryptotrader.bus import InProcessBus
from cryptotrader.clock import TestClock
from cryptotrader.persistence import Database
from cryptotrader.services.ephemeral import RedisStore
from tests.integration.api.harness import make_settings, running_api
from tests.integration.conftest import FAST, REDIS_URL, require_redis


@pytest.mark.asyncio
async def test_limit_when_exceeded_answers_429_per_user_with_retry_after(
    sqlite_db: Database, clock: TestClock
) -> None:
    bus = InProcessBus(options=FAST)
    settings = make_settings(rate_limit_per_minute=5, auth_rate_limit_per_minute=50)
    async with running_api(sqlite_db, bus, clock, settings=settings) as api:
        await api.login("viewer")
        await api.login("trader")
        codes = [(await api.get("viewer", "/api/bots")).status_code for _ in range(7)]
        assert codes[:5] == [200] * 5
        assert codes[5:] == [429, 429]
        refused = await api.get("viewer", "/api/bots")
        assert refused.json()["detail"] == "rate limit of 5 per minute exceeded"
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        # another user from the same address has a bucket of their own
        assert (await api.get("trader", "/api/bots")).status_code == 200
        # health is never limited, so that probes can report
        assert (await api.client.get("/health")).status_code == 200
        metrics = (await api.client.get("/metrics")).text
        assert 'cryptotrader_api_rate_limited_total{bucket="api",status="429"}' in metrics
    await bus.close()


@pytest.mark.asyncio
async def test_login_when_guessed_repeatedly_is_limited_per_client_ip(
    sqlite_db: Database, clock: TestClock
) -> None:
    bus = InProcessBus(options=FAST)
    settings = make_settings(auth_rate_limit_per_minute=3)
    async with running_api(sqlite_db, bus, clock, settings=settings) as api:
        guess = {"username": "admin", "password": "guess-guess"}
        codes = [(await api.client.post("/auth/login", json=guess)).status_code for _ in range(5)]
        assert codes == [401, 401, 401, 429, 429]
        # a forged X-Forwarded-For from an untrusted peer does not buy a new bucket
        forged = await api.client.post(
            "/auth/login", json=guess, headers={"X-Forwarded-For": "203.0.113.99"}
        )
        assert forged.status_code == 429
    await bus.close()


@pytest.mark.asyncio
async def test_forwarded_for_when_peer_is_a_trusted_proxy_keys_by_the_real_client(
    sqlite_db: Database, clock: TestClock
) -> None:
    bus = InProcessBus(options=FAST)
    settings = make_settings(auth_rate_limit_per_minute=2, trusted_proxies=("10.0.0.0/8",))
    async with running_api(
        sqlite_db, bus, clock, settings=settings, peer=("10.0.0.2", 4000)
    ) as api:
        guess = {"username": "admin", "password": "guess-guess"}

        async def attempt(client: str) -> int:
            headers = {"X-Forwarded-For": f"{client}, 10.0.0.5"}
            answer = await api.client.post("/auth/login", json=guess, headers=headers)
            return answer.status_code

        assert [await attempt("203.0.113.1") for _ in range(3)] == [401, 401, 429]
        assert await attempt("203.0.113.2") == 401  # a different client behind the proxy
    await bus.close()


@pytest_asyncio.fixture
async def redis_prefix() -> AsyncIterator[str]:
    require_redis()
    prefix = f"test:{uuid.uuid4().hex}:"
    yield prefix
    client = Redis.from_url(REDIS_URL)
    try:
        keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


@pytest.mark.asyncio
async def test_limit_when_counted_in_redis_is_shared_by_two_api_processes(
    sqlite_db: Database, clock: TestClock, redis_prefix: str
) -> None:
    settings = make_settings(rate_limit_per_minute=4)

    def store() -> RedisStore:
        return RedisStore(Redis.from_url(REDIS_URL, decode_responses=True), prefix=redis_prefix)

    bus_a, bus_b = InProcessBus(options=FAST), InProcessBus(options=FAST)
    async with (
        running_api(sqlite_db, bus_a, clock, settings=settings, store=store()) as api_a,
        running_api(sqlite_db, bus_b, clock, settings=settings, store=store()) as api_b,
    ):
        await api_a.login("viewer")
        api_b.tokens = api_a.tokens
        codes = []
        for index in range(6):
            api = api_a if index % 2 == 0 else api_b
            codes.append((await api.get("viewer", "/api/bots")).status_code)
        assert codes == [200, 200, 200, 200, 429, 429]
    await bus_a.close()
    await bus_b.close()


@pytest.mark.asyncio
async def test_limit_when_redis_is_down_answers_503_never_500(
    sqlite_db: Database, clock: TestClock
) -> None:
    settings = make_settings().model_copy(update={"redis_url": "redis://127.0.0.1:1/0"})
    bus = InProcessBus(options=FAST)
    async with running_api(sqlite_db, bus, clock, settings=settings) as api:
        for method, url in (("GET", "/api/bots"), ("POST", "/auth/login"), ("GET", "/nope")):
            answer = await api.client.request(method, url, json={"username": "a", "password": "b"})
            assert answer.status_code == 503, (url, answer.text)
            assert answer.json() == {"detail": "rate limiter unavailable; retry shortly"}
            assert answer.headers["retry-after"] == "5"
        health = await api.client.get("/health")  # readiness: not ready without Redis
        assert health.status_code == 503
        assert health.json()["redis"] == "unavailable"
        assert health.json()["status"] == "degraded"
        assert health.json()["rate_limits"] == "redis"
        live = await api.client.get("/health/live")  # liveness: the process still serves
        assert live.status_code == 200
    await bus.close()


@pytest.mark.asyncio
async def test_metrics_when_a_token_is_set_answers_only_to_it(
    sqlite_db: Database, clock: TestClock
) -> None:
    bus = InProcessBus(options=FAST)
    token = "m" * 40
    settings = make_settings(metrics_token=token)
    async with running_api(sqlite_db, bus, clock, settings=settings) as api:
        for headers in ({}, {"Authorization": "Bearer " + "n" * 40}, {"Authorization": token}):
            refused = await api.client.get("/metrics", headers=headers)
            assert refused.status_code == 401
            assert refused.headers["www-authenticate"] == "Bearer"
            assert token not in refused.text
        scraped = await api.client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
        assert scraped.status_code == 200
        assert "cryptotrader_api_requests_total" in scraped.text
        assert (await api.client.get("/health")).status_code == 200  # probes need no token
    await bus.close()
