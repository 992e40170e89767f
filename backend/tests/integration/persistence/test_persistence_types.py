"""Column types keep UTC and exact decimals on both databases, and fail alike on bad values."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import JSON, Column, Integer, MetaData, Table, insert, select
from sqlalchemy.dialects import sqlite
from sqlalchemy.dialects.postgresql import asyncpg
from sqlalchemy.exc import StatementError
from sqlalchemy.types import TypeEngine

from cryptotrader.domain.enums import BotKind
from cryptotrader.persistence import Database, UnitOfWork, types
from cryptotrader.persistence.repositories.audit import append_audit, list_audit
from cryptotrader.persistence.types import (
    ExactDecimal,
    StrEnumType,
    UtcDateTime,
    fast_bind,
    fast_bind_postgresql,
)
from tests.integration.conftest import BACKENDS, close_database, open_database

_scratch = MetaData()
_values = Table(
    "scratch_values",
    _scratch,
    Column("id", Integer, primary_key=True),
    Column("amount", ExactDecimal(20, 8)),
    Column("at", UtcDateTime()),
)


async def _roundtrip(database: Database, amounts: list[Decimal]) -> list[Decimal]:
    async with database.engine.begin() as connection:
        await connection.run_sync(_scratch.create_all)
        await connection.execute(insert(_values), [{"amount": a} for a in amounts])
        rows = await connection.execute(select(_values.c.amount).order_by(_values.c.id))
        return [row[0] for row in rows]


_money = st.decimals(
    min_value=Decimal("-999999999999.99999999"),
    max_value=Decimal("999999999999.99999999"),
    allow_nan=False,
    allow_infinity=False,
    places=8,
)


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(amounts=st.lists(_money, min_size=1, max_size=30))
def test_exact_decimal_when_round_tripped_returns_every_digit(
    backend: str, amounts: list[Decimal]
) -> None:
    async def scenario() -> list[Decimal]:
        with tempfile.TemporaryDirectory() as directory:
            database, schema = await open_database(backend, Path(directory))
            try:
                return await _roundtrip(database, amounts)
            finally:
                await close_database(database, schema)

    assert asyncio.run(scenario()) == amounts


@pytest.mark.asyncio
async def test_exact_decimal_when_value_has_more_places_rounds_half_away_from_zero_on_both(
    database: Database,
) -> None:
    stored = await _roundtrip(
        database, [Decimal("0.000000005"), Decimal("-0.000000005"), Decimal("1.123456784")]
    )

    assert stored == [Decimal("0.00000001"), Decimal("-0.00000001"), Decimal("1.12345678")]
    assert all(value.as_tuple().exponent == -8 for value in stored)


@pytest.mark.asyncio
async def test_exact_decimal_when_value_overflows_numeric_20_8_fails_on_both(
    database: Database,
) -> None:
    with pytest.raises(StatementError, match="does not fit NUMERIC"):
        await _roundtrip(database, [Decimal("1000000000000")])


@pytest.mark.asyncio
async def test_utc_datetime_when_stored_with_an_offset_comes_back_as_the_same_instant_in_utc(
    database: Database,
) -> None:
    paris = datetime(2026, 2, 11, 15, 30, 0, 123456, tzinfo=timezone(timedelta(hours=1)))
    async with UnitOfWork(database) as uow:
        await append_audit(session=uow.session, at=paris, actor="alice", action="bot.pause")
        await uow.commit()

    async with UnitOfWork(database) as uow:
        (entry,) = await list_audit(session=uow.session)

    assert entry.at == paris
    assert entry.at.tzinfo is UTC
    assert entry.at.hour == 14


@pytest.mark.asyncio
async def test_utc_datetime_when_naive_is_refused(database: Database) -> None:
    async with UnitOfWork(database) as uow:
        with pytest.raises(StatementError, match="timezone-aware"):
            await append_audit(
                session=uow.session,
                at=datetime(2026, 2, 11, 14, 30),  # noqa: DTZ001 - the naive value under test
                actor="alice",
                action="bot.pause",
            )


def _outcome(process: Callable[[Any], Any], value: Any) -> Any:
    try:
        return ("value", process(value))
    except Exception as exc:  # noqa: BLE001 - the error's kind is the outcome compared
        return ("error", type(exc))


_binds: list[tuple[TypeEngine[Any], st.SearchStrategy[Any]]] = [
    (
        UtcDateTime(),
        st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=-5))]) | st.none()),
    ),
    (
        ExactDecimal(20, 8),
        st.decimals(places=12, min_value=Decimal("-1e13"), max_value=Decimal("1e13"))
        | st.decimals(places=9, min_value=Decimal(-10), max_value=Decimal(10))  # half-way
        | st.decimals(allow_nan=True, allow_infinity=True)
        | st.integers()
        | st.floats()
        | st.none(),
    ),
    (StrEnumType(BotKind), st.sampled_from(BotKind) | st.sampled_from(["safe", "nope"])),
]

_json_leaves = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8)
_json_values = st.recursive(
    _json_leaves,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=12,
)


def _circular() -> dict[str, Any]:
    loop: dict[str, Any] = {"a": [1]}
    loop["a"].append(loop)
    return loop


_binds.append(
    (
        types.JsonDocument,
        st.dictionaries(st.text(max_size=5), _json_values)
        | st.lists(_json_values, max_size=4)
        | _json_values
        | st.dictionaries(st.integers() | st.floats() | st.booleans() | st.none(), _json_leaves)
        | st.builds(lambda: {"money": Decimal(1)})  # not JSON: the same TypeError
        | st.builds(lambda: {(1, 2): 3})  # a key JSON refuses
        | st.builds(_circular)  # ValueError from SQLAlchemy's json.dumps: the same here
        | st.just(JSON.NULL),
    )
)


@pytest.mark.parametrize(("type_", "values"), _binds, ids=["utc", "decimal", "enum", "json"])
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_fast_bind_when_given_any_value_gives_what_sqlalchemy_gives(
    type_: TypeEngine[Any], values: st.SearchStrategy[Any], data: st.DataObject
) -> None:
    """The driver's short paths (``fast_bind``): same text, same errors, as SQLAlchemy's."""
    dialect = sqlite.dialect()
    slow = type_.dialect_impl(dialect).bind_processor(dialect)
    assert slow is not None
    fast = fast_bind(type_, dialect, slow)
    value = data.draw(values)

    assert fast is not slow
    assert _outcome(fast, value) == _outcome(slow, value)
    assert _outcome(fast, value) == _outcome(slow, value)  # again: the text kept, if any


def _exact_outcome(process: Callable[[Any], Any], value: Any) -> Any:
    """``_outcome``, the value's type and ``repr`` too (a ``Decimal``'s exponent and sign)."""
    try:
        done = process(value)
    except Exception as exc:  # noqa: BLE001 - the error's kind is the outcome compared
        return ("error", type(exc))
    return ("value", type(done), repr(done))


@pytest.mark.parametrize(("type_", "values"), _binds, ids=["utc", "decimal", "enum", "json"])
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_fast_bind_postgresql_when_given_any_value_gives_what_sqlalchemy_gives(
    type_: TypeEngine[Any], values: st.SearchStrategy[Any], data: st.DataObject
) -> None:
    """``driver_pg``'s short paths (``fast_bind_postgresql``): the same value for asyncpg, of
    the same type and ``repr`` (a ``Decimal``'s places), and the same errors, as SQLAlchemy's."""
    dialect = asyncpg.dialect()  # type: ignore[no-untyped-call]
    slow = type_.dialect_impl(dialect).bind_processor(dialect)
    assert slow is not None
    fast = fast_bind_postgresql(type_, dialect, slow)
    value = data.draw(values)

    assert fast is not slow
    assert _exact_outcome(fast, value) == _exact_outcome(slow, value)


@pytest.mark.parametrize(
    "value",
    [
        Decimal("99999999999.999999995"),  # rounds up past the range: the error
        Decimal("99999999999.999999994"),  # rounds down inside it
        Decimal("-0.000000004"),  # a negative zero
        Decimal("1E+30"),  # far out of range: the error, not the rounding's own
        Decimal("1E-40"),
        Decimal("0E+20"),
        Decimal(5) ** 200,
    ],
)
def test_fast_bind_postgresql_of_decimals_at_the_edges_gives_what_sqlalchemy_gives(
    value: Decimal,
) -> None:
    dialect = asyncpg.dialect()  # type: ignore[no-untyped-call]
    type_ = ExactDecimal(20, 8)
    slow = type_.dialect_impl(dialect).bind_processor(dialect)
    assert slow is not None
    fast = fast_bind_postgresql(type_, dialect, slow)

    assert _exact_outcome(fast, value) == _exact_outcome(slow, value)


def test_fast_bind_of_utc_datetimes_keeps_a_bounded_number_of_texts() -> None:
    dialect = sqlite.dialect()
    slow = UtcDateTime().dialect_impl(dialect).bind_processor(dialect)
    assert slow is not None
    fast = fast_bind(UtcDateTime(), dialect, slow)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    for minute in range(types._UTC_TEXTS_MAX * 2 + 1):
        value = start + timedelta(minutes=minute)
        assert fast(value) == slow(value)
        assert len(types._UTC_TEXTS) <= types._UTC_TEXTS_MAX
