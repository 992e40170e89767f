"""Inline SQLite's writers on their own connection (``Database.writer_session``).

The units of work that may write share one connection and begin and commit on ``sqlite3``
itself, past the pool and the session's transaction; what goes through the session (the ORM)
joins the same transaction. Same rows, atomicity and rollbacks as on the pool.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import event, insert, select
from sqlalchemy.exc import IntegrityError

from cryptotrader.domain.enums import BotKind, RiskLevel
from cryptotrader.engines.bot_ledger import BotLedger
from cryptotrader.persistence import driver
from cryptotrader.persistence.database import WRITER_KEPT, WRITER_RAW, Database
from cryptotrader.persistence.migrate import upgrade
from cryptotrader.persistence.repositories import bots
from cryptotrader.persistence.repositories.checkpoints import upsert_checkpoint
from cryptotrader.persistence.tables import Base, EngineCheckpointRow
from cryptotrader.persistence.uow import UnitOfWork, after_commit

pytestmark = pytest.mark.asyncio(loop_scope="function")

AT = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
_INSERT = insert(Base.metadata.tables["engine_checkpoints"])


@pytest_asyncio.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'test.db'}", inline=True)
    await upgrade(database)
    yield database
    await database.dispose()


def _row(key: str, value: Any) -> dict[str, Any]:
    return {"engine": "e", "key": key, "value": value, "updated_at": AT}


async def _put(uow: UnitOfWork, key: str, value: Any) -> None:
    await driver.execute(uow.session, upsert_checkpoint(uow.session), _row(key, value))


async def _stored(database: Database) -> dict[str, Any]:
    async with UnitOfWork(database, read_only=True) as uow:
        rows = select(EngineCheckpointRow.key, EngineCheckpointRow.value)
        return {key: value for key, value in (await uow.session.execute(rows)).all()}  # noqa: C416


async def test_writers_when_several_commit_share_one_connection_past_the_session(
    db: Database,
) -> None:
    """No checkout from the pool and no ``BEGIN``/``COMMIT`` through SQLAlchemy per unit of work."""
    seen: list[str] = []
    event.listen(db.engine.sync_engine.pool, "checkout", lambda *_: seen.append("checkout"))
    event.listen(db.engine.sync_engine, "begin", lambda *_: seen.append("begin"))
    event.listen(db.engine.sync_engine, "commit", lambda *_: seen.append("commit"))
    for n in range(5):
        async with UnitOfWork(db) as uow:
            await _put(uow, f"k{n}", n)
            await uow.commit()

    assert seen == ["checkout"]  # the writers' connection, once
    assert await _stored(db) == {f"k{n}": n for n in range(5)}


async def test_writer_when_the_orm_and_the_driver_write_commits_both_or_neither(
    db: Database,
) -> None:
    async with UnitOfWork(db) as uow:  # the session's writes join sqlite3's transaction
        await _put(uow, "a", 1)
        uow.session.add(EngineCheckpointRow(engine="e", key="b", value={"v": 2}, updated_at=AT))
        await uow.session.flush()
        await _put(uow, "c", 3)
    async with UnitOfWork(db) as uow:
        uow.session.add(EngineCheckpointRow(engine="e", key="d", value={"v": 4}, updated_at=AT))
        await uow.session.flush()
        await _put(uow, "e", 5)
        await uow.commit()
    async with UnitOfWork(db) as uow:  # an ORM object left to flush goes in with the commit
        await _put(uow, "f", 6)
        uow.session.add(EngineCheckpointRow(engine="e", key="g", value={"v": 7}, updated_at=AT))
        await uow.commit()

    assert await _stored(db) == {"d": {"v": 4}, "e": 5, "f": 6, "g": {"v": 7}}


async def test_writer_when_used_after_a_commit_or_a_rollback_begins_again(db: Database) -> None:
    async with UnitOfWork(db) as uow:
        await _put(uow, "a", 1)
        await uow.commit()
        await _put(uow, "b", 2)  # a transaction of its own again: left uncommitted
    async with UnitOfWork(db) as uow:
        await _put(uow, "c", 3)
        await uow.rollback()
        await _put(uow, "d", 4)
        await uow.commit()
        await _put(uow, "e", 5)
        await uow.commit()

    assert await _stored(db) == {"a": 1, "d": 4, "e": 5}


async def test_writer_when_a_statement_fails_rolls_back_and_the_next_one_writes(
    db: Database,
) -> None:
    async def twice() -> None:
        async with UnitOfWork(db) as uow:
            await driver.execute(uow.session, _INSERT, _row("a", 1))
            await driver.execute(uow.session, _INSERT, _row("a", 1))

    with pytest.raises(IntegrityError):
        await twice()
    async with UnitOfWork(db) as uow:
        await _put(uow, "b", 2)
        await uow.commit()

    assert await _stored(db) == {"b": 2}


async def test_writer_when_the_database_is_disposed_connects_again(db: Database) -> None:
    async with UnitOfWork(db) as uow:
        await _put(uow, "a", 1)
        await uow.commit()
    await db.dispose()
    async with UnitOfWork(db) as uow:
        await _put(uow, "b", 2)
        await uow.commit()

    assert await _stored(db) == {"a": 1, "b": 2}


async def test_writer_session_when_committed_or_rolled_back_itself_does_it_to_sqlite3(
    db: Database,
) -> None:
    """``session.commit()``/``rollback()`` called directly end sqlite3's transaction too."""
    async with UnitOfWork(db) as uow:
        await _put(uow, "a", 1)
        await uow.session.rollback()
        await _put(uow, "b", 2)
        await uow.session.commit()
        await _put(uow, "c", 3)

    assert await _stored(db) == {"b": 2}


