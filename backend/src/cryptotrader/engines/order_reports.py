"""What the exchange reports, recorded, one transaction per report.

Entry fills open trades; protective and exit fills close them and settle them with the portfolio.
Reports come from the paper market feed, from order placement and from reconciliation. Events
(order updates, trade alerts, reallocations, risk changes) are staged in the same transaction
(the outbox) and sent once it has committed.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from cryptotrader.bus import topics
from cryptotrader.bus.messages import AlertRaised, new_message_id
from cryptotrader.domain.enums import BotKind, ExitReason, OrderStatus, TradeStatus
from cryptotrader.domain.orders import Order
from cryptotrader.domain.reports import OrderReport
from cryptotrader.domain.trades import Trade
from cryptotrader.domain.trusted import trusted
from cryptotrader.domain.values import ensure_utc, ms_from_utc, plain
from cryptotrader.engines import client_ids
from cryptotrader.engines.order_deps import OrderEngineDeps
from cryptotrader.engines.order_events import Announcer
from cryptotrader.engines.order_state import TradingState
from cryptotrader.engines.order_store import OrderStore
from cryptotrader.engines.portfolio import BotTerms, Event
from cryptotrader.engines.positions import (
    Position,
    close_trade,
    exit_reason,
    grow_trade,
    held_after_fee,
    is_bracket,
    open_trade,
)
from cryptotrader.persistence import deferred
from cryptotrader.persistence.repositories import orders
from cryptotrader.persistence.uow import UnitOfWork
from cryptotrader.risk.protection import protection_levels

log = logging.getLogger(__name__)

SaveWith = Callable[[AsyncSession], Awaitable[None]]
"""Written in the transaction that records reports (``PaperExchange.save_in``)."""

_EXIT_REASONS = {
    client_ids.EXIT: ExitReason.SIGNAL,
    client_ids.TAKE: ExitReason.TAKE_PROFIT,
    client_ids.CLOSE: ExitReason.PROTECTION_FAILED,
}


class ReportRecorder:
    """Records exchange reports: opens, grows, closes and settles the positions they touch.

    Args:
        deps: the shared collaborators and settings (``OrderEngineDeps``).
        store: our record of the orders reported.
        announcer: publishes what was recorded.
        state: the open positions this records into.
    """

    def __init__(
        self,
        deps: OrderEngineDeps,
        *,
        store: OrderStore,
        announcer: Announcer,
        state: TradingState,
    ) -> None:
        self._database = deps.database
        self._portfolio = deps.portfolio
        self._clock = deps.clock
        self._progress = deps.progress
        self._venue = deps.venue
        self._store = store
        self._announcer = announcer
        self._state = state

    async def apply_reports(
        self,
        reports: list[OrderReport],
        *,
        exit_reason: ExitReason | None = None,
        save_with: SaveWith | None = None,
    ) -> None:
        """Record reports (fills first: an OCO pair reports its filled leg and the other).

        Entries go through ``record_entry``; the others are recorded together, in one
        transaction, with the trades they close and their settlement. ``save_with(session)``
        runs in each of those transactions (the paper account's ``save_in``: the account that
        made the reports is saved with their record, both or neither).
        """
        others: list[tuple[OrderReport, client_ids.ClientId]] = []
        for report in sorted(reports, key=lambda r: r.status is not OrderStatus.FILLED):
            parsed = client_ids.parse(report.client_order_id)
            if parsed is None:
                log.warning("report for %s, not one of ours: ignored", report.client_order_id)
            elif parsed.purpose == client_ids.ENTRY and not parsed.protection:
                order = await self._store.stored_order(report.client_order_id)
                await self.record_entry(order, report, save_with=save_with)
            else:
                others.append((report, parsed))
        if others:
            await self._apply(others, exit_reason, save_with)

    async def record_entry(
        self, order: Order, report: OrderReport, *, save_with: SaveWith | None = None
    ) -> Position | None:
        """Record an entry's report; its first fill opens the trade, later ones grow it.

        The trade's confidence and indicator contributions are the decision stored with the
        entry (``OrderStore.remember_intent``). ``save_with``: as in ``apply_reports``.
        """
        await self._store.row_ids()
        async with UnitOfWork(self._database) as uow:
            if save_with is not None:
                await save_with(uow.session)
            position = await self.record_entry_in(uow.session, order, report)
            await uow.commit()
        return self.entry_recorded(order, position)

    async def record_entry_in(
        self,
        session: AsyncSession,
        order: Order,
        report: OrderReport,
        *,
        terms: BotTerms | None = None,
    ) -> Position | None:
        """``record_entry`` in the caller's transaction (the row ids looked up before).

        ``terms``: the bot's terms the entry was decided on, this candle (else read): its
        protection levels are their stop-loss and take-profit from the fill price. Its events
        are staged in the transaction; once committed, ``entry_recorded`` takes the position it
        returns.
        """
        position = self._state.positions.get(order.bot)
        ids = await self._store.row_ids()
        bracket = is_bracket(order)
        before = self._store.known(order.client_order_id) or order
        updated = await self._store.record(session, report)
        events: list[Event] = [(topics.ORDERS, self._announcer.order_event(updated))]
        if report.filled > 0 and position is None:
            intent = await self._store.take_intent(session, order.client_order_id)
            if terms is None:
                terms = await self._portfolio.terms(order.bot, session=session)
            assert report.average_price is not None, "a fill has a price"
            levels = protection_levels(
                report.average_price, stop_loss=terms.stop_loss, take_profit=terms.take_profit
            )
            if bracket:  # the levels are the legs', placed with the entry
                assert order.stop_loss is not None, "a bracket has its stop-loss"
                assert order.take_profit is not None, "a bracket has its take-profit"
                levels = (order.stop_loss, order.take_profit)
            position = await open_trade(
                session=session,
                entry=order,
                report=report,
                levels=levels,
                confidence=intent.get("confidence"),
                snapshot=intent.get("snapshot"),
                venue=self._venue,
                ids=(ids.bots[order.bot], ids.pair),
            )
            if bracket:
                await self._bracket_opened(session, position, report)
            events.append((topics.ALERTS, self._opened_alert(position, intent)))
        elif position is not None and _grows(report, before, position):
            await grow_trade(session=session, position=position, report=report)
        await self._progress.mark(session, at=self._clock.now(), step_ms=self._step(report))
        await self._announcer.stage(session, events)
        return position

    def entry_recorded(self, order: Order, position: Position | None) -> Position | None:
        """After ``record_entry_in``'s transaction committed: the position held."""
        if position is not None:
            self._state.positions[order.bot] = position
        return position

    @staticmethod
    async def _bracket_opened(
        session: AsyncSession, position: Position, report: OrderReport
    ) -> None:
        """A bracket's entry filled: the legs stored with it belong to the trade.

        They protect it once the whole entry has filled (Binance activates them then), for what
        is held: the venue sized them net of a fee taken from the coin.
        """
        base = client_ids.protection_id(position.entry_id, 1)
        await orders.link_trade(
            session=session, client_order_ids=[f"{base}-sl", f"{base}-tp"],
            trade_id=position.trade_id,
        )  # fmt: skip
        position.version = 1
        if report.status is OrderStatus.FILLED:
            position.protection, position.protected = base, position.quantity

    async def _apply(
        self,
        reports: list[tuple[OrderReport, client_ids.ClientId]],
        reason: ExitReason | None,
        save_with: SaveWith | None = None,
    ) -> None:
        async with UnitOfWork(self._database) as uow, deferred.defer(uow.session):
            if save_with is not None:
                await save_with(uow.session)
            closed = await self.apply_in(uow.session, reports, reason)
            await deferred.flush(uow.session)  # one statement per kind, as a batch's
            await uow.commit()
        self.applied(closed)

    async def apply_in(
        self,
        session: AsyncSession,
        reports: list[tuple[OrderReport, client_ids.ClientId]],
        reason: ExitReason | None,
        *,
        written: Mapping[str, Order] | None = None,
    ) -> list[BotKind]:
        """Record reports other than entries in the caller's transaction, events staged in it.

        ``written``: orders this transaction wrote, by client id (their rows queued, not
        committed: ``OrderStore.record``'s ``current``).
        Returns the bots whose positions they closed; once committed, ``applied`` takes them.
        """
        positions = self._state.positions
        closed: list[BotKind] = []
        events: list[Event] = []
        for report, parsed in reports:
            current = None if written is None else written.get(report.client_order_id)
            updated = await self._store.record(session, report, current=current)
            events.append((topics.ORDERS, self._announcer.order_event(updated)))
            position = positions.get(parsed.bot)
            if position is None or parsed.bot in closed:
                continue
            _forget_lost_stop(report, position)
            if not _closes(report, parsed, position):
                continue
            why = exit_reason(report.type) if parsed.protection else _EXIT_REASONS[parsed.purpose]
            trade = await close_trade(
                session=session, position=position, exit_report=report, reason=reason or why
            )
            settled = await self._portfolio.settle(
                session=session, trade_id=position.trade_id, trade=trade, at=report.timestamp
            )
            events += [(topics.ALERTS, self._closed_alert(position, trade)), *settled]
            closed.append(parsed.bot)
        await self._progress.mark(session, at=self._clock.now(), step_ms=self._latest_step(reports))
        await self._announcer.stage(session, events)
        return closed

    def applied(self, closed: list[BotKind]) -> None:
        """After ``apply_in``'s transaction committed: closed positions dropped."""
        for bot in closed:
            self._state.positions.pop(bot, None)

    @staticmethod
    def parsed(reports: list[OrderReport]) -> list[tuple[OrderReport, client_ids.ClientId]]:
        """Reports of ours other than entries with their parsed ids, fills first."""
        found = []
        for report in sorted(reports, key=lambda r: r.status is not OrderStatus.FILLED):
            parsed = client_ids.parse(report.client_order_id)
            entry = parsed is not None and parsed.purpose == client_ids.ENTRY
            if parsed is not None and not (entry and not parsed.protection):
                found.append((report, parsed))
        return found

    # --- helpers -------------------------------------------------------------------------------

    def _step(self, report: OrderReport) -> int | None:
        """The step a report belongs to (None: the current one, or none to checkpoint).

        While reconciling: the candle of the decision that made the order, or the candle a
        protective order filled in. A canceled protection says nothing of its step (it is
        stamped with the market's time, which may already be the next candle's open: taking it
        would skip the decision that canceled it), so it moves no checkpoint.
        """
        if self._progress.step_ms is not None:
            return None
        parsed = client_ids.parse(report.client_order_id)
        if parsed is not None and not parsed.protection:
            return parsed.step_ms
        return ms_from_utc(report.timestamp) if report.status is OrderStatus.FILLED else None

    def _latest_step(self, reports: list[tuple[OrderReport, client_ids.ClientId]]) -> int | None:
        steps = [step for report, _ in reports if (step := self._step(report)) is not None]
        return max(steps) if steps else None

    def _opened_alert(self, position: Position, intent: dict[str, Any]) -> AlertRaised:
        trade = position.trade
        stop, take = trade.stop_loss, trade.take_profit
        assert stop is not None
        assert take is not None
        contributions = intent.get("snapshot", {}).get("contributions", {})
        details = {f"vote:{name}": f"{share:+.4f}" for name, share in contributions.items()}
        details["confidence"] = str(intent.get("confidence"))
        details["quantity"] = plain(trade.quantity)
        details["stop_loss"] = plain(stop)
        details["take_profit"] = plain(take)
        details["stop_pct"] = _pct(stop, trade.entry_price)
        details["take_pct"] = _pct(take, trade.entry_price)
        details["trade_id"] = str(position.trade_id)
        return AlertRaised(
            timestamp=trade.entry_time,
            kind="trade_opened",
            text=f"{position.bot} bot bought {plain(trade.quantity)} {trade.pair.base} at "
            f"{plain(trade.entry_price)} (stop {plain(stop)}, take-profit {plain(take)})",
            bot=position.bot,
            pair=trade.pair,
            side=trade.side,
            price=trade.entry_price,
            risk=(trade.entry_price - stop) * trade.quantity,
            potential_gain=(take - trade.entry_price) * trade.quantity,
            rr_ratio=trade.risk_reward_ratio,
            details=details,
        )

    @staticmethod
    def _closed_alert(position: Position, closed: Trade) -> AlertRaised:
        """The ``trade_closed`` alert, built from the closed trade's checked values.

        Not validated again (``domain.trusted``): its fields are the trade's, of the same
        types and checks (a batch of exits builds one per trade before the entries' orders;
        validating cost ~40 us each). ``test_order_reports_alerts.py`` checks it equals the
        validated message.
        """
        exit_time = closed.exit_time
        assert exit_time is not None
        assert closed.status is TradeStatus.CLOSED
        assert closed.pnl is not None
        assert closed.exit_price is not None
        details = {
            "pnl": plain(closed.pnl),
            "pnl_pct": f"{closed.pnl_percent:+.2f}",
            "entry_price": plain(closed.entry_price),
            "quantity": plain(closed.quantity),
            "reason": str(closed.exit_reason),
            "duration_s": str(int((exit_time - closed.entry_time).total_seconds())),
            "trade_id": str(position.trade_id),
        }
        values: dict[str, Any] = {  # in the message's field order (its JSON's)
            "message_id": new_message_id(),
            "timestamp": exit_time if exit_time.tzinfo is UTC else ensure_utc(exit_time),
            "type": "alert_raised",
            "kind": "trade_closed",
            "severity": "info",
            "text": f"{position.bot} bot sold {plain(closed.quantity)} {closed.pair.base} at "
            f"{plain(closed.exit_price)} ({closed.exit_reason}): P&L {closed.pnl:.2f}",
            "bot": position.bot,
            "pair": closed.pair,
            "side": closed.side.opposite,
            "price": closed.exit_price,
            "risk": None,
            "potential_gain": None,
            "rr_ratio": None,
            "details": details,
        }
        return trusted(AlertRaised, values, _CLOSED_GIVEN)


