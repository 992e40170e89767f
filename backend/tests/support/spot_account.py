"""A simulated spot account behind the fake exchange servers: balances, orders, fills, OCO lists.

Venue-neutral: ``BinanceServer`` and ``KrakenServer`` translate their requests into ``place``/
``cancel`` calls and the results into their own payloads. Rules as the exchanges apply them:
amounts must be whole steps and at least the minimum, the notional at least the minimum; an
open sell reserves its amount (an OCO list reserves it once for both legs) and an open limit buy
reserves its cost; market orders fill at once at the current price; resting orders fill when
``set_price`` crosses them, and filling one leg of an OCO list expires the other. Fees are
``fee_rate`` of the trade, taken from the asset received (Binance without BNB) or always in the
quote asset (Kraken); with ``bnb_price`` set, Binance's BNB discount: the fee, converted to BNB
and reduced by 25 %, is paid in BNB when the BNB balance covers it, else in full from the asset
received (Binance's commission FAQ). Not thread-safe: the servers call it under their lock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum


class Kind(StrEnum):
    """Order types the simulation knows."""

    MARKET = "market"
    LIMIT = "limit"
    LIMIT_MAKER = "limit_maker"
    STOP_LOSS = "stop_loss"


class Refusal(StrEnum):
    """Why an order is refused; each server words it as its exchange does."""

    UNKNOWN_MARKET = "unknown market"
    LOT_SIZE = "amount not a whole number of steps"
    MIN_AMOUNT = "amount below the minimum"
    MIN_NOTIONAL = "notional below the minimum"
    INSUFFICIENT = "insufficient balance"
    DUPLICATE = "client id in use by an open order"
    WOULD_TAKE = "a maker order would take"
    WOULD_TRIGGER = "a stop would trigger at once"
    BAD_PRICES = "OCO prices in the wrong order"


BNB_DISCOUNT = Decimal("0.75")
"""Paid in BNB, the standard commission is reduced by 25 %."""


@dataclass(frozen=True)
class Rules:
    """A market's filters."""

    step: Decimal
    min_amount: Decimal
    min_notional: Decimal


@dataclass(frozen=True)
class Market:
    """A listed market: exchange id, assets and filters."""

    market_id: str
    base: str
    quote: str
    rules: Rules


@dataclass
class SimOrder:
    """One order; ``status`` is ``NEW``, ``FILLED``, ``CANCELED`` or ``EXPIRED``."""

    order_id: int
    client_id: str
    market: Market
    side: str  # buy / sell
    kind: Kind
    amount: Decimal
    price: Decimal | None
    stop: Decimal | None
    created_ms: int
    list_id: int | None = None
    status: str = "NEW"
    filled: Decimal = Decimal(0)
    cost: Decimal = Decimal(0)
    fee: Decimal = Decimal(0)
    fee_asset: str | None = None
    updated_ms: int = 0
    reserved: Decimal = Decimal(0)
    reserved_asset: str = ""
    working: bool = False
    """The working order of an OTO/OTOCO list: its fill releases the pending legs."""

    @property
    def is_open(self) -> bool:
        """True until filled, cancelled or expired (a pending leg is not open yet)."""
        return self.status == "NEW"

    @property
    def is_pending(self) -> bool:
        """A leg of an OTO/OTOCO list waiting for its working order to fill."""
        return self.status == "PENDING_NEW"


@dataclass(frozen=True)
class SimTrade:
    """One fill of one order."""

    trade_id: int
    order: SimOrder
    price: Decimal
    amount: Decimal
    fee: Decimal
    fee_asset: str
    time_ms: int


