"""A local server answering like Kraken's private spot REST API, over a simulated account.

Routes (modelled on Kraken's REST documentation): ``GET /0/public/Ticker`` and, signed,
``POST /0/private/`` ``BalanceEx``, ``AddOrder`` (``market``, ``limit``, ``stop-loss``;
``cl_ord_id``: free text up to 18 characters or a UUID), ``OpenOrders`` and ``ClosedOrders``
(filtered by ``cl_ord_id``), ``QueryOrders`` (by ``txid``), ``CancelOrder`` (by ``txid`` or
``cl_ord_id``) and ``TradesHistory`` (newest first, 50 per page, ``start`` exclusive, ``ofs``).

Every private request is checked as Kraken does: the ``API-Key`` header (``EAPI:Invalid key``),
``API-Sign`` = base64(HMAC-SHA512(base64-decoded secret, path + SHA256(nonce + body))) (``EAPI:
Invalid signature``) and a nonce greater than the last one of the key (``EAPI:Invalid nonce``).
Errors come as ``{"error": [...]}`` in HTTP 200 answers: ``EOrder:Insufficient funds``,
``EGeneral:Invalid arguments:volume minimum not met``, ``EOrder:Unknown order`` ... Markets
traded here have Kraken XBT/USDT's rules (8 amount decimals, minimum 0.00005 and cost 0.5).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from decimal import Decimal
from typing import Any, ClassVar

from tests.support.exchange_server import Answer, Call
from tests.support.kraken_server import KrakenServer
from tests.support.spot_account import Kind, Market, Refusal, Rules, SimOrder, SimTrade, SpotAccount

KRAKEN_RULES = Rules(
    step=Decimal("0.00000001"), min_amount=Decimal("0.00005"), min_notional=Decimal("0.5")
)
PAGE = 50
_UUID = re.compile(
    r"^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$", re.IGNORECASE
)
_KINDS = {"market": Kind.MARKET, "limit": Kind.LIMIT, "stop-loss": Kind.STOP_LOSS}
_TYPES = {
    Kind.MARKET: "market",
    Kind.LIMIT: "limit",
    Kind.LIMIT_MAKER: "limit",
    Kind.STOP_LOSS: "stop-loss",
}
_STATUSES = {"NEW": "open", "FILLED": "closed", "CANCELED": "canceled", "EXPIRED": "expired"}
_REFUSALS: dict[Refusal, str] = {
    Refusal.UNKNOWN_MARKET: "EQuery:Unknown asset pair",
    Refusal.LOT_SIZE: "EGeneral:Invalid arguments:volume",
    Refusal.MIN_AMOUNT: "EGeneral:Invalid arguments:volume minimum not met",
    Refusal.MIN_NOTIONAL: "EOrder:Cost minimum not met",
    Refusal.INSUFFICIENT: "EOrder:Insufficient funds",
    Refusal.DUPLICATE: "EOrder:Duplicate order",
    Refusal.WOULD_TAKE: "EOrder:Invalid price:Invalid price argument",
    Refusal.WOULD_TRIGGER: "EOrder:Invalid price:Invalid price argument",
    Refusal.BAD_PRICES: "EOrder:Invalid price:Invalid price argument",
}


def _ok(result: object) -> Answer:
    return 200, {"error": [], "result": result}, {}


def _fail(*errors: str) -> Answer:
    return 200, {"error": list(errors)}, {}


class KrakenTradingServer(KrakenServer):
    """Kraken's public and private spot REST API over a ``SpotAccount`` (fees in quote)."""

    _routes: ClassVar[dict[str, str]] = {**KrakenServer._routes, "/0/public/Ticker": "_ticker"}
    _private_routes: ClassVar[dict[tuple[str, str], str]] = {
        ("POST", f"/0/private/{name}"): f"_{name.lower()}"
        for name in ("BalanceEx", "AddOrder", "OpenOrders", "ClosedOrders", "QueryOrders")
    } | {
        ("POST", "/0/private/CancelOrder"): "_cancel",
        ("POST", "/0/private/TradesHistory"): "_trades_history",
    }

    def __init__(self, *, api_key: str, secret: str, now_ms: int | None = None) -> None:
        super().__init__(now_ms=now_ms)
        self.api_key = api_key
        self.secret = secret  # base64, as Kraken issues it
        self.account = SpotAccount(fee_rate=Decimal("0.0025"), fee_in_quote=True)
        self._last_nonce = 0

    def trade(self, market_id: str, base: str, quote: str, *, price: str) -> None:
        """List ``market_id`` (Kraken ids: XBTUSDT, XXBT, USDT) for trading at ``price``."""
        with self._lock:
            self.account.markets[market_id] = Market(market_id, base, quote, KRAKEN_RULES)
            self.account.prices[market_id] = Decimal(price)

    def _markets(self) -> list[tuple[str, str, str]]:
        traded = [(m.market_id, m.base, m.quote) for m in self.account.markets.values()]
        return traded + [m for m in super()._markets() if m[0] not in self.account.markets]

    def _denied(self, call: Call) -> Answer | None:
        if call.headers.get("api-key") != self.api_key:
            return _fail("EAPI:Invalid key")
        nonce = call.params.get("nonce", "")
        message = call.path.encode() + hashlib.sha256((nonce + call.body).encode()).digest()
        digest = hmac.new(base64.b64decode(self.secret), message, hashlib.sha512).digest()
        if not hmac.compare_digest(
            call.headers.get("api-sign", ""), base64.b64encode(digest).decode()
        ):
            return _fail("EAPI:Invalid signature")
        if not nonce.isdigit() or int(nonce) <= self._last_nonce:
            return _fail("EAPI:Invalid nonce")
        self._last_nonce = int(nonce)
        return None

    # ----------------------------------------------------------------- routes

    def _ticker(self, params: dict[str, str]) -> Answer:
        market_id = params.get("pair", "")
        if market_id not in self.account.prices:
            return _fail("EQuery:Unknown asset pair")
        last = self.account.prices[market_id]
        ask, bid = f"{last + Decimal('0.1'):.1f}", f"{last - Decimal('0.1'):.1f}"
        row: dict[str, object] = {"a": [ask, "1", "1.000"], "b": [bid, "1", "1.000"]}
        row["c"] = [f"{last:.1f}", "0.1"]
        row |= {"v": ["1", "1"], "p": [f"{last:.1f}"] * 2, "t": [1, 1], "o": f"{last:.1f}"}
        return _ok({market_id: row | {"l": [f"{last:.1f}"] * 2, "h": [f"{last:.1f}"] * 2}})

    def _balanceex(self, call: Call) -> Answer:
        if denied := self._denied(call):
            return denied
        free, locked = self.account.free, self.account.locked
        assets = sorted(set(free) | set(locked))
        zero = Decimal(0)
        return _ok(
            {
                a: {
                    "balance": f"{free.get(a, zero) + locked.get(a, zero):.10f}",
                    "hold_trade": f"{locked.get(a, zero):.10f}",
                }
                for a in assets
            }
        )

    def _addorder(self, call: Call) -> Answer:
        if denied := self._denied(call):
            return denied
        p = call.params
        kind = _KINDS.get(p.get("ordertype", ""))
        client_id = p.get("cl_ord_id", "")
        if kind is None or (client_id and not (len(client_id) <= 18 or _UUID.match(client_id))):
            return _fail("EGeneral:Invalid arguments")
        price = Decimal(p["price"]) if "price" in p else None
        placed = self.account.place(
            p.get("pair", ""),
            side=p.get("type", ""),
            kind=kind,
            amount=Decimal(p.get("volume", "0")),
            client_id=client_id,
            now_ms=self.now_ms,
            price=price if kind is Kind.LIMIT else None,
            stop=price if kind is Kind.STOP_LOSS else None,
        )
        if isinstance(placed, Refusal):
            return _fail(_REFUSALS[placed])
        return _ok({"descr": {"order": _describe(placed)}, "txid": [_txid(placed)]})

    def _openorders(self, call: Call) -> Answer:
        if denied := self._denied(call):
            return denied
        return _ok({"open": self._listed(call, lambda o: o.is_open)})

    def _closedorders(self, call: Call) -> Answer:
        if denied := self._denied(call):
            return denied
        closed = self._listed(call, lambda o: not o.is_open)
        return _ok({"closed": closed, "count": len(closed)})

    def _queryorders(self, call: Call) -> Answer:
        if denied := self._denied(call):
            return denied
        wanted = set(call.params.get("txid", "").split(","))
        return _ok({_txid(o): _info(o) for o in self.account.orders if _txid(o) in wanted})

    def _cancel(self, call: Call) -> Answer:
        if denied := self._denied(call):
            return denied
        wanted, client_id = call.params.get("txid"), call.params.get("cl_ord_id")
        found = [
            o
            for o in self.account.open_orders()
            if _txid(o) == wanted or (client_id and o.client_id == client_id)
        ]
        if not found:
            return _fail("EOrder:Unknown order")
        for order in found:
            self.account.cancel(order, self.now_ms)
        return _ok({"count": len(found)})

    def _trades_history(self, call: Call) -> Answer:
        if denied := self._denied(call):
            return denied
        start = Decimal(call.params.get("start", "0"))
        offset = int(call.params.get("ofs", "0"))
        newest_first = [
            t for t in reversed(self.account.trades) if Decimal(t.time_ms) / 1000 > start
        ]
        page = newest_first[offset : offset + PAGE]
        return _ok({"trades": {_trade_id(t): _trade(t) for t in page}, "count": len(newest_first)})

    def _listed(self, call: Call, keep: Any) -> dict[str, Any]:
        client_id = call.params.get("cl_ord_id")
        return {
            _txid(o): _info(o)
            for o in self.account.orders
            if keep(o) and (client_id is None or o.client_id == client_id)
        }


