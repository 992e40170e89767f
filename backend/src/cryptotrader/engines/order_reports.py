"""What the exchange reports, recorded, one transaction per report.

Entry fills open trades; protective and exit fills close them and settle them with the portfolio.

``OrderReports`` is the base of ``OrderEngine``: this half listens to the exchange (reports from
the paper market feed, from order placement, from reconciliation); the other half places orders.
Events (order updates, trade alerts, reallocations, risk changes) are published after the
transaction commits; a bus failure is logged and never undoes or blocks trading.
"""

from __future__ import annotations

import asyncio
import logging
import math
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from cryptotrader.bus import topics
from cryptotrader.bus.messages import AlertRaised, OrderUpdated, Severity
from cryptotrader.domain.enums import BotKind, ExitReason, OrderStatus, TradeStatus
from cryptotrader.domain.orders import Order
from cryptotrader.domain.reports import OrderReport
from cryptotrader.domain.trades import Trade
from cryptotrader.domain.values import ms_from_utc
from cryptotrader.engines import client_ids
from cryptotrader.engines.order_context import OrderContext
from cryptotrader.engines.portfolio import Event
from cryptotrader.engines.positions import (
    Position,
    close_trade,
    exit_reason,
    grow_trade,
    open_trade,
    record_report,
)
from cryptotrader.errors import OperationalError, TemporaryError
from cryptotrader.persistence.repositories import checkpoints, orders
from cryptotrader.persistence.uow import UnitOfWork, after_commit
from cryptotrader.risk.protection import protection_levels

log = logging.getLogger(__name__)

INTENT_ENGINE = "order.intent"
"""``engine_checkpoints`` rows holding each entry's decision (confidence, contributions)."""

_EXIT_REASONS = {
    client_ids.EXIT: ExitReason.SIGNAL,
    client_ids.TAKE: ExitReason.TAKE_PROFIT,
    client_ids.CLOSE: ExitReason.PROTECTION_FAILED,
}


