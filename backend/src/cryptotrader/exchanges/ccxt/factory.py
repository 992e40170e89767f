"""Build an async ccxt client for any ccxt exchange id, ready for public market data.

Every client has ccxt's rate limiter on (``enableRateLimit``), the configured timeout, and loads
**spot markets only**: exchanges whose ``options['fetchMarkets']`` lists market types (Binance
also asks its futures hosts ``fapi``/``dapi`` by default; Bybit, OKX, Gate, Bitget, KuCoin the
same way) are restricted to ``['spot']``, so ``load_markets`` sends one request to Binance
(``GET /api/v3/exchangeInfo``) and two to Kraken (``/0/public/Assets``, ``/0/public/AssetPairs``).

``base_url`` replaces the scheme and host of every entry of ccxt's ``urls['api']`` (keeping each
path, prefixed with the base URL's own path), which points a real ccxt class at a proxy or at a
local test server.
"""

from __future__ import annotations

import contextlib
import difflib
from collections.abc import AsyncIterator
from typing import Any, Protocol
from urllib.parse import urlsplit

from cryptotrader.errors import ConfigurationError, UnknownNameError


class CcxtExchange(Protocol):
    """The part of an async ccxt exchange that CryptoTrader uses for market data."""

    id: str
    markets: dict[str, Any] | None
    timeframes: dict[str, Any] | None
    has: dict[str, Any]
    features: dict[str, Any] | None
    urls: dict[str, Any]
    options: dict[str, Any]

    async def load_markets(self, reload: bool = False) -> dict[str, Any]:
        """Load (once) and return the markets by unified symbol."""
        ...

    async def fetch_ohlcv(
        self, symbol: str, timeframe: str, since: int | None = None, limit: int | None = None
    ) -> list[list[Any]]:
        """Candles ``[ms, open, high, low, close, volume]`` from ``since``, oldest first."""
        ...

    async def close(self) -> None:
        """Close the HTTP session."""
        ...


def exchange_ids() -> list[str]:
    """Every exchange id ccxt supports (``binance``, ``kraken`` ...)."""
    import ccxt.async_support as ccxt_async  # noqa: PLC0415 - ccxt takes seconds to import

    return list(ccxt_async.exchanges)


def exchange_class(exchange_id: str) -> Any:
    """The async ccxt class for ``exchange_id``.

    Raises:
        UnknownNameError: ccxt has no such exchange; the message suggests the closest id.
    """
    import ccxt.async_support as ccxt_async  # noqa: PLC0415 - ccxt takes seconds to import

    name = exchange_id.strip().lower()
    known: list[str] = list(ccxt_async.exchanges)
    if name not in known:
        hint = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
        raise UnknownNameError(
            f"unknown exchange {exchange_id!r} (any ccxt id: binance, kraken, ...){suggestion}"
        )
    return getattr(ccxt_async, name)


def rewrite_api_urls(urls: object, base_url: str) -> object:
    """``urls`` (a ccxt ``urls['api']`` value: str, dict or list) with their root replaced.

    Raises:
        ConfigurationError: ``base_url`` is not an ``http(s)://host[:port][/path]`` URL.
    """
    base = urlsplit(base_url.strip())
    if base.scheme not in {"http", "https"} or not base.netloc or base.query or base.fragment:
        raise ConfigurationError(
            f"exchange base URL {base_url!r} must look like https://host[:port][/path]"
        )
    prefix = f"{base.scheme}://{base.netloc}{base.path.rstrip('/')}"
    return _rewrite(urls, prefix)


def rewrite_stream_urls(urls: object, root: str) -> object:
    """``urls`` (ccxt pro's ``urls['api']['ws']``) with their root replaced by ``root``."""
    return _rewrite(urls, root)


def _rewrite(value: object, prefix: str) -> object:
    if isinstance(value, str):
        parts = urlsplit(value)
        if not parts.scheme:
            return value
        query = f"?{parts.query}" if parts.query else ""
        return f"{prefix}{parts.path}{query}"
    if isinstance(value, dict):
        return {key: _rewrite(item, prefix) for key, item in value.items()}
    if isinstance(value, list):
        return [_rewrite(item, prefix) for item in value]
    return value


def spot_markets_only(options: dict[str, Any]) -> None:
    """Restrict ``load_markets`` to spot where the exchange lets options choose market types."""
    current = options.get("fetchMarkets")
    if isinstance(current, dict) and "spot" in (current.get("types") or []):
        options["fetchMarkets"] = {**current, "types": ["spot"]}
    elif isinstance(current, list) and "spot" in current:
        options["fetchMarkets"] = ["spot"]


def create_exchange(
    exchange_id: str,
    *,
    base_url: str | None = None,
    timeout_s: float = 10.0,
    rate_limit_ms: float | None = None,
) -> CcxtExchange:
    """A new async ccxt client (close it with ``await client.close()``; see ``open_exchange``).

    Args:
        exchange_id: any ccxt id, case-insensitive.
        base_url: replaces the exchange's API root (proxies, tests).
        timeout_s: per-request timeout.
        rate_limit_ms: milliseconds between requests; ccxt's per-exchange default when None.

    Raises:
        UnknownNameError: no such ccxt exchange.
        ConfigurationError: ``base_url`` is malformed.
    """
    cls = exchange_class(exchange_id)
    config: dict[str, Any] = {"enableRateLimit": True, "timeout": round(timeout_s * 1000)}
    if rate_limit_ms is not None:
        config["rateLimit"] = rate_limit_ms
    exchange: CcxtExchange = cls(config)
    spot_markets_only(exchange.options)
    if base_url is not None:
        exchange.urls["api"] = rewrite_api_urls(exchange.urls.get("api"), base_url)
    return exchange


@contextlib.asynccontextmanager
async def open_exchange(
    exchange_id: str,
    *,
    base_url: str | None = None,
    timeout_s: float = 10.0,
    rate_limit_ms: float | None = None,
) -> AsyncIterator[CcxtExchange]:
    """``create_exchange`` for the duration of an ``async with`` block, closed on the way out."""
    exchange = create_exchange(
        exchange_id, base_url=base_url, timeout_s=timeout_s, rate_limit_ms=rate_limit_ms
    )
    try:
        yield exchange
    finally:
        await exchange.close()
