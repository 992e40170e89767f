"""OrderEngine: validated orders, stored before they are sent, never sent twice, never unprotected.

* Every entry is sized by the portfolio (capital, confidence, current risk) and checked by the
  ``RiskManager``; exits and protection only by the live-trading arming (refusing an exit would
  leave a position open).
* Every order is **written to the database before it is sent**, with a deterministic client
  order id (``client_ids``), and sent with it.
* After an ambiguous failure (``OrderOutcomeUnknown``, a timeout, a network error) the order is
  looked up by its client id first; it is sent again only when the exchange says it never
  received it. When the exchange cannot even answer, trading stops until reconciliation
  succeeds.
* ``place_order_with_protection``: the entry, then its stop-loss and take-profit for the amount
  filled (``protection``). If the protection cannot be placed, the position is closed at market
  at once and an alert is raised.
* ``failures_to_pause`` consecutive failed orders pause the bot and alert (circuit breaker).

Exchange reports are recorded by the base class (``order_reports``).
"""

from __future__ import annotations

import asyncio
import logging
import time
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from cryptotrader.bus import topics
from cryptotrader.clock import MarketClock
from cryptotrader.domain.enums import BotKind, ExitReason, OrderStatus, OrderType, Side
from cryptotrader.domain.orders import Order
from cryptotrader.domain.reports import OrderReport
from cryptotrader.domain.signals import TradingSignal
from cryptotrader.engines import client_ids
from cryptotrader.engines.positions import Position
from cryptotrader.engines.protection import ProtectionMixin
from cryptotrader.errors import (
    OperationalError,
    OrderOutcomeUnknown,
    OrderRejected,
    TemporaryError,
    TraderError,
)
from cryptotrader.persistence.repositories import orders, trades
from cryptotrader.persistence.repositories.orders import RowIds
from cryptotrader.persistence.uow import UnitOfWork
from cryptotrader.risk.manager import EntryFacts, RiskRefused
from cryptotrader.risk.protection import protection_levels

log = logging.getLogger(__name__)


