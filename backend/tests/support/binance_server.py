"""A local server answering like Binance's spot public REST API (``/api/v3``).

Modelled on Binance's documentation: ``GET /api/v3/time``, ``/api/v3/exchangeInfo`` and
``/api/v3/klines`` (``startTime``/``endTime`` inclusive, ``limit`` default 500 and max 1000, the
newest ``limit`` rows when no start is given, the still-forming candle included), with Binance's
error payloads (``{"code": -1121, "msg": "Invalid symbol."}``, HTTP 400; ``-1003`` with HTTP
429/418 and ``Retry-After`` when rate limited, scripted with ``inject``).

The signed endpoints live in ``binance_trading_server`` (``BinanceTradingServer``): account, orders,
OCO lists and trades over a simulated account, with Binance's HMAC-SHA256 signature and
``recvWindow`` checks.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from cryptotrader.domain.market import CandleArrays
from cryptotrader.domain.timeframes import Timeframe
from tests.support.exchange_server import Answer, ExchangeServer, price_text

BINANCE_RATE_LIMIT_BODY = {
    "code": -1003,
    "msg": "Too many requests; current limit of IP(127.0.0.1) is 6000 requests per minute. "
    "Please use the websocket for live updates to avoid polling the API.",
}


class BinanceServer(ExchangeServer):
    """Binance spot public REST API (``/api/v3``)."""

    _routes: ClassVar[dict[str, str]] = {
        "/api/v3/time": "_time",
        "/api/v3/exchangeInfo": "_exchange_info",
        "/api/v3/klines": "_klines",
    }
    MAX_LIMIT = 1000
    DEFAULT_LIMIT = 500

    def _time(self, params: dict[str, str]) -> Answer:
        return 200, {"serverTime": self.now_ms}, {}

    def _exchange_info(self, params: dict[str, str]) -> Answer:
        symbols = [_binance_symbol(*market) for market in self._markets()]
        body = {
            "timezone": "UTC",
            "serverTime": self.now_ms,
            "rateLimits": [
                {
                    "rateLimitType": "REQUEST_WEIGHT",
                    "interval": "MINUTE",
                    "intervalNum": 1,
                    "limit": 6000,
                }
            ],
            "exchangeFilters": [],
            "symbols": symbols,
        }
        return 200, body, {}

    def _klines(self, params: dict[str, str]) -> Answer:
        listing = self.listings.get(params.get("symbol", ""))
        if listing is None:
            return 400, {"code": -1121, "msg": "Invalid symbol."}, {}
        try:
            timeframe = Timeframe(params.get("interval", ""))
        except ValueError:
            return 400, {"code": -1120, "msg": "Invalid interval."}, {}
        if timeframe not in listing.candles:
            return 200, [], {}
        limit = int(params.get("limit", self.DEFAULT_LIMIT))
        if not 1 <= limit <= self.MAX_LIMIT:
            return 400, {"code": -1130, "msg": "Data sent for parameter 'limit' is not valid."}, {}
        candles = self._served(listing, timeframe)
        ts = candles.timestamps
        lo = int(np.searchsorted(ts, int(params["startTime"]))) if "startTime" in params else 0
        hi = (
            int(np.searchsorted(ts, int(params["endTime"]), side="right"))
            if "endTime" in params
            else len(ts)
        )
        rows = (
            range(lo, min(hi, lo + limit))
            if "startTime" in params
            else range(max(lo, hi - limit), hi)
        )
        return 200, [_binance_kline(candles, i, timeframe) for i in rows], {}

    def _markets(self) -> list[tuple[str, str, str]]:
        """``(market id, base, quote)`` of every listed market."""
        return [(m.market_id, m.base_id, m.quote_id) for m in self.listings.values()]


def _binance_symbol(market_id: str, base: str, quote: str) -> dict[str, Any]:
    return {
        "symbol": market_id,
        "status": "TRADING",
        "baseAsset": base,
        "baseAssetPrecision": 8,
        "quoteAsset": quote,
        "quotePrecision": 8,
        "quoteAssetPrecision": 8,
        "orderTypes": [
            "LIMIT",
            "LIMIT_MAKER",
            "MARKET",
            "STOP_LOSS",
            "STOP_LOSS_LIMIT",
            "TAKE_PROFIT",
            "TAKE_PROFIT_LIMIT",
        ],
        "icebergAllowed": True,
        "ocoAllowed": True,
        "isSpotTradingAllowed": True,
        "isMarginTradingAllowed": False,
        "filters": [
            {
                "filterType": "PRICE_FILTER",
                "minPrice": "0.01000000",
                "maxPrice": "1000000.00000000",
                "tickSize": "0.01000000",
            },
            {
                "filterType": "LOT_SIZE",
                "minQty": "0.00001000",
                "maxQty": "9000.00000000",
                "stepSize": "0.00001000",
            },
            {"filterType": "NOTIONAL", "minNotional": "5.00000000", "maxNotional": "9000000"},
        ],
        "permissions": [],
        "permissionSets": [["SPOT"]],
    }


def _binance_kline(candles: CandleArrays, i: int, timeframe: Timeframe) -> list[object]:
    opened = int(candles.timestamps[i])
    closes = int(timeframe.bucket_end(candles.timestamps[i : i + 1])[0]) - 1
    close, volume = float(candles.close[i]), float(candles.volume[i])
    return [
        opened,
        price_text(float(candles.open[i])),
        price_text(float(candles.high[i])),
        price_text(float(candles.low[i])),
        price_text(close),
        price_text(volume),
        closes,
        price_text(close * volume),
        100,
        price_text(volume / 2),
        price_text(close * volume / 2),
        "0",
    ]
