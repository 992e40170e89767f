"""``CcxtVenue``: a real exchange account through ccxt, for any ccxt id.

Venue classes (``binance.BinanceVenue``, ``kraken.KrakenVenue``, ``_template``) subclass it and
state their differences as data (``capabilities``, ``client_id_rule``, ``ccxt_options``,
``sync_server_time``) plus a few hooks (``_protect``, ``_lookup``, ``_trades``); the generic class
serves any other ccxt id, with capabilities read from ccxt's ``features``. Every ccxt call goes
through ``edge.CcxtEdge``: errors mapped once, secrets scrubbed, retries by reaction, and an
order-placing call that may or may not have reached the exchange raises ``OrderOutcomeUnknown``.
"""

from __future__ import annotations

import functools
import logging
from decimal import Decimal
from typing import ClassVar

from cryptotrader.clock import Clock
from cryptotrader.domain.enums import Side
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.reports import FillReport, OrderReport, ProtectionReport
from cryptotrader.errors import InsufficientFunds, OrderNotFound, OrderRejected, TraderError
from cryptotrader.exchanges.base import VenueCapabilities
from cryptotrader.exchanges.ccxt import convert, sizing
from cryptotrader.exchanges.ccxt.account import CcxtAccount
from cryptotrader.exchanges.ccxt.client import Raw
from cryptotrader.exchanges.ccxt.client_ids import ClientIdRule, ClientIds
from cryptotrader.exchanges.ccxt.credentials import ApiCredentials
from cryptotrader.retry import RetryPolicy

log = logging.getLogger(__name__)


