"""Binance spot: native OCO protection, server-time offset, 36-character client ids.

* **Protection.** A stop-loss with a take-profit is one OCO order list
  (``POST /api/v3/orderList/oco``, ccxt's implicit ``private_post_orderlist_oco``): the *below*
  leg a ``STOP_LOSS`` (a market sell once the stop price trades, so the exit never waits for a
  limit that the market gapped through), the *above* leg a ``LIMIT_MAKER`` at the take-profit.
  Binance cancels the other leg when one fills, and cancelling either leg cancels both. Client
  ids: ``<id>`` for the list, ``<id>-sl`` and ``<id>-tp`` for the legs. A stop-loss alone is one
  ``STOP_LOSS`` order.
* **Brackets.** An entry with its protection is one OTOCO order list
  (``POST /api/v3/orderList/otoco``, ccxt's implicit ``private_post_orderlist_otoco``): the
  *working* order a ``LIMIT`` buy, the *pending* ones the same OCO as above for the same
  quantity. Binance holds the legs from the moment it accepts the list and activates them when
  the entry fills, without any request of ours: a crash at any moment leaves nothing bought
  without its stop-loss. Client ids: ``<entry>`` for the working order, ``<protection>-sl``
  and ``-tp`` for the legs, ``<protection>`` for the list.
* **Time.** Signed requests carry a timestamp Binance accepts only within ``recvWindow``
  (5 s here) behind its clock and 1 s ahead. The offset is measured (``GET /api/v3/time``)
  before the first signed call and every 30 minutes; on ``-1021`` it is measured again and the
  request retried (Binance rejected it, so nothing was placed).
* **Client ids.** ``newClientOrderId`` (ccxt's ``clientOrderId``) takes up to 36 characters of
  ``[A-Za-z0-9._:/-]``; a longer id (ours plus ``-sl``) gets a deterministic substitute.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, ClassVar

from cryptotrader.domain.enums import Side
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.reports import BracketReport, OrderReport, ProtectionReport
from cryptotrader.errors import OperationalError
from cryptotrader.exchanges.base import VenueCapabilities
from cryptotrader.exchanges.ccxt import sizing
from cryptotrader.exchanges.ccxt.client import Raw
from cryptotrader.exchanges.ccxt.client_ids import ClientIdRule
from cryptotrader.exchanges.ccxt.venue import CcxtVenue


class BinanceVenue(CcxtVenue):
    """Binance spot (see the module docstring for what is native)."""

    exchange_id: ClassVar[str | None] = "binance"
    capabilities = VenueCapabilities(
        native_oco=True,
        native_stop_loss=True,
        conditional_close=False,
        client_order_id=True,
        take_profit_by_engine=False,
        native_bracket=True,
    )
    client_id_rule: ClassVar[ClientIdRule] = ClientIdRule(max_length=36, pattern=r"A-Za-z0-9_.:/\-")
    ccxt_options: ClassVar[Mapping[str, Any]] = {
        "fetchCurrencies": False,  # a wallet (sapi) call per load; precision comes from markets
        "fetchMargins": False,  # spot only: no margin pairs (another sapi call)
        "warnOnFetchOpenOrdersWithoutSymbol": False,  # all open orders, for reconciliation
        "recvWindow": 5_000,  # Binance's default: a stale request is refused, not executed late
    }
    sync_server_time: ClassVar[bool] = True

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
        """One OCO list (stop-loss below, take-profit above); a lone stop-loss otherwise."""
        if take_profit is None:
            return await super()._protect(
                pair=pair,
                symbol=symbol,
                amount=amount,
                stop=stop,
                take_profit=None,
                client_order_id=client_order_id,
            )
        sl_id, tp_id = f"{client_order_id}-sl", f"{client_order_id}-tp"
        request = {
            "symbol": self._client.market(symbol)["id"],
            "side": "SELL",
            "quantity": f"{amount:f}",
            "listClientOrderId": self._ids.to_venue(client_order_id),
            "aboveType": "LIMIT_MAKER",
            "abovePrice": f"{take_profit:f}",
            "aboveClientOrderId": self._ids.to_venue(tp_id),
            "belowType": "STOP_LOSS",
            "belowStopPrice": f"{stop:f}",
            "belowClientOrderId": self._ids.to_venue(sl_id),
            "newOrderRespType": "FULL",
        }
        client: Any = self._client
        raw = await self._edge.place(sl_id, lambda: client.private_post_orderlist_oco(request))
        legs = self._legs(raw, symbol)
        return ProtectionReport(
            stop_loss=self._leg(legs, sl_id, pair, amount),
            take_profit=self._leg(legs, tp_id, pair, amount),
            native_oco=True,
        )

    async def place_bracket(
        self,
        pair: Pair,
        amount: Decimal,
        *,
        price: Decimal,
        stop_loss: Decimal,
        take_profit: Decimal,
        client_order_id: str,
        protection_client_order_id: str,
    ) -> BracketReport:
        """A limit buy and its OCO protection as one OTOCO list (see the module docstring).

        ``OrderOutcomeUnknown`` carries the entry's id: look the entry up, then the legs.

        Raises:
            OrderRejected: below the market minimums (nothing sent), or refused by Binance.
            InsufficientFunds, OrderOutcomeUnknown, TemporaryError, OperationalError: as ``buy``.
        """
        symbol = await self._symbol(pair)
        rules = await self.market_rules(pair)
        size = sizing.round_amount(self._client, symbol, amount)
        limit = sizing.round_price(self._client, symbol, price)
        stop = sizing.round_price(self._client, symbol, stop_loss)
        target = sizing.round_price(self._client, symbol, take_profit)
        sizing.check_minimums(rules, size, stop, what=f"{self.name}: bracket {client_order_id}")
        base = protection_client_order_id
        sl_id, tp_id = f"{base}-sl", f"{base}-tp"
        request = {
            "symbol": self._client.market(symbol)["id"],
            "listClientOrderId": self._ids.to_venue(base),
            "workingType": "LIMIT",
            "workingSide": "BUY",
            "workingClientOrderId": self._ids.to_venue(client_order_id),
            "workingPrice": f"{limit:f}",
            "workingQuantity": f"{size:f}",
            "workingTimeInForce": "GTC",
            "pendingSide": "SELL",
            "pendingQuantity": f"{size:f}",
            "pendingAboveType": "LIMIT_MAKER",
            "pendingAbovePrice": f"{target:f}",
            "pendingAboveClientOrderId": self._ids.to_venue(tp_id),
            "pendingBelowType": "STOP_LOSS",
            "pendingBelowStopPrice": f"{stop:f}",
            "pendingBelowClientOrderId": self._ids.to_venue(sl_id),
            "newOrderRespType": "FULL",
        }
        client: Any = self._client
        raw = await self._edge.place(
            client_order_id, lambda: client.private_post_orderlist_otoco(request)
        )
        orders = self._legs(raw, symbol)
        entry = orders.get(client_order_id)
        if entry is None:
            raise OperationalError(
                f"{self.name}: the OTOCO answer lacks entry {client_order_id}; look it up"
            )
        report = self._report({**entry, "side": Side.BUY.value}, client_order_id, pair, size)
        protection = ProtectionReport(
            stop_loss=self._leg(orders, sl_id, pair, size),
            take_profit=self._leg(orders, tp_id, pair, size),
            native_oco=True,
        )
        return BracketReport(entry=report, protection=protection)

    def _legs(self, raw: Raw, symbol: str) -> dict[str, Raw]:
        """An order list's order reports as ccxt orders, by our client id."""
        market = self._client.market(symbol)
        with self._edge.mapped():
            orders = [self._client.parse_order(r, market) for r in raw.get("orderReports") or []]
        return {self._ids.to_ours(str(order.get("clientOrderId"))): order for order in orders}

    def _leg(
        self, legs: dict[str, Raw], client_order_id: str, pair: Pair, amount: Decimal
    ) -> OrderReport:
        leg = legs.get(client_order_id)
        if leg is None:
            raise OperationalError(
                f"{self.name}: the OCO answer lacks leg {client_order_id}; check the open orders"
            )
        return self._report(
            {**leg, "side": leg.get("side") or Side.SELL.value}, client_order_id, pair, amount
        )