@dataclass
class SpotAccount:
    """Balances and orders of one account (see the module docstring)."""

    fee_rate: Decimal = Decimal("0.001")
    fee_in_quote: bool = False
    bnb_price: Decimal | None = None
    """The quote asset's price of one BNB: fees are paid in BNB while it covers them."""
    free: dict[str, Decimal] = field(default_factory=dict)
    locked: dict[str, Decimal] = field(default_factory=dict)
    markets: dict[str, Market] = field(default_factory=dict)
    prices: dict[str, Decimal] = field(default_factory=dict)
    orders: list[SimOrder] = field(default_factory=list)
    trades: list[SimTrade] = field(default_factory=list)

    def deposit(self, asset: str, amount: Decimal | str) -> None:
        """Credit ``amount`` of ``asset`` to the free balance."""
        self.free[asset] = self.free.get(asset, Decimal(0)) + Decimal(amount)

    def find(self, *, client_id: str | None = None, order_id: int | None = None) -> SimOrder | None:
        """The newest order with this client id (or exchange id)."""
        for order in reversed(self.orders):
            if order.client_id == client_id or order.order_id == order_id:
                return order
        return None

    def open_orders(self, market_id: str | None = None) -> list[SimOrder]:
        """Open orders, of one market or all."""
        return [
            o
            for o in self.orders
            if o.is_open and (market_id is None or o.market.market_id == market_id)
        ]

    def siblings(self, order: SimOrder) -> list[SimOrder]:
        """The other legs of ``order``'s OCO (an OTOCO's working order has none)."""
        if order.list_id is None or order.working:
            return []
        return [
            o
            for o in self.orders
            if o.list_id == order.list_id and o is not order and not o.working
        ]

    def in_list(self, list_id: int) -> list[SimOrder]:
        """Every order of one order list, in placement order."""
        return [o for o in self.orders if o.list_id == list_id]

    def place(
        self,
        market_id: str,
        *,
        side: str,
        kind: Kind,
        amount: Decimal,
        client_id: str,
        now_ms: int,
        price: Decimal | None = None,
        stop: Decimal | None = None,
    ) -> SimOrder | Refusal:
        """Place one order (filling it at once when it can), or say why not."""
        market = self.markets.get(market_id)
        if market is None:
            return Refusal.UNKNOWN_MARKET
        order = SimOrder(
            len(self.orders) + 1, client_id, market, side, kind, amount, price, stop, now_ms
        )
        refusal = self._check(order) or self._reserve(order, amount)
        if refusal is not None:
            return refusal
        self.orders.append(order)
        last = self.prices[market_id]
        if kind is Kind.MARKET or (kind is Kind.LIMIT and self._crosses(order, last)):
            self._fill(order, last, now_ms)
        return order

    def place_oco(
        self,
        market_id: str,
        *,
        amount: Decimal,
        stop: Decimal,
        stop_client_id: str,
        limit: Decimal,
        limit_client_id: str,
        now_ms: int,
    ) -> tuple[SimOrder, SimOrder] | Refusal:
        """Place a sell OCO list: a stop-loss below the price and a limit-maker above it."""
        market = self.markets.get(market_id)
        if market is None:
            return Refusal.UNKNOWN_MARKET
        list_id = 1 + max((o.list_id or 0 for o in self.orders), default=0)
        n = len(self.orders)
        stop_leg = SimOrder(
            n + 1,
            stop_client_id,
            market,
            "sell",
            Kind.STOP_LOSS,
            amount,
            None,
            stop,
            now_ms,
            list_id,
        )
        limit_leg = SimOrder(
            n + 2,
            limit_client_id,
            market,
            "sell",
            Kind.LIMIT_MAKER,
            amount,
            limit,
            None,
            now_ms,
            list_id,
        )
        if not limit > self.prices[market_id] > stop:
            return Refusal.BAD_PRICES
        for leg in (stop_leg, limit_leg):
            refusal = self._check(leg)
            if refusal is not None:
                return refusal
        refusal = self._reserve(stop_leg, amount)  # once for the whole list
        if refusal is not None:
            return refusal
        self.orders += [stop_leg, limit_leg]
        return stop_leg, limit_leg

    def place_otoco(
        self,
        market_id: str,
        *,
        amount: Decimal,
        price: Decimal,
        client_id: str,
        stop: Decimal,
        stop_client_id: str,
        limit: Decimal,
        limit_client_id: str,
        now_ms: int,
        pending_amount: Decimal | None = None,
    ) -> tuple[SimOrder, SimOrder, SimOrder] | Refusal:
        """A buy LIMIT (the working order) whose fill places a sell OCO of ``pending_amount``.

        ``pending_amount`` defaults to ``amount``; it may be less (the fee taken from the coin).

        Binance's OTOCO: the stop-loss and take-profit exist (``PENDING_NEW``) from the moment
        the list is accepted and become active the moment the working order fills, with no
        further request: there is never a time when the bought coins are unprotected.
        """
        market = self.markets.get(market_id)
        if market is None:
            return Refusal.UNKNOWN_MARKET
        if not limit > price > stop:
            return Refusal.BAD_PRICES
        list_id = 1 + max((o.list_id or 0 for o in self.orders), default=0)
        n = len(self.orders)
        entry = SimOrder(
            n + 1, client_id, market, "buy", Kind.LIMIT, amount, price, None, now_ms, list_id,
            working=True,
        )  # fmt: skip
        legs = amount if pending_amount is None else pending_amount
        stop_leg = SimOrder(
            n + 2, stop_client_id, market, "sell", Kind.STOP_LOSS, legs, None, stop, now_ms,
            list_id, status="PENDING_NEW",
        )  # fmt: skip
        limit_leg = SimOrder(
            n + 3, limit_client_id, market, "sell", Kind.LIMIT_MAKER, legs, limit, None, now_ms,
            list_id, status="PENDING_NEW",
        )  # fmt: skip
        for leg in (entry, stop_leg, limit_leg):
            if leg is not entry and leg.kind is not Kind.STOP_LOSS:
                continue  # the take-profit's checks apply when it becomes active
            refusal = self._check(leg)
            if refusal is not None:
                return refusal
        refusal = self._reserve(entry, amount)
        if refusal is not None:
            return refusal
        self.orders += [entry, stop_leg, limit_leg]
        if self._crosses(entry, self.prices[market_id]):
            self._fill(entry, self.prices[market_id], now_ms)
        return entry, stop_leg, limit_leg

    def filter_refusal(
        self,
        market_id: str,
        *,
        kind: Kind,
        amount: Decimal,
        price: Decimal | None,
        stop: Decimal | None,
    ) -> Refusal | None:
        """The market's filters alone (step, minimums), as checked before anything is done."""
        market = self.markets.get(market_id)
        if market is None:
            return Refusal.UNKNOWN_MARKET
        rules = market.rules
        reference = price or stop or self.prices[market_id]
        checks = [
            (amount % rules.step != 0, Refusal.LOT_SIZE),
            (amount < rules.min_amount, Refusal.MIN_AMOUNT),
            (amount * reference < rules.min_notional, Refusal.MIN_NOTIONAL),
        ]
        return next((refusal for failed, refusal in checks if failed), None)

    def cancel(self, order: SimOrder, now_ms: int) -> None:
        """Cancel ``order`` and the rest of its list, releasing what they reserved."""
        others = self.in_list(order.list_id) if order.list_id is not None else []
        for o in [order, *others]:
            if o.is_open or o.is_pending:
                self._release(o)
                o.status, o.updated_ms = "CANCELED", now_ms

    def set_price(self, market_id: str, price: Decimal | str, now_ms: int = 0) -> None:
        """Move the market's price, filling the resting orders it crosses."""
        last = self.prices[market_id] = Decimal(price)
        for order in self.open_orders(market_id):
            if order.is_open and self._crosses(order, last):
                limit = order.price if order.kind is not Kind.STOP_LOSS else None
                self._fill(order, limit or last, now_ms)

    # ------------------------------------------------------------------ internals

    def _check(self, order: SimOrder) -> Refusal | None:
        rules = order.market.rules
        last = self.prices[order.market.market_id]
        reference = order.price or order.stop or last
        checks = [
            (order.amount % rules.step != 0, Refusal.LOT_SIZE),
            (order.amount < rules.min_amount, Refusal.MIN_AMOUNT),
            (order.amount * reference < rules.min_notional, Refusal.MIN_NOTIONAL),
            (any(o.client_id == order.client_id for o in self.open_orders()), Refusal.DUPLICATE),
            (order.kind is Kind.LIMIT_MAKER and self._crosses(order, last), Refusal.WOULD_TAKE),
            (order.kind is Kind.STOP_LOSS and (order.stop or 0) >= last, Refusal.WOULD_TRIGGER),
        ]
        return next((refusal for failed, refusal in checks if failed), None)

    def _reserve(self, order: SimOrder, amount: Decimal) -> Refusal | None:
        market = order.market
        if order.side == "sell":
            asset, needed = market.base, amount
        else:
            asset = market.quote
            needed = amount * (order.price or self.prices[market.market_id])
        if self.free.get(asset, Decimal(0)) < needed:
            return Refusal.INSUFFICIENT
        self.free[asset] -= needed
        self.locked[asset] = self.locked.get(asset, Decimal(0)) + needed
        order.reserved, order.reserved_asset = needed, asset
        return None

    def _release(self, order: SimOrder) -> None:
        if order.reserved:
            asset = order.reserved_asset
            self.locked[asset] -= order.reserved
            self.free[asset] += order.reserved
            order.reserved = Decimal(0)

    def _crosses(self, order: SimOrder, price: Decimal) -> bool:
        if order.kind is Kind.STOP_LOSS:
            return order.stop is not None and price <= order.stop
        if order.price is None:
            return True
        return price <= order.price if order.side == "buy" else price >= order.price

    def _fill(self, order: SimOrder, price: Decimal, now_ms: int) -> None:
        for leg in [order, *self.siblings(order)]:
            self._release(leg)
            if leg is not order and leg.is_open:
                leg.status, leg.updated_ms = "EXPIRED", now_ms
        base, quote = order.market.base, order.market.quote
        cost = order.amount * price
        received, paid = (base, quote) if order.side == "buy" else (quote, base)
        fee_asset = quote if self.fee_in_quote else received
        fee = (cost if fee_asset == quote else order.amount) * self.fee_rate
        if self.bnb_price is not None:
            in_bnb = cost * self.fee_rate * BNB_DISCOUNT / self.bnb_price
            if self.free.get("BNB", Decimal(0)) >= in_bnb:
                fee_asset, fee = "BNB", in_bnb
        self.free[paid] = self.free.get(paid, Decimal(0)) - (
            cost if paid == quote else order.amount
        )
        self.free[received] = self.free.get(received, Decimal(0)) + (
            cost if received == quote else order.amount
        )
        self.free[fee_asset] -= fee
        order.status, order.filled, order.cost, order.updated_ms = (
            "FILLED",
            order.amount,
            cost,
            now_ms,
        )
        order.fee, order.fee_asset = fee, fee_asset
        self.trades.append(
            SimTrade(len(self.trades) + 1, order, price, order.amount, fee, fee_asset, now_ms)
        )
        if order.working:
            self._activate(order, now_ms)

    def _activate(self, working: SimOrder, now_ms: int) -> None:
        """The working order filled: its pending OCO legs become active, reserved once."""
        pending = [o for o in self.in_list(working.list_id or 0) if o.is_pending]
        for leg in pending:
            leg.status, leg.updated_ms = "NEW", now_ms
        stop = next((o for o in pending if o.kind is Kind.STOP_LOSS), None)
        if stop is not None and self._reserve(stop, stop.amount) is not None:
            # More than the account holds (the fee was taken from the coin bought): the legs
            # cannot be placed. What Binance does then is not documented; modelled as the
            # legs expiring, which leaves the coin bought without its stop-loss.
            for leg in pending:
                leg.status = "EXPIRED"
