"""What the order engine and each of its parts share: collaborators and settings, in one object.

The composition root (``bootstrap``) builds it once per pair; ``OrderEngine`` hands the same
instance to every part (``Entries``, ``Protection``, ``OrderSender``, ``ReportRecorder``,
``OrderStore``, ``Announcer``), which take only their peer parts besides it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal

from cryptotrader.bus.protocol import MessageBus
from cryptotrader.clock import Clock
from cryptotrader.domain.pairs import Pair
from cryptotrader.engines.portfolio import PortfolioManager
from cryptotrader.engines.progress import Progress
from cryptotrader.exchanges.base import BaseExchange
from cryptotrader.monitoring.telemetry import Telemetry
from cryptotrader.persistence.database import Database
from cryptotrader.risk.limits import OpenPosition
from cryptotrader.risk.manager import EntryFacts, RiskManager

LiveSwitch = Callable[[EntryFacts], Awaitable[None]]
"""Raises ``RiskRefused`` when a live entry is not allowed right now (the API's switch)."""


async def no_live_switch(facts: EntryFacts) -> None:
    """Paper trading: no switch to read."""


@dataclass(frozen=True, slots=True)
class OrderEngineDeps:
    """The order engine's collaborators and settings, shared by all its parts.

    Attributes:
        database: orders, trades, bots and checkpoints.
        exchange: where orders go.
        portfolio: sizing and settlement.
        risk: validation of every order.
        bus: where order updates and alerts go.
        clock: timestamps.
        progress: the step checkpoint written with every effect.
        pair: the market traded.
        venue: the exchange's name in ``trading_pairs`` (``paper`` for the paper exchange).
        fee_rate: expected fee per fill (sizing keeps notional plus fee within the capital).
        live: True when orders move real money.
        live_switch: reads the operator's live-trading switch before a live entry.
        send_attempts: tries per order and per lookup on temporary failures.
        retry_delay_s: first pause between tries (grows linearly).
        failures_to_pause: consecutive failed orders that pause a bot.
        telemetry: where orders, trades, latencies and errors are reported.
        book: every open position of every pair the runtime trades, for the risk limits
            across pairs (None: this engine's pair only).
    """

    database: Database
    exchange: BaseExchange
    portfolio: PortfolioManager
    risk: RiskManager
    bus: MessageBus
    clock: Clock
    progress: Progress
    pair: Pair
    venue: str
    fee_rate: Decimal
    live: bool = False
    live_switch: LiveSwitch = no_live_switch
    send_attempts: int = 3
    retry_delay_s: float = 0.5
    failures_to_pause: int = 3
    telemetry: Telemetry = field(default_factory=Telemetry)
    book: Callable[[], tuple[OpenPosition, ...]] | None = None
