"""Value types: money, prices and quantities are ``Decimal``; every timestamp is UTC-aware.

Floats reach ``Decimal`` through ``str`` (``Decimal(str(x))``) so that ``0.1`` stays ``0.1``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field


def to_decimal(value: object) -> Decimal:
    """Convert a number or numeric string to a finite ``Decimal`` without binary-float noise.

    Raises:
        ValueError: ``value`` is not a finite number.
    """
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, bool):
        raise ValueError("a boolean is not a number")
    elif isinstance(value, int | str):
        result = Decimal(value)
    elif isinstance(value, float):
        result = Decimal(repr(value))
    else:
        result = Decimal(str(value))
    if not result.is_finite():
        raise ValueError(f"{value!r} is not a finite number")
    return result


def plain(value: Decimal) -> str:
    """``value`` as people read it, whatever its scale (``0.58881000``: ``0.58881``).

    ``1E+3`` reads ``1000``, zero ``0``. A figure read back from the database has the column's
    scale (``NUMERIC(20, 8)`` on PostgreSQL), the same figure computed in memory has its own:
    what an event says about it must not depend on where it came from.
    """
    return f"{value.normalize():f}" if value else "0"


def ensure_utc(value: datetime) -> datetime:
    """Return ``value`` in UTC; naive datetimes are refused rather than guessed.

    Raises:
        ValueError: ``value`` has no timezone.
    """
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("timestamps must be timezone-aware (UTC)")
    return value.astimezone(UTC)


def utc_from_ms(timestamp_ms: int) -> datetime:
    """Epoch milliseconds to an aware UTC datetime."""
    return datetime.fromtimestamp(timestamp_ms / 1000, tz=UTC)


def ms_from_utc(value: datetime) -> int:
    """Aware datetime to epoch milliseconds."""
    return int(ensure_utc(value).timestamp() * 1000)


_decimal = BeforeValidator(to_decimal)

Money = Annotated[Decimal, _decimal]
"""An amount of quote currency; may be negative (P&L)."""

Price = Annotated[Decimal, _decimal, Field(gt=0)]
"""A strictly positive price in quote currency."""

Quantity = Annotated[Decimal, _decimal, Field(ge=0)]
"""A non-negative amount of the base asset."""

Ratio = Annotated[Decimal, _decimal, Field(ge=0, le=1)]
"""A fraction between 0 and 1 (risk ratio, reallocation ratio, fee)."""

UtcDatetime = Annotated[datetime, AfterValidator(ensure_utc)]
"""A timezone-aware datetime, normalised to UTC."""

DECIMAL_PLACES = 8
"""The database's scale (``NUMERIC(20, 8)``): no decimal a person types may carry more places."""

DECIMAL_DIGITS = 20
"""The database's precision: no decimal a person types may carry more significant digits."""

InputDecimal = Annotated[
    Decimal, Field(allow_inf_nan=False, max_digits=DECIMAL_DIGITS, decimal_places=DECIMAL_PLACES)
]
"""Every decimal the API, the CLI or the settings accept: finite, at most 20 digits, at most 8
places. ``1E-10000000`` would otherwise pass a ``0 < x < 1`` check and print as ten megabytes."""

MIN_PROTECTION = Decimal("0.0001")
"""The smallest stop-loss, take-profit or risk ratio (0.01 %): below it the stop or target rounds
onto the entry price (or the stake onto zero) and the runtime refuses every entry."""

CostRate = Annotated[InputDecimal, Field(ge=0, lt=Decimal("0.05"))]
"""A fee or slippage rate, 0 <= x < 5 %."""

StopLoss = Annotated[InputDecimal, Field(ge=MIN_PROTECTION, lt=1)]
"""Stop distance as a fraction of the entry, 0.0001 <= x < 1 (0.02: 2 % below the entry)."""

TakeProfit = Annotated[InputDecimal, Field(ge=MIN_PROTECTION, le=100)]
"""Target distance as a fraction of the entry, 0.0001 <= x <= 100."""

RiskRatio = Annotated[InputDecimal, Field(ge=MIN_PROTECTION, le=1)]
"""Share of capital risked per trade, 0.0001 <= x <= 1."""
