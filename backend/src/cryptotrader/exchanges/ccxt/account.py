"""``CcxtAccount``: construction, market data and balances of a ccxt-backed venue.

The order side lives in ``venue.CcxtVenue``, which every venue class extends; this base holds
what a venue states as data (``exchange_id``, ``ccxt_options``, ``sync_server_time``) and the
read-only half of ``BaseExchange``. Calls go through ``edge.CcxtEdge`` (mapped errors, secrets
scrubbed, retries).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, ClassVar, cast

from cryptotrader.clock import Clock
from cryptotrader.domain.market import CandleArrays
from cryptotrader.domain.markets import MarketRules
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.reports import Balance, Ticker
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.errors import ConfigurationError, UnknownNameError
from cryptotrader.exchanges.base import BaseExchange
from cryptotrader.exchanges.ccxt import convert
from cryptotrader.exchanges.ccxt.client import CcxtTradingClient, Raw
from cryptotrader.exchanges.ccxt.credentials import ApiCredentials
from cryptotrader.exchanges.ccxt.edge import CcxtEdge
from cryptotrader.exchanges.ccxt.factory import create_exchange
from cryptotrader.retry import RetryPolicy


class CcxtAccount(BaseExchange):
    """Market data and balances of an exchange account through ccxt (see ``CcxtVenue``).

    Args:
        credentials: API key and secret; None for market data only.
        clock: the time source (report timestamps, server-time re-sync interval).
        retry: how reads, cancels and provably-unsent orders are retried.
        exchange_id: any ccxt id; fixed by venue classes.
        base_url: replaces the exchange's API root (proxies, tests).
        timeout_s: per-request timeout.
        rate_limit_ms: milliseconds between requests; ccxt's default when None.

    Raises:
        ConfigurationError: no exchange id, or a malformed base URL.
        UnknownNameError: ccxt has no such exchange.
    """

    exchange_id: ClassVar[str | None] = None
    ccxt_options: ClassVar[Mapping[str, Any]] = {}
    sync_server_time: ClassVar[bool] = False
    time_sync_interval_ms: ClassVar[int] = 30 * 60_000
    secret_is_base64: ClassVar[bool] = False
    order_rejections: ClassVar[tuple[str, ...]] = ()
    """Words in an exchange answer ccxt leaves unclassified that mean "order refused"."""

    def __init__(
        self,
        *,
        credentials: ApiCredentials | None,
        clock: Clock,
        retry: RetryPolicy,
        exchange_id: str | None = None,
        base_url: str | None = None,
        timeout_s: float = 10.0,
        rate_limit_ms: float | None = None,
    ) -> None:
        ident = type(self).exchange_id or exchange_id
        if not ident:
            raise ConfigurationError(f"{type(self).__name__} needs an exchange id (a ccxt id)")
        if credentials is not None and self.secret_is_base64:
            credentials.require_base64_secret(ident)
        client = create_exchange(
            ident, base_url=base_url, timeout_s=timeout_s, rate_limit_ms=rate_limit_ms
        )
        self._client = cast(CcxtTradingClient, client)
        self._client.options.update(self.ccxt_options)
        self.name = self._client.id
        self._clock = clock
        self._edge = CcxtEdge(
            self._client,
            credentials=credentials,
            clock=clock,
            retry=retry,
            sync_server_time=self.sync_server_time,
            time_sync_interval_ms=self.time_sync_interval_ms,
            rejections=self.order_rejections,
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"

    # --- market data ---------------------------------------------------------------------------

    async def market_rules(self, pair: Pair) -> MarketRules:
        """Amount step and minimums of ``pair`` from ccxt's ``precision`` and ``limits``."""
        market = await self._market(pair)
        return convert.market_rules(market, self._client.precisionMode)

    async def fetch_ticker(self, pair: Pair) -> Ticker:
        """Best bid/ask and last price."""
        symbol = await self._symbol(pair)
        raw = await self._edge.call(lambda: self._client.fetch_ticker(symbol, {}))
        return convert.ticker(raw, pair=pair, now=self._clock.now())

    async def fetch_ohlcv(
        self, pair: Pair, timeframe: Timeframe, *, since_ms: int | None = None, limit: int = 500
    ) -> CandleArrays:
        """Candles from ``since_ms`` (the newest ``limit`` when omitted), oldest first.

        As the exchange serves them: the last one may still be forming.
        """
        symbol = await self._symbol(pair)
        rows = await self._edge.call(
            lambda: self._client.fetch_ohlcv(symbol, timeframe.ccxt, since_ms, limit)
        )
        return convert.candles(rows)

    # --- account -------------------------------------------------------------------------------

    async def get_balance(self, asset: str) -> Balance:
        """Free and used amount of ``asset`` (zero when the account holds none)."""
        held = await self.fetch_balances()
        return held.get(asset.upper(), Balance(asset=asset.upper(), free=Decimal(0)))

    async def fetch_balances(self) -> dict[str, Balance]:
        """Every non-zero balance, by asset."""
        raw = await self._edge.call(lambda: self._client.fetch_balance({}))
        return convert.balances(raw)

    async def close(self) -> None:
        """Close the HTTP session and stop filtering this venue's secrets from logs."""
        await self._edge.close()

    # --- internals -----------------------------------------------------------------------------

    async def _symbol(self, pair: Pair) -> str:
        return str((await self._market(pair))["symbol"])

    async def _market(self, pair: Pair) -> Raw:
        markets = await self._edge.call(lambda: self._client.load_markets(False))
        market = markets.get(pair.symbol)
        if market is None:
            close = difflib.get_close_matches(pair.symbol, list(markets), n=1, cutoff=0.5)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise UnknownNameError(f"{self.name} has no spot market {pair}{hint}")
        return cast(Raw, market)
