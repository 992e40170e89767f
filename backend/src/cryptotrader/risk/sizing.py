"""Position sizing, exactly as DESIGN.md states it, in ``Decimal``.

``risk amount = capital x risk ratio x confidence``; ``quantity = risk amount / (entry - stop)``,
capped so that the entry notional plus its fee fits in the available capital, rounded **down** to
the market's amount step, and refused below the market's minimum amount or minimum notional.

The backtest kernel sizes with the same formulas in floats (``engines/backtest/_kernel.py``);
``tests/unit/risk/test_sizing.py`` proves both give the same quantity.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from cryptotrader.domain.markets import MarketRules
from cryptotrader.errors import UserInputError


@dataclass(frozen=True, slots=True)
class PositionSize:
    """A sizing decision: the quantity to buy, or zero and the reason it was refused."""

    quantity: Decimal
    notional: Decimal
    refused: str | None = None

    @property
    def accepted(self) -> bool:
        """True when there is something to buy."""
        return self.refused is None


def _finish(quantity: Decimal, entry: Decimal, rules: MarketRules) -> PositionSize:
    rounded = rules.round_amount(max(quantity, Decimal(0)))
    notional = rounded * entry
    if rounded <= 0 or rounded < rules.min_amount:
        return PositionSize(Decimal(0), Decimal(0), f"quantity {rounded} below the minimum amount")
    if notional < rules.min_notional:
        return PositionSize(
            Decimal(0), Decimal(0), f"notional {notional} below the minimum {rules.min_notional}"
        )
    return PositionSize(rounded, notional)


def _affordable(available: Decimal, entry: Decimal, fee_rate: Decimal) -> Decimal:
    """The largest quantity whose notional plus entry fee fits in ``available``."""
    return available / (entry * (1 + fee_rate))


def size_position(
    *,
    capital: Decimal,
    risk_ratio: Decimal,
    confidence: Decimal,
    entry: Decimal,
    stop_loss: Decimal,
    available: Decimal,
    rules: MarketRules,
    fee_rate: Decimal = Decimal(0),
) -> PositionSize:
    """Risk-based quantity for a long entry at ``entry`` protected by ``stop_loss``.

    Args:
        capital: the bot's capital.
        risk_ratio: its current risk ratio (after any ``RiskReducer`` step).
        confidence: the signal's confidence in [0, 1].
        entry: the expected fill price.
        stop_loss: the stop price, below ``entry``.
        available: free capital; notional plus entry fee never exceeds it.
        rules: the market's amount step and minimums.
        fee_rate: the entry fee as a fraction of the notional.

    Raises:
        UserInputError: the stop is not below the entry, or a ratio is out of [0, 1].

    Example:
        >>> size_position(capital=Decimal(1000), risk_ratio=Decimal("0.01"),
        ...               confidence=Decimal(1), entry=Decimal(100), stop_loss=Decimal(98),
        ...               available=Decimal(1000), rules=MarketRules()).quantity
        Decimal('5.00000')
    """
    if not Decimal(0) < stop_loss < entry:
        raise UserInputError(f"stop-loss {stop_loss} must be between 0 and the entry {entry}")
    if not (Decimal(0) <= risk_ratio <= 1 and Decimal(0) <= confidence <= 1):
        raise UserInputError("risk ratio and confidence must be in [0, 1]")
    risk_amount = capital * risk_ratio * confidence
    quantity = min(risk_amount / (entry - stop_loss), _affordable(available, entry, fee_rate))
    return _finish(quantity, entry, rules)


def size_stake(
    *,
    stake: Decimal,
    entry: Decimal,
    available: Decimal,
    rules: MarketRules,
    fee_rate: Decimal = Decimal(0),
) -> PositionSize:
    """Quantity putting ``stake`` (a fraction of ``available``, fee included) into one trade.

    ``stake=1`` is the all-equity sizing other backtesters use by default.

    Raises:
        UserInputError: ``stake`` is not in (0, 1].
    """
    if not Decimal(0) < stake <= 1:
        raise UserInputError(f"stake must be in (0, 1], got {stake}")
    return _finish(_affordable(available * stake, entry, fee_rate), entry, rules)
