"""What the order engine says: order updates and alerts on the bus, and pausing a bot.

Events are published after the transaction that caused them commits; a bus failure is logged and
never undoes or blocks trading (the database is the truth).
"""

from __future__ import annotations

import logging

from cryptotrader.bus import topics
from cryptotrader.bus.messages import AlertRaised, OrderUpdated, Severity
from cryptotrader.bus.protocol import MessageBus
from cryptotrader.clock import Clock
from cryptotrader.domain.enums import BotKind
from cryptotrader.domain.orders import Order
from cryptotrader.domain.pairs import Pair
from cryptotrader.engines.portfolio import Event, PortfolioManager
from cryptotrader.monitoring.telemetry import Telemetry
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.uow import UnitOfWork

log = logging.getLogger(__name__)


class Announcer:
    """Publishes the order engine's events and pauses bots.

    Args:
        bus: where order updates and alerts go.
        clock: the events' timestamps.
        telemetry: counts every published event.
        database: where a pause is recorded.
        portfolio: pauses a bot (recorded, audited).
        pair: the engine's market, carried by every alert (``/ws`` clients filter on it).
    """

    def __init__(
        self,
        *,
        bus: MessageBus,
        clock: Clock,
        telemetry: Telemetry,
        database: Database,
        portfolio: PortfolioManager,
        pair: Pair | None = None,
    ) -> None:
        self._bus = bus
        self._pair = pair
        self._clock = clock
        self._telemetry = telemetry
        self._database = database
        self._portfolio = portfolio

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
            events = await self._portfolio.pause(bot, reason=reason, session=uow.session)
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
