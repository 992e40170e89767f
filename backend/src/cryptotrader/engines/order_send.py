"""Sending an order: checked, sent with its client id, never sent twice, failures counted.

After an ambiguous failure (``OrderOutcomeUnknown``, a timeout, a network error) the order is
looked up by its client id first; it is sent again only when the exchange says it never received
it. When the exchange cannot even answer, trading stops until reconciliation succeeds.
``failures_to_pause`` consecutive failed orders pause the bot and alert (circuit breaker).
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import TypeVar

from cryptotrader.clock import MarketClock
from cryptotrader.domain.enums import BotKind, OrderStatus, OrderType, Side
from cryptotrader.domain.orders import Order
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.reports import BracketReport, OrderReport, ProtectionReport
from cryptotrader.domain.trusted import trusted
from cryptotrader.engines import client_ids
from cryptotrader.engines.order_deps import OrderEngineDeps
from cryptotrader.engines.order_events import Announcer
from cryptotrader.engines.order_state import TradingState
from cryptotrader.engines.order_store import OrderStore
from cryptotrader.errors import (
    OperationalError,
    OrderOutcomeUnknown,
    OrderRejected,
    TemporaryError,
    TraderError,
)

log = logging.getLogger(__name__)
T = TypeVar("T")

_COID = re.compile(r"[A-Za-z0-9_\-.]{1,36}")
"""``Order.client_order_id``'s own rule."""
_GIVEN = frozenset(
    {"client_order_id", "bot", "pair", "side", "type", "quantity", "price", "created_at"}
)
_GIVEN_LEVELS = _GIVEN | {"stop_loss", "take_profit"}
_ZERO = Decimal(0)


def new_order(  # noqa: PLR0917 - an order's fields
    coid: str,
    bot: BotKind,
    pair: Pair,
    side: Side,
    kind: OrderType,
    quantity: Decimal,
    *,
    price: Decimal | None,
    created_at: datetime,
    stop_loss: Decimal | None = None,
    take_profit: Decimal | None = None,
) -> Order:
    """A new order (pending, nothing filled), as ``Order(...)`` validates it.

    Built without validating again (``domain.trusted``: ~40 us each, two per trade of a 50-pair
    candle time before its last order) when its values pass ``Order``'s checks here, which they
    do on the order engine's path (``test_order_send_new_order.py``); otherwise validated, so
    that what ``Order`` refuses is refused with its error.
    """
    levels = stop_loss is not None or take_profit is not None
    if (
        _COID.fullmatch(coid) is not None
        and type(quantity) is Decimal
        and quantity.is_finite()
        and quantity >= 0
        and created_at.tzinfo is UTC
        and (kind is OrderType.MARKET or price is not None)
        and all(_price(p) for p in (price, stop_loss, take_profit))
        and not (
            side is Side.BUY
            and stop_loss is not None
            and take_profit is not None
            and stop_loss >= take_profit
        )
    ):
        values = {  # in the model's field order
            "client_order_id": coid,
            "bot": bot,
            "pair": pair,
            "side": side,
            "type": kind,
            "quantity": quantity,
            "price": price,
            "stop_loss": stop_loss,
            "take_profit": take_profit,
            "status": OrderStatus.PENDING,
            "exchange_order_id": None,
            "filled_quantity": _ZERO,
            "average_fill_price": None,
            "fee": _ZERO,
            "created_at": created_at,
        }
        return trusted(Order, values, _GIVEN_LEVELS if levels else _GIVEN)
    given: dict[str, object] = (
        {"stop_loss": stop_loss, "take_profit": take_profit} if levels else {}
    )
    return Order(
        client_order_id=coid,
        bot=bot,
        pair=pair,
        side=side,
        type=kind,
        quantity=quantity,
        price=price,
        created_at=created_at,
        **given,
    )


def _price(value: Decimal | None) -> bool:
    return value is None or (type(value) is Decimal and value.is_finite() and value > 0)


