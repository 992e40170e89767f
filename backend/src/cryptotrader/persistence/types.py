"""Column types that keep the domain's guarantees on every database.

SQLite has neither time zones nor decimals: ``UtcDateTime`` stores naive UTC there and hands back
aware UTC datetimes, and ``ExactDecimal`` stores canonical decimal text instead of letting
``NUMERIC`` turn money into binary floats. On PostgreSQL they are ``TIMESTAMPTZ`` and
``NUMERIC(p, s)``. Both round and range-check values the same way on both databases, so a value that
does not fit fails everywhere, not only in production.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Context, Decimal
from enum import StrEnum
from json.encoder import c_make_encoder, encode_basestring_ascii  # type: ignore[attr-defined]
from typing import Any, TypeVar

from sqlalchemy import JSON, DateTime, Dialect, Numeric, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator, TypeEngine

from cryptotrader.domain.values import ensure_utc, to_decimal

SQLITE_DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"
"""How SQLAlchemy writes a datetime into SQLite; bulk paths write the very same text."""

JsonDocument = JSON().with_variant(JSONB(), "postgresql")
"""A JSON document: ``JSONB`` on PostgreSQL, ``JSON`` (text) on SQLite."""

Bind = Callable[[Any], Any]


def fast_bind(type_: TypeEngine[Any], dialect: Dialect, slow: Bind) -> Bind:
    """A bind processor giving what ``slow`` (SQLAlchemy's for ``type_``) gives, faster.

    For the hot writes run on SQLite's own connection (``persistence.driver``): the usual
    values (an aware UTC ``datetime``, a finite ``Decimal``, an enum member) take a short
    path, anything else goes through ``slow``. A column's value through SQLAlchemy's
    ``TypeDecorator`` layers cost 1-7 us (docs/BENCHMARKS.md, issue 17).
    """
    if dialect.name != "sqlite":
        return slow
    if isinstance(type_, UtcDateTime):
        return _utc_text(slow)
    if isinstance(type_, ExactDecimal):
        return type_.decimal_text(slow)
    if isinstance(type_, StrEnumType):
        return type_.member_value(slow)
    if isinstance(type_, JSON):
        return _json_text(type_, dialect, slow)
    return slow


def fast_bind_postgresql(type_: TypeEngine[Any], dialect: Dialect, slow: Bind) -> Bind:
    """``fast_bind`` for PostgreSQL: the value ``slow`` gives asyncpg, faster.

    For the writes run on asyncpg itself (``persistence.driver_pg``): an aware UTC ``datetime``
    as it is, a finite ``Decimal`` in range rounded to its scale, an enum member's value, a
    dict or list as ``json.dumps`` writes it; anything else goes through ``slow``. Through
    SQLAlchemy's ``TypeDecorator`` layers (``process_bind_param``, ``to_decimal``, ``quantize``
    in the thread's context, ``ensure_utc``) these cost about half of binding an order's row.
    """
    if dialect.name != "postgresql":
        return slow
    if isinstance(type_, UtcDateTime):
        return _utc_itself(slow)
    if isinstance(type_, ExactDecimal):
        return type_.decimal_exact(slow)
    if isinstance(type_, StrEnumType):
        return type_.member_value(slow)
    if isinstance(type_, JSON):
        return _json_text(type_, dialect, slow)
    return slow


def _utc_itself(slow: Bind) -> Bind:
    def bind(value: Any) -> Any:
        # ``ensure_utc`` gives the very object back (``astimezone`` of its own zone)
        return value if type(value) is datetime and value.tzinfo is UTC else slow(value)

    return bind


_UTC_TEXTS: dict[datetime, str] = {}
"""Texts of the UTC datetimes bound lately: a replay binds ~32,000, of which ~7,700 differ (a
candle's time in its order, fill, trade and checkpoint rows), and ``isoformat`` costs ~1.5 us
where a look-up costs 0.04. Emptied when it reaches ``_UTC_TEXTS_MAX``."""
_UTC_TEXTS_MAX = 4096


def _utc_text(slow: Bind) -> Bind:
    def bind(value: Any) -> Any:
        if type(value) is datetime and value.tzinfo is UTC:  # "+00:00" cut: SQLite's naive UTC
            text = _UTC_TEXTS.get(value)
            if text is None:
                if len(_UTC_TEXTS) >= _UTC_TEXTS_MAX:
                    _UTC_TEXTS.clear()
                text = _UTC_TEXTS[value] = value.isoformat(" ", "microseconds")[:-6]
            return text
        return slow(value)

    return bind


_JSON_ENCODE = (
    None
    if c_make_encoder is None
    else c_make_encoder(None, None, encode_basestring_ascii, None, ": ", ", ", False, False, True)
)
"""``json.dumps``'s C encoder with its defaults, built once and without the circular reference
check (``json.dumps`` builds one per call: ~1.5 of its ~4 us for a paper order's document)."""


def _json_text(type_: JSON, dialect: Dialect, slow: Bind) -> Bind:
    """SQLite's JSON text of a dict or list as ``json.dumps`` writes it (the dialect's default).

    A value it cannot encode (a circular one: the check is off, so it recurses until Python
    stops it; an object JSON does not know) goes through ``slow``, which raises what it raises.
    """
    encode = _JSON_ENCODE
    if encode is None:
        return slow
    if getattr(dialect, "_json_serializer", None) is not None:
        return slow  # the dialect was given its own serializer
    if type_._str_impl.bind_processor(dialect) is not None:
        return slow

    def bind(value: Any) -> Any:
        if type(value) is dict or type(value) is list:
            try:
                return "".join(encode(value, 0))
            except (RecursionError, TypeError, ValueError):
                pass
        return slow(value)

    return bind


class UtcDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime in, an aware UTC datetime out; naive datetimes are refused."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Normalise to UTC; SQLite keeps it naive because it cannot store an offset."""
        if value is None:
            return None
        utc = ensure_utc(value)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Attach UTC to what SQLite returns; convert what PostgreSQL returns."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class ExactDecimal(TypeDecorator[Decimal]):
    """``NUMERIC(precision, scale)`` that stays exact on SQLite (canonical decimal text there).

    Values are rounded half away from zero to ``scale`` places, as PostgreSQL does, and a value
    with more than ``precision - scale`` integer digits raises ``ValueError`` on both databases.
    On SQLite, SQL-side ordering and arithmetic on these columns are textual: compare and sum in
    Python (the repositories do).
    """

    impl = Numeric
    cache_ok = True

    def __init__(self, precision: int, scale: int) -> None:
        super().__init__(precision=precision, scale=scale, asdecimal=True)
        self.precision = precision
        self.scale = scale
        self._quantum = Decimal(1).scaleb(-scale)
        self._limit = Decimal(10) ** (precision - scale)

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        """Text on SQLite (precision digits, sign and point), ``NUMERIC`` elsewhere."""
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(self.precision + 2))
        return dialect.type_descriptor(Numeric(self.precision, self.scale, asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        """Round to ``scale`` places and check the range before the database sees it."""
        if value is None:
            return None
        exact = to_decimal(value).quantize(self._quantum, rounding=ROUND_HALF_UP)
        if abs(exact) >= self._limit:
            raise ValueError(f"{value} does not fit NUMERIC({self.precision}, {self.scale})")
        return format(exact, "f") if dialect.name == "sqlite" else exact

    def decimal_text(self, slow: Bind) -> Bind:
        """SQLite's bind processor (``fast_bind``): a finite ``Decimal`` in range, directly.

        Rounded in a context of its own (half up, a precision no value in range reaches):
        ``Decimal.quantize`` with a ``rounding`` argument reads the thread's context and
        costs twice as much. The range is checked on the rounded value's exponent.
        """
        quantum, digits = self._quantum, self.precision - self.scale
        quantize = _ROUNDING.quantize

        def bind(value: Any) -> Any:
            if type(value) is Decimal and value.is_finite():
                exact = quantize(value, quantum)
                if exact.adjusted() < digits:  # |exact| < 10 ** digits (a zero: adjusted 0 - scale)
                    return format(exact, "f")
            return slow(value)  # anything else, or the error

        return bind

    def decimal_exact(self, slow: Bind) -> Bind:
        """PostgreSQL's bind processor (``fast_bind_postgresql``): the rounded ``Decimal``.

        A finite ``Decimal`` in range, rounded as ``decimal_text`` rounds it. The operand's
        exponent is checked first, so that the rounding's result always fits
        the context's 60 digits; the rounded value's again (9.999... may round up to 10).
        """
        quantum, digits = self._quantum, self.precision - self.scale
        quantize = _ROUNDING.quantize

        def bind(value: Any) -> Any:
            if type(value) is Decimal and value.is_finite() and value.adjusted() < digits:
                exact = quantize(value, quantum)
                if exact.adjusted() < digits:
                    return exact
            return slow(value)  # anything else, or the error

        return bind

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        """A ``Decimal`` with exactly ``scale`` places on both databases."""
        if value is None:
            return None
        return Decimal(value).quantize(self._quantum)


_ROUNDING = Context(prec=60, rounding=ROUND_HALF_UP)
"""``ExactDecimal``'s rounding on SQLite (``decimal_text``): 60 digits hold any value in range
rounded to its scale exactly; beyond, the value is out of range and ``slow`` raises."""


def Money() -> ExactDecimal:  # noqa: N802 - reads as a column type, like the SQLAlchemy ones
    """Money, prices and quantities: ``NUMERIC(20, 8)``."""
    return ExactDecimal(20, 8)


E = TypeVar("E", bound=StrEnum)


class StrEnumType(TypeDecorator[E]):
    """A ``StrEnum`` stored as its value in a ``VARCHAR`` (no database enum type to migrate)."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[E], length: int = 20) -> None:
        super().__init__(length)
        self.enum = enum

    def process_bind_param(self, value: E | str | None, dialect: Dialect) -> str | None:
        """Store the value; a string must be one of the enum's values."""
        return None if value is None else self.enum(value).value

    def member_value(self, slow: Bind) -> Bind:
        """The bind processor (``fast_bind``): a member's value directly."""
        enum = self.enum

        def bind(value: Any) -> Any:
            return value._value_ if type(value) is enum else slow(value)

        return bind

    def process_result_value(self, value: str | None, dialect: Dialect) -> E | None:
        """Return the enum member."""
        return None if value is None else self.enum(value)