class OrderEngine(ProtectionMixin):
    """Places, protects and closes the bots' positions on one exchange and one pair.

    Args:
        context: the collaborators (database, exchange, portfolio, risk manager, bus, clock,
            progress) and settings; see ``OrderContext``.

    Example:
        engine = OrderEngine(context=OrderContext(...))
        await Reconciler(engine=engine).run()          # before any new order
        await engine.open_position(signal, step_ms=candle_open_ms)
    """

    # --- entries -------------------------------------------------------------------------------

    async def open_position(self, signal: TradingSignal, *, step_ms: int) -> Position | None:
        """Enter for ``signal.target_bot`` unless it holds a position; None when nothing entered.

        Sizing refusals (too small) and risk refusals are logged and announced, never raised.
        """
        bot = signal.target_bot
        if bot in self.positions or not self.trading_allowed:
            return None
        coid = client_ids.decision_id(bot, step_ms, client_ids.ENTRY)
        existing = await self.stored(coid) if step_ms <= self.checked_through_ms else None
        if existing is not None:  # a restart inside this step: finish what was started
            return await self._resume(existing)
        order = await self._entry_order(signal, coid)
        if order is None:
            return None
        report = await self.send(order)  # stored and committed by ``_entry_order``
        if report is None:
            return None
        return await self._after_entry(order, report)

    async def place_order_with_protection(
        self, order: Order, *, intent: dict[str, Any] | None = None
    ) -> Position | None:
        """Store, send and protect an entry; the position, or None when nothing was bought.

        The stop-loss and take-profit cover the amount filled (a partial fill is protected for
        what was filled, and again when more fills). A position whose protection cannot be
        placed is closed at market at once.
        """
        await self.store_new(order, intent=intent)
        report = await self.send(order)
        if report is None:
            return None
        return await self._after_entry(order, report)

    async def _resume(self, order: Order) -> Position | None:
        if order.status in (OrderStatus.REJECTED, OrderStatus.CANCELED, OrderStatus.EXPIRED):
            return None
        report = await self.lookup(order.client_order_id)
        if report is None:
            report = await self.send(order)
        return None if report is None else await self._after_entry(order, report)

    async def _after_entry(self, order: Order, report: OrderReport) -> Position | None:
        position = await self.record_entry(order, report)
        if position is not None and position.unprotected:
            await self.protect(position)
        return self.positions.get(order.bot)

    async def _entry_order(self, signal: TradingSignal, coid: str) -> Order | None:
        """Size and check an entry, and store it (pending, committed): ready to send.

        One transaction reads the bot, and writes the order with its intent if it passes.
        """
        ctx = self.ctx
        ticker = await ctx.exchange.fetch_ticker(ctx.pair)
        price = ticker.ask or ticker.last
        rules = await ctx.exchange.market_rules(ctx.pair)
        ids = await self.row_ids()
        async with UnitOfWork(ctx.database) as uow:
            bot = await ctx.portfolio.view(signal.target_bot, session=uow.session)
            stop, take = protection_levels(
                price, stop_loss=bot.stop_loss, take_profit=bot.take_profit
            )
            size = ctx.portfolio.size_entry(
                bot,
                confidence=signal.confidence,
                entry=price,
                stop_loss=stop,
                rules=rules,
                fee_rate=ctx.fee_rate,
            )
            if not size.accepted:
                log.info("%s entry not sized: %s", bot.kind, size.refused)
                return None
            day = ctx.clock.now().replace(hour=0, minute=0, second=0, microsecond=0)
            realised = await trades.realised_since(
                session=uow.session, bot=bot.kind, since=day, bot_id=ids.bots[bot.kind]
            )
            facts = EntryFacts(
                bot=bot.kind,
                status=bot.status,
                capital=bot.capital,
                quantity=size.quantity,
                price=price,
                fee_rate=ctx.fee_rate,
                rules=rules,
                bot_positions=int(bot.kind in self.positions),
                open_positions=len(self.positions),
                realised_today=realised,
                live=ctx.live,
            )
            refused: RiskRefused | None = None
            try:
                if ctx.live:
                    await ctx.live_switch(facts)
                ctx.risk.check_entry(facts)
            except RiskRefused as exc:
                refused = exc
            else:
                order = Order(
                    client_order_id=coid,
                    bot=bot.kind,
                    pair=ctx.pair,
                    side=Side.BUY,
                    type=OrderType.MARKET,
                    quantity=size.quantity,
                    stop_loss=stop,
                    take_profit=take,
                    created_at=ctx.clock.now(),
                )
                await self._write_new(uow.session, order, ids, intent=_intent(signal))
                await uow.commit()
        if refused is not None:
            log.info("%s", refused)
            await self.alert("order_refused", str(refused), bot=bot.kind, severity="warning")
            return None
        await self.publish([(topics.ORDERS, self._order_event(order))])
        return order

    # --- exits ---------------------------------------------------------------------------------

    async def close_position(
        self, bot: BotKind, *, reason: ExitReason, client_order_id: str
    ) -> None:
        """Cancel the position's protection, then sell it at market.

        If a protective order filled meanwhile, that fill closes the position instead. If the
        sale fails, the protection is placed again: a position is never left without its
        stop-loss.
        """
        position = self.positions.get(bot)
        if position is None:
            return
        step = client_ids.parse(client_order_id)
        check = step is None or step.step_ms <= self.checked_through_ms
        existing = await self.stored(client_order_id) if check else None
        if existing is not None and existing.status.is_final:
            return
        if not await self.cancel_protection(position):
            return  # a protective order filled meanwhile: the position is closed
        if existing is None:
            order = self.new_order(bot, client_order_id, OrderType.MARKET, position.quantity)
            await self.store_new(order, trade_id=position.trade_id)
            report = await self.send(order)
        else:
            order = existing
            report = await self.lookup(order.client_order_id) or await self.send(order)
        if report is not None:
            await self.apply_reports([report], exit_reason=reason)
        if bot in self.positions:  # not sold: protect it again
            await self.reprotect_or_pause(self.positions[bot], f"{reason} exit failed")

    async def expire_pending(self, step_ms: int) -> None:
        """Decisions of a step too old to act on: their orders never sent are canceled."""
        if step_ms > self.checked_through_ms:
            return  # a step first reached now has no stored order
        for bot in BotKind:
            for purpose in (client_ids.ENTRY, client_ids.EXIT, client_ids.TAKE):
                order = await self.stored(client_ids.decision_id(bot, step_ms, purpose))
                if order is None or order.status is not OrderStatus.PENDING:
                    continue
                if await self.lookup(order.client_order_id) is None:
                    await self.record_status(order, OrderStatus.CANCELED)

    # --- sending -------------------------------------------------------------------------------

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
            pair=self.ctx.pair,
            side=side,
            type=kind,
            quantity=quantity,
            price=price,
            created_at=self.ctx.clock.now(),
        )

    async def store_new(
        self,
        order: Order,
        *,
        trade_id: int | None = None,
        intent: dict[str, Any] | None = None,
    ) -> None:
        """Write a new order (status pending) before it is sent.

        An entry's ``intent`` (the decision behind it) is stored with it: its trade records it
        even after a restart between the order and its fill.
        """
        ids = await self.row_ids()
        async with UnitOfWork(self.ctx.database) as uow:
            await self._write_new(uow.session, order, ids, trade_id=trade_id, intent=intent)
            await uow.commit()
        await self.publish([(topics.ORDERS, self._order_event(order))])

    async def _write_new(
        self,
        session: AsyncSession,
        order: Order,
        ids: RowIds,
        *,
        trade_id: int | None = None,
        intent: dict[str, Any] | None = None,
    ) -> None:
        self._track(session, [order])
        await orders.add_order(
            session=session, order=order, exchange=self.ctx.venue, trade_id=trade_id, ids=ids
        )
        if intent is not None:
            await self.remember_intent(order, intent, session=session)
        await self.ctx.progress.mark(session, at=self.ctx.clock.now())

    async def send(self, order: Order) -> OrderReport | None:
        """Send ``order``; after an ambiguous failure look it up, re-send only if never received.

        Returns None when the order was refused or could not be sent (recorded, counted by the
        circuit breaker).

        Raises:
            OperationalError: the exchange needs a human (authentication, unknown error), or the
                order's fate cannot be learnt; trading stops until reconciliation succeeds.
        """
        ctx = self.ctx
        for attempt in range(1, ctx.send_attempts + 1):
            try:
                ctx.risk.check_exit(live=ctx.live)
                report = await self._submit(order)
            except OrderRejected as exc:
                await self._failed(order, str(exc), status=OrderStatus.REJECTED)
                return None
            except (OrderOutcomeUnknown, TemporaryError) as exc:
                log.warning("order %s, attempt %d: %s", order.client_order_id, attempt, exc)
                found = await self.lookup(order.client_order_id)
                if found is not None:
                    self.failures[order.bot] = 0
                    return found
                await asyncio.sleep(ctx.retry_delay_s * attempt)
                continue
            except OperationalError as exc:
                self.trading_allowed = False
                await self._failed(order, str(exc), status=None)
                raise
            self.failures[order.bot] = 0
            return report
        await self._failed(order, "the exchange could not be reached", status=OrderStatus.REJECTED)
        return None

    async def _submit(self, order: Order) -> OrderReport:
        ctx = self.ctx
        price = order.price if order.type is OrderType.LIMIT else None
        place = ctx.exchange.buy if order.side is Side.BUY else ctx.exchange.sell
        started = time.perf_counter()
        try:
            report = await place(
                ctx.pair, order.quantity, price, client_order_id=order.client_order_id
            )
        except TraderError as exc:
            ctx.telemetry.exchange_error(type(exc).__name__)
            raise
        ctx.telemetry.order_sent(
            round_trip_s=time.perf_counter() - started, close_to_order_s=self._since_close()
        )
        return report

    def _since_close(self) -> float | None:
        """Seconds since the close of the candle being traded; None in a replay (market time)."""
        ctx = self.ctx
        step = ctx.progress.step_ms
        if step is None or isinstance(ctx.clock, MarketClock):
            return None
        close_ms = step + ctx.progress.timeframe.milliseconds
        return max(0.0, time.time() - close_ms / 1000)

    async def _failed(self, order: Order, why: str, *, status: OrderStatus | None) -> None:
        """Record a failed order and count it; ``failures_to_pause`` in a row pause the bot."""
        if status is not None:
            await self.record_status(order, status)
        self.failures[order.bot] += 1
        count = self.failures[order.bot]
        await self.alert(
            "order_failed",
            f"{order.bot} bot order {order.client_order_id} failed ({count} in a row): {why}",
            bot=order.bot,
            severity="warning",
        )
        if count >= self.ctx.failures_to_pause:
            self.failures[order.bot] = 0
            await self.pause(order.bot, f"{count} consecutive order failures (last: {why})")


def _intent(signal: TradingSignal) -> dict[str, Any]:
    return {
        "confidence": signal.confidence,
        "snapshot": {
            "strategy": signal.strategy,
            "score": signal.score,
            "confidence": signal.confidence,
            "signal_time": signal.timestamp.isoformat(),
            "contributions": signal.contributions,
        },
    }