class OrderSender:
    """Sends stored orders to the exchange.

    Args:
        deps: the shared collaborators and settings (``OrderEngineDeps``).
        store: looks an order up after an ambiguous failure; records refusals.
        announcer: alerts on failures; pauses the bot.
        state: the failures in a row; trading stops on an operational error.
    """

    def __init__(
        self,
        deps: OrderEngineDeps,
        *,
        store: OrderStore,
        announcer: Announcer,
        state: TradingState,
    ) -> None:
        self._exchange = deps.exchange
        self._pair = deps.pair
        self._clock = deps.clock
        self._progress = deps.progress
        self._risk = deps.risk
        self._live = deps.live
        self._telemetry = deps.telemetry
        self._store = store
        self._announcer = announcer
        self._state = state
        self._attempts = deps.send_attempts
        self._delay_s = deps.retry_delay_s
        self._failures_to_pause = deps.failures_to_pause

    def new_order(
        self,
        bot: BotKind,
        coid: str,
        kind: OrderType,
        quantity: Decimal,
        *,
        side: Side = Side.SELL,
        price: Decimal | None = None,
    ) -> Order:
        """An order of ours on the traded pair, created now."""
        return new_order(
            coid, bot, self._pair, side, kind, quantity, price=price, created_at=self._clock.now()
        )

    async def send(self, order: Order) -> OrderReport | None:
        """Send ``order``; after an ambiguous failure look it up, re-send only if never received.

        Returns None when the order was refused or could not be sent (recorded, counted by the
        circuit breaker).

        Raises:
            OperationalError: the exchange needs a human (authentication, unknown error), or the
                order's fate cannot be learnt; trading stops until reconciliation succeeds.
        """
        price = order.price if order.type is OrderType.LIMIT else None
        place = self._exchange.buy if order.side is Side.BUY else self._exchange.sell
        return await self._send(
            order,
            lambda: place(self._pair, order.quantity, price, client_order_id=order.client_order_id),
            lambda: self._store.lookup(order.client_order_id),
        )

    async def send_within(self, order: Order) -> OrderReport | None:
        """Send ``order`` once, from inside the transaction that writes it; None if not answered.

        For the paper exchange only (``order_batch._fill_within``): nothing is written here and
        nothing retried. Any refusal or failure returns None, uncounted: the caller forgets the
        venue's unsaved changes and sends the order again the usual way (``send``), once it is
        committed, which refuses, retries, records and counts as always.
        """
        price = order.price if order.type is OrderType.LIMIT else None
        place = self._exchange.buy if order.side is Side.BUY else self._exchange.sell
        started = time.perf_counter()
        try:
            self._risk.check_exit(live=self._live)
            report = await place(
                self._pair, order.quantity, price, client_order_id=order.client_order_id
            )
        except TraderError:
            return None
        self._telemetry.order_sent(
            round_trip_s=time.perf_counter() - started, close_to_order_s=self._since_close()
        )
        self._state.failures[order.bot] = 0
        return report

    async def send_replacing(
        self, order: Order, *, cancel_client_order_id: str
    ) -> OrderReport | None:
        """Send a market sale that cancels ``cancel_client_order_id`` in the same request.

        Only where ``capabilities.atomic_exit`` (``BaseExchange.replace_with_sale``). Failures
        are handled as ``send``'s: after an ambiguous one the sale is looked up by its id.

        Raises:
            CancelReplaceFailed: the order to cancel was not open; nothing was done (the
                caller looks it up and takes the cancel-then-sell path).
            OperationalError: as ``send``.
        """

        async def submit() -> OrderReport:
            replaced = await self._exchange.replace_with_sale(
                self._pair,
                order.quantity,
                cancel_client_order_id=cancel_client_order_id,
                client_order_id=order.client_order_id,
            )
            return replaced.sale

        return await self._send(order, submit, lambda: self._store.lookup(order.client_order_id))

    async def send_bracket(self, order: Order) -> BracketReport | None:
        """Send a limit entry with its stop-loss and take-profit as one order list.

        Only where ``capabilities.native_bracket`` (``BaseExchange.place_bracket``); the legs'
        ids are the entry's with ``-sl`` and ``-tp`` (its first protection), stored with it.
        Failures are handled as ``send``'s: the list is looked up by the entry's id.
        """
        assert order.price is not None, "a bracket's entry is a limit order"
        assert order.stop_loss is not None, "a bracket has its stop-loss"
        assert order.take_profit is not None, "a bracket has its take-profit"
        price, stop, take = order.price, order.stop_loss, order.take_profit
        return await self._send(
            order,
            lambda: self._exchange.place_bracket(
                self._pair,
                order.quantity,
                price=price,
                stop_loss=stop,
                take_profit=take,
                client_order_id=order.client_order_id,
                protection_client_order_id=client_ids.protection_id(order.client_order_id, 1),
            ),
            lambda: self.find_bracket(order.client_order_id),
        )

    async def find_bracket(self, entry_id: str) -> BracketReport | None:
        """A bracket as the exchange knows it (entry and legs), or None if it never received it.

        Raises:
            OperationalError: the exchange holds the entry but not its legs (an order list is
                placed whole, so the account needs a person), or cannot answer.
        """
        entry = await self._store.lookup(entry_id)
        if entry is None:
            return None
        base = client_ids.protection_id(entry_id, 1)
        stop = await self._store.lookup(f"{base}-sl")
        take = await self._store.lookup(f"{base}-tp")
        if stop is None:
            raise OperationalError(
                f"the exchange holds bracket entry {entry_id} without its stop-loss {base}-sl: "
                "check the account by hand"
            )
        return BracketReport(
            entry=entry,
            protection=ProtectionReport(stop_loss=stop, take_profit=take, native_oco=True),
        )

    async def _send(
        self,
        order: Order,
        submit: Callable[[], Awaitable[T]],
        lookup: Callable[[], Awaitable[T | None]],
    ) -> T | None:
        failures = self._state.failures
        for attempt in range(1, self._attempts + 1):
            try:
                self._risk.check_exit(live=self._live)
                report = await self._timed(submit)
            except OrderRejected as exc:
                await self._failed(order, str(exc), status=OrderStatus.REJECTED)
                return None
            except (OrderOutcomeUnknown, TemporaryError) as exc:
                log.warning("order %s, attempt %d: %s", order.client_order_id, attempt, exc)
                found = await lookup()
                if found is not None:
                    failures[order.bot] = 0
                    return found
                await asyncio.sleep(self._delay_s * attempt)
                continue
            except OperationalError as exc:
                self._state.trading_allowed = False
                await self._failed(order, str(exc), status=None)
                raise
            failures[order.bot] = 0
            return report
        await self._failed(order, "the exchange could not be reached", status=OrderStatus.REJECTED)
        return None

    async def _timed(self, submit: Callable[[], Awaitable[T]]) -> T:
        started = time.perf_counter()
        try:
            report = await submit()
        except TraderError as exc:
            self._telemetry.exchange_error(type(exc).__name__)
            raise
        self._telemetry.order_sent(
            round_trip_s=time.perf_counter() - started, close_to_order_s=self._since_close()
        )
        return report

    def _since_close(self) -> float | None:
        """Seconds since the close of the candle being traded; None in a replay (market time)."""
        step = self._progress.step_ms
        if step is None or isinstance(self._clock, MarketClock):
            return None
        close_ms = step + self._progress.timeframe.milliseconds
        return max(0.0, time.time() - close_ms / 1000)

    async def _failed(self, order: Order, why: str, *, status: OrderStatus | None) -> None:
        """Record a failed order and count it; ``failures_to_pause`` in a row pause the bot."""
        failures = self._state.failures
        failures[order.bot] += 1
        count = failures[order.bot]
        text = f"{order.bot} bot order {order.client_order_id} failed ({count} in a row): {why}"
        if status is not None:  # the alert follows the status recorded: written with it
            alert = self._announcer.alert_event(
                "order_failed", text, bot=order.bot, severity="warning"
            )
            await self._store.record_status(order, status, also=[alert])
        else:  # nothing recorded (the exchange could not be asked)
            await self._announcer.alert("order_failed", text, bot=order.bot, severity="warning")
        if count >= self._failures_to_pause:
            failures[order.bot] = 0
            await self._announcer.pause(
                order.bot, f"{count} consecutive order failures (last: {why})"
            )
