"""A position's stop-loss and take-profit: placed for the amount held, never left missing.

``Protection.protect`` stores both legs (pending) before sending them as one protection
(``BaseExchange.place_protection``: native OCO where the venue has it). After an ambiguous failure
it looks the stop up by client id before trying again. If the protection cannot be placed, the
position is closed at market at once (``ExitReason.PROTECTION_FAILED``) and a critical alert
says so; when even that fails, the bot is paused and the alert asks a person to act.

Venues that cannot hold a take-profit beside the stop (``take_profit_by_engine``) get the stop
only; ``watch_take_profit`` sells at market when a candle reaches the take-profit.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from cryptotrader.bus import topics
from cryptotrader.domain.enums import BotKind, ExitReason, OrderStatus, OrderType, Side
from cryptotrader.domain.orders import Order
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.reports import OrderReport
from cryptotrader.engines import client_ids
from cryptotrader.engines.order_deps import OrderEngineDeps
from cryptotrader.engines.order_events import Announcer
from cryptotrader.engines.order_reports import ReportRecorder
from cryptotrader.engines.order_state import TradingState
from cryptotrader.engines.order_store import OrderStore
from cryptotrader.engines.positions import Position
from cryptotrader.errors import OperationalError, OrderOutcomeUnknown, OrderRejected, TemporaryError
from cryptotrader.persistence.repositories import orders
from cryptotrader.persistence.uow import UnitOfWork
from cryptotrader.risk.protection import protection_levels

log = logging.getLogger(__name__)


def protection_legs(
    bot: BotKind,
    pair: Pair,
    quantity: Decimal,
    *,
    base: str,
    stop: Decimal,
    take: Decimal | None,
    now: datetime,
) -> list[Order]:
    """A protection's orders as stored before sending.

    ``<base>-sl``, and ``<base>-tp`` when a take-profit rests at the exchange (``take`` given).
    """
    legs = [(f"{base}-sl", OrderType.STOP_LOSS, stop)]
    if take is not None:
        legs.append((f"{base}-tp", OrderType.TAKE_PROFIT, take))
    return [
        Order(
            client_order_id=coid,
            bot=bot,
            pair=pair,
            side=Side.SELL,
            type=kind,
            quantity=quantity,
            price=price,
            created_at=now,
        )
        for coid, kind, price in legs
    ]


ClosePosition = Callable[..., Awaitable[None]]
"""Sells a position at market: ``close(bot, reason=..., client_order_id=...)``."""


class Protection:
    """Places, re-places, cancels and watches the positions' stop-loss and take-profit.

    Args:
        deps: the shared collaborators and settings (``OrderEngineDeps``).
        store: our record of the legs; looks them up at the exchange.
        recorder: records what the exchange answers.
        announcer: alerts; pauses a bot whose position cannot be protected.
        state: the open positions.
        close: sells a position at market (the order engine's exit), when it cannot be protected
            or its take-profit is reached.
    """

    def __init__(
        self,
        deps: OrderEngineDeps,
        *,
        store: OrderStore,
        recorder: ReportRecorder,
        announcer: Announcer,
        state: TradingState,
        close: ClosePosition,
    ) -> None:
        self._database = deps.database
        self._exchange = deps.exchange
        self._pair = deps.pair
        self._venue = deps.venue
        self._clock = deps.clock
        self._progress = deps.progress
        self._portfolio = deps.portfolio
        self._risk = deps.risk
        self._live = deps.live
        self._store = store
        self._recorder = recorder
        self._announcer = announcer
        self._state = state
        self._close = close
        self._attempts = deps.send_attempts
        self._delay_s = deps.retry_delay_s

    async def protect(self, position: Position, *, close_on_failure: bool = True) -> bool:
        """Place (or, for a grown position, re-place) the stop-loss and take-profit.

        Returns False when it could not; with ``close_on_failure`` the position is then closed
        at market at once.
        """
        if position.protection is not None and not await self.cancel_protection(position):
            return True  # the old protection filled: nothing left to protect
        version = position.version + 1
        base = client_ids.protection_id(position.entry_id, version)
        stop, take = await self._levels(position)
        await self._store_legs(position, base, stop, take)
        reports = await self._place(position, base, stop, take)
        if reports is None:
            if close_on_failure:
                await self._close_unprotected(position, "its stop-loss could not be placed")
            return False
        position.version, position.stop, position.take = version, stop, take
        await self._recorder.apply_reports(reports)
        position.protection, position.protected = base, position.quantity
        return True

    async def ensure_protection(self) -> None:
        """Protect every position that lacks its stop-loss (after a restart, a partial fill)."""
        for position in list(self._state.positions.values()):
            if position.unprotected:
                await self.protect(position)

    async def reprotect_or_pause(self, position: Position, why: str) -> None:
        """After a failed exit: protect the position again, or pause the bot and say so."""
        if not position.unprotected or await self.protect(position, close_on_failure=False):
            return
        await self._announcer.pause(
            position.bot,
            f"{why}, and the position could not be protected again: act on the exchange now",
        )

    async def cancel_protection(self, position: Position) -> bool:
        """Cancel the live protection; False when a leg had filled (the position is closed)."""
        await self._recorder.apply_reports(await self.cancel_legs(position))
        return self.canceled(position)

    async def cancel_legs(self, position: Position) -> list[OrderReport]:
        """Cancel the live protection at the exchange; its legs' reports, to be recorded.

        Once they are recorded, ``canceled`` says whether the position is still held.
        """
        reports: list[OrderReport] = []
        for coid in (position.stop_id(), position.take_id()):
            if coid is None:
                continue
            report = await self._store.lookup(coid)
            if report is None:
                await self._forget(coid)
                continue
            if not report.status.is_final:
                report = await self.cancel(coid)
            reports.append(report)
        return reports

    def canceled(self, position: Position) -> bool:
        """After ``cancel_legs``' reports were recorded: False when a leg had filled (closed)."""
        if position.bot not in self._state.positions:
            return False
        position.protection, position.protected = None, Decimal(0)
        return True

    async def watch_take_profit(self, high: float, *, step_ms: int) -> None:
        """Sell positions whose take-profit the candle reached (venues without one resting)."""
        if not self._exchange.capabilities.take_profit_by_engine:
            return
        for position in list(self._state.positions.values()):
            if position.take is not None and high >= float(position.take):
                await self._close(
                    position.bot,
                    reason=ExitReason.TAKE_PROFIT,
                    client_order_id=client_ids.decision_id(
                        position.bot, self._pair.symbol, step_ms, client_ids.TAKE
                    ),
                )

    async def sync_protection(self) -> None:
        """Ask the exchange about each position's protective orders (venues without a feed)."""
        reports: list[OrderReport] = []
        for position in list(self._state.positions.values()):
            for coid in (position.stop_id(), position.take_id()):
                report = None if coid is None else await self._store.lookup(coid)
                if report is not None and (report.status.is_final or report.filled > 0):
                    reports.append(report)
        if reports:
            await self._recorder.apply_reports(reports)

    # --- internals -----------------------------------------------------------------------------

    async def levels(self, position: Position) -> tuple[Decimal, Decimal]:
        """The stop-loss and take-profit to place for ``position``."""
        return await self._levels(position)

    async def _levels(self, position: Position) -> tuple[Decimal, Decimal]:
        if position.version == 0 and position.stop is not None and position.take is not None:
            return position.stop, position.take  # computed from this fill when it was recorded
        async with UnitOfWork(self._database) as uow:
            bot = await self._portfolio.terms(position.bot, session=uow.session)
        return protection_levels(
            position.entry_price, stop_loss=bot.stop_loss, take_profit=bot.take_profit
        )

    async def _store_legs(
        self, position: Position, base: str, stop: Decimal, take: Decimal
    ) -> None:
        ids = await self._store.row_ids()
        async with UnitOfWork(self._database) as uow:
            await self.store_legs_in(uow.session, position, base, stop, take, ids)
            await uow.commit()

    async def store_legs_in(  # noqa: PLR0917 - a protection's fields
        self,
        session: AsyncSession,
        position: Position,
        base: str,
        stop: Decimal,
        take: Decimal,
        ids: orders.RowIds,
    ) -> list[Order]:
        """Write a protection's legs (pending) in ``session``; returns those not stored before.

        Their pending updates are staged in the same transaction (the outbox).
        """
        with_take = not self._exchange.capabilities.take_profit_by_engine
        legs = protection_legs(
            position.bot,
            self._pair,
            position.quantity,
            base=base,
            stop=stop,
            take=take if with_take else None,
            now=self._clock.now(),
        )
        new: list[Order] = []
        for leg in legs:
            if await orders.add_order_if_new(
                session=session,
                order=leg,
                exchange=self._venue,
                trade_id=position.trade_id,
                ids=ids,
            ):
                new.append(leg)  # noqa: PERF401 - else stored already (a restart, a failed send)
        self._store.track(session, new)
        await self._progress.mark(session, at=self._clock.now())
        await self._announcer.stage(
            session, [(topics.ORDERS, self._announcer.order_event(leg)) for leg in new]
        )
        return new

    async def place(
        self, position: Position, base: str, stop: Decimal, take: Decimal
    ) -> list[OrderReport] | None:
        """Send a stored protection (see ``protect``); None when it could not be placed."""
        return await self._place(position, base, stop, take)

    async def close_unprotected(self, position: Position, why: str) -> None:
        """Alert, and sell at market a position whose protection could not be placed."""
        await self._close_unprotected(position, why)

    async def _place(
        self, position: Position, base: str, stop: Decimal, take: Decimal
    ) -> list[OrderReport] | None:
        with_take = not self._exchange.capabilities.take_profit_by_engine
        for attempt in range(1, self._attempts + 1):
            try:
                self._risk.check_exit(live=self._live)
                placed = await self._exchange.place_protection(
                    self._pair,
                    position.quantity,
                    stop_loss=stop,
                    take_profit=take if with_take else None,
                    client_order_id=base,
                )
            except (OrderOutcomeUnknown, TemporaryError) as exc:
                log.warning("protection %s, attempt %d: %s; looking it up", base, attempt, exc)
                found = await self._store.lookup(f"{base}-sl")
                if found is not None:
                    taken = await self._store.lookup(f"{base}-tp") if with_take else None
                    return [found, *([taken] if taken is not None else [])]
                await asyncio.sleep(self._delay_s * attempt)
                continue
            except (OrderRejected, OperationalError) as exc:
                log.error("protection %s refused: %s", base, exc)
                return None
            legs = [placed.stop_loss]
            return legs + ([placed.take_profit] if placed.take_profit is not None else [])
        return None

    async def cancel(self, coid: str) -> OrderReport:
        """Cancel one of our orders (the rest of its order list goes with it), retrying."""
        for attempt in range(1, self._attempts + 1):
            try:
                return await self._exchange.cancel_order(self._pair, client_order_id=coid)
            except TemporaryError as exc:
                log.warning("cancel %s, attempt %d: %s", coid, attempt, exc)
                await asyncio.sleep(self._delay_s * attempt)
        raise OperationalError(f"order {coid} could not be canceled: the exchange does not answer")

    async def _forget(self, coid: str) -> None:
        """A leg stored but never received by the exchange: record it canceled."""
        stored = await self._store.stored(coid)
        if stored is not None and stored.status is OrderStatus.PENDING:
            await self._store.record_status(stored, OrderStatus.CANCELED)

    async def _close_unprotected(self, position: Position, why: str) -> None:
        await self._announcer.alert_written(
            "protection_failed",
            f"{position.bot} bot: {why}; closing the position at market",
            bot=position.bot,
            severity="critical",
        )
        await self._close(
            position.bot,
            reason=ExitReason.PROTECTION_FAILED,
            client_order_id=client_ids.close_id(position.entry_id),
        )
