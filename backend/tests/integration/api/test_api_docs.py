"""``/docs`` works offline: Swagger UI's page names no other host, and the API serves its assets."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest

from cryptotrader.bus import InProcessBus
from cryptotrader.clock import TestClock
from cryptotrader.persistence import Database
from tests.integration.api.harness import ApiHarness, make_settings, running_api
from tests.integration.conftest import FAST

# What a browser fetches from the page: src/href attributes and the quoted URLs of the script.
URL = re.compile(r"""(?:src|href)=["']([^"']+)["']|url:\s*['"]([^'"]+)['"]""")


def _urls(page: str) -> list[str]:
    return [a or b for a, b in URL.findall(page)]


@pytest.mark.asyncio
async def test_docs_page_names_no_other_host_and_its_assets_are_served(api: ApiHarness) -> None:
    page = await api.client.get("/docs")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    urls = _urls(page.text)
    assert any(u.endswith(".js") for u in urls), urls
    assert any(u.endswith(".css") for u in urls), urls
    assert "/openapi.json" in urls
    assert "://" not in page.text, "the page names another host"
    for url in urls:
        parts = urlsplit(urljoin("http://testserver/docs", url))
        assert parts.netloc == "testserver", url
        asset = await api.client.get(parts.path)
        assert asset.status_code == 200, url
        if url.endswith(".js"):
            assert asset.headers["content-type"].startswith("text/javascript")
            assert "SwaggerUIBundle" in asset.text
        if url.endswith(".css"):
            assert asset.headers["content-type"].startswith("text/css")
            assert ".swagger-ui" in asset.text
    spec = (await api.client.get("/openapi.json")).json()
    assert spec["info"]["title"] == "CryptoTrader API"


@pytest.mark.asyncio
async def test_docs_can_be_turned_off(sqlite_db: Database, clock: TestClock) -> None:
    bus = InProcessBus(clock=clock, options=FAST)
    try:
        settings = make_settings(docs_enabled=False)
        async with running_api(sqlite_db, bus, clock, settings=settings) as api:
            assert (await api.client.get("/docs")).status_code == 404
    finally:
        await bus.close()
