"""Control worker: applies the bot commands people send on ``commands`` (``ControlBot``).

The API records what was asked and publishes the command; the portfolio manager applies it
(``bots.status``, the audit log, the reducer's resume) and announces it on ``alerts``. A command
delivered twice (the outbox sends again what an empty Redis restart lost) is applied once: its
``message_id`` is claimed in the inbox with the change.
"""

from __future__ import annotations

import logging

from cryptotrader.bus.messages import ControlBot
from cryptotrader.bus.protocol import Delivery, MessageBus
from cryptotrader.engines.portfolio import PortfolioManager

log = logging.getLogger(__name__)


class ControlWorker:
    """Consumes ``commands``.

    Args:
        bus: where the resulting alerts go.
        portfolio: applies the commands.
    """

    def __init__(self, *, bus: MessageBus, portfolio: PortfolioManager) -> None:
        self._bus = bus
        self._portfolio = portfolio

    async def handle(self, delivery: Delivery) -> None:
        """Apply one command."""
        command = delivery.message
        if not isinstance(command, ControlBot):
            return
        log.info("%s the %s bot (asked by %s)", command.action, command.bot, command.requested_by)
        events = await self._portfolio.control(
            command.bot, command.action, by=command.requested_by, message_id=command.message_id
        )
        for topic, message in events:
            await self._bus.publish(topic, message)