async def test_writer_transaction_key_when_a_transaction_ends_changes(db: Database) -> None:
    """A bot ledger is read again after a commit: another process may have changed a bot."""
    async with UnitOfWork(db) as uow:
        for kind in BotKind:
            await bots.create_bot(
                session=uow.session,
                name=str(kind),
                kind=kind,
                capital=Decimal(1000),
                risk_level=RiskLevel.LOW,
                risk_ratio=Decimal("0.01"),
            )
        await uow.commit()
    other = Database(str(db.url))  # another writer of the file (the API's, say)
    try:
        async with UnitOfWork(db) as uow:
            keys = [driver.transaction_key(uow.session)]
            before = (await BotLedger.of(uow.session)).bots[BotKind.SAFE].capital
            await uow.commit()
            keys.append(driver.transaction_key(uow.session))
            async with UnitOfWork(other) as elsewhere:
                row = await bots.require_bot(session=elsewhere.session, kind=BotKind.SAFE)
                row.capital = Decimal(2000)
                await elsewhere.commit()
            after = (await BotLedger.of(uow.session)).bots[BotKind.SAFE].capital
            await uow.rollback()
            keys.append(driver.transaction_key(uow.session))
    finally:
        await other.dispose()

    assert (before, after) == (Decimal(1000), Decimal(2000))
    assert len(set(keys)) == 3


async def test_writer_session_when_the_next_unit_of_work_takes_it_carries_nothing_over(
    db: Database,
) -> None:
    called: list[str] = []
    async with UnitOfWork(db) as uow:
        await _put(uow, "a", 1)
        await uow.commit()
        first = uow.session
        first.info["mine"] = 1
        after_commit(first, lambda: called.append("dropped"))  # never committed
        row = await uow.session.get(EngineCheckpointRow, ("e", "a"))
    async with UnitOfWork(db) as uow:
        second = uow.session
        info = dict(second.info)
        held = len(second.sync_session.identity_map)
        await _put(uow, "b", 2)
        await uow.commit()

    assert second is first  # the same session: nothing of the first unit of work in it
    assert "mine" not in info
    assert (held, called) == (0, [])
    assert row is not None
    assert row.key == "a"  # read in the first: still readable, detached


async def test_writer_session_when_the_next_unit_of_work_takes_it_keeps_the_drivers_connection(
    db: Database,
) -> None:
    """What ``driver`` keeps per connection (``WRITER_KEPT``) is not rebuilt per transaction."""
    kept = []
    for value in (1, 2):
        async with UnitOfWork(db) as uow:
            await _put(uow, "a", value)
            kept.append(uow.session.info[WRITER_KEPT])
            await uow.commit()
    await db.drop_writer_connection()  # a new connection (maybe the pool's same): a new session
    async with UnitOfWork(db) as uow:
        await _put(uow, "b", 3)
        new = uow.session.info[WRITER_KEPT]
        raw = uow.session.info[WRITER_RAW]
        await uow.commit()

    assert kept[0] is kept[1]
    assert new is not kept[0]
    assert new.connection is raw
    assert await _stored(db) == {"a": 2, "b": 3}
