"""The ccxt edge: building exchange clients and mapping ccxt's errors to ours, once.

ccxt is imported lazily (importing it takes seconds), so commands that never talk to an exchange
start fast.
"""

from cryptotrader.exchanges.ccxt.errors import map_ccxt_errors, translate_ccxt_error
from cryptotrader.exchanges.ccxt.factory import (
    CcxtExchange,
    exchange_ids,
    open_exchange,
    rewrite_api_urls,
)

__all__ = [
    "CcxtExchange",
    "exchange_ids",
    "map_ccxt_errors",
    "open_exchange",
    "rewrite_api_urls",
    "translate_ccxt_error",
]
