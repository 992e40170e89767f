"""A local server answering like Binance's signed spot REST API, over a simulated account.

Routes (modelled on Binance's spot API documentation): ``GET /api/v3/ticker/24hr``,
``GET /api/v3/account``, ``POST /api/v3/order`` (``MARKET``, ``LIMIT``, ``LIMIT_MAKER``,
``STOP_LOSS``; ``newClientOrderId``; ``FULL`` answers with ``fills``), ``GET /api/v3/order`` (by
``origClientOrderId`` or ``orderId``), ``DELETE /api/v3/order`` (cancelling one leg of an OCO
cancels the list), ``GET /api/v3/openOrders``, ``POST /api/v3/orderList/oco`` (``above``/
``below`` legs), ``POST /api/v3/orderList/otoco`` (a ``LIMIT`` buy working order whose fill
activates a sell OCO of ``STOP_LOSS`` below and ``LIMIT_MAKER`` above, of ``pendingQuantity``;
the pending legs answer ``PENDING_NEW`` until then), ``GET /api/v3/orderList`` and
``DELETE /api/v3/orderList`` (by ``orderListId`` or the list's client id; cancelling cancels
every order of the list), ``POST /api/v3/order/cancelReplace`` (see ``_cancel_replace``) and
``GET /api/v3/myTrades`` (by ``orderId`` too, as Binance).

Every signed request is checked as Binance does: the ``X-MBX-APIKEY`` header (``-2014``/
``-2015``, HTTP 401), the HMAC-SHA256 ``signature`` of the query string followed by the body
(``-1022``), and the ``timestamp`` against the server clock: more than 1 s ahead or more than
``recvWindow`` (default 5000 ms) behind is ``-1021``. Refusals use Binance's codes and words:
``-2010 Account has insufficient balance for requested action.``, ``-1013 Filter failure:
NOTIONAL`` / ``LOT_SIZE``, ``-2013 Order does not exist.``, ``-2011 Unknown order sent.``.
Markets traded here have Binance BTC/USDT's filters (step 0.00001, minimum notional 5).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from decimal import Decimal
from typing import Any, ClassVar

from tests.support.binance_server import BinanceServer
from tests.support.exchange_server import Answer, Call
from tests.support.spot_account import Kind, Market, Refusal, Rules, SimOrder, SpotAccount

BINANCE_RULES = Rules(
    step=Decimal("0.00001"), min_amount=Decimal("0.00001"), min_notional=Decimal(5)
)
_CLIENT_ID = re.compile(r"^[.A-Z:/a-z0-9_-]{1,36}$")
_KINDS = {
    "MARKET": Kind.MARKET,
    "LIMIT": Kind.LIMIT,
    "LIMIT_MAKER": Kind.LIMIT_MAKER,
    "STOP_LOSS": Kind.STOP_LOSS,
}
_TYPES = {kind: name for name, kind in _KINDS.items()}
_REFUSALS: dict[Refusal, tuple[int, str]] = {
    Refusal.UNKNOWN_MARKET: (-1121, "Invalid symbol."),
    Refusal.LOT_SIZE: (-1013, "Filter failure: LOT_SIZE"),
    Refusal.MIN_AMOUNT: (-1013, "Filter failure: LOT_SIZE"),
    Refusal.MIN_NOTIONAL: (-1013, "Filter failure: NOTIONAL"),
    Refusal.INSUFFICIENT: (-2010, "Account has insufficient balance for requested action."),
    Refusal.DUPLICATE: (-2010, "Duplicate order sent."),
    Refusal.WOULD_TAKE: (-2010, "Order would immediately match and take."),
    Refusal.WOULD_TRIGGER: (-2010, "Order would trigger immediately."),
    Refusal.BAD_PRICES: (-2010, "The relationship of the prices for the orders is not correct."),
}


def _error(code: int, msg: str, status: int = 400) -> Answer:
    return status, {"code": code, "msg": msg}, {}


def _num(value: Decimal | None) -> str:
    return f"{value or 0:.8f}"


class BinanceTradingServer(BinanceServer):
    """Binance's public and signed spot REST API over a ``SpotAccount``."""

    _routes: ClassVar[dict[str, str]] = {
        **BinanceServer._routes,
        "/api/v3/ticker/24hr": "_ticker",
    }
    _private_routes: ClassVar[dict[tuple[str, str], str]] = {
        ("GET", "/api/v3/account"): "_account",
        ("POST", "/api/v3/order"): "_new_order",
        ("GET", "/api/v3/order"): "_query_order",
        ("DELETE", "/api/v3/order"): "_cancel_order",
        ("GET", "/api/v3/openOrders"): "_open_orders",
        ("POST", "/api/v3/orderList/oco"): "_new_oco",
        ("POST", "/api/v3/orderList/otoco"): "_new_otoco",
        ("GET", "/api/v3/orderList"): "_query_list",
        ("DELETE", "/api/v3/orderList"): "_cancel_list",
        ("GET", "/api/v3/myTrades"): "_my_trades",
        ("POST", "/api/v3/order/cancelReplace"): "_cancel_replace",
    }

    def __init__(self, *, api_key: str, secret: str, now_ms: int | None = None) -> None:
        super().__init__(now_ms=now_ms)
        self.api_key = api_key
        self.secret = secret
        self.account = SpotAccount()
        self.list_client_ids: dict[int, str] = {}
        self.replace_refusal: tuple[int, str] | None = None
        """Set by a test: a cancelReplace's new order is refused with this code and words once
        its cancel is done (Binance's ``-2021``, e.g. ``-2010 Market is closed.``)."""

    def trade(self, market_id: str, base: str, quote: str, *, price: str) -> None:
        """List ``market_id`` for trading (Binance BTC/USDT's filters) at ``price``."""
        with self._lock:
            self.account.markets[market_id] = Market(market_id, base, quote, BINANCE_RULES)
            self.account.prices[market_id] = Decimal(price)

    def _markets(self) -> list[tuple[str, str, str]]:
        traded = [(m.market_id, m.base, m.quote) for m in self.account.markets.values()]
        return traded + [m for m in super()._markets() if m[0] not in self.account.markets]

    # ----------------------------------------------------------------- authentication

    def _denied(self, call: Call) -> Answer | None:
        key = call.headers.get("x-mbx-apikey")
        if not key:
            return _error(-2014, "API-key format invalid.", 401)
        if key != self.api_key:
            return _error(-2015, "Invalid API-key, IP, or permissions for action.", 401)
        payload = _unsigned(call.query) + _unsigned(call.body)
        expected = hmac.new(self.secret.encode(), payload.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(call.params.get("signature", ""), expected):
            return _error(-1022, "Signature for this request is not valid.")
        timestamp = int(call.params.get("timestamp", "0"))
        window = int(call.params.get("recvWindow", "5000"))
        if timestamp > self.now_ms + 1000:
            return _error(
                -1021, "Timestamp for this request was 1000ms ahead of the server's time."
            )
        if self.now_ms - timestamp > window:
            return _error(-1021, "Timestamp for this request is outside of the recvWindow.")
        return None

    # ----------------------------------------------------------------- routes

    def _ticker(self, params: dict[str, str]) -> Answer:
        market_id = params.get("symbol", "")
        if market_id not in self.account.prices:
            return _error(-1121, "Invalid symbol.")
        last = self.account.prices[market_id]
        spread = last / 10_000
        body: dict[str, object] = {"symbol": market_id, "lastPrice": _num(last)}
        body["bidPrice"] = _num(last - spread)
        body |= {"askPrice": _num(last + spread), "openTime": self.now_ms - 86_400_000}
        return (
            200,
            body | {"closeTime": self.now_ms, "volume": "1.0", "quoteVolume": _num(last)},
            {},
        )

    def _account(self, call: Call) -> Answer:
        if denied := self._denied(call):
            return denied
        assets = sorted(set(self.account.free) | set(self.account.locked))
        balances = [
            {
                "asset": a,
                "free": _num(self.account.free.get(a)),
                "locked": _num(self.account.locked.get(a)),
            }
            for a in assets
        ]
        body = {
            "canTrade": True,
            "accountType": "SPOT",
            "balances": balances,
            "permissions": ["SPOT"],
        }
        return 200, body | {"updateTime": self.now_ms, "uid": 1}, {}

    def _new_order(self, call: Call) -> Answer:
        if denied := self._denied(call):
            return denied
        p = call.params
        kind = _KINDS.get(p.get("type", ""))
        if kind is None:
            return _error(-1116, "Invalid orderType.")
        client_id = p.get("newClientOrderId") or f"auto{len(self.account.orders) + 1}"
        if not _CLIENT_ID.match(client_id):
            return _error(-1100, "Illegal characters found in parameter 'newClientOrderId'.")
        placed = self.account.place(
            p.get("symbol", ""),
            side=p.get("side", "").lower(),
            kind=kind,
            amount=Decimal(p.get("quantity", "0")),
            client_id=client_id,
            now_ms=self.now_ms,
            price=Decimal(p["price"]) if "price" in p else None,
            stop=Decimal(p["stopPrice"]) if "stopPrice" in p else None,
        )
        if isinstance(placed, Refusal):
            return _error(*_REFUSALS[placed])
        return 200, self._full(placed), {}

    def _query_order(self, call: Call) -> Answer:
        if denied := self._denied(call):
            return denied
        order = self._find(call.params)
        if order is None:
            return _error(-2013, "Order does not exist.")
        return 200, _order(order), {}

    def _cancel_order(self, call: Call) -> Answer:
        if denied := self._denied(call):
            return denied
        order = self._find(call.params)
        if order is None or not (order.is_open or order.is_pending):
            return _error(-2011, "Unknown order sent.")
        self.account.cancel(order, self.now_ms)
        cancel_id = f"cancel{order.order_id}"
        return (
            200,
            _order(order) | {"origClientOrderId": order.client_id, "clientOrderId": cancel_id},
            {},
        )

    def _cancel_replace(self, call: Call) -> Answer:
        """Cancel an order and place a new one on its symbol, in one request.

        As Binance documents ``POST /api/v3/order/cancelReplace``: the new order's filters are
        checked before anything is done (a plain ``-1013``); then the cancel (an order of an
        order list cancels the whole list); then, unless ``STOP_ON_FAILURE`` and the cancel
        failed, the new order. Both done: 200 with ``cancelResponse`` and ``newOrderResponse``;
        one failed: 409 ``-2021``; the cancel failed and the new order was not attempted (or
        failed too): 400 ``-2022``; each failure's ``code``/``msg`` in its half of ``data``.
        """
        if denied := self._denied(call) or self._replace_refusal(call.params):
            return denied
        p = call.params
        cancel = self._replace_cancel(p)
        canceled = "code" not in cancel
        new = (
            self._replace_new(p) if canceled or p["cancelReplaceMode"] == "ALLOW_FAILURE" else None
        )
        placed = new is not None and "code" not in new
        body = {
            "cancelResult": "SUCCESS" if canceled else "FAILURE",
            "newOrderResult": "NOT_ATTEMPTED"
            if new is None
            else "SUCCESS"
            if placed
            else "FAILURE",
            "cancelResponse": cancel,
            "newOrderResponse": new,
        }
        if canceled and placed:
            return 200, body, {}
        if canceled or placed:
            partial = {"code": -2021, "msg": "Order cancel-replace partially failed."}
            return 409, partial | {"data": body}, {}
        return 400, {"code": -2022, "msg": "Order cancel-replace failed.", "data": body}, {}

    def _replace_refusal(self, p: dict[str, str]) -> Answer | None:
        """A cancel-replace refused before anything is done: parameters, then filters."""
        if p.get("cancelReplaceMode") not in ("STOP_ON_FAILURE", "ALLOW_FAILURE"):
            return _error(
                -1102,
                "Mandatory parameter 'cancelReplaceMode' was not sent, was empty/null, "
                "or malformed.",
            )
        if "cancelOrderId" not in p and "cancelOrigClientOrderId" not in p:
            return _error(
                -1102,
                "Param 'cancelOrigClientOrderId' or 'cancelOrderId' must be sent, "
                "but both were empty/null!",
            )
        kind = _KINDS.get(p.get("type", ""))
        if kind is None:
            return _error(-1116, "Invalid orderType.")
        if not _CLIENT_ID.match(p.get("newClientOrderId") or "auto"):
            return _error(-1100, "Illegal characters found in parameter 'newClientOrderId'.")
        refused = self.account.filter_refusal(
            p.get("symbol", ""),
            kind=kind,
            amount=Decimal(p.get("quantity", "0")),
            price=Decimal(p["price"]) if "price" in p else None,
            stop=Decimal(p["stopPrice"]) if "stopPrice" in p else None,
        )
        return None if refused is None else _error(*_REFUSALS[refused])

    def _replace_cancel(self, p: dict[str, str]) -> dict[str, Any]:
        """The cancel half: the canceled order's report, or the failure's code and words."""
        wanted = {"symbol": p.get("symbol", "")}
        if "cancelOrderId" in p:
            wanted["orderId"] = p["cancelOrderId"]
        if "cancelOrigClientOrderId" in p:
            wanted["origClientOrderId"] = p["cancelOrigClientOrderId"]
        target = self._find(wanted)
        if target is not None and target.client_id != wanted.get(
            "origClientOrderId", target.client_id
        ):
            target = None  # both ids sent: the order found by id must carry the client id
        if target is None or not (target.is_open or target.is_pending):
            return {"code": -2011, "msg": "Unknown order sent."}
        self.account.cancel(target, self.now_ms)
        return _order(target) | {
            "origClientOrderId": target.client_id,
            "clientOrderId": p.get("cancelNewClientOrderId") or f"cancel{target.order_id}",
            "transactTime": self.now_ms,
        }

    def _replace_new(self, p: dict[str, str]) -> dict[str, Any]:
        """The new-order half: its report (``FULL`` for market and limit orders by default)."""
        if self.replace_refusal is not None:
            code, msg = self.replace_refusal
            return {"code": code, "msg": msg}
        kind = _KINDS[p["type"]]
        placed = self.account.place(
            p.get("symbol", ""),
            side=p.get("side", "").lower(),
            kind=kind,
            amount=Decimal(p.get("quantity", "0")),
            client_id=p.get("newClientOrderId") or f"auto{len(self.account.orders) + 1}",
            now_ms=self.now_ms,
            price=Decimal(p["price"]) if "price" in p else None,
            stop=Decimal(p["stopPrice"]) if "stopPrice" in p else None,
        )
        if isinstance(placed, Refusal):
            code, msg = _REFUSALS[placed]
            return {"code": code, "msg": msg}
        default = "FULL" if kind in (Kind.MARKET, Kind.LIMIT) else "ACK"
        if p.get("newOrderRespType", default) != "ACK":
            return self._full(placed)
        ack = {"symbol": placed.market.market_id, "orderId": placed.order_id, "orderListId": -1}
        return ack | {"clientOrderId": placed.client_id, "transactTime": self.now_ms}

    def _open_orders(self, call: Call) -> Answer:
        if denied := self._denied(call):
            return denied
        symbol = call.params.get("symbol")
        listed = [
            o
            for o in self.account.orders
            if (o.is_open or o.is_pending) and symbol in (None, o.market.market_id)
        ]
        return 200, [_order(o) for o in listed], {}

    def _new_oco(self, call: Call) -> Answer:
        if denied := self._denied(call):
            return denied
        p = call.params
        if p.get("side") != "SELL" or (p.get("aboveType"), p.get("belowType")) != (
            "LIMIT_MAKER",
            "STOP_LOSS",
        ):
            return _error(-1128, "Combination of optional parameters invalid.")
        placed = self.account.place_oco(
            p.get("symbol", ""),
            amount=Decimal(p.get("quantity", "0")),
            stop=Decimal(p.get("belowStopPrice", "0")),
            stop_client_id=p.get("belowClientOrderId", ""),
            limit=Decimal(p.get("abovePrice", "0")),
            limit_client_id=p.get("aboveClientOrderId", ""),
            now_ms=self.now_ms,
        )
        if isinstance(placed, Refusal):
            return _error(*_REFUSALS[placed])
        stop_leg, limit_leg = placed
        body: dict[str, Any] = {
            "orderListId": stop_leg.list_id,
            "contingencyType": "OCO",
            "listStatusType": "EXEC_STARTED",
            "listOrderStatus": "EXECUTING",
            "listClientOrderId": p.get("listClientOrderId"),
            "transactionTime": self.now_ms,
            "symbol": stop_leg.market.market_id,
        }
        legs = (stop_leg, limit_leg)
        body["orders"] = [
            {"symbol": o.market.market_id, "orderId": o.order_id, "clientOrderId": o.client_id}
            for o in legs
        ]
        body["orderReports"] = [_order(o) | {"transactTime": self.now_ms} for o in legs]
        return 200, body, {}

    def _new_otoco(self, call: Call) -> Answer:
        if denied := self._denied(call):
            return denied
        p = call.params
        shape = (
            p.get("workingType"),
            p.get("workingSide"),
            p.get("pendingSide"),
            p.get("pendingAboveType"),
            p.get("pendingBelowType"),
        )
        if shape != ("LIMIT", "BUY", "SELL", "LIMIT_MAKER", "STOP_LOSS"):
            return _error(-1128, "Combination of optional parameters invalid.")
        ids = [p.get(k, "") for k in ("workingClientOrderId", "pendingBelowClientOrderId")]
        ids.append(p.get("pendingAboveClientOrderId", ""))
        if not all(_CLIENT_ID.match(i) for i in ids):
            return _error(-1100, "Illegal characters found in a client order id.")
        placed = self.account.place_otoco(
            p.get("symbol", ""),
            amount=Decimal(p.get("workingQuantity", "0")),
            pending_amount=Decimal(p.get("pendingQuantity", "0")),
            price=Decimal(p.get("workingPrice", "0")),
            client_id=ids[0],
            stop=Decimal(p.get("pendingBelowStopPrice", "0")),
            stop_client_id=ids[1],
            limit=Decimal(p.get("pendingAbovePrice", "0")),
            limit_client_id=ids[2],
            now_ms=self.now_ms,
        )
        if isinstance(placed, Refusal):
            return _error(*_REFUSALS[placed])
        list_id = placed[0].list_id or 0
        self.list_client_ids[list_id] = p.get("listClientOrderId") or f"list{list_id}"
        body = self._list(list_id)
        body["orderReports"] = [_order(o) | {"transactTime": self.now_ms} for o in placed]
        return 200, body, {}

    def _query_list(self, call: Call) -> Answer:
        if denied := self._denied(call):
            return denied
        list_id = self._list_id(call.params)
        if list_id is None:
            return _error(-2011, "Order list does not exist.")
        return 200, self._list(list_id), {}

    def _cancel_list(self, call: Call) -> Answer:
        if denied := self._denied(call):
            return denied
        list_id = self._list_id(call.params)
        orders = [] if list_id is None else self.account.in_list(list_id)
        if list_id is None or not any(o.is_open or o.is_pending for o in orders):
            return _error(-2011, "Unknown order list sent.")
        self.account.cancel(orders[0], self.now_ms)
        body = self._list(list_id)
        body["orderReports"] = [_order(o) for o in orders]
        return 200, body, {}

    def _list_id(self, params: dict[str, str]) -> int | None:
        if "orderListId" in params:
            wanted = int(params["orderListId"])
            return wanted if self.account.in_list(wanted) else None
        name = params.get("listClientOrderId") or params.get("origClientOrderId")
        found = [i for i, n in self.list_client_ids.items() if n == name]
        return found[-1] if found else None

    def _list(self, list_id: int) -> dict[str, Any]:
        """An order list's status as Binance answers it."""
        orders = self.account.in_list(list_id)
        done = all(not (o.is_open or o.is_pending) for o in orders)
        return {
            "orderListId": list_id,
            "contingencyType": "OTO",
            "listStatusType": "ALL_DONE" if done else "EXEC_STARTED",
            "listOrderStatus": "ALL_DONE" if done else "EXECUTING",
            "listClientOrderId": self.list_client_ids.get(list_id, f"list{list_id}"),
            "transactionTime": self.now_ms,
            "symbol": orders[0].market.market_id,
            "orders": [
                {"symbol": o.market.market_id, "orderId": o.order_id, "clientOrderId": o.client_id}
                for o in orders
            ],
        }

    def _my_trades(self, call: Call) -> Answer:
        if denied := self._denied(call):
            return denied
        p = call.params
        start, end = int(p.get("startTime", "0")), int(p.get("endTime", str(2**62)))
        limit = min(int(p.get("limit", "500")), 1000)
        trades = [
            t
            for t in self.account.trades
            if t.order.market.market_id == p.get("symbol")
            and start <= t.time_ms <= end
            and str(t.order.order_id) == p.get("orderId", str(t.order.order_id))
        ][:limit]
        return 200, [_trade(t) for t in trades], {}

    def _find(self, params: dict[str, str]) -> SimOrder | None:
        order_id = int(params["orderId"]) if "orderId" in params else None
        order = self.account.find(client_id=params.get("origClientOrderId"), order_id=order_id)
        if order is None or order.market.market_id != params.get("symbol"):
            return None
        return order

    def _full(self, order: SimOrder) -> dict[str, Any]:
        fills = [
            {
                "price": _num(t.price),
                "qty": _num(t.amount),
                "commission": _num(t.fee),
                "commissionAsset": t.fee_asset,
                "tradeId": t.trade_id,
            }
            for t in self.account.trades
            if t.order is order
        ]
        return _order(order) | {"transactTime": self.now_ms, "fills": fills}


def _unsigned(raw: str) -> str:
    """``raw`` (a query string or form body) without its ``signature`` parameter."""
    return "&".join(part for part in raw.split("&") if part and not part.startswith("signature="))


def _order(order: SimOrder) -> dict[str, Any]:
    return {
        "symbol": order.market.market_id,
        "orderId": order.order_id,
        "orderListId": order.list_id or -1,
        "clientOrderId": order.client_id,
        "price": _num(order.price),
        "origQty": _num(order.amount),
        "executedQty": _num(order.filled),
        "cummulativeQuoteQty": _num(order.cost),
        "status": order.status,
        "timeInForce": "GTC",
        "type": _TYPES[order.kind],
        "side": order.side.upper(),
        "stopPrice": _num(order.stop),
        "time": order.created_ms,
        "updateTime": order.updated_ms or order.created_ms,
        "isWorking": order.kind is not Kind.STOP_LOSS and not order.is_pending,
        "workingTime": order.created_ms,
        "origQuoteOrderQty": _num(None),
        "selfTradePreventionMode": "EXPIRE_MAKER",
    }


def _trade(trade: Any) -> dict[str, Any]:
    order = trade.order
    return {
        "symbol": order.market.market_id,
        "id": trade.trade_id,
        "orderId": order.order_id,
        "orderListId": order.list_id or -1,
        "price": _num(trade.price),
        "qty": _num(trade.amount),
        "quoteQty": _num(trade.price * trade.amount),
        "commission": _num(trade.fee),
        "commissionAsset": trade.fee_asset,
        "time": trade.time_ms,
        "isBuyer": order.side == "buy",
        "isMaker": order.kind is not Kind.MARKET,
        "isBestMatch": True,
    }
