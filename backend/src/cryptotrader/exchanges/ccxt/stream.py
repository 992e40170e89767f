"""Live candles over the exchange's WebSocket: ccxt pro's ``watch_ohlcv``, public, no keys.

ccxt pro keeps one connection per stream and a cache of the candles it was sent; a candle's
every update carries its whole open/high/low/close so far (Binance's kline stream), the last one
its final values. The cache cannot tell whether it holds a candle's final values: after a
dropped connection it keeps the stale update received before the drop. ``StreamFeed``
(``engines/workers/market_data.py``) therefore takes a closed candle from here only when the
connection has lasted since before that candle opened, and back-fills from REST otherwise.

``stream_url`` replaces the root of every WebSocket URL of ccxt's ``urls['api']['ws']``
(keeping each path), as ``base_url`` does for REST: a real ccxt pro class then talks to a local
test server or a proxy. Without it, a ``base_url`` gives its host with ``ws``/``wss``.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from cryptotrader.domain.market import CandleArrays
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.errors import ConfigurationError, UnknownNameError
from cryptotrader.exchanges.ccxt import convert
from cryptotrader.exchanges.ccxt.errors import map_ccxt_errors
from cryptotrader.exchanges.ccxt.factory import (
    rewrite_api_urls,
    rewrite_stream_urls,
    spot_markets_only,
)

log = logging.getLogger(__name__)


def stream_offered(exchange_id: str) -> bool:
    """True when ccxt pro streams this exchange's candles (``watchOHLCV``)."""
    import ccxt.pro as ccxt_pro  # noqa: PLC0415 - ccxt takes seconds to import

    name = exchange_id.strip().lower()
    cls = getattr(ccxt_pro, name, None) if name in ccxt_pro.exchanges else None
    return cls is not None and bool(cls().has.get("watchOHLCV"))


def stream_root(stream_url: str | None, base_url: str | None) -> str | None:
    """The WebSocket root to use: ``stream_url``, else ``base_url``'s host as ws(s), else None.

    Raises:
        ConfigurationError: ``stream_url`` is not a ``ws(s)://host[:port][/path]`` URL.
    """
    if stream_url is not None:
        parts = urlsplit(stream_url.strip())
        if parts.scheme not in {"ws", "wss"} or not parts.netloc or parts.query:
            raise ConfigurationError(
                f"exchange stream URL {stream_url!r} must look like wss://host[:port][/path]"
            )
        return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"
    if base_url is not None:
        parts = urlsplit(base_url.strip())
        scheme = "wss" if parts.scheme == "https" else "ws"
        return f"{scheme}://{parts.netloc}{parts.path.rstrip('/')}"
    return None


class CcxtCandleStream:
    """Closed and forming candles of public markets, pushed by the exchange.

    Args:
        exchange_id: any ccxt id whose pro class has ``watchOHLCV`` (see ``stream_offered``).
        base_url: the REST root (``load_markets`` runs over REST), as for ``create_venue``.
        stream_url: the WebSocket root (see the module docstring).
        timeout_s: REST timeout.

    Raises:
        UnknownNameError: ccxt pro has no such exchange.
    """

    def __init__(
        self,
        exchange_id: str,
        *,
        base_url: str | None = None,
        stream_url: str | None = None,
        timeout_s: float = 10.0,
    ) -> None:
        import ccxt.pro as ccxt_pro  # noqa: PLC0415 - ccxt takes seconds to import

        name = exchange_id.strip().lower()
        if name not in ccxt_pro.exchanges:
            raise UnknownNameError(f"ccxt does not stream {exchange_id!r}")
        # newUpdates False: each watch returns the whole cache, not only what changed since.
        config: dict[str, Any] = {
            "enableRateLimit": True,
            "timeout": round(timeout_s * 1000),
            "newUpdates": False,
        }
        self._client: Any = getattr(ccxt_pro, name)(config)
        spot_markets_only(self._client.options)
        api = self._client.urls.get("api")
        if base_url is not None:
            api = rewrite_api_urls(api, base_url)
        root = stream_root(stream_url, base_url)
        if root is not None and isinstance(api, dict) and "ws" in api:
            api = {**api, "ws": rewrite_stream_urls(self._client.urls["api"]["ws"], root)}
        self._client.urls["api"] = api
        self.name = name

    async def watch(self, pair: Pair, timeframe: Timeframe) -> CandleArrays:
        """The stream's cached candles of ``pair`` once the next update arrives, oldest first.

        The last one is the candle still forming at that update.

        Raises:
            UnknownNameError: the exchange does not list ``pair``.
            TemporaryError: the connection dropped or could not be opened (call again: ccxt
                reconnects and subscribes again).
        """
        with map_ccxt_errors(self._client):
            markets = await self._client.load_markets()
            if pair.symbol not in markets:
                raise UnknownNameError(f"{self.name} has no spot market {pair}")
            rows = await self._client.watch_ohlcv(pair.symbol, timeframe.ccxt)
        return convert.candles(rows)

    def connection(self) -> tuple[object, ...]:
        """The open WebSocket clients of ccxt (compared by identity: a new one is a reconnect).

        ccxt pro drops a client whose connection the server cut and opens a new one on the next
        call, keeping its candle cache: ``StreamFeed`` trusts the cache again only from the
        first candle opened on the new connection.
        """
        return tuple(self._client.clients.values())

    async def close(self) -> None:
        """Close the connections and the REST session."""
        await self._client.close()