class OrderReports:
    """Records exchange reports; holds the open positions and the trading state.

    Args:
        context: collaborators and settings.
    """

    def __init__(self, *, context: OrderContext) -> None:
        self.ctx = context
        self.positions: dict[BotKind, Position] = {}
        self.failures: dict[BotKind, int] = dict.fromkeys(BotKind, 0)
        self.trading_allowed = False
        """False until reconciliation succeeded: no new order is sent (cancels still are)."""
        self.checked_through_ms: float = math.inf
        """Decisions of candles opened after this cannot have stored orders (they were never
        reached before this process), so no lookup is needed; the trading worker sets it to the
        checkpoint it resumed from."""
        self._known: dict[str, Order] = {}
        """Our orders not final yet, as last committed by this engine, by client id: the order
        engine is the only writer of ``orders``, so what it committed is what the table holds,
        and recording a report needs no read. Forgotten before each write, put back once the
        write is committed (``_track``): a rolled-back write leaves the order absent (then read
        from the database), never stale."""
        self._ids: orders.RowIds | None = None
        self._intents: dict[str, dict[str, Any]] = {}
        """Entries' intents committed by this engine and not yet used (else read back)."""

    async def apply_reports(
        self, reports: list[OrderReport], *, exit_reason: ExitReason | None = None
    ) -> None:
        """Record reports (fills first: an OCO pair reports its filled leg and the other).

        Entries go through ``record_entry``; the others are recorded together, in one
        transaction, with the trades they close and their settlement.
        """
        others: list[tuple[OrderReport, client_ids.ClientId]] = []
        for report in sorted(reports, key=lambda r: r.status is not OrderStatus.FILLED):
            parsed = client_ids.parse(report.client_order_id)
            if parsed is None:
                log.warning("report for %s, not one of ours: ignored", report.client_order_id)
            elif parsed.purpose == client_ids.ENTRY and not parsed.protection:
                await self.record_entry(await self._stored_order(report.client_order_id), report)
            else:
                others.append((report, parsed))
        if others:
            await self._apply(others, exit_reason)

    async def record_entry(self, order: Order, report: OrderReport) -> Position | None:
        """Record an entry's report; its first fill opens the trade, later ones grow it.

        The trade's confidence and indicator contributions are the decision stored with the
        entry (``remember_intent``).
        """
        position = self.positions.get(order.bot)
        ids = await self.row_ids()
        async with UnitOfWork(self.ctx.database) as uow:
            session = uow.session
            updated = await self._record(session, report)
            events: list[Event] = [(topics.ORDERS, self._order_event(updated))]
            if report.filled > 0 and position is None:
                intent = self._intents.pop(order.client_order_id, None)
                if intent is None:
                    intent = (
                        await checkpoints.load_checkpoint(
                            session=session, engine=INTENT_ENGINE, key=order.client_order_id
                        )
                        or {}
                    )
                view = await self.ctx.portfolio.view(order.bot, session=session)
                assert report.average_price is not None, "a fill has a price"
                levels = protection_levels(
                    report.average_price,
                    stop_loss=view.stop_loss,
                    take_profit=view.take_profit,
                )
                position = await open_trade(
                    session=session,
                    entry=order,
                    report=report,
                    levels=levels,
                    confidence=intent.get("confidence"),
                    snapshot=intent.get("snapshot"),
                    venue=self.ctx.venue,
                    ids=(ids.bots[order.bot], ids.pair),
                )
                events.append((topics.ALERTS, self._opened_alert(position, intent)))
            elif position is not None and report.filled > position.quantity:
                await grow_trade(session=session, position=position, report=report)
            await self.ctx.progress.mark(
                session, at=self.ctx.clock.now(), step_ms=self._step(report)
            )
            await uow.commit()
        if position is not None:
            self.positions[order.bot] = position
        await self.publish(events)
        return position

    async def remember_intent(
        self, order: Order, intent: dict[str, Any], *, session: AsyncSession
    ) -> None:
        """Store the decision behind an entry (confidence, indicator contributions) in ``session``.

        Its trade records them even after a restart between the order and its fill.
        """
        coid = order.client_order_id
        self._intents.pop(coid, None)
        await checkpoints.save_checkpoint(
            session=session, engine=INTENT_ENGINE, key=coid, value=intent, at=self.ctx.clock.now()
        )
        after_commit(session, lambda: self._intents.__setitem__(coid, intent))

    async def _apply(
        self, reports: list[tuple[OrderReport, client_ids.ClientId]], reason: ExitReason | None
    ) -> None:
        closed: list[BotKind] = []
        events: list[Event] = []
        async with UnitOfWork(self.ctx.database) as uow:
            session = uow.session
            for report, parsed in reports:
                updated = await self._record(session, report)
                events.append((topics.ORDERS, self._order_event(updated)))
                position = self.positions.get(parsed.bot)
                if position is None or parsed.bot in closed:
                    continue
                _forget_lost_stop(report, position)
                if not _closes(report, parsed, position):
                    continue
                why = (
                    exit_reason(report.type) if parsed.protection else _EXIT_REASONS[parsed.purpose]
                )
                trade = await close_trade(
                    session=session, position=position, exit_report=report, reason=reason or why
                )
                settled = await self.ctx.portfolio.settle(
                    session=session, trade_id=position.trade_id, trade=trade, at=report.timestamp
                )
                events += [(topics.ALERTS, self._closed_alert(position, trade)), *settled]
                closed.append(parsed.bot)
            await self.ctx.progress.mark(
                session, at=self.ctx.clock.now(), step_ms=self._latest_step(reports)
            )
            await uow.commit()
        for bot in closed:
            self.positions.pop(bot, None)
        await self.publish(events)

    # --- asking the exchange and the database ------------------------------------------------

    async def lookup(self, client_order_id: str) -> OrderReport | None:
        """The exchange's view of one of our orders; None when it never received it.

        Raises:
            OperationalError: the exchange cannot answer (trading stops until reconciled).
        """
        ctx = self.ctx
        for attempt in range(1, ctx.send_attempts + 1):
            try:
                return await ctx.exchange.fetch_order(ctx.pair, client_order_id=client_order_id)
            except TemporaryError as exc:
                log.warning("looking up %s (attempt %d): %s", client_order_id, attempt, exc)
                await asyncio.sleep(ctx.retry_delay_s * attempt)
        self.trading_allowed = False
        raise OperationalError(
            f"order {client_order_id}: its fate is unknown and the exchange does not answer; "
            "trading stops until reconciliation succeeds"
        )

    async def stored(self, client_order_id: str) -> Order | None:
        """Our record of an order, or None."""
        known = self._known.get(client_order_id)
        if known is not None:
            return known
        async with UnitOfWork(self.ctx.database) as uow:
            return await orders.get_order(session=uow.session, client_order_id=client_order_id)

    async def record_status(self, order: Order, status: OrderStatus) -> None:
        """Record a status we know without the exchange (refused, never sent)."""
        changed = order.model_copy(update={"status": status})
        async with UnitOfWork(self.ctx.database) as uow:
            self._track(uow.session, [changed])
            await orders.update_order(session=uow.session, order=changed)
            await uow.commit()
        await self.publish([(topics.ORDERS, self._order_event(changed))])

    # --- what this engine wrote ------------------------------------------------------------

    async def row_ids(self) -> orders.RowIds:
        """The bots' and the traded pair's row ids, looked up (and committed) once."""
        if self._ids is None:
            async with UnitOfWork(self.ctx.database) as uow:
                ids = await orders.row_ids(
                    session=uow.session, exchange=self.ctx.venue, pair=self.ctx.pair
                )
                await uow.commit()
            self._ids = ids
        return self._ids

    def _track(self, session: AsyncSession, written: list[Order]) -> None:
        """``written`` are being written in ``session``: known again once it commits."""
        known = self._known
        for order in written:
            known.pop(order.client_order_id, None)

        def committed() -> None:
            for order in written:
                if not order.status.is_final:
                    known[order.client_order_id] = order

        after_commit(session, committed)

    async def _record(self, session: AsyncSession, report: OrderReport) -> Order:
        """``record_report`` from what this engine knows of the order (read when unknown)."""
        current = self._known.get(report.client_order_id)
        updated = await record_report(session=session, report=report, current=current)
        self._track(session, [updated])
        return updated

    # --- helpers -------------------------------------------------------------------------------

    def _step(self, report: OrderReport) -> int | None:
        """The step a report belongs to (None: the current one, or none to checkpoint).

        While reconciling: the candle of the decision that made the order, or the candle a
        protective order filled in. A canceled protection says nothing of its step (it is
        stamped with the market's time, which may already be the next candle's open: taking it
        would skip the decision that canceled it), so it moves no checkpoint.
        """
        if self.ctx.progress.step_ms is not None:
            return None
        parsed = client_ids.parse(report.client_order_id)
        if parsed is not None and not parsed.protection:
            return parsed.step_ms
        return ms_from_utc(report.timestamp) if report.status is OrderStatus.FILLED else None

    def _latest_step(self, reports: list[tuple[OrderReport, client_ids.ClientId]]) -> int | None:
        steps = [step for report, _ in reports if (step := self._step(report)) is not None]
        return max(steps) if steps else None

    async def _stored_order(self, client_order_id: str) -> Order:
        stored = await self.stored(client_order_id)
        if stored is None:
            raise OperationalError(f"the exchange reports order {client_order_id}, unknown here")
        return stored

    def _order_event(self, order: Order) -> OrderUpdated:
        return OrderUpdated.from_domain(order, at=self.ctx.clock.now())

    def _opened_alert(self, position: Position, intent: dict[str, Any]) -> AlertRaised:
        trade = position.trade
        stop, take = trade.stop_loss, trade.take_profit
        assert stop is not None
        assert take is not None
        contributions = intent.get("snapshot", {}).get("contributions", {})
        details = {f"vote:{name}": f"{share:+.4f}" for name, share in contributions.items()}
        details["confidence"] = str(intent.get("confidence"))
        details["quantity"] = str(trade.quantity)
        details["stop_loss"] = str(stop)
        details["take_profit"] = str(take)
        details["stop_pct"] = _pct(stop, trade.entry_price)
        details["take_pct"] = _pct(take, trade.entry_price)
        details["trade_id"] = str(position.trade_id)
        return AlertRaised(
            timestamp=trade.entry_time,
            kind="trade_opened",
            text=f"{position.bot} bot bought {trade.quantity} {trade.pair.base} at "
            f"{trade.entry_price} (stop {stop}, take-profit {take})",
            bot=position.bot,
            pair=trade.pair,
            side=trade.side,
            price=trade.entry_price,
            risk=(trade.entry_price - stop) * trade.quantity,
            potential_gain=(take - trade.entry_price) * trade.quantity,
            rr_ratio=trade.risk_reward_ratio,
            details=details,
        )

    def _closed_alert(self, position: Position, closed: Trade) -> AlertRaised:
        assert closed.exit_time is not None
        assert closed.status is TradeStatus.CLOSED
        return AlertRaised(
            timestamp=closed.exit_time,
            kind="trade_closed",
            text=f"{position.bot} bot sold {closed.quantity} {closed.pair.base} at "
            f"{closed.exit_price} ({closed.exit_reason}): P&L {closed.pnl:.2f}",
            bot=position.bot,
            pair=closed.pair,
            side=closed.side.opposite,
            price=closed.exit_price,
            details={
                "pnl": str(closed.pnl),
                "pnl_pct": f"{closed.pnl_percent:+.2f}",
                "entry_price": str(closed.entry_price),
                "quantity": str(closed.quantity),
                "reason": str(closed.exit_reason),
                "duration_s": str(int((closed.exit_time - closed.entry_time).total_seconds())),
                "trade_id": str(position.trade_id),
            },
        )

    async def alert(self, kind: str, text: str, *, bot: BotKind | None, severity: Severity) -> None:
        """Publish an ``AlertRaised`` on ``alerts``."""
        alert = AlertRaised(
            timestamp=self.ctx.clock.now(),
            kind=kind,
            severity=severity,
            text=text,
            bot=bot,
            pair=self.ctx.pair,  # every order of this engine is on its market
        )
        await self.publish([(topics.ALERTS, alert)])

    async def pause(self, bot: BotKind, reason: str) -> None:
        """Pause a bot (recorded, audited) and say why on ``alerts``."""
        async with UnitOfWork(self.ctx.database) as uow:
            events = await self.ctx.portfolio.pause(bot, reason=reason, session=uow.session)
            await uow.commit()
        await self.publish(events)

    async def publish(self, events: list[Event]) -> None:
        """Publish events; a bus failure is logged, never raised (the database is the truth)."""
        self.ctx.telemetry.published(events)
        for topic, message in events:
            try:
                await self.ctx.bus.publish(topic, message)
            except Exception:  # any transport failure: the state is committed already
                log.exception("could not publish %s on %s", type(message).__name__, topic)


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


def _forget_lost_stop(report: OrderReport, position: Position) -> None:
    """A live stop canceled or expired without filling: the position must be protected again."""
    final = report.status.is_final and report.status is not OrderStatus.FILLED
    if final and report.client_order_id == position.stop_id():
        position.protection = None
