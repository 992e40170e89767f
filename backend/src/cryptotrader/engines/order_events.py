"""What the order engine says: order updates and alerts on the bus, and pausing a bot.

Events are written in the transaction of the change they announce (``stage``, the transactional
outbox of ``cryptotrader.outbox``) and sent when it has committed; a bus failure is logged and
never undoes or blocks trading (the database is the truth), the relay sends them later.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy.ext.asyncio import AsyncSession

from cryptotrader.bus import topics
from cryptotrader.bus.messages import AlertRaised, OrderUpdated, Severity
from cryptotrader.domain.enums import BotKind
from cryptotrader.domain.orders import Order
from cryptotrader.engines.order_deps import OrderEngineDeps
from cryptotrader.engines.portfolio import Event
from cryptotrader.monitoring.telemetry import Telemetry
from cryptotrader.outbox import outbox_for
from cryptotrader.persistence.uow import UnitOfWork, after_commit

log = logging.getLogger(__name__)


class _Later:
    """The counts a ``counted_after`` block holds (``open`` until it ends)."""

    __slots__ = ("held", "open")

    def __init__(self) -> None:
        self.held: list[tuple[Telemetry, list[Event]]] = []
        self.open = True

    def add(self, telemetry: Telemetry, events: list[Event]) -> None:
        if self.open:
            self.held.append((telemetry, events))
        else:  # committed by a task that outlived the block: counted now
            telemetry.published(events)


_LATER: ContextVar[_Later | None] = ContextVar("cryptotrader.counted_later", default=None)


@contextmanager
def counted_after() -> Iterator[None]:
    """Inside it, events staged and committed are counted (telemetry) as it ends, in order.

    For a candle time's batches (``order_batch``): counting each transaction's events at its
    commit put some seventy ``Telemetry.published`` calls of the exits and entries before the
    last pair's order was sent; they wait until the batch is done. Tasks started inside (a
    batch's sends) count into the same block (one that outlives it counts at its commits).
    Nested: the outermost block counts.
    """
    if _LATER.get() is not None:
        yield
        return
    later = _Later()
    token = _LATER.set(later)
    try:
        yield
    finally:
        _LATER.reset(token)
        later.open = False
        for telemetry, events in later.held:
            telemetry.published(events)


def count_committed(session: AsyncSession, telemetry: Telemetry, events: list[Event]) -> None:
    """Count ``events`` once ``session`` commits: then, or as ``counted_after`` ends."""
    later = _LATER.get()
    if later is None:
        after_commit(session, lambda: telemetry.published(events))
    else:
        after_commit(session, lambda: later.add(telemetry, events))


class Announcer:
    """Publishes the order engine's events and pauses bots.

    Args:
        deps: the shared collaborators and settings (``OrderEngineDeps``).
    """

    def __init__(self, deps: OrderEngineDeps) -> None:
        self._bus = deps.bus
        self._pair = deps.pair
        self._clock = deps.clock
        self._telemetry = deps.telemetry
        self._database = deps.database
        self._portfolio = deps.portfolio
        self._outbox = outbox_for(deps.database, deps.bus)

    def order_event(self, order: Order) -> OrderUpdated:
        """The ``OrderUpdated`` message for ``order`` as it stands now."""
        return OrderUpdated.from_domain(order, at=self._clock.now())

    def alert_event(
        self, kind: str, text: str, *, bot: BotKind | None, severity: Severity
    ) -> Event:
        """An ``AlertRaised`` on ``alerts`` about this engine's pair, to stage with its change."""
        alert = AlertRaised(
            timestamp=self._clock.now(),
            kind=kind,
            severity=severity,
            text=text,
            bot=bot,
            pair=self._pair,
        )
        return topics.ALERTS, alert

    async def alert(self, kind: str, text: str, *, bot: BotKind | None, severity: Severity) -> None:
        """Publish an alert that follows no change of ours, directly (a bus failure is logged).

        ``order_refused`` (nothing written), ``reconciliation_failed`` and ``unknown_order``
        (what the exchange said; the next reconciliation says it again), ``order_failed`` when
        the exchange could not be asked (nothing recorded). An alert that follows a change is
        staged with it (``stage``) or written on its own (``alert_written``).
        """
        event = self.alert_event(kind, text, bot=bot, severity=severity)
        self._telemetry.published([event])
        try:
            await self._bus.publish(*event)
        except Exception:  # any transport failure: trading goes on
            log.exception("could not publish an alert on %s", topics.ALERTS)

    async def alert_written(
        self, kind: str, text: str, *, bot: BotKind | None, severity: Severity
    ) -> None:
        """Write an alert through the outbox in a transaction of its own (sent once committed).

        For an alert that announces what the engine does next (``protection_failed``: the
        position is closed at market): a crash after it still delivers it.
        """
        async with UnitOfWork(self._database) as uow:
            event = self.alert_event(kind, text, bot=bot, severity=severity)
            await self.stage(uow.session, [event])
            await uow.commit()

    async def pause(self, bot: BotKind, reason: str) -> None:
        """Pause a bot (recorded, audited) and say why on ``alerts``."""
        async with UnitOfWork(self._database) as uow:
            events = await self._portfolio.pause(
                bot, reason=reason, session=uow.session, pair=self._pair
            )
            await self.stage(uow.session, events)
            await uow.commit()

    async def stage(self, session: AsyncSession, events: list[Event]) -> None:
        """Write ``events`` in ``session``'s transaction; sent when its ``UnitOfWork`` ends.

        Counted (telemetry) once committed; a rollback drops them with the change.
        """
        if not events:
            return
        await self._outbox.add(session, events)
        count_committed(session, self._telemetry, events)
