"""What the order engine says: order updates and alerts on the bus, and pausing a bot.

Events are published after the transaction that caused them commits; a bus failure is logged and
never undoes or blocks trading (the database is the truth).
"""

from __future__ import annotations

import logging

from cryptotrader.bus import topics
from cryptotrader.bus.messages import AlertRaised, OrderUpdated, Severity
from cryptotrader.domain.enums import BotKind
from cryptotrader.domain.orders import Order
from cryptotrader.engines.order_deps import OrderEngineDeps
from cryptotrader.engines.portfolio import Event
from cryptotrader.persistence.uow import UnitOfWork

log = logging.getLogger(__name__)


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

    def order_event(self, order: Order) -> OrderUpdated:
        """The ``OrderUpdated`` message for ``order`` as it stands now."""
        return OrderUpdated.from_domain(order, at=self._clock.now())

    async def alert(self, kind: str, text: str, *, bot: BotKind | None, severity: Severity) -> None:
        """Publish an ``AlertRaised`` on ``alerts``."""
        alert = AlertRaised(
            timestamp=self._clock.now(),
            kind=kind,
            severity=severity,
            text=text,
            bot=bot,
            pair=self._pair,
        )
        await self.publish([(topics.ALERTS, alert)])

    async def pause(self, bot: BotKind, reason: str) -> None:
        """Pause a bot (recorded, audited) and say why on ``alerts``."""
        async with UnitOfWork(self._database) as uow:
            events = await self._portfolio.pause(
                bot, reason=reason, session=uow.session, pair=self._pair
            )
            await uow.commit()
        await self.publish(events)

    async def publish(self, events: list[Event]) -> None:
        """Publish events; a bus failure is logged, never raised (the database is the truth)."""
        self._telemetry.published(events)
        for topic, message in events:
            try:
                await self._bus.publish(topic, message)
            except Exception:  # any transport failure: the state is committed already
                log.exception("could not publish %s on %s", type(message).__name__, topic)
