"""RiskManager: every order is checked before it leaves (DESIGN.md, Risk).

Entries are refused when the bot is not running (paused or stopped), when live trading is not
allowed on a live venue, when the size is not one the market accepts, when the notional exceeds
the allowed exposure or the bot's capital, when the open positions are at their limit, or when
the bot's realised loss of the current UTC day has reached the daily loss limit. Exits and
protective orders reduce risk: only the live-trading switch applies to them, never the other
limits (refusing an exit would leave a position open). Cancels are always allowed.

The checks are pure: the order engine gathers the facts (``EntryFacts``) and the manager
decides, raising ``RiskRefused`` with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from cryptotrader.config import RuntimeSettings
from cryptotrader.domain.enums import BotKind, BotStatus
from cryptotrader.domain.markets import MarketRules
from cryptotrader.errors import OrderRejected


class RiskRefused(OrderRejected):
    """The risk manager refused an order before it was sent; the message says which rule."""


@dataclass(frozen=True, slots=True)
class RiskLimits:
    """The limits, from the runtime settings, and whether real orders may be sent at all."""

    max_open_positions: int
    max_exposure: Decimal
    daily_loss_limit: Decimal
    live_allowed: bool

    @classmethod
    def from_settings(cls, runtime: RuntimeSettings, *, live_allowed: bool) -> RiskLimits:
        """The limits configured in ``runtime``."""
        return cls(
            max_open_positions=runtime.max_open_positions,
            max_exposure=runtime.max_exposure,
            daily_loss_limit=runtime.daily_loss_limit,
            live_allowed=live_allowed,
        )


@dataclass(frozen=True, slots=True)
class EntryFacts:
    """What the manager needs to know about a proposed entry.

    Attributes:
        bot: who buys.
        status: the bot's run state.
        capital: the bot's capital.
        quantity: the amount to buy.
        price: the expected fill price.
        fee_rate: fee of the fill, as a fraction.
        rules: the market's amount step and minimums.
        bot_positions: the bot's open positions.
        open_positions: open positions across both bots.
        realised_today: the bot's net P&L of trades closed since 00:00 UTC today.
        live: True when the venue moves real money.
    """

    bot: BotKind
    status: BotStatus
    capital: Decimal
    quantity: Decimal
    price: Decimal
    fee_rate: Decimal
    rules: MarketRules
    bot_positions: int
    open_positions: int
    realised_today: Decimal
    live: bool


class RiskManager:
    """Validates orders against ``RiskLimits``.

    Args:
        limits: the limits.

    Example:
        >>> manager = RiskManager(limits=RiskLimits(2, Decimal(1), Decimal("0.1"), False))
        >>> manager.check_exit(live=False)
    """

    def __init__(self, *, limits: RiskLimits) -> None:
        self.limits = limits

    def check_entry(self, facts: EntryFacts) -> None:
        """Raise unless the entry passes every rule.

        Raises:
            RiskRefused: the first rule it breaks, named in the message.
        """
        self.check_exit(live=facts.live)
        reason = (
            self._status(facts)
            or self._size(facts)
            or self._exposure(facts)
            or self._positions(facts)
            or self._daily_loss(facts)
        )
        if reason is not None:
            raise RiskRefused(f"{facts.bot} bot entry refused: {reason}")

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

    def _exposure(self, facts: EntryFacts) -> str | None:
        notional = facts.quantity * facts.price
        cost = notional * (1 + facts.fee_rate)
        if cost > facts.capital:
            return f"cost {cost:.8f} exceeds the bot's capital {facts.capital}"
        allowed = facts.capital * self.limits.max_exposure
        if notional > allowed:
            return f"notional {notional:.8f} exceeds the allowed exposure {allowed:.8f}"
        return None

    def _positions(self, facts: EntryFacts) -> str | None:
        if facts.bot_positions >= 1:
            return "the bot already holds a position"
        if facts.open_positions >= self.limits.max_open_positions:
            return f"{facts.open_positions} positions open (limit {self.limits.max_open_positions})"
        return None

    def _daily_loss(self, facts: EntryFacts) -> str | None:
        if facts.realised_today >= 0:
            return None
        day_start = facts.capital - facts.realised_today
        if -facts.realised_today >= day_start * self.limits.daily_loss_limit:
            return (
                f"today's loss {-facts.realised_today:.2f} reached the daily limit "
                f"({self.limits.daily_loss_limit:%} of {day_start:.2f})"
            )
        return None
