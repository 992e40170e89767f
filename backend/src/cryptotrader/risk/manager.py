"""RiskManager: every order is checked before it leaves (DESIGN.md, Risk).

Entries are refused when the bot is not running (paused or stopped), when live trading is not
allowed on a live venue, when the size is not one the market accepts, or when a limit across
pairs and bots would be broken (``risk.limits.entry_refusal``: open positions per bot and
overall, exposure per entry, per bot and per pair, the bot's loss of the current UTC day; the
portfolio backtest applies the same function). Exits and protective orders reduce risk: only the
live-trading switch applies to them, never the other limits (refusing an exit would leave a
position open). Cancels are always allowed.

The checks are pure: the order engine gathers the facts (``EntryFacts``, with the book of open
positions) and the manager decides, raising ``RiskRefused`` with the reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from cryptotrader.config import RuntimeSettings
from cryptotrader.domain.enums import BotKind, BotStatus
from cryptotrader.domain.markets import MarketRules
from cryptotrader.errors import OrderRejected
from cryptotrader.risk.limits import CrossPairLimits, OpenPosition, ProposedEntry, entry_refusal


class RiskRefused(OrderRejected):
    """The risk manager refused an order before it was sent; the message says which rule."""


@dataclass(frozen=True, slots=True)
class RiskLimits:
    """The limits across pairs, from the runtime settings, and whether real orders may be sent."""

    cross: CrossPairLimits
    live_allowed: bool

    @classmethod
    def from_settings(cls, runtime: RuntimeSettings, *, live_allowed: bool) -> RiskLimits:
        """The limits configured in ``runtime``."""
        return cls(cross=CrossPairLimits.from_settings(runtime), live_allowed=live_allowed)


@dataclass(frozen=True, slots=True)
class EntryFacts:
    """What the manager needs to know about a proposed entry.

    Attributes:
        bot: who buys.
        pair: the market it buys on.
        status: the bot's run state.
        capitals: both bots' capital.
        quantity: the amount to buy.
        price: the expected fill price.
        fee_rate: fee of the fill, as a fraction.
        rules: the market's amount step and minimums.
        book: the open positions of both bots on every pair.
        realised_today: the bot's net P&L of trades closed since 00:00 UTC today.
        live: True when the venue moves real money.
    """

    bot: BotKind
    pair: str
    status: BotStatus
    capitals: Mapping[BotKind, Decimal]
    quantity: Decimal
    price: Decimal
    fee_rate: Decimal
    rules: MarketRules
    book: tuple[OpenPosition, ...]
    realised_today: Decimal
    live: bool

    @property
    def capital(self) -> Decimal:
        """The buying bot's capital."""
        return self.capitals[self.bot]


class RiskManager:
    """Validates orders against ``RiskLimits``.

    Args:
        limits: the limits.

    Example:
        >>> cross = CrossPairLimits(4, 3, Decimal(1), Decimal(1), Decimal(1), Decimal("0.1"))
        >>> RiskManager(limits=RiskLimits(cross, live_allowed=False)).check_exit(live=False)
    """

    def __init__(self, *, limits: RiskLimits) -> None:
        self.limits = limits

    def check_entry(self, facts: EntryFacts) -> None:
        """Raise unless the entry passes every rule.

        Raises:
            RiskRefused: the first rule it breaks, named in the message.
        """
        self.check_exit(live=facts.live)
        reason = self._status(facts) or self._size(facts) or self._limits(facts)
        if reason is not None:
            raise RiskRefused(f"{facts.bot} bot entry on {facts.pair} refused: {reason}")

    def check_exit(self, *, live: bool) -> None:
        """Raise when a live order is not allowed (exits and protection need only this).

        Raises:
            RiskRefused: live trading is not enabled.
        """
        if live and not self.limits.live_allowed:
            raise RiskRefused(
                "live trading is not enabled (settings, --live and the confirmation flag)"
            )

    @staticmethod
    def _status(facts: EntryFacts) -> str | None:
        if facts.status is not BotStatus.RUNNING:
            return f"the bot is {facts.status}"
        return None

    @staticmethod
    def _size(facts: EntryFacts) -> str | None:
        if facts.quantity <= 0:
            return "nothing to buy"
        return facts.rules.check_order(facts.quantity, facts.price)

    def _limits(self, facts: EntryFacts) -> str | None:
        return entry_refusal(
            ProposedEntry(facts.bot, facts.pair, facts.quantity * facts.price),
            book=facts.book,
            capitals=facts.capitals,
            realised_today=facts.realised_today,
            fee_rate=facts.fee_rate,
            limits=self.limits.cross,
        )