def _txid(order: SimOrder) -> str:
    return f"O{order.order_id:05X}-KRAKN-{order.order_id:06X}"


def _trade_id(trade: SimTrade) -> str:
    return f"T{trade.trade_id:05X}-TRADE-{trade.trade_id:06X}"


def _describe(order: SimOrder) -> str:
    price = order.stop if order.kind is Kind.STOP_LOSS else order.price
    at = f" {price:.1f}" if price is not None else ""
    return f"{order.side} {order.amount:.8f} {order.market.market_id} @ {_TYPES[order.kind]}{at}"


def _info(order: SimOrder) -> dict[str, Any]:
    price = order.stop if order.kind is Kind.STOP_LOSS else order.price
    average = order.cost / order.filled if order.filled else Decimal(0)
    descr = {
        "pair": order.market.market_id,
        "type": order.side,
        "ordertype": _TYPES[order.kind],
        "price": f"{price or 0:.1f}",
        "price2": "0",
        "leverage": "none",
        "order": _describe(order),
        "close": "",
    }
    return {
        "refid": None,
        "userref": 0,
        "cl_ord_id": order.client_id or None,
        "status": _STATUSES[order.status],
        "opentm": order.created_ms / 1000,
        "closetm": order.updated_ms / 1000 if not order.is_open else 0,
        "starttm": 0,
        "expiretm": 0,
        "descr": descr,
        "vol": f"{order.amount:.8f}",
        "vol_exec": f"{order.filled:.8f}",
        "cost": f"{order.cost:.5f}",
        "fee": f"{order.fee:.5f}",
        "price": f"{average:.1f}",
        "stopprice": "0.00000",
        "limitprice": "0.00000",
        "misc": "",
        "oflags": "fciq",
    }


def _trade(trade: SimTrade) -> dict[str, Any]:
    order = trade.order
    return {
        "ordertxid": _txid(order),
        "postxid": f"P{trade.trade_id:05X}-POSTX-{trade.trade_id:06X}",
        "pair": order.market.market_id,
        "time": trade.time_ms / 1000,
        "type": order.side,
        "ordertype": _TYPES[order.kind],
        "price": f"{trade.price:.1f}",
        "cost": f"{trade.price * trade.amount:.5f}",
        "fee": f"{trade.fee:.5f}",
        "vol": f"{trade.amount:.8f}",
        "margin": "0.00000",
        "misc": "",
        "trade_id": trade.trade_id,
        "maker": order.kind is not Kind.MARKET,
    }
