"""The outbox's hot statements: the row inserted on the inline writer, the rows marked sent.

The insert of a transaction's row runs on the inline SQLite writer's ``sqlite3`` connection
itself (one a transaction): it must store what ``driver.inserted_id`` stored, the same
``created_at`` text and a new id. Marking sent binds one run of consecutive ids per execution:
it must touch the ids given and no other row, on both databases.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import bindparam, select, text
from sqlalchemy.dialects import sqlite

from cryptotrader.persistence import Database, UnitOfWork, driver
from cryptotrader.persistence.migrate import upgrade
from cryptotrader.persistence.repositories import outbox as rows
from cryptotrader.persistence.tables import OutboxRow
from cryptotrader.persistence.types import UtcDateTime

T0 = datetime(2026, 12, 5, 17, 0, tzinfo=UTC)

_INSERT = text(
    "INSERT INTO outbox (payload, created_at) VALUES (:payload, :created_at)"
).bindparams(bindparam("created_at", type_=UtcDateTime()))
"""The statement the row was inserted with before (through the driver's plan)."""


@pytest.mark.asyncio
async def test_the_inline_insert_stores_what_the_driver_stored(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'rows.db'}", inline=True)
    await upgrade(database)
    times = [
        T0,
        T0.replace(microsecond=1),
        T0.replace(microsecond=999_999),
        datetime(1970, 1, 1, tzinfo=UTC),
        datetime(9999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
    ]
    try:
        async with UnitOfWork(database) as uow:
            assert await driver.connection(uow.session) is not None  # the inline path is taken
            pairs = []
            for at in times:
                new = await rows.add(session=uow.session, payload=f"[{at.year}]", at=at)
                old = await driver.inserted_id(
                    uow.session, _INSERT, {"payload": f"[{at.year}]", "created_at": at}
                )
                pairs.append((new, old))
            await uow.commit()
        async with database.engine.connect() as connection:
            found = await connection.exec_driver_sql(
                "SELECT id, payload, created_at FROM outbox ORDER BY id"
            )
            stored = {int(row[0]): (row[1], row[2]) for row in map(tuple, found.all())}
        async with UnitOfWork(database, read_only=True) as uow:
            read = {
                row.id: row.created_at
                for row in (await uow.session.execute(select(OutboxRow))).scalars()
            }
    finally:
        await database.dispose()

    for (new, old), at in zip(pairs, times, strict=True):
        assert old == new + 1  # a new id each, in order
        assert stored[new] == stored[old]  # same payload, same text
        assert read[new] == at


@settings(max_examples=200, deadline=None)
@given(st.datetimes(timezones=st.just(UTC)))
def test_the_created_at_text_is_the_one_utc_datetime_binds_on_sqlite(at: datetime) -> None:
    dialect = sqlite.dialect()
    stored = UtcDateTime().process_bind_param(at, dialect)
    assert stored is not None
    processed = sqlite.DATETIME().bind_processor(dialect)  # type: ignore[no-untyped-call]
    assert processed is not None
    assert rows.sqlite_utc_text(at) == processed(stored)


@given(st.sets(st.integers(min_value=1, max_value=300), min_size=1))
def test_runs_cover_the_ids_and_nothing_else(ids: set[int]) -> None:
    found = rows.runs(ids)

    covered = [i for first, last in found for i in range(first, last + 1)]
    assert covered == sorted(ids)  # every id once, no other
    assert all(b[0] > a[1] + 1 for a, b in itertools.pairwise(found))  # maximal runs


@pytest.mark.asyncio
async def test_mark_sent_touches_the_ids_given_and_no_other_row(database: Database) -> None:
    async with UnitOfWork(database) as uow:
        ids = [await rows.add(session=uow.session, payload="[]", at=T0) for _ in range(12)]
        await uow.commit()
    given_ids = [ids[0], ids[1], ids[2], ids[4], ids[7], ids[8], ids[11]]  # runs and gaps
    async with UnitOfWork(database) as uow:
        touched = await rows.mark_sent(
            session=uow.session, ids=given_ids, at=T0 + timedelta(seconds=1)
        )
        await uow.commit()
    async with UnitOfWork(database, read_only=True) as uow:
        found = await uow.session.execute(select(OutboxRow.id, OutboxRow.sent_at))
        sent = dict(found.all())

    assert touched in (len(given_ids), -1)  # asyncpg's executemany counts nothing (as before)
    assert {i for i, at in sent.items() if at is not None} == set(given_ids)
    assert all(sent[i] == T0 + timedelta(seconds=1) for i in given_ids)
