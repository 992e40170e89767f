"""The part of an async ccxt exchange that a trading venue calls, typed for mypy.

ccxt ships no type hints worth the name; this Protocol lists exactly the methods ``CcxtVenue``
uses, so that a typo is a type error and the surface a venue depends on is visible in one place.
Every call passes every argument explicitly (ccxt's defaults are mutable dicts).
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from cryptotrader.exchanges.ccxt.factory import CcxtExchange

Raw = dict[str, Any]


class CcxtTradingClient(CcxtExchange, Protocol):
    """An async ccxt exchange with credentials: account, orders, precision helpers."""

    precisionMode: int  # noqa: N815 - ccxt's own attribute name
    timeout: float
    logger: logging.Logger

    def market(self, symbol: str) -> Raw:
        """The loaded market of ``symbol``."""
        ...

    def amount_to_precision(self, symbol: str, amount: str) -> str:
        """``amount`` truncated to the market's amount precision (never rounded up)."""
        ...

    def price_to_precision(self, symbol: str, price: str) -> str:
        """``price`` rounded to the market's price precision."""
        ...

    def parse_order(self, order: Raw, market: Raw | None) -> Raw:
        """A raw exchange order as a ccxt order structure."""
        ...

    async def load_time_difference(self, params: Raw) -> int:
        """Measure and keep ``options['timeDifference']`` (local minus server ms)."""
        ...

    async def fetch_ticker(self, symbol: str, params: Raw) -> Raw:
        """The market's ticker."""
        ...

    async def fetch_balance(self, params: Raw) -> Raw:
        """The account's balances (``free``/``used``/``total`` by currency)."""
        ...

    async def create_order(  # noqa: PLR0917 - ccxt's positional signature
        self,
        symbol: str,
        type: str,
        side: str,
        amount: str,
        price: str | None,
        params: Raw,
    ) -> Raw:
        """Place an order."""
        ...

    async def fetch_order(self, id: str | None, symbol: str | None, params: Raw) -> Raw:
        """One order, by exchange id or by the client id in ``params``."""
        ...

    async def cancel_order(self, id: str | None, symbol: str | None, params: Raw) -> Raw:
        """Cancel one order, by exchange id or by the client id in ``params``."""
        ...

    async def fetch_open_orders(
        self, symbol: str | None, since: int | None, limit: int | None, params: Raw
    ) -> list[Raw]:
        """Open orders (of ``symbol``, or all)."""
        ...

    async def fetch_closed_orders(
        self, symbol: str | None, since: int | None, limit: int | None, params: Raw
    ) -> list[Raw]:
        """Closed (filled, cancelled, expired) orders."""
        ...

    async def fetch_my_trades(
        self, symbol: str | None, since: int | None, limit: int | None, params: Raw
    ) -> list[Raw]:
        """Our trades (fills)."""
        ...
