"""A local server answering like Kraken's spot public REST API (``/0/public``).

Modelled on Kraken's documentation: ``GET /0/public/Time``, ``/0/public/Assets``,
``/0/public/AssetPairs`` and ``/0/public/OHLC``: ``since`` in seconds and exclusive; only the
newest 720 candles of an interval are kept, so an older ``since`` still returns those 720 (the
last one forming); ``last`` is the newest closed candle; errors come as
``{"error": ["EQuery:Unknown asset pair"]}`` with HTTP 200.

The private endpoints (orders, balances, trades, signed with ``API-Sign``) live in
``kraken_trading_server`` (``KrakenTradingServer``).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from cryptotrader.domain.market import CandleArrays
from cryptotrader.domain.timeframes import Timeframe
from tests.support.exchange_server import Answer, ExchangeServer, price_text

KRAKEN_RATE_LIMIT_BODY = {"error": ["EGeneral:Too many requests"]}


class KrakenServer(ExchangeServer):
    """Kraken spot public REST API (``/0/public``)."""

    _routes: ClassVar[dict[str, str]] = {
        "/0/public/Time": "_time",
        "/0/public/Assets": "_assets",
        "/0/public/AssetPairs": "_asset_pairs",
        "/0/public/OHLC": "_ohlc",
    }
    HISTORY = 720
    INTERVALS: ClassVar[dict[str, Timeframe]] = {
        "1": Timeframe.M1,
        "5": Timeframe.M5,
        "15": Timeframe.M15,
        "30": Timeframe.M30,
        "60": Timeframe.H1,
        "240": Timeframe.H4,
        "1440": Timeframe.D1,
        "10080": Timeframe.W1,
    }

    def _not_found(self, path: str) -> object:
        return {"error": ["EGeneral:Unknown method"]}

    def _time(self, params: dict[str, str]) -> Answer:
        seconds = self.now_ms // 1000
        return 200, {"error": [], "result": {"unixtime": seconds, "rfc1123": ""}}, {}

    def _assets(self, params: dict[str, str]) -> Answer:
        assets: dict[str, Any] = {}
        for _, base, quote in self._markets():
            for asset in (base, quote):
                altname = asset[1:] if len(asset) == 4 and asset[0] in "XZ" else asset
                assets[asset] = {
                    "aclass": "currency",
                    "altname": altname,
                    "decimals": 10 if asset.startswith("X") else 8,
                    "display_decimals": 5,
                    "status": "enabled",
                }
        return 200, {"error": [], "result": assets}, {}

    def _asset_pairs(self, params: dict[str, str]) -> Answer:
        pairs = {market[0]: _kraken_pair(*market) for market in self._markets()}
        return 200, {"error": [], "result": pairs}, {}

    def _markets(self) -> list[tuple[str, str, str]]:
        """``(market id, base, quote)`` of every listed market."""
        return [(m.market_id, m.base_id, m.quote_id) for m in self.listings.values()]

    def _ohlc(self, params: dict[str, str]) -> Answer:
        listing = self.listings.get(params.get("pair", ""))
        if listing is None:
            return 200, {"error": ["EQuery:Unknown asset pair"]}, {}
        timeframe = self.INTERVALS.get(params.get("interval", "1"))
        if timeframe is None:
            return 200, {"error": ["EGeneral:Invalid arguments"]}, {}
        candles = self._served(listing, timeframe)
        window = candles.slice(max(0, len(candles) - self.HISTORY), len(candles))
        since_ms = int(float(params.get("since", "0")) * 1000)
        start = int(np.searchsorted(window.timestamps, since_ms, side="right"))
        rows = [_kraken_row(window, i) for i in range(start, len(window))]
        last = int(window.timestamps[-2]) // 1000 if len(window) > 1 else 0
        return 200, {"error": [], "result": {listing.market_id: rows, "last": last}}, {}


def _kraken_pair(market_id: str, base_id: str, quote_id: str) -> dict[str, Any]:
    base = base_id[1:] if len(base_id) == 4 else base_id
    quote = quote_id[1:] if len(quote_id) == 4 else quote_id
    return {
        "altname": market_id,
        "wsname": f"{base}/{quote}",
        "aclass_base": "currency",
        "base": base_id,
        "aclass_quote": "currency",
        "quote": quote_id,
        "lot": "unit",
        "cost_decimals": 5,
        "pair_decimals": 1,
        "lot_decimals": 8,
        "lot_multiplier": 1,
        "leverage_buy": [],
        "leverage_sell": [],
        "fees": [[0, 0.4], [10000, 0.35]],
        "fees_maker": [[0, 0.25], [10000, 0.2]],
        "fee_volume_currency": "ZUSD",
        "margin_call": 80,
        "margin_stop": 40,
        "ordermin": "0.00005",
        "costmin": "0.5",
        "tick_size": "0.1",
        "status": "online",
    }


def _kraken_row(candles: CandleArrays, i: int) -> list[object]:
    typical = (float(candles.high[i]) + float(candles.low[i]) + float(candles.close[i])) / 3
    return [
        int(candles.timestamps[i]) // 1000,
        price_text(float(candles.open[i])),
        price_text(float(candles.high[i])),
        price_text(float(candles.low[i])),
        price_text(float(candles.close[i])),
        price_text(round(typical, 1)),  # vwap: not known from OHLCV; ccxt does not use it
        price_text(float(candles.volume[i])),
        100,
    ]
