"""RiskReducer: smaller bets after a losing streak, back to full size after wins.

Rules (DESIGN.md, per bot):

* 3 consecutive losses: risk / 2; 5 consecutive losses: risk / 4, or pause (configurable);
* each run of 2 consecutive wins restores one step: / 4 -> / 2 -> full;
* a loss never raises the risk and a win never lowers it; a paused bot stays paused until a
  person resumes it (``resume``).

A trade is a win when its net P&L (after fees) is > 0, otherwise a loss. Pure and deterministic:
the state is an immutable value, and ``after_trade`` returns the next one with the change it made.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

#: Risk multiplier of each level: full, half, quarter.
_MULTIPLIERS = (Decimal(1), Decimal("0.5"), Decimal("0.25"))
FULL, HALF, QUARTER = 0, 1, 2


class RiskReducerConfig(BaseModel):
    """Thresholds of the reducer; ``on_deep_streak`` chooses quarter risk or a pause."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    losses_to_halve: int = Field(default=3, ge=1)
    losses_to_quarter: int = Field(default=5, ge=1)
    wins_to_restore: int = Field(default=2, ge=1)
    on_deep_streak: Literal["quarter", "pause"] = "quarter"


@dataclass(frozen=True, slots=True)
class RiskState:
    """Where a bot stands: its level (0 full, 1 half, 2 quarter), streaks and pause flag."""

    level: int = FULL
    losses: int = 0
    wins: int = 0
    paused: bool = False

    @property
    def multiplier(self) -> Decimal:
        """Factor applied to the bot's base risk ratio (0 while paused)."""
        return Decimal(0) if self.paused else _MULTIPLIERS[self.level]


@dataclass(frozen=True, slots=True)
class RiskChange:
    """A change of a bot's risk multiplier, and why."""

    before: Decimal
    after: Decimal
    reason: str


class RiskReducer:
    """Applies the rules to a ``RiskState`` after each closed trade.

    Args:
        config: thresholds; the defaults are DESIGN.md's.

    Example:
        >>> reducer, state = RiskReducer(), RiskState()
        >>> for _ in range(3):
        ...     state, change = reducer.after_trade(state, won=False)
        >>> state.multiplier, change.reason
        (Decimal('0.5'), '3 consecutive losses')
    """

    def __init__(self, config: RiskReducerConfig | None = None) -> None:
        self.config = config or RiskReducerConfig()

    def after_trade(self, state: RiskState, *, won: bool) -> tuple[RiskState, RiskChange | None]:
        """The state after one more closed trade, and the change of multiplier if any."""
        if state.paused:
            return state, None
        nxt = self._after_win(state) if won else self._after_loss(state)
        if nxt.multiplier == state.multiplier:
            return nxt, None
        reason = self._reason(state, nxt, won=won)
        return nxt, RiskChange(before=state.multiplier, after=nxt.multiplier, reason=reason)

    def resume(self, state: RiskState) -> RiskState:
        """A person resumed a paused bot: quarter risk, streaks cleared."""
        return RiskState(level=QUARTER) if state.paused else state

    def _after_loss(self, state: RiskState) -> RiskState:
        losses = state.losses + 1
        level = state.level
        if losses >= self.config.losses_to_quarter:
            if self.config.on_deep_streak == "pause":
                return RiskState(level=QUARTER, losses=losses, paused=True)
            level = QUARTER
        elif losses >= self.config.losses_to_halve:
            level = max(level, HALF)
        return replace(state, level=level, losses=losses, wins=0)

    def _after_win(self, state: RiskState) -> RiskState:
        wins = state.wins + 1
        level = state.level
        if wins >= self.config.wins_to_restore:
            wins = 0
            level = max(level - 1, FULL)
        return replace(state, level=level, losses=0, wins=wins)

    def _reason(self, before: RiskState, after: RiskState, *, won: bool) -> str:
        if won:
            return f"{self.config.wins_to_restore} consecutive wins"
        if after.paused:
            return f"{after.losses} consecutive losses: paused"
        return f"{after.losses} consecutive losses"
