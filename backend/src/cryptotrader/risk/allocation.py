"""The portfolio's money rules, in one place for the portfolio backtest and the live bots.

After each closed trade (DESIGN.md, Portfolio manager and Risk):

* the bot's capital changes by the trade's net P&L (fees included), nothing else;
* its ``RiskReducer`` state moves (3 losses: risk / 2, 5: risk / 4 or pause, 2 wins: one step
  back), and its current risk ratio is ``base ratio x multiplier``;
* after a **winning aggressive** trade, ``ratio x profit`` rounded **down** to 1e-8 moves from the
  aggressive bot's capital to the safe bot's (ratio 0.10 - 0.50). Money is conserved: the total
  capital changes only by realised P&L.

``engines.backtest.portfolio`` and ``engines.portfolio`` both call ``settle_trade``, so a backtest
and a paper or live run apply the very same arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from cryptotrader.domain.enums import BotKind
from cryptotrader.errors import UserInputError
from cryptotrader.risk.reducer import RiskChange, RiskReducer, RiskState

MIN_RATIO, MAX_RATIO = Decimal("0.10"), Decimal("0.50")
MONEY_STEP = Decimal("1e-8")
"""The smallest amount of money moved between bots."""


def check_ratio(ratio: Decimal) -> Decimal:
    """``ratio`` if within 0.10 - 0.50.

    Raises:
        UserInputError: out of range.
    """
    if not MIN_RATIO <= ratio <= MAX_RATIO:
        raise UserInputError(f"reallocation ratio {ratio} is out of range: must be 0.10 - 0.50")
    return ratio


def reallocation_amount(*, kind: BotKind, pnl: Decimal, ratio: Decimal) -> Decimal:
    """What a closed trade of ``kind`` with net ``pnl`` moves to the safe bot (0: nothing).

    Example:
        >>> reallocation_amount(kind=BotKind.AGGRESSIVE, pnl=Decimal("10.000000019"),
        ...                     ratio=Decimal("0.3"))
        Decimal('3.00000000')
    """
    if kind is not BotKind.AGGRESSIVE or pnl <= 0:
        return Decimal(0)
    amount = (pnl * ratio).quantize(MONEY_STEP, rounding=ROUND_DOWN)
    return amount if amount > 0 else Decimal(0)


def current_risk_ratio(base: Decimal, state: RiskState) -> Decimal:
    """The risk ratio a bot sizes with: its base ratio times the reducer's multiplier."""
    return base * state.multiplier


@dataclass(frozen=True, slots=True)
class Settlement:
    """What one closed trade does to its bot.

    Attributes:
        capital: the bot's capital after the trade's P&L and after giving ``reallocation``.
        state: its risk reducer state after the trade.
        change: the change of its risk multiplier, if any.
        reallocation: moved to the safe bot (0 when nothing moves).
    """

    capital: Decimal
    state: RiskState
    change: RiskChange | None
    reallocation: Decimal


def settle_trade(
    *,
    kind: BotKind,
    capital: Decimal,
    state: RiskState,
    pnl: Decimal,
    reducer: RiskReducer,
    ratio: Decimal,
) -> Settlement:
    """Apply one closed trade's net ``pnl`` to its bot (see the module docstring).

    Args:
        kind: the bot that traded.
        capital: its capital before the trade closed.
        state: its risk reducer state before.
        pnl: the trade's net P&L (fees included).
        reducer: the risk reduction rules.
        ratio: the reallocation ratio (used for the aggressive bot only).

    Example:
        >>> s = settle_trade(kind=BotKind.AGGRESSIVE, capital=Decimal(300), state=RiskState(),
        ...                  pnl=Decimal(10), reducer=RiskReducer(), ratio=Decimal("0.3"))
        >>> s.capital, s.reallocation
        (Decimal('307.0'), Decimal('3.00000000'))
    """
    next_state, change = reducer.after_trade(state, won=pnl > 0)
    moved = reallocation_amount(kind=kind, pnl=pnl, ratio=ratio)
    return Settlement(capital + pnl - moved, next_state, change, moved)
