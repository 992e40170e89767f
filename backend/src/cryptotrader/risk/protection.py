"""Stop-loss and take-profit prices of a long position, as fractions of its entry fill price.

They are computed in binary floating point exactly as the backtest kernel computes them
(``engines/backtest/_kernel.py``: ``stop = price * (1.0 - sl)``), and carried exactly
(``exact``: the shortest decimal that is that float), so that a paper run triggers its stops on
the very candles, at the very prices, a backtest does. Money that is *recorded* (trades,
reports) is rounded to 8 decimals at the boundary, as the backtest's ledger does
(``domain.fills.money``); a live venue rounds prices to its own tick when it places
the orders.
"""

from __future__ import annotations

from decimal import Decimal


def exact(value: float) -> Decimal:
    """The float ``value`` as a ``Decimal`` that converts back to the very same float.

    Example:
        >>> exact(0.1 + 0.2)
        Decimal('0.30000000000000004')
    """
    return Decimal(repr(float(value)))


def protection_levels(
    entry: Decimal, *, stop_loss: Decimal, take_profit: Decimal
) -> tuple[Decimal, Decimal]:
    """``(stop price, take-profit price)`` of a long entered at ``entry``.

    Args:
        entry: the entry fill price.
        stop_loss: the stop distance as a fraction of the entry (0.02: 2% below).
        take_profit: the take-profit distance as a fraction of the entry (0.10: 10% above).

    Example:
        >>> protection_levels(Decimal(100), stop_loss=Decimal("0.02"), take_profit=Decimal("0.1"))
        (Decimal('98.0'), Decimal('110.00000000000001'))
    """
    price = float(entry)
    return exact(price * (1.0 - float(stop_loss))), exact(price * (1.0 + float(take_profit)))
