"""The ccxt edge: exchange ids, API root rewriting, spot-only markets, and the error table.

Real ccxt classes and real ccxt exception objects; nothing is patched.
"""

from __future__ import annotations

import pytest

from cryptotrader.errors import (
    ConfigurationError,
    InsufficientFunds,
    NetworkUnavailableError,
    OperationalError,
    OrderRejected,
    RateLimitedError,
    TemporaryError,
    TraderError,
    UnknownNameError,
    UserInputError,
)
from cryptotrader.exchanges.ccxt import map_ccxt_errors, open_exchange, translate_ccxt_error
from cryptotrader.exchanges.ccxt.factory import exchange_class, rewrite_api_urls


def test_exchange_class_when_id_misspelt_suggests_the_closest() -> None:
    with pytest.raises(
        UnknownNameError, match=r"unknown exchange 'binanse'.*did you mean 'binance'"
    ):
        exchange_class("binanse")


def test_exchange_class_when_id_any_case_finds_it() -> None:
    assert exchange_class(" Kraken ").__name__ == "kraken"


@pytest.mark.asyncio
async def test_open_exchange_when_base_url_given_rewrites_every_api_root() -> None:
    async with open_exchange("binance", base_url="http://127.0.0.1:8123") as binance:
        api = binance.urls["api"]
        assert api["public"] == "http://127.0.0.1:8123/api/v3"
        assert api["fapiPublic"] == "http://127.0.0.1:8123/fapi/v1"
        assert api["sapi"] == "http://127.0.0.1:8123/sapi/v1"
        assert all(str(url).startswith("http://127.0.0.1:8123/") for url in api.values())
    async with open_exchange("kraken", base_url="http://127.0.0.1:8123/") as kraken:
        assert kraken.urls["api"]["public"] == "http://127.0.0.1:8123"
        assert kraken.urls["api"]["private"] == "http://127.0.0.1:8123"


def test_rewrite_api_urls_when_base_has_a_path_prefixes_it() -> None:
    urls = {"public": "https://api.binance.com/api/v3", "nested": ["https://x.com/v1?a=1"]}
    assert rewrite_api_urls(urls, "https://proxy.local:8443/binance/") == {
        "public": "https://proxy.local:8443/binance/api/v3",
        "nested": ["https://proxy.local:8443/binance/v1?a=1"],
    }


@pytest.mark.parametrize("bad", ["localhost:8000", "ftp://host/x", "http://", "https://h/?q=1"])
def test_rewrite_api_urls_when_base_malformed_refuses(bad: str) -> None:
    with pytest.raises(ConfigurationError, match="base URL"):
        rewrite_api_urls({"public": "https://api.binance.com/api/v3"}, bad)


@pytest.mark.asyncio
@pytest.mark.parametrize("exchange_id", ["binance", "bybit", "okx", "gate", "bitget", "kucoin"])
async def test_open_exchange_when_venue_loads_several_market_types_keeps_spot_only(
    exchange_id: str,
) -> None:
    async with open_exchange(exchange_id) as exchange:
        assert exchange.options["fetchMarkets"]["types"] == ["spot"]


@pytest.mark.asyncio
async def test_open_exchange_when_configured_limits_rate_and_time() -> None:
    async with open_exchange("kraken", timeout_s=2.5, rate_limit_ms=20) as exchange:
        raw = vars(exchange)
        assert raw["enableRateLimit"] is True
        assert raw["timeout"] == 2500
        assert raw["rateLimit"] == 20


# ---------------------------------------------------------------- error table


@pytest.fixture
def binance() -> object:
    """A real (synchronous) ccxt Binance client: the table only reads its id and last answer."""
    import ccxt

    exchange: object = ccxt.binance()
    return exchange


def ccxt_error(name: str, message: str) -> Exception:
    import ccxt

    error: Exception = getattr(ccxt, name)(message)
    return error


@pytest.mark.parametrize(
    ("name", "message", "expected", "text"),
    [
        (
            "BadSymbol",
            'binance {"code":-1121,"msg":"Invalid symbol."}',
            UnknownNameError,
            "binance: unknown market: Invalid symbol. (code -1121)",
        ),
        ("BadRequest", "binance limit too large", UserInputError, "refused the request"),
        (
            "OnMaintenance",
            "binance GET https://api.binance.com/api/v3/klines 503 Service Unavailable system"
            " maintenance",
            TemporaryError,
            "binance: Service Unavailable system maintenance (HTTP 503)",
        ),
        (
            "ExchangeNotAvailable",
            "binance GET https://api.binance.com/api/v3/klines 502 Bad Gateway <html>",
            TemporaryError,
            "api.binance.com is unavailable (HTTP 502)",
        ),
        (
            "ExchangeNotAvailable",
            "binance GET https://api.binance.com/api/v3/klinez 404 Not Found {}",
            OperationalError,
            "api.binance.com answered HTTP 404",
        ),
        (
            "RequestTimeout",
            "binance GET https://api.binance.com/api/v3/time",
            NetworkUnavailableError,
            "api.binance.com did not answer within 10 s",
        ),
        ("AuthenticationError", "binance invalid key", OperationalError, "authentication refused"),
        ("InsufficientFunds", "binance balance", InsufficientFunds, "insufficient funds"),
        ("InvalidOrder", "binance LOT_SIZE", OrderRejected, "rejected the order"),
        ("ExchangeError", "binance something odd", OperationalError, "binance: something odd"),
    ],
)
def test_translate_when_ccxt_error_picks_most_specific_mapping(
    binance: object, name: str, message: str, expected: type[TraderError], text: str
) -> None:
    mapped = translate_ccxt_error(ccxt_error(name, message), binance)
    assert type(mapped) is expected
    assert text in str(mapped)


def test_translate_when_rate_limited_carries_retry_after(binance: object) -> None:
    vars(binance)["last_response_headers"] = {"Content-Type": "x", "retry-after": "7"}
    error = ccxt_error(
        "DDoSProtection", 'binance 429 Too Many Requests {"code":-1003,"msg":"Too many requests."}'
    )
    mapped = translate_ccxt_error(error, binance)
    assert isinstance(mapped, RateLimitedError)
    assert mapped.retry_after_s == 7.0
    assert str(mapped) == (
        "binance: rate limited by api.binance.com (HTTP 429), asked to wait 7 s:"
        " Too many requests. (code -1003)"
    )


def test_map_ccxt_errors_when_not_a_ccxt_error_lets_it_through(binance: object) -> None:
    with pytest.raises(KeyError), map_ccxt_errors(binance):
        raise KeyError("ours")
    with pytest.raises(UnknownNameError) as caught, map_ccxt_errors(binance):
        raise ccxt_error("BadSymbol", "binance does not have market symbol X/Y")
    assert type(caught.value.__cause__).__name__ == "BadSymbol"
