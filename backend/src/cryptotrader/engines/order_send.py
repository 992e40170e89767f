"""Sending an order: checked, sent with its client id, never sent twice, failures counted.

After an ambiguous failure (``OrderOutcomeUnknown``, a timeout, a network error) the order is
looked up by its client id first; it is sent again only when the exchange says it never received
it. When the exchange cannot even answer, trading stops until reconciliation succeeds.
``failures_to_pause`` consecutive failed orders pause the bot and alert (circuit breaker).
"""

from __future__ import annotations

import asyncio
import logging
import time
from decimal import Decimal

from cryptotrader.clock import Clock, MarketClock
from cryptotrader.domain.enums import BotKind, OrderStatus, OrderType, Side
from cryptotrader.domain.orders import Order
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.reports import OrderReport
from cryptotrader.engines.order_events import Announcer
from cryptotrader.engines.order_state import TradingState
from cryptotrader.engines.order_store import OrderStore
from cryptotrader.engines.progress import Progress
from cryptotrader.errors import (
    OperationalError,
    OrderOutcomeUnknown,
    OrderRejected,
    TemporaryError,
    TraderError,
)
from cryptotrader.exchanges.base import BaseExchange
from cryptotrader.monitoring.telemetry import Telemetry
from cryptotrader.risk.manager import RiskManager

log = logging.getLogger(__name__)


class OrderSender:
    """Sends stored orders to the exchange.

    Args:
        exchange: where orders go.
        pair: the market traded.
        clock: the orders' creation time; a ``MarketClock`` (a replay) reports no latency.
        progress: the candle being traded (for the close-to-order latency).
        risk: the live-trading arming every order is checked against.
        live: True when orders move real money.
        telemetry: orders sent, their round trips, exchange errors.
        store: looks an order up after an ambiguous failure; records refusals.
        announcer: alerts on failures; pauses the bot.
        state: the failures in a row; trading stops on an operational error.
        send_attempts: tries per order on temporary failures.
        retry_delay_s: first pause between tries (grows linearly).
        failures_to_pause: consecutive failed orders that pause a bot.
    """

    def __init__(
        self,
        *,
        exchange: BaseExchange,
        pair: Pair,
        clock: Clock,
        progress: Progress,
        risk: RiskManager,
        live: bool,
        telemetry: Telemetry,
        store: OrderStore,
        announcer: Announcer,
        state: TradingState,
        send_attempts: int,
        retry_delay_s: float,
        failures_to_pause: int,
    ) -> None:
        self._exchange = exchange
        self._pair = pair
        self._clock = clock
        self._progress = progress
        self._risk = risk
        self._live = live
        self._telemetry = telemetry
        self._store = store
        self._announcer = announcer
        self._state = state
        self._attempts = send_attempts
        self._delay_s = retry_delay_s
        self._failures_to_pause = failures_to_pause

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
        return Order(
            client_order_id=coid,
            bot=bot,
            pair=self._pair,
            side=side,
            type=kind,
            quantity=quantity,
            price=price,
            created_at=self._clock.now(),
        )

    async def send(self, order: Order) -> OrderReport | None:
        """Send ``order``; after an ambiguous failure look it up, re-send only if never received.

        Returns None when the order was refused or could not be sent (recorded, counted by the
        circuit breaker).

        Raises:
            OperationalError: the exchange needs a human (authentication, unknown error), or the
                order's fate cannot be learnt; trading stops until reconciliation succeeds.
        """
        failures = self._state.failures
        for attempt in range(1, self._attempts + 1):
            try:
                self._risk.check_exit(live=self._live)
                report = await self._submit(order)
            except OrderRejected as exc:
                await self._failed(order, str(exc), status=OrderStatus.REJECTED)
                return None
            except (OrderOutcomeUnknown, TemporaryError) as exc:
                log.warning("order %s, attempt %d: %s", order.client_order_id, attempt, exc)
                found = await self._store.lookup(order.client_order_id)
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

    async def _submit(self, order: Order) -> OrderReport:
        price = order.price if order.type is OrderType.LIMIT else None
        place = self._exchange.buy if order.side is Side.BUY else self._exchange.sell
        started = time.perf_counter()
        try:
            report = await place(
                self._pair, order.quantity, price, client_order_id=order.client_order_id
            )
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
        if status is not None:
            await self._store.record_status(order, status)
        failures = self._state.failures
        failures[order.bot] += 1
        count = failures[order.bot]
        await self._announcer.alert(
            "order_failed",
            f"{order.bot} bot order {order.client_order_id} failed ({count} in a row): {why}",
            bot=order.bot,
            severity="warning",
        )
        if count >= self._failures_to_pause:
            failures[order.bot] = 0
            await self._announcer.pause(
                order.bot, f"{count} consecutive order failures (last: {why})"
            )
