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
* **Exits.** Where a stop-loss rests, a sale is one ``POST /api/v3/order/cancelReplace``
  (ccxt's implicit ``private_post_order_cancelreplace``; ``cancelReplaceMode=STOP_ON_FAILURE``):
  the stop is canceled (Binance: cancelling one order of an order list cancels the whole list,
  so the take-profit goes with it) and a ``MARKET`` sell placed in the same request. A crash
  finds either the stop in place and nothing sold, or the coin sold. ``-2022`` (the stop was
  not open: nothing done) is ``CancelReplaceFailed``; ``-2021`` (canceled, the sale refused)
  is the sale's refusal.
* **Fees in the coin bought.** Without BNB, Binance takes the fee of a buy from the coin
  bought, so the account holds less than the entry filled. A bracket's legs then sell the
  entry's amount less the fee (rounded down to the step), since Binance activates them only
  for what is held; with BNB in the account the fee is assumed paid in BNB (the discount
  switched on) and the legs sell the whole amount. Order queries and OTOCO answers carry no
  commission: a filled order's is read from its fills (``myTrades?orderId=``), since the trade
  records what is held (the amount filled less a fee taken from the coin).
* **Time.** Signed requests carry a timestamp Binance accepts only within ``recvWindow``
  (5 s here) behind its clock and 1 s ahead. The offset is measured (``GET /api/v3/time``)
  before the first signed call and every 30 minutes; on ``-1021`` it is measured again and the
  request retried (Binance rejected it, so nothing was placed).
* **Client ids.** ``newClientOrderId`` (ccxt's ``clientOrderId``) takes up to 36 characters of
  ``[A-Za-z0-9._:/-]``; a longer id (ours plus ``-sl``) gets a deterministic substitute.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, ClassVar

from cryptotrader.domain.enums import Side
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.reports import (
    BracketReport,
    OrderReport,
    ProtectionReport,
    ReplaceReport,
)
from cryptotrader.errors import (
    CancelReplaceFailed,
    InsufficientFunds,
    OperationalError,
    OrderRejected,
    TraderError,
)
from cryptotrader.exchanges.base import VenueCapabilities
from cryptotrader.exchanges.ccxt import sizing
from cryptotrader.exchanges.ccxt.client import Raw
from cryptotrader.exchanges.ccxt.client_ids import ClientIdRule
from cryptotrader.exchanges.ccxt.venue import CcxtVenue

log = logging.getLogger(__name__)


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
        atomic_exit=True,
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
        legs_size = await self._held_after_buy(pair, symbol, size)
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
            "pendingQuantity": f"{legs_size:f}",
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
        report = await self._with_fee(report, symbol)
        protection = ProtectionReport(
            stop_loss=self._leg(orders, sl_id, pair, legs_size),
            take_profit=self._leg(orders, tp_id, pair, legs_size),
            native_oco=True,
        )
        return BracketReport(entry=report, protection=protection)

    async def replace_with_sale(
        self, pair: Pair, amount: Decimal, *, cancel_client_order_id: str, client_order_id: str
    ) -> ReplaceReport:
        """Cancel a protective order (its order list with it) and sell at market, in one request.

        The sale is ``amount`` capped to the free balance plus what the canceled order held
        (see ``sell``), truncated to the step. Read first: the order to cancel (a final one
        raises ``CancelReplaceFailed`` without sending), the balance and the ticker.
        """
        symbol = await self._symbol(pair)
        rules = await self.market_rules(pair)
        venue_cancel = self._ids.to_venue(cancel_client_order_id)
        stop = await self._edge.call(lambda: self._lookup(symbol, venue_cancel))
        if stop is None or stop.get("status") not in ("open", None):
            raise CancelReplaceFailed(
                f"{self.name}: order {cancel_client_order_id} is not open; nothing sent"
            )
        releasing = Decimal(str(stop.get("remaining") or stop.get("amount") or 0))
        size = sizing.round_amount(
            self._client,
            symbol,
            await self._capped(pair, amount, client_order_id, extra=releasing),
        )
        reference = await self._reference_price(pair, Side.SELL)
        what = f"{self.name}: sale {client_order_id} of {pair}"
        sizing.check_minimums(rules, size, reference, what=what)
        request = {
            "symbol": self._client.market(symbol)["id"],
            "side": "SELL",
            "type": "MARKET",
            "quantity": f"{size:f}",
            "cancelReplaceMode": "STOP_ON_FAILURE",
            "cancelOrigClientOrderId": venue_cancel,
            "newClientOrderId": self._ids.to_venue(client_order_id),
            "newOrderRespType": "FULL",
        }
        client: Any = self._client

        async def send() -> Raw:
            try:
                answer: Raw = await client.private_post_order_cancelreplace(request)
            except Exception as exc:
                _refused_halves(exc, self.name, cancel_client_order_id, client_order_id)
                raise
            return answer

        raw = await self._edge.place(client_order_id, send)
        market = self._client.market(symbol)
        canceled = dict(raw.get("cancelResponse") or {})
        canceled["clientOrderId"] = canceled.get("origClientOrderId", venue_cancel)
        with self._edge.mapped():
            canceled_order = self._client.parse_order(canceled, market)
            sale = self._client.parse_order(raw.get("newOrderResponse") or {}, market)
        return ReplaceReport(
            canceled=self._report(
                {**canceled_order, "side": Side.SELL.value}, cancel_client_order_id, pair
            ),
            sale=await self._settled(sale, client_order_id, pair, Side.SELL, size),
        )

    async def fetch_order(self, pair: Pair, *, client_order_id: str) -> OrderReport | None:
        """Our order as Binance knows it, with its commission when it has filled.

        ``GET /api/v3/order`` carries no commission; it is read from the order's fills.
        """
        report = await super().fetch_order(pair, client_order_id=client_order_id)
        return None if report is None else await self._with_fee(report, await self._symbol(pair))

    async def _with_fee(self, report: OrderReport, symbol: str) -> OrderReport:
        """``report`` with its commission read from its fills, when the answer had none.

        Binance's order queries and order-list answers say nothing of the commission, and a
        fee taken from the coin bought changes what is held (the trade's quantity). The fills
        (``GET /api/v3/myTrades?orderId=``) name it; summed in the base asset when any fill
        paid in it, else in the first asset named. A failed read leaves the report as it was
        (logged): the order is placed, its fee can wait.
        """
        if report.filled <= 0 or report.fee_currency is not None:
            return report
        order_id = report.exchange_order_id
        if order_id is None:
            return report
        client: Any = self._client
        try:
            fills: list[Raw] = await self._edge.call(
                lambda: client.fetch_my_trades(symbol, None, None, {"orderId": order_id})
            )
        except TraderError as exc:
            log.warning("%s: reading the fills of %s failed: %s", self.name, order_id, exc)
            return report
        paid: dict[str, Decimal] = {}
        for fill in fills:
            if str(fill.get("order")) != order_id:
                continue
            fee = fill.get("fee") or {}
            if fee.get("cost") is not None and fee.get("currency"):
                asset = str(fee["currency"])
                paid[asset] = paid.get(asset, Decimal(0)) + Decimal(str(fee["cost"]))
        if not paid:
            return report
        asset = report.pair.base if report.pair.base in paid else next(iter(paid))
        return report.model_copy(update={"fee": paid[asset], "fee_currency": asset})

    async def _held_after_buy(self, pair: Pair, symbol: str, size: Decimal) -> Decimal:
        """What buying ``size`` leaves held: less the fee when it is taken from the coin."""
        if (await self.get_balance("BNB")).free > 0:
            return size  # the fee is paid in BNB (assumed: the discount switched on)
        market = self._client.market(symbol)
        rate = max(Decimal(str(market.get("taker") or 0)), Decimal(str(market.get("maker") or 0)))
        return sizing.round_amount(self._client, symbol, size * (1 - rate))

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


def _refused_halves(
    exc: BaseException, venue: str, cancel_client_order_id: str, client_order_id: str
) -> None:
    """Raise ours for a cancel-replace that failed in a half (``-2021``/``-2022``); else return.

    Binance answers both with ``data`` naming each half's result; ccxt raises it as an error
    whose message ends with the body.
    """
    text = str(exc)
    try:
        body = json.loads(text[text.index("{") :])
    except ValueError:
        return
    if not isinstance(body, dict) or body.get("code") not in (-2021, -2022):
        return
    data = body.get("data") or {}
    if data.get("cancelResult") != "SUCCESS":
        said = (data.get("cancelResponse") or {}).get("msg")
        raise CancelReplaceFailed(
            f"{venue}: order {cancel_client_order_id} could not be canceled ({said}); "
            f"sale {client_order_id} not attempted"
        ) from exc
    refusal = data.get("newOrderResponse") or {}
    said = f"{refusal.get('code')} {refusal.get('msg')}"
    kind = (
        InsufficientFunds if refusal.get("code") == -2010 and "balance" in said else OrderRejected
    )
    raise kind(
        f"{venue}: order {cancel_client_order_id} canceled but sale {client_order_id} "
        f"refused ({said})"
    ) from exc
