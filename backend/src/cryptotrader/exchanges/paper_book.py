"""The paper exchange's order book and balances: pure, in memory, with the backtest's fill rules.

Prices are simulated in binary floating point exactly as the backtest kernel does
(``engines/backtest/_kernel.py``): a market buy fills at ``price x (1 + slippage)``, a sell at
``price x (1 - slippage)``; stop-loss and take-profit pairs are checked against each candle with
the kernel's own ``domain.fills.touch`` (a gap at the open fills at the open, the stop first when
one candle touches both). A fill's price is reported exactly (``risk.protection.exact``); its
money is the backtest ledger's (``domain.fills``: ``money``, 8 decimals; ``fee_of``, fee on that
notional rounded half-up to 1e-8), so balances move by exactly what a backtest's trades book.
Limit orders fill at their price or better, without slippage. A market order placed before any
price is known waits for the next price (the next candle's open).
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from cryptotrader.domain.enums import OrderStatus, OrderType, Side
from cryptotrader.domain.fills import REASON_STOP, fee_of, money, touch
from cryptotrader.domain.markets import MarketRules
from cryptotrader.domain.pairs import Pair
from cryptotrader.errors import InsufficientFunds, OrderNotFound, OrderRejected
from cryptotrader.exchanges.paper_orders import MarketState, PaperFill, PaperOrder
from cryptotrader.risk.protection import exact


class PaperBook:
    """Balances and orders of one paper account, and the rules that fill them.

    Args:
        fee_rate: fee per fill, as a fraction of the notional.
        slippage: price slippage of market and stop fills, as a fraction.
        rules: amount step and minimums of the markets.
        balances: starting free balances by asset.
        max_fill: the most a market order fills at one price (a thin book); the rest fills at
            the next prices. None: market orders fill whole.
    """

    def __init__(
        self,
        *,
        fee_rate: Decimal,
        slippage: Decimal,
        rules: MarketRules,
        balances: dict[str, Decimal],
        max_fill: Decimal | None = None,
    ) -> None:
        self.fee_rate = fee_rate
        self.max_fill = max_fill
        self.slip = float(slippage)
        self.rules = rules
        self.free: dict[str, Decimal] = dict(balances)
        self.used: dict[str, Decimal] = {}
        self.orders: dict[str, PaperOrder] = {}
        self.open: dict[str, PaperOrder] = {}
        """The orders not final yet (what each candle checks), in the order they were placed."""
        self._open_of: dict[str, dict[str, PaperOrder]] = {}
        """``open`` by symbol (a candle reads only its pair's)."""
        self.markets: dict[str, MarketState] = {}
        self.seq = 0
        self.duplicates = 0
        self.changed: dict[str, int] = {}
        """The orders changed since their last save: client id -> the number of its last change."""
        self.tick = 0
        """The number of the last change of an order (``changed``)."""
        self.dirty = False

    # --- state documents ----------------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        """The account document (everything but the orders)."""
        return {
            "free": {k: str(v) for k, v in self.free.items()},
            "used": {k: str(v) for k, v in self.used.items()},
            "markets": {
                s: [m.last_candle_ms, m.price, m.price_ms] for s, m in self.markets.items()
            },
            "seq": self.seq,
            "duplicates": self.duplicates,
        }

    def restore(self, state: dict[str, Any], orders: list[dict[str, Any]]) -> None:
        """Load a saved account document and its orders."""
        self.free = {k: Decimal(v) for k, v in state["free"].items()}
        self.used = {k: Decimal(v) for k, v in state["used"].items()}
        self.markets = {s: MarketState(*m) for s, m in state["markets"].items()}
        self.seq = state["seq"]
        self.duplicates = state["duplicates"]
        loaded = sorted((PaperOrder.from_dict(doc) for doc in orders), key=_placed)
        self.orders = {order.client_order_id: order for order in loaded}
        self.open = {}
        self._open_of = {}
        for coid, order in self.orders.items():
            if order.is_open:
                self.open[coid] = order
                self._open_of.setdefault(order.symbol, {})[coid] = order

    def changes(self) -> list[tuple[str, dict[str, Any]]]:
        """The orders changed since the last save, as documents; the change set is kept."""
        return [(coid, self.orders[coid].to_dict()) for coid in sorted(self.changed)]

    def saved(
        self, state: dict[str, Any], orders: list[tuple[str, dict[str, Any]]], tick: int
    ) -> None:
        """A save of ``state`` and ``orders`` (``changes`` when ``tick`` was the last) committed.

        What has not changed since is saved: an order out of the change set unless it changed
        after ``tick`` (every change of an order is numbered: no document to build again and
        compare), and the book no longer dirty if nothing else changed.
        """
        changed = self.changed
        for coid, _ in orders:
            if changed.get(coid, tick + 1) <= tick:
                del changed[coid]
        self.dirty = bool(changed) or self.state() != state

    def take_changes(self) -> list[tuple[str, dict[str, Any]]]:
        """The orders changed since the last call, as documents; clears the change set."""
        changed = [(coid, self.orders[coid].to_dict()) for coid in sorted(self.changed)]
        self.changed.clear()
        self.dirty = False
        return changed

    # --- orders -------------------------------------------------------------------------------

    def has_open(self, symbol: str) -> bool:
        """True when an order on ``symbol`` is not final yet."""
        return bool(self._open_of.get(symbol))

    def market(self, symbol: str) -> MarketState:
        """The market state of ``symbol`` (created empty on first use)."""
        state = self.markets.get(symbol)
        if state is None:
            state = self.markets[symbol] = MarketState()
        return state

    def submit(
        self,
        pair: Pair,
        side: Side,
        amount: Decimal,
        *,
        limit: Decimal | None,
        coid: str,
        now: int,
    ) -> PaperOrder:
        """Accept a market (``limit`` None) or limit order; it may fill at once.

        Raises:
            OrderRejected: duplicate client id, a limit price not positive, or the amount
                breaks the market's rules.
            InsufficientFunds: the free balance cannot pay for it.
        """
        self._check_new(coid)
        _check_price(limit)
        price = self.market(pair.symbol).price
        self._check_amount(amount, limit if limit is not None else price)
        order = self._new(coid, pair.symbol, side, OrderType.MARKET, amount, limit, now)
        if limit is not None:
            order.type = OrderType.LIMIT
            self._reserve_limit(order, pair)
        elif price is not None:
            self._check_funds(order, pair, price)
        self._register(order)
        if limit is None and price is not None:
            self._fill_market(order, pair, price, now)
        elif limit is not None and price is not None:
            self._fill_limit(order, pair, price, price, price, now)
        return order

    def protect(
        self,
        pair: Pair,
        amount: Decimal,
        *,
        stop: Decimal,
        take: Decimal | None,
        coid: str,
        now: int,
    ) -> tuple[PaperOrder, PaperOrder | None]:
        """An OCO pair: a sell stop at ``stop`` and a sell limit at ``take`` for ``amount``.

        Raises:
            OrderRejected: duplicate client id, a price not positive, or the amount breaks the
                market's rules.
            InsufficientFunds: the free base balance is below ``amount``.
        """
        sl_id, tp_id = f"{coid}-sl", f"{coid}-tp"
        self._check_new(sl_id)
        if take is not None:
            self._check_new(tp_id)
        if self.rules.round_amount(amount) != amount or amount < self.rules.min_amount:
            raise OrderRejected(f"paper: protection amount {amount} breaks the market's rules")
        _check_price(stop)
        _check_price(take)
        self._move(pair.base, amount, to_used=True)
        stop_order = self._new(
            sl_id, pair.symbol, Side.SELL, OrderType.STOP_LOSS, amount, stop, now
        )
        take_order = None
        if take is not None:
            take_order = self._new(
                tp_id, pair.symbol, Side.SELL, OrderType.TAKE_PROFIT, amount, take, now
            )
            stop_order.link, take_order.link = tp_id, sl_id
        self._register(stop_order)
        if take_order is not None:
            self._register(take_order)
        return stop_order, take_order

    def cancel(self, coid: str, now: int) -> list[PaperOrder]:
        """Cancel an open order (both legs of an OCO pair); a final one is left as it is.

        Raises:
            OrderNotFound: no order has this client id.
        """
        order = self.orders.get(coid)
        if order is None:
            raise OrderNotFound(f"paper: no order {coid}")
        if not order.is_open:
            return [order]
        legs = [order]
        if order.link is not None and self.orders[order.link].is_open:
            legs.append(self.orders[order.link])
        self._release(order)
        for leg in legs:
            self._finish(leg, OrderStatus.CANCELED, now)
        return legs

    # --- market events ------------------------------------------------------------------------

    def candle(  # noqa: PLR0917 - one candle's fields, in their usual order
        self, pair: Pair, open_ms: int, close_ms: int, o: float, h: float, lo: float, c: float
    ) -> list[PaperOrder]:
        """Fill what one candle reaches; returns the orders that changed.

        Waiting market orders fill at the open, limit orders at their price or better, and
        stop-loss / take-profit pairs by the kernel's ``touch``. A candle seen before is ignored.
        """
        symbol = pair.symbol
        state = self.market(symbol)
        if state.last_candle_ms is not None and open_ms <= state.last_candle_ms:
            return []
        changed: list[PaperOrder] = []
        for order in self._open_orders(symbol):
            if not order.is_open:
                continue  # the other leg of an OCO pair filled just before
            if order.type is OrderType.MARKET:
                changed += self._fill_market(order, pair, o, open_ms)
            elif order.type is OrderType.LIMIT:
                changed += self._fill_limit(order, pair, o, h, lo, open_ms)
            elif order.type is OrderType.STOP_LOSS:
                changed += self._trigger(order, pair, o, h, lo, open_ms)
        state.last_candle_ms = open_ms
        state.price, state.price_ms = c, close_ms
        return changed

    def quiet_candle(self, symbol: str, open_ms: int, close_ms: int, close: float) -> None:
        """``candle`` on a pair with no open order: only its market state moves."""
        state = self.market(symbol)
        if state.last_candle_ms is None or open_ms > state.last_candle_ms:
            state.last_candle_ms = open_ms
            state.price, state.price_ms = close, close_ms

    def resting(self, symbol: str, o: float, h: float, lo: float) -> bool:
        """True when ``candle`` with this open, high and low would fill nothing on ``symbol``.

        Only stop-loss / take-profit pairs the candle does not reach (``touch``) rest there: no
        market or limit order waits. ``quiet_candle`` then does all ``candle`` would; and with no
        market order waiting, ``mark`` without ``trigger`` fills nothing either (``quiet_mark``).
        """
        if not self._open_of.get(symbol):
            return True
        levels = self.levels(symbol)
        return levels is not None and not any(touch(o, h, lo, s, t)[0] for s, t in levels)

    def levels(self, symbol: str) -> list[tuple[float, float]] | None:
        """The stop and take-profit levels (inf: none) of the pairs resting on ``symbol``.

        None when another order waits (a market or limit order): a candle may fill it whatever
        these levels. ``candle`` fills nothing on a candle that ``touch``es none of them.
        """
        levels = []
        for order in self._open_of.get(symbol, {}).values():
            kind = order.type
            if kind is OrderType.TAKE_PROFIT:
                continue  # checked with its stop, as ``candle`` does
            if kind is not OrderType.STOP_LOSS or order.price is None:
                return None
            take = self.orders[order.link] if order.link is not None else None
            take_level = math.inf if take is None or take.price is None else float(take.price)
            levels.append((float(order.price), take_level))
        return levels

    def quiet_mark(self, symbol: str, price: float, at_ms: int) -> None:
        """``mark`` on a pair with no open order: only its market state moves."""
        state = self.market(symbol)
        state.price, state.price_ms = price, at_ms

    def mark(self, pair: Pair, price: float, at_ms: int, *, trigger: bool) -> list[PaperOrder]:
        """The market trades at ``price`` now; returns the orders that changed.

        Waiting market orders fill at it; with ``trigger``, resting orders it reaches fill too
        (a price is a candle with no range).
        """
        state = self.market(pair.symbol)
        state.price, state.price_ms = price, at_ms
        changed: list[PaperOrder] = []
        for order in self._open_orders(pair.symbol):
            if not order.is_open:
                continue
            if order.type is OrderType.MARKET:
                changed += self._fill_market(order, pair, price, at_ms)
            elif trigger and order.type is OrderType.LIMIT:
                changed += self._fill_limit(order, pair, price, price, price, at_ms)
            elif trigger and order.type is OrderType.STOP_LOSS:
                changed += self._trigger(order, pair, price, price, price, at_ms)
        return changed

    # --- internals ----------------------------------------------------------------------------

    def _check_new(self, coid: str) -> None:
        if coid in self.orders:
            self.duplicates += 1
            self.dirty = True
            raise OrderRejected(f"paper: duplicate client order id {coid}")

    def _check_amount(self, amount: Decimal, price: Decimal | float | None) -> None:
        rules = self.rules
        if price is None:  # the notional is checked when the price is known, at the fill
            problem = None if amount >= rules.min_amount else f"amount {amount} below the minimum"
            if rules.round_amount(amount) != amount:
                problem = f"amount {amount} is not a multiple of the step {rules.amount_step}"
        else:
            problem = rules.check_order(
                amount, Decimal(repr(price)) if isinstance(price, float) else price
            )
        if problem is not None:
            raise OrderRejected(f"paper: {problem}")

    def _check_funds(self, order: PaperOrder, pair: Pair, price: float) -> None:
        """Refuse a market order the free balance cannot pay for at ``price``."""
        if order.side is Side.SELL:
            have = self.free.get(pair.base, Decimal(0))
            if have < order.amount:
                raise InsufficientFunds(f"paper: {order.amount} {pair.base} needed, {have} free")
            return
        fill = money(price * (1.0 + self.slip))
        pay = fill * order.amount + fee_of(fill, order.amount, self.fee_rate)
        have = self.free.get(pair.quote, Decimal(0))
        if have < pay:
            raise InsufficientFunds(f"paper: {pay} {pair.quote} needed, {have} free")

    def _new(  # noqa: PLR0917 - the order's fields, in their usual order
        self,
        coid: str,
        symbol: str,
        side: Side,
        kind: OrderType,
        amount: Decimal,
        price: Decimal | None,
        now: int,
    ) -> PaperOrder:
        self.seq += 1
        return PaperOrder(
            coid, f"P{self.seq}", symbol, side, kind, amount, price, OrderStatus.OPEN, now, now
        )

    def _register(self, order: PaperOrder) -> None:
        self.orders[order.client_order_id] = order
        self.open[order.client_order_id] = order
        self._open_of.setdefault(order.symbol, {})[order.client_order_id] = order
        self._changed(order.client_order_id)

    def _open_orders(self, symbol: str) -> list[PaperOrder]:
        return list(self._open_of.get(symbol, {}).values())

    def _finish(self, order: PaperOrder, status: OrderStatus, now: int) -> None:
        order.status = status
        if status.is_final:
            self.open.pop(order.client_order_id, None)
            self._open_of.get(order.symbol, {}).pop(order.client_order_id, None)
        order.updated_ms = now
        self._changed(order.client_order_id)

    def _changed(self, coid: str) -> None:
        self.tick += 1
        self.changed[coid] = self.tick
        self.dirty = True

    def _move(self, asset: str, amount: Decimal, *, to_used: bool) -> None:
        source, target = (self.free, self.used) if to_used else (self.used, self.free)
        have = source.get(asset, Decimal(0))
        if have < amount:
            raise InsufficientFunds(f"paper: {amount} {asset} needed, {have} available")
        source[asset] = have - amount
        target[asset] = target.get(asset, Decimal(0)) + amount

    def _reserve_limit(self, order: PaperOrder, pair: Pair) -> None:
        assert order.price is not None
        if order.side is Side.BUY:
            cost = order.price * order.amount
            self._move(
                pair.quote, cost + fee_of(order.price, order.amount, self.fee_rate), to_used=True
            )
        else:
            self._move(pair.base, order.amount, to_used=True)

    def _release(self, order: PaperOrder) -> None:
        if order.type is OrderType.MARKET:
            return
        pair = Pair.parse(order.symbol)
        if order.side is Side.SELL:
            self._move(pair.base, order.amount - order.filled, to_used=False)
        else:
            assert order.price is not None
            rest = order.amount - order.filled
            self._move(
                pair.quote,
                order.price * rest + fee_of(order.price, rest, self.fee_rate),
                to_used=False,
            )

    def _fill_market(
        self, order: PaperOrder, pair: Pair, price: float, now: int
    ) -> list[PaperOrder]:
        factor = 1.0 + self.slip if order.side is Side.BUY else 1.0 - self.slip
        rest = order.amount - order.filled
        part = rest if self.max_fill is None else min(rest, self.max_fill)
        try:
            self._execute(order, pair, price * factor, now, reserved=False, amount=part)
        except InsufficientFunds:
            self._finish(order, OrderStatus.REJECTED, now)
        return [order]

    def _fill_limit(  # noqa: PLR0917 - a candle's open, high and low
        self, order: PaperOrder, pair: Pair, o: float, h: float, lo: float, now: int
    ) -> list[PaperOrder]:
        assert order.price is not None
        limit = float(order.price)
        if order.side is Side.BUY:
            price = o if o <= limit else (limit if lo <= limit else math.nan)
        else:
            price = o if o >= limit else (limit if h >= limit else math.nan)
        if math.isnan(price):
            return []
        if order.side is Side.BUY:
            self._release(order)  # the reservation was at the limit; pay the actual price
        self._execute(order, pair, price, now, reserved=order.side is Side.SELL)
        return [order]

    def _trigger(  # noqa: PLR0917 - a candle's open, high and low
        self, stop: PaperOrder, pair: Pair, o: float, h: float, lo: float, now: int
    ) -> list[PaperOrder]:
        assert stop.price is not None
        take = self.orders[stop.link] if stop.link is not None else None
        take_level = math.inf if take is None or take.price is None else float(take.price)
        reason, level = touch(o, h, lo, float(stop.price), take_level)
        if reason == 0:
            return []
        filled, other = (stop, take) if reason == REASON_STOP else (take, stop)
        assert filled is not None
        self._execute(filled, pair, level * (1.0 - self.slip), now, reserved=True)
        if other is not None:
            self._finish(other, OrderStatus.CANCELED, now)
            return [filled, other]
        return [filled]

    def _execute(
        self,
        order: PaperOrder,
        pair: Pair,
        price: float,
        now: int,
        *,
        reserved: bool,
        amount: Decimal | None = None,
    ) -> None:
        """Fill ``amount`` (default: the rest) of ``order`` at ``price``; move the balances."""
        amount = order.amount - order.filled if amount is None else amount
        notional = money(price) * amount
        fee = fee_of(money(price), amount, self.fee_rate)
        if order.side is Side.BUY:
            pay = notional + fee
            if self.free.get(pair.quote, Decimal(0)) < pay:
                raise InsufficientFunds(f"paper: {pay} {pair.quote} needed")
            self.free[pair.quote] -= pay
            self.free[pair.base] = self.free.get(pair.base, Decimal(0)) + amount
        else:
            book = self.used if reserved else self.free
            if book.get(pair.base, Decimal(0)) < amount:
                raise InsufficientFunds(f"paper: {amount} {pair.base} needed")
            book[pair.base] -= amount
            self.free[pair.quote] = self.free.get(pair.quote, Decimal(0)) + notional - fee
        self.seq += 1
        order.fills.append(PaperFill(f"F{self.seq}", exact(price), amount, fee, now))
        whole = order.filled >= order.amount
        self._finish(order, OrderStatus.FILLED if whole else OrderStatus.PARTIALLY_FILLED, now)


def _check_price(price: Decimal | None) -> None:
    """Refuse a limit, stop or target price that is not a positive number.

    As a venue would; and an order's report is built without validating it again
    (``PaperOrder.report``), so its price must be valid from the start.
    """
    if price is not None and not (price.is_finite() and price > 0):
        raise OrderRejected(f"paper: price {price} is not a positive number")


def _placed(order: PaperOrder) -> tuple[int, int]:
    """Placement order: creation time, then the exchange id's sequence number."""
    return order.created_ms, int(order.exchange_order_id[1:])
