"""Where the candle stream connects: its own URL, else the REST base URL's host as ws(s)."""

from __future__ import annotations

import pytest

from cryptotrader.errors import ConfigurationError
from cryptotrader.exchanges.ccxt.stream import CcxtCandleStream, stream_root


@pytest.mark.parametrize(
    ("stream_url", "base_url", "root"),
    [
        ("ws://127.0.0.1:9000/", None, "ws://127.0.0.1:9000"),
        ("wss://proxy.example/binance", "https://x.example", "wss://proxy.example/binance"),
        (None, "http://127.0.0.1:8080", "ws://127.0.0.1:8080"),
        (None, "https://proxy.example/api", "wss://proxy.example/api"),
        (None, None, None),
    ],
)
def test_stream_root_prefers_the_stream_url_then_the_base_urls_host(
    stream_url: str | None, base_url: str | None, root: str | None
) -> None:
    assert stream_root(stream_url, base_url) == root


def test_stream_root_refuses_a_url_that_is_not_a_websocket_one() -> None:
    with pytest.raises(ConfigurationError, match="must look like wss://"):
        stream_root("http://127.0.0.1:9000", None)


@pytest.mark.asyncio(loop_scope="function")
async def test_the_binance_stream_connects_to_the_given_root_keeping_ccxts_paths() -> None:
    stream = CcxtCandleStream(
        "binance", base_url="http://127.0.0.1:8080", stream_url="ws://127.0.0.1:9000"
    )
    try:
        urls = stream._client.urls["api"]
        assert urls["ws"]["spot"] == "ws://127.0.0.1:9000/ws"
        assert urls["public"].startswith("http://127.0.0.1:8080/")
    finally:
        await stream.close()
