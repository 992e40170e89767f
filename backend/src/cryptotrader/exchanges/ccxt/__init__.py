"""The ccxt edge: exchange clients, ccxt's errors mapped to ours once, and trading venues.

``create_venue``/``open_venue`` give a ``BaseExchange`` for any ccxt id (``BinanceVenue`` and
``KrakenVenue`` state their differences; others get the generic ``CcxtVenue``). ccxt is imported
lazily (importing it takes seconds), so commands that never talk to an exchange start fast.
"""

from cryptotrader.exchanges.ccxt.binance import BinanceVenue
from cryptotrader.exchanges.ccxt.credentials import ApiCredentials
from cryptotrader.exchanges.ccxt.errors import map_ccxt_errors, translate_ccxt_error
from cryptotrader.exchanges.ccxt.factory import (
    CcxtExchange,
    exchange_ids,
    open_exchange,
    rewrite_api_urls,
)
from cryptotrader.exchanges.ccxt.kraken import KrakenVenue
from cryptotrader.exchanges.ccxt.venue import CcxtVenue
from cryptotrader.exchanges.ccxt.venues import VENUE_CLASSES, create_venue, open_venue

__all__ = [
    "VENUE_CLASSES",
    "ApiCredentials",
    "BinanceVenue",
    "CcxtExchange",
    "CcxtVenue",
    "KrakenVenue",
    "create_venue",
    "exchange_ids",
    "map_ccxt_errors",
    "open_exchange",
    "open_venue",
    "rewrite_api_urls",
    "translate_ccxt_error",
]