_CLOSED_GIVEN = frozenset({"timestamp", "kind", "text", "bot", "pair", "side", "price", "details"})
"""The fields a validated ``trade_closed`` alert counts as set (the others are defaults)."""


def _pct(price: Decimal, reference: Decimal) -> str:
    """``price`` relative to ``reference`` in percent, signed, two decimals (``-2.00``)."""
    return f"{(price - reference) / reference * 100:+.2f}"


def _closes(report: OrderReport, parsed: client_ids.ClientId, position: Position) -> bool:
    """True when a report closes ``position``: its live stop or take-profit, or an exit, filled."""
    if report.status is not OrderStatus.FILLED:
        return False
    if parsed.protection:  # any protection of this position's entry, whichever placement
        return report.client_order_id.startswith(f"{position.entry_id}")
    return parsed.purpose in _EXIT_REASONS


def _grows(report: OrderReport, before: Order, position: Position) -> bool:
    """True when an entry's report filled more than its position holds.

    Both counts must grow: a report of the fills already recorded whose fee could not be read
    (a fee taken from the coin, so the position is their amount less it) must not undo it.
    """
    grown = report.filled > before.filled_quantity or before.filled_quantity == 0
    return grown and held_after_fee(report, before.pair)[0] > position.quantity


def _forget_lost_stop(report: OrderReport, position: Position) -> None:
    """A live stop canceled or expired without filling: the position must be protected again."""
    final = report.status.is_final and report.status is not OrderStatus.FILLED
    if final and report.client_order_id == position.stop_id():
        position.protection = None
