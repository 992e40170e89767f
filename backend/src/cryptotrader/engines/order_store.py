"""Our record of each order, and the exchange's answer about one: the order engine's lookups.

Every order is **written to the database before it is sent**; the engine is the only writer of
``orders``, so what it committed is what the table holds and recording a report needs no read.
An entry's intent (the decision behind it) is stored beside it, so its trade records it even
after a restart between the order and its fill.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from cryptotrader.bus import topics
from cryptotrader.domain.enums import OrderStatus
from cryptotrader.domain.orders import Order
from cryptotrader.domain.reports import OrderReport
from cryptotrader.engines.order_deps import OrderEngineDeps
from cryptotrader.engines.order_events import Announcer
from cryptotrader.engines.order_state import TradingState
from cryptotrader.engines.portfolio import Event
from cryptotrader.engines.positions import record_report
from cryptotrader.errors import OperationalError, TemporaryError
from cryptotrader.persistence.repositories import checkpoints, orders
from cryptotrader.persistence.uow import UnitOfWork, after_commit

log = logging.getLogger(__name__)

INTENT_ENGINE = "order.intent"
"""``engine_checkpoints`` rows holding each entry's decision (confidence, contributions)."""


class OrderStore:
    """Writes our orders, remembers what it wrote, and asks the exchange about one.

    Args:
        deps: the shared collaborators and settings (``OrderEngineDeps``).
        announcer: publishes order updates.
        state: set to "no trading" when the exchange cannot say what became of an order.
    """

    def __init__(
        self,
        deps: OrderEngineDeps,
        *,
        announcer: Announcer,
        state: TradingState,
    ) -> None:
        self._database = deps.database
        self._exchange = deps.exchange
        self._pair = deps.pair
        self._venue = deps.venue
        self._clock = deps.clock
        self._progress = deps.progress
        self._announcer = announcer
        self._state = state
        self._attempts = deps.send_attempts
        self._delay_s = deps.retry_delay_s
        self._known: dict[str, Order] = {}
        """Our orders not final yet, as last committed, by client id. Forgotten before each
        write, put back once the write is committed (``track``): a rolled-back write leaves the
        order absent (then read from the database), never stale."""
        self._ids: orders.RowIds | None = None
        self._intents: dict[str, dict[str, Any]] = {}
        """Entries' intents committed by this engine and not yet used (else read back)."""

    # --- asking the exchange and the database ------------------------------------------------

    async def lookup(self, client_order_id: str) -> OrderReport | None:
        """The exchange's view of one of our orders; None when it never received it.

        Raises:
            OperationalError: the exchange cannot answer (trading stops until reconciled).
        """
        for attempt in range(1, self._attempts + 1):
            try:
                return await self._exchange.fetch_order(self._pair, client_order_id=client_order_id)
            except TemporaryError as exc:
                log.warning("looking up %s (attempt %d): %s", client_order_id, attempt, exc)
                await asyncio.sleep(self._delay_s * attempt)
        self._state.trading_allowed = False
        raise OperationalError(
            f"order {client_order_id}: its fate is unknown and the exchange does not answer; "
            "trading stops until reconciliation succeeds"
        )

    async def stored(self, client_order_id: str) -> Order | None:
        """Our record of an order, or None."""
        known = self._known.get(client_order_id)
        if known is not None:
            return known
        async with UnitOfWork(self._database) as uow:
            return await orders.get_order(session=uow.session, client_order_id=client_order_id)

    async def stored_order(self, client_order_id: str) -> Order:
        """Our record of an order the exchange reports.

        Raises:
            OperationalError: we have no such order.
        """
        stored = await self.stored(client_order_id)
        if stored is None:
            raise OperationalError(f"the exchange reports order {client_order_id}, unknown here")
        return stored

    # --- writing ---------------------------------------------------------------------------------

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
        async with UnitOfWork(self._database) as uow:
            await self.write_new(uow.session, order, ids, trade_id=trade_id, intent=intent)
            await uow.commit()

    async def write_new(
        self,
        session: AsyncSession,
        order: Order,
        ids: orders.RowIds,
        *,
        trade_id: int | None = None,
        intent: dict[str, Any] | None = None,
    ) -> None:
        """``store_new`` inside the caller's transaction (its update staged in the outbox)."""
        self.track(session, [order])
        await orders.add_order(
            session=session, order=order, exchange=self._venue, trade_id=trade_id, ids=ids
        )
        if intent is not None:
            await self.remember_intent(order, intent, session=session)
        await self._progress.mark(session, at=self._clock.now())
        await self._announcer.stage(session, [(topics.ORDERS, self._announcer.order_event(order))])

    async def record_status(
        self, order: Order, status: OrderStatus, *, also: Sequence[Event] = ()
    ) -> None:
        """Record a status we know without the exchange (refused, never sent).

        ``also``: events that follow this change (an ``order_failed`` alert), staged with it.
        """
        changed = order.model_copy(update={"status": status})
        async with UnitOfWork(self._database) as uow:
            self.track(uow.session, [changed])
            await orders.update_order(session=uow.session, order=changed)
            event = (topics.ORDERS, self._announcer.order_event(changed))
            await self._announcer.stage(uow.session, [event, *also])
            await uow.commit()

    def known(self, client_order_id: str) -> Order | None:
        """The order as this engine last recorded it, if it has (no read)."""
        return self._known.get(client_order_id)

    async def record(
        self, session: AsyncSession, report: OrderReport, *, current: Order | None = None
    ) -> Order:
        """``record_report`` from what this engine knows of the order (read when unknown).

        ``current``: the order as this transaction wrote it, not committed yet (so neither known
        nor readable: its insert is queued, ``deferred``).
        """
        if current is None:
            current = self._known.get(report.client_order_id)
        updated = await record_report(session=session, report=report, current=current)
        self.track(session, [updated])
        return updated

    async def remember_intent(
        self, order: Order, intent: dict[str, Any], *, session: AsyncSession
    ) -> None:
        """Store the decision behind an entry (confidence, indicator contributions) in ``session``.

        Its trade records them even after a restart between the order and its fill.
        """
        coid = order.client_order_id
        self._intents.pop(coid, None)
        await checkpoints.save_checkpoint(
            session=session, engine=INTENT_ENGINE, key=coid, value=intent, at=self._clock.now()
        )
        after_commit(session, lambda: self._intents.__setitem__(coid, intent))

    async def take_intent(self, session: AsyncSession, client_order_id: str) -> dict[str, Any]:
        """The decision stored with an entry (empty when none was), used once its trade opens."""
        intent = self._intents.pop(client_order_id, None)
        if intent is None:
            intent = (
                await checkpoints.load_checkpoint(
                    session=session, engine=INTENT_ENGINE, key=client_order_id
                )
                or {}
            )
        return intent

    # --- what this engine wrote ------------------------------------------------------------

    @property
    def ids_known(self) -> bool:
        """True once ``row_ids`` looked them up (asking again reads nothing, writes nothing)."""
        return self._ids is not None

    async def row_ids(self) -> orders.RowIds:
        """The bots' and the traded pair's row ids, looked up (and committed) once."""
        if self._ids is None:
            async with UnitOfWork(self._database) as uow:
                ids = await orders.row_ids(
                    session=uow.session, exchange=self._venue, pair=self._pair
                )
                await uow.commit()
            self._ids = ids
        return self._ids

    def track(self, session: AsyncSession, written: list[Order]) -> None:
        """``written`` are being written in ``session``: known again once it commits."""
        known = self._known
        for order in written:
            known.pop(order.client_order_id, None)

        def committed() -> None:
            for order in written:
                if not order.status.is_final:
                    known[order.client_order_id] = order

        after_commit(session, committed)
