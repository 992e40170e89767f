"""How one candle fills a resting stop-loss / take-profit pair, and how a fill's money is rounded.

Shared by the backtest kernel (which compiles ``touch`` with numba) and the paper exchange, so a
simulated fill and a backtested one follow the same rule: a gap at the open fills at the open,
and when one candle touches both levels the stop is assumed first.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

REASON_SIGNAL, REASON_STOP, REASON_TAKE, REASON_END = 0, 1, 2, 3
MONEY = Decimal("1e-8")


def touch(open_: float, high: float, low: float, stop: float, take: float) -> tuple[int, float]:
    """Which protection one candle triggers and at what price (0: none).

    The open at or below the stop fills at the open (a gap), the open at or above the take-profit
    at the open (a resting limit fills at the better price); otherwise a low at or below the stop
    fills at the stop and a high at or above the take-profit at the take-profit, the stop first.
    """
    if open_ <= stop:
        return REASON_STOP, open_
    if open_ >= take:
        return REASON_TAKE, open_
    if low <= stop:
        return REASON_STOP, stop
    if high >= take:
        return REASON_TAKE, take
    return 0, 0.0


def money(value: float) -> Decimal:
    """A float amount or price as money: correctly rounded to 8 decimals."""
    return Decimal(f"{value:.8f}")


def fee_of(price: Decimal, quantity: Decimal, rate: Decimal) -> Decimal:
    """One fill's fee, rounded half-up to 1e-8."""
    return (price * quantity * rate).quantize(MONEY, rounding=ROUND_HALF_UP)
