"""Entries: sized by the portfolio, checked by the risk manager, stored, sent, then protected.

Every entry is sized by the portfolio (capital, confidence, current risk) and checked by the
``RiskManager`` (and, when live, the operator's switch) in the transaction that stores it; its
stop-loss and take-profit follow for the amount filled (``Protection``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_DOWN, Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from cryptotrader.domain.enums import BotKind, OrderStatus, OrderType, Side
from cryptotrader.domain.orders import Order
from cryptotrader.domain.reports import BracketReport, OrderReport
from cryptotrader.domain.signals import TradingSignal
from cryptotrader.engines import client_ids
from cryptotrader.engines.order_deps import OrderEngineDeps
from cryptotrader.engines.order_events import Announcer
from cryptotrader.engines.order_reports import ReportRecorder
from cryptotrader.engines.order_send import OrderSender, new_order
from cryptotrader.engines.order_state import TradingState
from cryptotrader.engines.order_store import OrderStore
from cryptotrader.engines.portfolio import BotTerms, PortfolioManager
from cryptotrader.engines.positions import Position, is_bracket
from cryptotrader.engines.protection import Protection, protection_legs
from cryptotrader.persistence.repositories import orders
from cryptotrader.persistence.uow import UnitOfWork
from cryptotrader.risk.limits import OpenPosition
from cryptotrader.risk.manager import EntryFacts, RiskRefused
from cryptotrader.risk.protection import protection_levels

log = logging.getLogger(__name__)

BRACKET_LIMIT = Decimal("0.005")
"""A bracket's entry is a limit buy this fraction above the ask: marketable (it fills at once at
the best prices, as a market order would) yet never filled at any price."""
_CENT_OF_SATOSHI = Decimal("0.00000001")


class Entries:
    """Opens the bots' positions.

    Args:
        deps: the shared collaborators and settings (``OrderEngineDeps``).
        store: writes the entry before it is sent.
        sender: sends it.
        recorder: records its fill.
        protection: protects what filled.
        announcer: says why an entry was refused.
        state: the open positions and whether trading is allowed.
    """

    def __init__(
        self,
        deps: OrderEngineDeps,
        *,
        store: OrderStore,
        sender: OrderSender,
        recorder: ReportRecorder,
        protection: Protection,
        announcer: Announcer,
        state: TradingState,
    ) -> None:
        self._book = deps.book or state.book
        self._database = deps.database
        self._exchange = deps.exchange
        self._pair = deps.pair
        self._clock = deps.clock
        self._portfolio = deps.portfolio
        self._risk = deps.risk
        self._live = deps.live
        self._live_switch = deps.live_switch
        self._fee_rate = deps.fee_rate
        self._store = store
        self._sender = sender
        self._recorder = recorder
        self._protection = protection
        self._announcer = announcer
        self._state = state

    def book(self) -> tuple[OpenPosition, ...]:
        """The open positions the risk limits count (every pair's when the runtime shares one)."""
        return self._book()

    @property
    def book_source(self) -> Callable[[], tuple[OpenPosition, ...]]:
        """What ``book()`` asks (the same callable for every engine of a runtime sharing one)."""
        return self._book

    async def open_position(self, signal: TradingSignal, *, step_ms: int) -> Position | None:
        """Enter for ``signal.target_bot`` unless it holds a position; None when nothing entered.

        Sizing refusals (too small) and risk refusals are logged and announced, never raised.
        """
        bot = signal.target_bot
        if bot in self._state.positions or not self._state.trading_allowed:
            return None
        coid = client_ids.decision_id(bot, self._pair.symbol, step_ms, client_ids.ENTRY)
        checked = step_ms <= self._state.checked_through_ms
        existing = await self._store.stored(coid) if checked else None
        if existing is not None:  # a restart inside this step: finish what was started
            return await self._resume(existing)
        order = await self._entry_order(signal, coid)
        if order is None:
            return None
        if is_bracket(order):  # stored with its legs and committed by ``_entry_order``
            return await self._send_bracket(order)
        report = await self._sender.send(order)  # stored and committed by ``_entry_order``
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
        await self._store.store_new(order, intent=intent)
        report = await self._sender.send(order)
        if report is None:
            return None
        return await self._after_entry(order, report)

    async def resume_entry(self, order: Order, report: OrderReport) -> Position | None:
        """Record what the exchange says of a stored entry (reconciliation, a resumed step).

        A bracket's entry still resting (a marketable limit the market ran away from) is
        canceled first, its legs with it: what filled is then protected the usual way.
        """
        if is_bracket(order) and not report.status.is_final:
            report = await self._protection.cancel(order.client_order_id)
        return await self._recorder.record_entry(order, report)

    async def _send_bracket(self, order: Order) -> Position | None:
        placed = await self._sender.send_bracket(order)
        if placed is None:  # refused, or never received: its legs were never held either
            await self.drop_legs(order.client_order_id)
            return None
        return await self._after_bracket(order, placed)

    async def _after_bracket(self, order: Order, placed: BracketReport) -> Position | None:
        """Record a bracket: the entry (its fill opens the trade, protected by the legs), the legs.

        A partly filled entry is canceled (its legs with it) and what filled is protected the
        usual way.
        """
        legs = [placed.protection.stop_loss, placed.protection.take_profit]
        entry = placed.entry
        if not entry.status.is_final:
            entry = await self._protection.cancel(order.client_order_id)
            legs = [await self._store.lookup(leg.client_order_id) for leg in legs if leg]
        position = await self._recorder.record_entry(order, entry)
        await self._recorder.apply_reports([leg for leg in legs if leg is not None])
        position = self._state.positions.get(order.bot)
        if position is not None and position.unprotected:
            await self._protection.protect(position)
        return self._state.positions.get(order.bot)

    async def drop_legs(self, entry_id: str) -> None:
        """The legs stored with a bracket the exchange never held: recorded canceled."""
        base = client_ids.protection_id(entry_id, 1)
        for coid in (f"{base}-sl", f"{base}-tp"):
            leg = await self._store.stored(coid)
            if leg is not None and leg.status is OrderStatus.PENDING:
                await self._store.record_status(leg, OrderStatus.CANCELED)

    async def _resume(self, order: Order) -> Position | None:
        if order.status in (OrderStatus.REJECTED, OrderStatus.CANCELED, OrderStatus.EXPIRED):
            return None
        if is_bracket(order):
            placed = await self._sender.find_bracket(order.client_order_id)
            if placed is None:
                return await self._send_bracket(order)
            return await self._after_bracket(order, placed)
        report = await self._store.lookup(order.client_order_id)
        if report is None:
            report = await self._sender.send(order)
        return None if report is None else await self._after_entry(order, report)

    async def _after_entry(self, order: Order, report: OrderReport) -> Position | None:
        position = await self._recorder.record_entry(order, report)
        if position is not None and position.unprotected:
            await self._protection.protect(position)
        return self._state.positions.get(order.bot)

    async def _entry_order(self, signal: TradingSignal, coid: str) -> Order | None:
        """Size and check an entry, and store it (pending, committed): ready to send.

        One transaction reads the bot, and writes the order with its intent if it passes.
        """
        ids = await self._store.row_ids()
        async with UnitOfWork(self._database) as uow:
            decided = await self.decide(
                uow.session, signal, coid, reads=EntryReads(self._portfolio), book=self._book()
            )
            if decided.order is not None:
                await self.write(uow.session, decided, ids)
                await uow.commit()
        await self.announce(decided)
        return decided.order

    async def decide(
        self,
        session: AsyncSession,
        signal: TradingSignal,
        coid: str,
        *,
        reads: EntryReads,
        book: tuple[OpenPosition, ...],
    ) -> Decided:
        """Size and check an entry against ``book``; nothing written.

        ``reads`` holds what the transaction read of the bots (shared by a batch's entries:
        an entry changes neither capital nor realised P&L).
        """
        ticker = await self._exchange.fetch_ticker(self._pair)
        price = ticker.ask or ticker.last
        limit = (price * (1 + BRACKET_LIMIT)).quantize(_CENT_OF_SATOSHI, ROUND_DOWN)
        rules = await self._exchange.market_rules(self._pair)
        bot = await reads.terms(session, signal.target_bot)
        stop, take = protection_levels(price, stop_loss=bot.stop_loss, take_profit=bot.take_profit)
        bracket = self._exchange.capabilities.native_bracket and take > limit
        size = self._portfolio.size_entry(
            bot,
            confidence=signal.confidence,
            entry=limit if bracket else price,  # a bracket reserves its limit's cost
            stop_loss=stop,
            rules=rules,
            fee_rate=self._fee_rate,
            book=book,
        )
        if not size.accepted:
            log.info("%s entry not sized: %s", bot.kind, size.refused)
            return Decided(bot.kind, None, [], None, price)
        ids = await self._store.row_ids()
        day = self._clock.now().replace(hour=0, minute=0, second=0, microsecond=0)
        facts = EntryFacts(
            bot=bot.kind,
            pair=self._pair.symbol,
            status=bot.status,
            capitals=await reads.capitals(session),
            quantity=size.quantity,
            price=price,
            fee_rate=self._fee_rate,
            rules=rules,
            book=book,
            realised_today=await reads.realised(session, bot.kind, day, ids.bots[bot.kind]),
            live=self._live,
        )
        try:
            if self._live:
                await self._live_switch(facts)
            self._risk.check_entry(facts)
        except RiskRefused as exc:
            return Decided(bot.kind, None, [], exc, price)
        order = new_order(
            coid,
            bot.kind,
            self._pair,
            Side.BUY,
            OrderType.LIMIT if bracket else OrderType.MARKET,
            size.quantity,
            price=limit if bracket else None,
            stop_loss=stop,
            take_profit=take,
            created_at=self._clock.now(),
        )
        legs = (
            protection_legs(
                bot.kind,
                self._pair,
                size.quantity,
                base=client_ids.protection_id(coid, 1),
                stop=stop,
                take=take,
                now=self._clock.now(),
            )
            if bracket
            else []
        )
        return Decided(bot.kind, order, legs, None, price, _intent(signal))

    async def write(
        self, session: AsyncSession, decided: Decided, ids: orders.RowIds, *, intent: bool = True
    ) -> None:
        """Write a decided entry (and a bracket's legs) in ``session``: pending, not sent.

        ``intent``: False to leave the decision unstored (``order_batch._fill_within``: its fill
        is recorded in this transaction, or the decision stored before it commits).
        """
        assert decided.order is not None
        await self._store.write_new(
            session, decided.order, ids, intent=decided.intent if intent else None
        )
        for leg in decided.legs:  # written before the list is sent, like the entry
            await self._store.write_new(session, leg, ids)

    async def announce(self, decided: Decided) -> None:
        """Once decided: why an entry was refused (a written one's updates went with it)."""
        if decided.refused is not None:
            log.info("%s", decided.refused)
            await self._announcer.alert(
                "order_refused", str(decided.refused), bot=decided.bot, severity="warning"
            )

    async def after_entry(self, order: Order, report: OrderReport) -> Position | None:
        """Record a sent entry's report and protect what filled."""
        return await self._after_entry(order, report)


@dataclass(frozen=True, slots=True)
class Decided:
    """An entry sized and checked: the order to write (None when not sized or refused)."""

    bot: BotKind
    order: Order | None
    legs: list[Order]
    refused: RiskRefused | None
    price: Decimal
    """The expected fill price it was sized at (the ticker's ask)."""
    intent: dict[str, Any] = field(default_factory=dict)


class EntryReads:
    """What entries read of the bots in one transaction, read once each.

    A batch of entries shares one: entries change no capital, no realised P&L and no terms.
    """

    def __init__(self, portfolio: PortfolioManager) -> None:
        self._portfolio = portfolio
        self._terms: dict[BotKind, BotTerms] = {}
        self._capitals: dict[BotKind, Decimal] | None = None
        self._realised: dict[BotKind, Decimal] = {}

    async def terms(self, session: AsyncSession, bot: BotKind) -> BotTerms:
        """The bot's terms in ``session``'s transaction."""
        if bot not in self._terms:
            self._terms[bot] = await self._portfolio.terms(bot, session=session)
        return self._terms[bot]

    def known_terms(self, bot: BotKind) -> BotTerms | None:
        """The bot's terms if this transaction read them (the terms its entries used)."""
        return self._terms.get(bot)

    async def capitals(self, session: AsyncSession) -> dict[BotKind, Decimal]:
        """Every bot's capital."""
        if self._capitals is None:
            self._capitals = await self._portfolio.capitals(session=session)
        return self._capitals

    async def realised(
        self, session: AsyncSession, bot: BotKind, day: datetime, bot_id: int
    ) -> Decimal:
        """The bot's net P&L of trades closed since ``day``."""
        if bot not in self._realised:
            self._realised[bot] = await self._portfolio.day_realised.since(
                session, bot, day, bot_id
            )
        return self._realised[bot]


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