class CcxtVenue(CcxtAccount):
    """An exchange account through ccxt: market data, balances, orders and protection.

    Order amounts are truncated to the market's step (never rounded up), orders below the
    market's minimum amount or notional are refused before sending, and every order carries our
    client order id (``client_id_rule`` says when the venue needs a substitute).

    Args:
        credentials: API key and secret; None for market data only.
        clock: the time source (report timestamps, server-time re-sync interval).
        retry: how reads, cancels and provably-unsent orders are retried.
        exchange_id: any ccxt id; fixed by venue subclasses.
        base_url: replaces the exchange's API root (proxies, tests).
        timeout_s: per-request timeout.
        rate_limit_ms: milliseconds between requests; ccxt's default when None.

    Raises:
        ConfigurationError: no exchange id, or malformed credentials or base URL.
        UnknownNameError: ccxt has no such exchange.

    Example:
        >>> venue = CcxtVenue(  # doctest: +SKIP
        ...     exchange_id="bitstamp", credentials=creds, clock=LiveClock(), retry=RetryPolicy()
        ... )
        >>> await venue.buy(Pair.parse("BTC/USD"), Decimal("0.01"), client_order_id="a1")
    """

    client_id_rule: ClassVar[ClientIdRule] = ClientIdRule()
    sell_shortfall_tolerance: ClassVar[Decimal] = Decimal("0.02")
    """A sell above the free balance by at most this fraction (fees taken in the base asset) is
    capped to the free balance; a larger shortfall is refused (``InsufficientFunds``)."""
    trades_page_limit: ClassVar[int] = 1000

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
        super().__init__(
            credentials=credentials,
            clock=clock,
            retry=retry,
            exchange_id=exchange_id,
            base_url=base_url,
            timeout_s=timeout_s,
            rate_limit_ms=rate_limit_ms,
        )
        self._ids = ClientIds(self.client_id_rule)
        self._cid_by_order_id: dict[str, str] = {}
        if not hasattr(type(self), "capabilities"):  # the generic class: ask ccxt's features
            self.capabilities = self._derived_capabilities()

    # --- orders --------------------------------------------------------------------------------

    async def buy(
        self, pair: Pair, amount: Decimal, price: Decimal | None = None, *, client_order_id: str
    ) -> OrderReport:
        """Buy ``amount`` (truncated to the market's step) at market or at a limit ``price``.

        Raises:
            OrderRejected: below the market minimums (nothing sent), or refused by the exchange.
            InsufficientFunds: the exchange says the quote balance is too small.
            OrderOutcomeUnknown: the order may or may not have been placed; look it up.
            TemporaryError: the exchange provably did not take it (retries exhausted).
            OperationalError: authentication, permissions, or an unknown answer.
        """
        return await self._submit(Side.BUY, pair, amount, price, client_order_id)

    async def sell(
        self, pair: Pair, amount: Decimal, price: Decimal | None = None, *, client_order_id: str
    ) -> OrderReport:
        """Sell ``amount`` at market or at a limit ``price``, never more than the free balance.

        An ``amount`` slightly above the free balance (fees taken in the base asset, within
        ``sell_shortfall_tolerance``) is capped to it: the report's ``amount`` is what was sent.

        Raises:
            InsufficientFunds: the free balance is short by more than the tolerance.
            OrderRejected, OrderOutcomeUnknown, TemporaryError, OperationalError: as ``buy``.
        """
        return await self._submit(Side.SELL, pair, amount, price, client_order_id)

    async def place_protection(
        self,
        pair: Pair,
        amount: Decimal,
        *,
        stop_loss: Decimal,
        take_profit: Decimal | None,
        client_order_id: str,
    ) -> ProtectionReport:
        """Protect a long position: natively linked SL/TP where the venue can (see the class).

        ``OrderOutcomeUnknown`` carries the stop-loss id (``<client_order_id>-sl``).
        """
        if not self.capabilities.native_stop_loss:
            raise OrderRejected(
                f"{self.name} holds no stop orders: the order engine must watch the stop-loss"
            )
        symbol = await self._symbol(pair)
        rules = await self.market_rules(pair)
        size = sizing.round_amount(
            self._client, symbol, await self._capped(pair, amount, client_order_id)
        )
        stop = sizing.round_price(self._client, symbol, stop_loss)
        target = (
            None if take_profit is None else sizing.round_price(self._client, symbol, take_profit)
        )
        what = f"{self.name}: protection {client_order_id} of {pair}"
        sizing.check_minimums(rules, size, stop, what=what)
        return await self._protect(
            pair=pair,
            symbol=symbol,
            amount=size,
            stop=stop,
            take_profit=target,
            client_order_id=client_order_id,
        )

    async def cancel_order(self, pair: Pair, *, client_order_id: str) -> OrderReport:
        """Cancel one of our orders; an order already final is returned as it is.

        Cancelling either leg of a native OCO cancels both (the exchange links them).

        Raises:
            OrderNotFound: the exchange never received an order with this id.
        """
        symbol = await self._symbol(pair)
        venue_id = self._ids.to_venue(client_order_id)
        try:
            raw = await self._edge.call(
                lambda: self._client.cancel_order(None, symbol, self._order_params(venue_id))
            )
        except OrderNotFound:
            known = await self.fetch_order(pair, client_order_id=client_order_id)
            if known is None:
                raise
            return known
        if raw.get("status") is None:  # an acknowledgement only (Kraken): read the order
            looked = await self._edge.call(lambda: self._lookup(symbol, venue_id))
            if looked is None:
                raise OrderNotFound(f"{self.name}: order {client_order_id} vanished on cancel")
            raw = looked
        return self._report(raw, client_order_id, pair)

    async def fetch_order(self, pair: Pair, *, client_order_id: str) -> OrderReport | None:
        """Our order as the exchange knows it, or None if the exchange never received it."""
        symbol = await self._symbol(pair)
        venue_id = self._ids.to_venue(client_order_id)
        raw = await self._edge.call(lambda: self._lookup(symbol, venue_id))
        return None if raw is None else self._report(raw, client_order_id, pair)

    async def fetch_open_orders(self, pair: Pair | None = None) -> list[OrderReport]:
        """Every open order (of ``pair``, or all), ours or not (foreign ids are kept as is)."""
        symbol = None if pair is None else await self._symbol(pair)
        raws = await self._edge.call(lambda: self._client.fetch_open_orders(symbol, None, None, {}))
        reports = []
        for raw in raws:
            venue_id = str(raw.get("clientOrderId") or raw.get("id"))
            reports.append(
                self._report(raw, self._ids.to_ours(venue_id), Pair.parse(raw["symbol"]))
            )
        return reports

    async def fetch_my_trades(self, pair: Pair, *, since_ms: int | None = None) -> list[FillReport]:
        """Our fills on ``pair`` since ``since_ms``, oldest first (client id when known)."""
        symbol = await self._symbol(pair)
        unique = {str(raw["id"]): raw for raw in await self._trades(symbol, since_ms)}
        raws = sorted(unique.values(), key=lambda r: (int(r["timestamp"]), str(r["id"])))
        return [
            convert.fill_report(
                raw, pair=pair, client_order_id=self._cid_by_order_id.get(str(raw.get("order")))
            )
            for raw in raws
        ]

    # --- hooks: venue classes override these ---------------------------------------------------

    async def _protect(
        self,
        *,
        pair: Pair,
        symbol: str,
        amount: Decimal,
        stop: Decimal,
        take_profit: Decimal | None,
        client_order_id: str,
    ) -> ProtectionReport:
        """Default: one stop-loss order on the exchange; the take-profit is left to the engine."""
        sl_id = f"{client_order_id}-sl"
        params = {**self._order_params(self._ids.to_venue(sl_id)), "stopLossPrice": f"{stop:f}"}
        raw = await self._edge.place(
            sl_id,
            lambda: self._client.create_order(
                symbol, "market", "sell", f"{amount:f}", None, params
            ),
        )
        stop_order = await self._settled(raw, sl_id, pair, Side.SELL, amount)
        if take_profit is not None:
            log.info(
                "%s: take-profit %s of %s is watched by the order engine",
                self.name,
                take_profit,
                pair,
            )
        return ProtectionReport(stop_loss=stop_order, take_profit=None, native_oco=False)

    async def _lookup(self, symbol: str, venue_id: str) -> Raw | None:
        """Default: ccxt's ``fetch_order`` by client id; None when the exchange does not know it."""
        try:
            with self._edge.mapped():
                return await self._client.fetch_order(None, symbol, self._order_params(venue_id))
        except OrderNotFound:
            return None

    async def _trades(self, symbol: str, since_ms: int | None) -> list[Raw]:
        """Default: pages of ``fetch_my_trades`` from ``since_ms``, following the timestamps."""
        found: list[Raw] = []
        seen: set[str] = set()
        since = since_ms
        for _ in range(100):  # bounded: 100 pages of up to ``trades_page_limit`` fills
            fetch = functools.partial(
                self._client.fetch_my_trades, symbol, since, self.trades_page_limit, {}
            )
            page = await self._edge.call(fetch)
            fresh = [raw for raw in page if str(raw["id"]) not in seen]
            found += fresh
            seen.update(str(raw["id"]) for raw in fresh)
            if len(page) < self.trades_page_limit or not fresh:
                break
            since = max(int(raw["timestamp"]) for raw in page)
        return found

    def _order_params(self, venue_id: str) -> Raw:
        """The params naming our client id (ccxt maps ``clientOrderId`` per venue)."""
        return {"clientOrderId": venue_id}

    def _derived_capabilities(self) -> VenueCapabilities:
        """Any other ccxt id: stop orders when ccxt's ``features`` lists them; TP by the engine."""
        spot = (self._client.features or {}).get("spot") or {}
        create = spot.get("createOrder") or {}
        return VenueCapabilities(
            native_oco=False,
            native_stop_loss=bool(create.get("stopLossPrice") or create.get("triggerPrice")),
            conditional_close=False,
            client_order_id=False,  # not known to be searchable: resolve ambiguity by hand
            take_profit_by_engine=True,
        )

    # --- internals -----------------------------------------------------------------------------

    async def _submit(
        self, side: Side, pair: Pair, amount: Decimal, price: Decimal | None, client_order_id: str
    ) -> OrderReport:
        symbol = await self._symbol(pair)
        rules = await self.market_rules(pair)
        if side is Side.SELL:
            amount = await self._capped(pair, amount, client_order_id)
        size = sizing.round_amount(self._client, symbol, amount)
        limit = None if price is None else sizing.round_price(self._client, symbol, price)
        reference = limit if limit is not None else await self._reference_price(pair, side)
        what = f"{self.name}: {side} {pair} order {client_order_id}"
        sizing.check_minimums(rules, size, reference, what=what)
        params = self._order_params(self._ids.to_venue(client_order_id))
        kind, limit_text = ("market", None) if limit is None else ("limit", f"{limit:f}")
        raw = await self._edge.place(
            client_order_id,
            lambda: self._client.create_order(
                symbol, kind, side.value, f"{size:f}", limit_text, params
            ),
        )
        return await self._settled(raw, client_order_id, pair, side, size)

    async def _capped(
        self, pair: Pair, amount: Decimal, client_order_id: str, *, extra: Decimal = Decimal(0)
    ) -> Decimal:
        """``amount`` of a sell, capped to the free balance when short by a fee's worth.

        ``extra``: what the request itself frees first (the order a cancel-replace cancels).
        """
        free = (await self.get_balance(pair.base)).free + extra
        if amount <= free:
            return amount
        if free < amount * (1 - self.sell_shortfall_tolerance):
            raise InsufficientFunds(
                f"{self.name}: order {client_order_id} sells {amount} {pair.base} but only "
                f"{free} is free; refused before sending"
            )
        log.warning(
            "%s: order %s sells %s %s, only %s free: selling the free balance",
            self.name,
            client_order_id,
            amount,
            pair.base,
            free,
        )
        return free

    async def _reference_price(self, pair: Pair, side: Side) -> Decimal:
        """The price a market order is expected to fill at (for the notional check)."""
        quote = await self.fetch_ticker(pair)
        expected = quote.ask if side is Side.BUY else quote.bid
        return expected or quote.last

    async def _settled(
        self, raw: Raw, client_order_id: str, pair: Pair, side: Side, amount: Decimal
    ) -> OrderReport:
        """The report of a placed order; an acknowledgement alone is completed by a lookup."""
        if raw.get("status") is None:
            symbol = pair.symbol
            venue_id = self._ids.to_venue(client_order_id)
            try:
                looked = await self._edge.call(lambda: self._lookup(symbol, venue_id))
            except TraderError as exc:  # the order is placed; its details can wait
                log.warning(
                    "%s: order %s placed; reading it failed: %s", self.name, client_order_id, exc
                )
                looked = None
            raw = looked or {**raw, "side": raw.get("side") or side.value}
        return self._report(raw, client_order_id, pair, amount)

    def _report(
        self, raw: Raw, client_order_id: str, pair: Pair, amount: Decimal | None = None
    ) -> OrderReport:
        report = convert.order_report(
            raw,
            client_order_id=client_order_id,
            pair=pair,
            now=self._clock.now(),
            sent_amount=amount,
        )
        if report.exchange_order_id is not None:
            self._cid_by_order_id[report.exchange_order_id] = client_order_id
        return report
