"""The Fear & Greed client: the real httpx client against a local alternative.me look-alike."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from cryptotrader.clock import TestClock
from cryptotrader.config import SentimentSettings
from cryptotrader.errors import DataValidationError, NetworkUnavailableError, RateLimitedError
from cryptotrader.sentiment import FearGreedClient
from tests.support.sentiment_server import LocalServer, ServerState, closed_port, serve

pytestmark = pytest.mark.timeout(900)

DAY_S = 86_400
D0_S = 1_704_067_200  # 2024-01-01
TTL_S = 3_600


def _client(url: str, cache_dir: Path, clock: TestClock) -> FearGreedClient:
    settings = SentimentSettings(
        fear_greed_url=f"{url}/fng/", fear_greed_cache_ttl_s=TTL_S, timeout_s=30.0
    )
    return FearGreedClient(settings, cache_dir=cache_dir, clock=clock)


def _fill(state: ServerState, values: list[int]) -> None:
    state.fear_greed = [(D0_S + i * DAY_S, v) for i, v in enumerate(values)]


def _stale_notices(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "cryptotrader.sentiment" and "cached Fear & Greed" in r.getMessage()
    ]


def test_fear_greed_client_when_api_answers_returns_history_oldest_first(
    server: LocalServer, cache_dir: Path, clock: TestClock
) -> None:
    _fill(server.state, [40, 10, 90])
    series = _client(server.url, cache_dir, clock).history()
    assert series.values.tolist() == [40.0, 10.0, 90.0]
    assert series.timestamps.tolist() == [(D0_S + i * DAY_S) * 1000 for i in range(3)]
    assert series.labels == ("Fear", "Extreme Fear", "Extreme Greed")
    (request,) = server.state.requests
    assert request.path == "/fng/"
    assert request.query == {"limit": ["0"], "format": ["json"]}


def test_fear_greed_client_when_limit_given_asks_for_that_many_days(
    server: LocalServer, cache_dir: Path, clock: TestClock
) -> None:
    _fill(server.state, [40, 10, 90])
    series = _client(server.url, cache_dir, clock).history(limit=2)
    assert series.values.tolist() == [10.0, 90.0]
    assert server.state.requests[0].query["limit"] == ["2"]


def test_fear_greed_client_when_cache_fresh_does_not_reach_the_server(
    server: LocalServer, cache_dir: Path, clock: TestClock
) -> None:
    _fill(server.state, [40, 10])
    first = _client(server.url, cache_dir, clock).history()
    clock.advance(TTL_S * 1000 - 1)
    second = _client(server.url, cache_dir, clock).history()  # a new client: the cache is a file
    assert len(server.state.requests) == 1
    np.testing.assert_array_equal(first.values, second.values)
    np.testing.assert_array_equal(first.timestamps, second.timestamps)


def test_fear_greed_client_when_ttl_expired_fetches_again(
    server: LocalServer, cache_dir: Path, clock: TestClock
) -> None:
    client = _client(server.url, cache_dir, clock)
    _fill(server.state, [40])
    client.history()
    _fill(server.state, [40, 75])  # a new day was published
    clock.advance(TTL_S * 1000)
    series = client.history()
    assert len(server.state.requests) == 2
    assert series.values.tolist() == [40.0, 75.0]


def test_fear_greed_client_when_server_down_uses_stale_cache_and_says_so_once(
    cache_dir: Path, clock: TestClock, caplog: pytest.LogCaptureFixture
) -> None:
    state = ServerState()
    _fill(state, [40, 10])
    with serve(state) as running:
        url = running.url
        _client(url, cache_dir, clock).history()
    clock.advance(10 * TTL_S * 1000)  # stale, and the server is gone
    with caplog.at_level(logging.WARNING, logger="cryptotrader.sentiment"):
        first = _client(url, cache_dir, clock).history()
        second = _client(url, cache_dir, clock).history()
    assert first.values.tolist() == second.values.tolist() == [40.0, 10.0]
    (notice,) = _stale_notices(caplog)
    assert "unreachable: 127.0.0.1" in notice
    assert "fetched 2024-01-15 00:00 UTC" in notice


def test_fear_greed_client_when_host_unreachable_without_cache_raises_naming_host(
    cache_dir: Path, clock: TestClock
) -> None:
    port = closed_port()
    with pytest.raises(NetworkUnavailableError) as error:
        _client(f"http://127.0.0.1:{port}", cache_dir, clock).history()
    message = str(error.value)
    assert f"127.0.0.1:{port}" in message
    assert "\n" not in message
    assert not cache_dir.exists()


def test_fear_greed_client_when_server_errors_raises_temporary_error(
    server: LocalServer, cache_dir: Path, clock: TestClock
) -> None:
    server.state.status = 503
    with pytest.raises(NetworkUnavailableError, match="answered HTTP 503"):
        _client(server.url, cache_dir, clock).history()
    server.state.status = 429
    with pytest.raises(RateLimitedError, match="HTTP 429"):
        _client(server.url, cache_dir, clock).history()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<html>maintenance</html>", "not JSON"),
        (b'{"data": [{"value": "abc", "timestamp": "1551157200"}]}', "at data.0.value"),
        (b'{"data": [{"value": "140", "timestamp": "1551157200"}]}', "at data.0.value"),
        (b'{"data": [{"value": "40"}]}', "at data.0.timestamp"),
        (b'{"name": "Fear and Greed Index"}', "at data"),
        (b'{"data": [], "metadata": {"error": "Limit too high"}}', "API error: Limit too high"),
        (b'{"data": [], "metadata": {"error": null}}', "has no data"),
        (
            b'{"data": [{"value": "4", "timestamp": "1551157200"},'
            b' {"value": "5", "timestamp": "1551157200"}]}',
            "two values for one day",
        ),
    ],
)
def test_fear_greed_client_when_payload_malformed_raises_and_caches_nothing(
    server: LocalServer, cache_dir: Path, clock: TestClock, body: bytes, message: str
) -> None:
    server.state.raw_body = body
    with pytest.raises(DataValidationError, match=message):
        _client(server.url, cache_dir, clock).history()
    assert not cache_dir.exists() or not list(cache_dir.iterdir())


def test_fear_greed_client_when_cache_file_corrupt_refetches(
    server: LocalServer, cache_dir: Path, clock: TestClock
) -> None:
    _fill(server.state, [40])
    client = _client(server.url, cache_dir, clock)
    client.history()
    (cache_file,) = cache_dir.iterdir()
    cache_file.write_text('{"fetched_at_ms": ')  # interrupted by hand, say
    assert client.history().values.tolist() == [40.0]
    assert len(server.state.requests) == 2
