"""The app's web export served at ``/`` beside the API (single-page fallback, caching)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from cryptotrader.bus import InProcessBus
from cryptotrader.clock import TestClock
from cryptotrader.persistence import Database
from tests.integration.api.harness import ApiHarness, make_settings, running_api
from tests.integration.conftest import FAST

INDEX = "<!doctype html><title>CryptoTrader</title><div id=root></div>"


@pytest.fixture
def web_dir(tmp_path: Path) -> Path:
    root = tmp_path / "dist"
    (root / "_expo" / "static" / "js" / "web").mkdir(parents=True)
    (root / "index.html").write_text(INDEX)
    (root / "_expo" / "static" / "js" / "web" / "entry-abc123.js").write_text("console.log(1)")
    (root / "favicon.ico").write_bytes(b"\x00\x00\x01\x00")
    return root


async def _api(database: Database, clock: TestClock, web: Path) -> AsyncIterator[ApiHarness]:
    bus = InProcessBus(clock=clock, options=FAST)
    try:
        async with running_api(
            database,
            bus,
            clock,
            settings=make_settings(web_dir=web),
        ) as api:
            yield api
    finally:
        await bus.close()


@pytest_asyncio.fixture
async def served(sqlite_db: Database, clock: TestClock, web_dir: Path) -> AsyncIterator[ApiHarness]:
    async for api in _api(sqlite_db, clock, web_dir):
        yield api


@pytest.mark.asyncio
async def test_app_is_served_at_root_and_deep_links_fall_back_to_index(served: ApiHarness) -> None:
    for path in ("/", "/bots", "/bot/safe", "/settings"):
        page = await served.client.get(path)
        assert page.status_code == 200, path
        assert page.text == INDEX
        assert page.headers["cache-control"] == "no-cache"
    bundle = await served.client.get("/_expo/static/js/web/entry-abc123.js")
    assert bundle.status_code == 200
    assert bundle.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert (await served.client.get("/favicon.ico")).content == b"\x00\x00\x01\x00"


@pytest.mark.asyncio
async def test_api_paths_and_missing_files_are_never_answered_with_the_app(
    served: ApiHarness,
) -> None:
    for path in ("/api/nothing", "/auth/nothing", "/config/nothing"):
        answer = await served.client.get(path)
        assert answer.status_code in (401, 404), path
        assert answer.headers["content-type"] == "application/json", path
    assert (await served.client.get("/_expo/static/js/web/gone-1.js")).status_code == 404
    health = await served.client.get("/health")
    assert health.json()["status"] == "ok"
    assert health.headers["cache-control"] == "no-store"
    login = await served.client.post("/auth/login", json={"username": "x", "password": "y"})
    assert login.status_code == 401


@pytest.mark.asyncio
async def test_root_when_the_export_is_not_built_says_how_to_build_it(
    sqlite_db: Database, clock: TestClock, tmp_path: Path
) -> None:
    async for api in _api(sqlite_db, clock, tmp_path / "nothing-here"):
        answer = await api.client.get("/")
        assert answer.status_code == 404
        assert "npx expo export --platform web" in answer.json()["detail"]
        assert (await api.client.get("/api/nothing")).json() == {"detail": "Not Found"}
