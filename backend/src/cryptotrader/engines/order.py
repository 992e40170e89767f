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
* An exit where the venue can (``atomic_exit``: Binance ``cancelReplace``) cancels the stop and
  sells in one request, so no crash leaves the coin held without its stop; elsewhere it cancels
  the protection, then sells.

The engine is composed of parts, each built here from the one ``OrderEngineDeps`` (order_deps)
plus its peer parts, and testable alone:
``Entries`` (order_entry), ``Protection`` (protection), ``OrderSender`` (order_send),
``ReportRecorder`` (order_reports), ``OrderStore`` (order_store: our records and the exchange's
lookups), ``Announcer`` (order_events), sharing one ``TradingState`` (order_state). The exits
live here, since both the signal path and the protection close positions.
"""

from __future__ import annotations

import logging
from typing import Any

from cryptotrader.bus.messages import Severity
from cryptotrader.domain.enums import BotKind, ExitReason, OrderStatus, OrderType
from cryptotrader.domain.orders import Order
from cryptotrader.domain.reports import OrderReport
from cryptotrader.domain.signals import TradingSignal
from cryptotrader.engines import client_ids
from cryptotrader.engines.order_deps import OrderEngineDeps
from cryptotrader.engines.order_entry import Entries
from cryptotrader.engines.order_events import Announcer
from cryptotrader.engines.order_reports import ReportRecorder, SaveWith
from cryptotrader.engines.order_send import OrderSender
from cryptotrader.engines.order_state import TradingState
from cryptotrader.engines.order_store import OrderStore
from cryptotrader.engines.positions import Position, is_bracket
from cryptotrader.engines.protection import Protection
from cryptotrader.errors import CancelReplaceFailed

log = logging.getLogger(__name__)


class OrderEngine:
    """Places, protects and closes the bots' positions on one exchange and one pair.

    Args:
        deps: the collaborators (database, exchange, portfolio, risk manager, bus, clock,
            progress) and settings, shared by every part; see ``OrderEngineDeps``.

    Example:
        engine = OrderEngine(deps=OrderEngineDeps(...))
        await Reconciler(engine=engine).run()          # before any new order
        await engine.open_position(signal, step_ms=candle_open_ms)
    """

    def __init__(self, *, deps: OrderEngineDeps) -> None:
        self.deps = deps
        self.state = state = TradingState()
        self.announcer = announcer = Announcer(deps)
        self.store = store = OrderStore(deps, announcer=announcer, state=state)
        self.sender = sender = OrderSender(deps, store=store, announcer=announcer, state=state)
        self.recorder = recorder = ReportRecorder(
            deps, store=store, announcer=announcer, state=state
        )
        self.protection = protection = Protection(
            deps,
            store=store,
            recorder=recorder,
            announcer=announcer,
            state=state,
            close=self.close_position,
        )
        self.entries = Entries(
            deps,
            store=store,
            sender=sender,
            recorder=recorder,
            protection=protection,
            announcer=announcer,
            state=state,
        )

    # --- the shared state --------------------------------------------------------------------

    @property
    def positions(self) -> dict[BotKind, Position]:
        """The open positions, by bot."""
        return self.state.positions

    @positions.setter
    def positions(self, positions: dict[BotKind, Position]) -> None:
        self.state.positions = positions

    @property
    def trading_allowed(self) -> bool:
        """False until reconciliation succeeded: no new order is sent (cancels still are)."""
        return self.state.trading_allowed

    @trading_allowed.setter
    def trading_allowed(self, allowed: bool) -> None:
        self.state.trading_allowed = allowed

    @property
    def checked_through_ms(self) -> float:
        """Candles opened after this have no stored orders (see ``TradingState``)."""
        return self.state.checked_through_ms

    @checked_through_ms.setter
    def checked_through_ms(self, step_ms: float) -> None:
        self.state.checked_through_ms = step_ms

    # --- entries -------------------------------------------------------------------------------

    async def open_position(self, signal: TradingSignal, *, step_ms: int) -> Position | None:
        """Enter for ``signal.target_bot`` unless it holds a position (see ``Entries``)."""
        return await self.entries.open_position(signal, step_ms=step_ms)

    async def place_order_with_protection(
        self, order: Order, *, intent: dict[str, Any] | None = None
    ) -> Position | None:
        """Store, send and protect an entry (see ``Entries``)."""
        return await self.entries.place_order_with_protection(order, intent=intent)

    # --- exits ---------------------------------------------------------------------------------

    async def close_position(
        self, bot: BotKind, *, reason: ExitReason, client_order_id: str
    ) -> None:
        """Sell the position at market, its protection canceled.

        Where the venue can (``atomic_exit``), the stop is canceled and the sale placed in one
        request (``_replace_with_sale``); else the protection is canceled first. If a protective
        order filled meanwhile, that fill closes the position instead. If the sale fails, the
        protection is placed again: a position is never left without its stop-loss.
        """
        position = self.state.positions.get(bot)
        if position is None:
            return
        step = client_ids.parse(client_order_id)
        check = step is None or step.step_ms <= self.state.checked_through_ms
        existing = await self.store.stored(client_order_id) if check else None
        if existing is not None and existing.status.is_final:
            return
        atomic = self.deps.exchange.capabilities.atomic_exit and position.protection is not None
        if atomic:
            order = existing or await self._store_sale(position, client_order_id)
            if await self._replace_with_sale(position, order, reason, resent=existing is not None):
                return
            existing = order  # stored; the stop was not open: cancel-then-sell finds out why
        if not await self.protection.cancel_protection(position):
            if atomic:  # the sale was never attempted: nothing of it exists at the exchange
                await self.store.record_status(order, OrderStatus.CANCELED)
            return  # a protective order filled meanwhile: the position is closed
        if existing is None:
            order = await self._store_sale(position, client_order_id)
            report = await self.sender.send(order)
        else:
            order = existing
            report = await self.store.lookup(order.client_order_id) or await self.sender.send(order)
        if report is not None:
            await self.recorder.apply_reports([report], exit_reason=reason)
        await self._reprotect_unsold(bot, reason)

    async def _store_sale(self, position: Position, client_order_id: str) -> Order:
        """A market sale of the whole position, written before it is sent."""
        order = self.sale(position, client_order_id)
        await self.store.store_new(order, trade_id=position.trade_id)
        return order

    def sale(self, position: Position, client_order_id: str) -> Order:
        """A market sale of the whole position (not yet written)."""
        return self.sender.new_order(
            position.bot, client_order_id, OrderType.MARKET, position.quantity
        )

    async def reprotect_unsold(self, bot: BotKind, reason: ExitReason) -> None:
        """After an exit: a position still held (the sale refused or not filled) is protected."""
        await self._reprotect_unsold(bot, reason)

    async def _replace_with_sale(
        self, position: Position, order: Order, reason: ExitReason, *, resent: bool
    ) -> bool:
        """Cancel the stop and sell in one request; False when nothing was done (stop not open).

        A stored sale (a restart, a lost answer) is looked up first and sent only if the
        exchange never received it. Afterwards both legs are read back and recorded with the
        sale: canceled with it, filled before it, or (the sale refused before the cancel) still
        resting.
        """
        stop_id, take_id = position.stop_id(), position.take_id()
        assert stop_id is not None
        assert take_id is not None
        sale = await self.store.lookup(order.client_order_id) if resent else None
        if sale is None:
            try:
                sale = await self.sender.send_replacing(order, cancel_client_order_id=stop_id)
            except CancelReplaceFailed as exc:
                log.info("exit %s: %s; canceling, then selling", order.client_order_id, exc)
                return False
        legs = [leg for coid in (stop_id, take_id) if (leg := await self.store.lookup(coid))]
        await self.recorder.apply_reports([*legs, *([sale] if sale else [])], exit_reason=reason)
        await self._reprotect_unsold(position.bot, reason)
        return True

    async def _reprotect_unsold(self, bot: BotKind, reason: ExitReason) -> None:
        if bot in self.state.positions:  # not sold: protect it again
            position = self.state.positions[bot]
            await self.protection.reprotect_or_pause(position, f"{reason} exit failed")

    async def expire_pending(self, step_ms: int) -> None:
        """Decisions of a step too old to act on: their orders never sent are canceled."""
        if step_ms > self.state.checked_through_ms:
            return  # a step first reached now has no stored order
        for bot in BotKind:
            for purpose in (client_ids.ENTRY, client_ids.EXIT, client_ids.TAKE):
                coid = client_ids.decision_id(bot, self.deps.pair.symbol, step_ms, purpose)
                order = await self.store.stored(coid)
                if order is None or order.status is not OrderStatus.PENDING:
                    continue
                if await self.store.lookup(order.client_order_id) is None:
                    await self.store.record_status(order, OrderStatus.CANCELED)
                    if is_bracket(order):
                        await self.entries.drop_legs(order.client_order_id)

    # --- the parts' operations the runtime and the reconciler use ------------------------------

    async def apply_reports(
        self,
        reports: list[OrderReport],
        *,
        exit_reason: ExitReason | None = None,
        save_with: SaveWith | None = None,
    ) -> None:
        """Record exchange reports (see ``ReportRecorder``)."""
        await self.recorder.apply_reports(reports, exit_reason=exit_reason, save_with=save_with)

    async def record_entry(self, order: Order, report: OrderReport) -> Position | None:
        """Record an entry's report (see ``ReportRecorder``)."""
        return await self.recorder.record_entry(order, report)

    async def resume_entry(self, order: Order, report: OrderReport) -> Position | None:
        """Record a stored entry's report; a bracket's still resting is canceled first."""
        return await self.entries.resume_entry(order, report)

    async def protect(self, position: Position, *, close_on_failure: bool = True) -> bool:
        """Place the position's stop-loss and take-profit (see ``Protection``)."""
        return await self.protection.protect(position, close_on_failure=close_on_failure)

    async def ensure_protection(self) -> None:
        """Protect every position that lacks its stop-loss."""
        await self.protection.ensure_protection()

    async def watch_take_profit(self, high: float, *, step_ms: int) -> None:
        """Sell positions whose take-profit the candle reached (venues without one resting)."""
        await self.protection.watch_take_profit(high, step_ms=step_ms)

    async def sync_protection(self) -> None:
        """Ask the exchange about each position's protective orders (venues without a feed)."""
        await self.protection.sync_protection()

    async def lookup(self, client_order_id: str) -> OrderReport | None:
        """The exchange's view of one of our orders (see ``OrderStore``)."""
        return await self.store.lookup(client_order_id)

    async def stored(self, client_order_id: str) -> Order | None:
        """Our record of an order, or None."""
        return await self.store.stored(client_order_id)

    async def store_new(self, order: Order, *, trade_id: int | None = None) -> None:
        """Write a new order (status pending) before it is sent."""
        await self.store.store_new(order, trade_id=trade_id)

    async def alert(self, kind: str, text: str, *, bot: BotKind | None, severity: Severity) -> None:
        """Publish an ``AlertRaised`` on ``alerts``."""
        await self.announcer.alert(kind, text, bot=bot, severity=severity)
