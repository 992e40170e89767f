"""Revocation reaches every API process at once, through the bus (real Redis).

Two app instances (two "API processes": their own bus connection, session cache and WebSocket
hub) share one database, one Redis bus and one Redis store. A revocation made through one
closes the sockets opened on the other and drops its cached credentials, without waiting for
the periodic re-check (set to an hour here, so only the bus can close them).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import httpx
import pytest
import uvicorn
from redis.asyncio import Redis
from websockets.asyncio.client import ClientConnection

from cryptotrader.api.app import create_app
from cryptotrader.api.ws import endpoint
from cryptotrader.bus.redis_streams import RedisBus
from cryptotrader.clock import TestClock
from cryptotrader.persistence import Database
from cryptotrader.services.ephemeral import RedisStore
from tests.integration.api.harness import PASSWORDS, make_settings
from tests.integration.api.test_api_ws import _closed_code, connect
from tests.integration.conftest import FAST, REDIS_URL, close_bus, open_bus

ORIGIN = "https://app.example"


@asynccontextmanager
async def _process(
    database: Database, clock: TestClock, prefix: str, store_prefix: str
) -> AsyncIterator[str]:
    """One API process on its own bus connection; yields its base URL."""
    bus = await RedisBus.connect(REDIS_URL, prefix=prefix, clock=clock, options=FAST)
    store = RedisStore(Redis.from_url(REDIS_URL, decode_responses=True), prefix=store_prefix)
    app = create_app(make_settings(), database=database, bus=bus, clock=clock, store=store)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
    )
    task = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(60):
            while not server.started:  # noqa: ASYNC110 - polls state owned by uvicorn
                await asyncio.sleep(0.02)
        yield f"127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 60)
        await bus.close()


@asynccontextmanager
async def _two_processes(database: Database, clock: TestClock) -> AsyncIterator[tuple[str, str]]:
    bus, prefix = await open_bus("redis", clock)  # the test's Redis namespace (deleted after)
    assert prefix is not None
    try:
        async with AsyncExitStack() as stack:
            store_prefix = f"{prefix}api:"
            first = await stack.enter_async_context(_process(database, clock, prefix, store_prefix))
            second = await stack.enter_async_context(
                _process(database, clock, prefix, store_prefix)
            )
            yield first, second
    finally:
        await close_bus(bus, prefix)


async def _login(host: str, who: str) -> dict[str, str]:
    async with httpx.AsyncClient(base_url=f"http://{host}", timeout=60) as client:
        answer = await client.post(
            "/auth/login", json={"username": who, "password": PASSWORDS[who]}
        )
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


async def _socket(host: str, bearer: dict[str, str]) -> ClientConnection:
    socket = await connect(f"ws://{host}/ws", origin=ORIGIN, additional_headers=bearer)
    welcome = json.loads(await asyncio.wait_for(socket.recv(), 60))
    assert welcome["type"] == "welcome", welcome
    return socket


async def _call(host: str, method: str, url: str, bearer: dict[str, str], **kw: Any) -> int:
    async with httpx.AsyncClient(base_url=f"http://{host}", timeout=60) as client:
        return (await client.request(method, url, headers=bearer, **kw)).status_code


@pytest.mark.asyncio
async def test_revocations_close_sockets_and_drop_credentials_in_every_process(
    sqlite_db: Database, clock: TestClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(endpoint, "RECHECK_S", 3600.0)  # only the bus can close them in time
    async with _two_processes(sqlite_db, clock) as (one, two):
        # logout on one: the session's socket on two closes, its cached token is refused there
        viewer = await _login(one, "viewer")
        on_two = await _socket(two, viewer)
        assert await _call(two, "GET", "/auth/me", viewer) == 200  # now cached by two
        assert await _call(one, "POST", "/auth/logout", viewer) == 204
        assert await _call(one, "GET", "/auth/me", viewer) == 401
        assert await _closed_code(on_two) == (1008, "session revoked")
        assert await _call(two, "GET", "/auth/me", viewer) == 401

        # a service token revoked on two: its socket on one closes
        admin = await _login(one, "admin")
        async with httpx.AsyncClient(base_url=f"http://{one}", timeout=60) as client:
            created = await client.post(
                "/auth/tokens", headers=admin, json={"name": "discord", "scopes": ["read"]}
            )
        token = {"Authorization": f"Bearer {created.json()['token']}"}
        on_one = await _socket(one, token)
        assert await _call(one, "GET", "/api/bots", token) == 200
        assert await _call(two, "DELETE", f"/auth/tokens/{created.json()['id']}", admin) == 200
        assert await _closed_code(on_one) == (1008, "service token revoked")
        assert await _call(one, "GET", "/api/bots", token) == 401

        # a password change on one: the user's sockets on two close (both sessions)
        trader = await _login(one, "trader")
        sockets = [await _socket(two, trader), await _socket(two, await _login(two, "trader"))]
        body = {"current_password": PASSWORDS["trader"], "new_password": "a-new-password-456"}
        assert await _call(one, "POST", "/auth/password", trader, json=body) == 204
        for socket in sockets:
            assert await _closed_code(socket) == (1008, "session revoked")
        assert await _call(two, "GET", "/auth/me", trader) == 401


@pytest.mark.asyncio
async def test_no_access_token_works_after_logout_returns_even_with_requests_in_flight(
    sqlite_db: Database, clock: TestClock
) -> None:
    """The 1-in-8 race: a check that read the session just before the logout committed must
    not be remembered after it (the token worked up to 1 s after the 204)."""
    async with _two_processes(sqlite_db, clock) as (one, two):
        for trial in range(12):
            bearer = await _login(one, "viewer")
            async with httpx.AsyncClient(base_url=f"http://{one}", timeout=60) as client:
                readers = [
                    asyncio.create_task(client.get("/auth/me", headers=bearer)) for _ in range(8)
                ]
                logout = await client.post("/auth/logout", headers=bearer)
                assert logout.status_code == 204
                await asyncio.gather(*readers)
                after = await client.get("/auth/me", headers=bearer)
            assert after.status_code == 401, f"trial {trial}: {after.status_code}"
        del two
