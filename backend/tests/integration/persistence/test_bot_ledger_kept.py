"""The bot ledger kept across transactions on the inline SQLite writer (``engines.bot_ledger``).

A committed ledger that wrote the bots only through itself is kept; the next transaction starts
from it unless the writers' connection counted another write of a bot or a risk state, or
another connection committed (``data_version``). Whatever happens, a ledger equals what a read
of the rows gives at that moment.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from cryptotrader.domain.enums import BotKind, BotStatus, RiskLevel
from cryptotrader.engines import bot_ledger
from cryptotrader.engines.bot_ledger import RISK_ENGINE, BotLedger, LedgerBot
from cryptotrader.persistence import deferred
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.migrate import upgrade
from cryptotrader.persistence.repositories import bots, checkpoints
from cryptotrader.persistence.uow import UnitOfWork
from cryptotrader.risk.reducer import RiskState

AT = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
async_test = pytest.mark.asyncio(loop_scope="function")


@pytest_asyncio.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await _opened(tmp_path / "test.db")
    yield database
    await database.dispose()


async def _opened(path: Path) -> Database:
    database = Database(f"sqlite:///{path}", inline=True)
    await upgrade(database)
    async with UnitOfWork(database) as uow:
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
    return database


def _reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the ledger's reads of the rows."""
    real = bot_ledger._read
    reads: list[int] = []

    async def counted(session: Any, lock: bool) -> dict[BotKind, LedgerBot]:
        reads.append(1)
        return await real(session, lock)

    monkeypatch.setattr(bot_ledger, "_read", counted)
    return reads


def _fields(bot: LedgerBot) -> tuple[Any, ...]:
    """What a ledger holds of a bot, decimals as text (their places too)."""
    return (bot.kind, bot.id, bot.status, str(bot.capital), str(bot.ratio), bot.config, bot.risk)


async def _checked(database: Database) -> dict[BotKind, tuple[Any, ...]]:
    """The ledger a new transaction starts from, checked equal to a read of the rows."""
    async with UnitOfWork(database) as uow:
        ledger = await BotLedger.of(uow.session, lock=True)
        read = await bot_ledger._read(uow.session, False)
        held = {kind: _fields(bot) for kind, bot in ledger.bots.items()}
        assert held == {kind: _fields(bot) for kind, bot in read.items()}
    return held


async def _settle(database: Database, capital: Decimal, *, defer: bool = False) -> None:
    """Capital, ratio and risk state written through the ledger, as a settlement does."""
    async with UnitOfWork(database) as uow:
        ledger = await BotLedger.of(uow.session, lock=True)
        if defer:
            async with deferred.defer(uow.session):
                await ledger.set_capital(BotKind.SAFE, capital, ratio=Decimal("0.005"))
                await ledger.set_risk(BotKind.SAFE, RiskState(level=1, losses=2), AT)
                await deferred.flush(uow.session)
        else:
            await ledger.set_capital(BotKind.SAFE, capital, ratio=Decimal("0.005"))
            await ledger.set_risk(BotKind.SAFE, RiskState(level=1, losses=2), AT)
        await uow.commit()


@async_test
async def test_ledger_when_committed_through_itself_is_kept_not_read_again(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads = _reads(monkeypatch)
    await _settle(db, Decimal("1234.567890126"))  # more places than the column keeps
    await _settle(db, Decimal("1300.5"), defer=True)
    assert len(reads) == 1
    held = await _checked(db)
    assert len(reads) == 2  # the check's own read; the ledger came from the kept one
    assert held[BotKind.SAFE][3:5] == ("1300.50000000", "0.0050")
    assert held[BotKind.SAFE][6] == RiskState(level=1, losses=2)


@async_test
async def test_ledger_when_rounded_by_its_column_is_kept_as_a_read_gives_it(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads = _reads(monkeypatch)
    await _settle(db, Decimal("1234.567890126"))
    held = await _checked(db)
    assert held[BotKind.SAFE][3] == "1234.56789013"
    assert len(reads) == 2


@async_test
async def test_ledger_when_its_transaction_rolls_back_keeps_nothing_of_it(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _settle(db, Decimal(1100))
    reads = _reads(monkeypatch)
    async with UnitOfWork(db) as uow:
        ledger = await BotLedger.of(uow.session)
        await ledger.set_capital(BotKind.SAFE, Decimal(5))
    held = await _checked(db)
    assert held[BotKind.SAFE][3] == "1100.00000000"
    assert len(reads) == 1  # the committed one's copy still holds (write and count undone)


@async_test
@pytest.mark.parametrize(
    "write",
    [
        "orm_status",
        "sql_capital",
        "risk_checkpoint",
        "strategy_config",
        "beside_the_ledger",
        "another_connection",
    ],
)
@async_test
async def test_ledger_when_a_bot_is_written_otherwise_is_read_again(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, write: str
) -> None:
    await _settle(db, Decimal(1100))
    await _write_otherwise(db, write, BotKind.SAFE, 7)
    reads = _reads(monkeypatch)
    held = await _checked(db)
    assert len(reads) == 2  # read again, then the check's own read
    expected = {
        "orm_status": (2, BotStatus.PAUSED),
        "sql_capital": (3, "7.00000000"),
        "risk_checkpoint": (6, RiskState(wins=7)),
        "beside_the_ledger": (4, "0.0700"),
        "another_connection": (3, "7.00000000"),
    }
    if write == "strategy_config":
        assert held[BotKind.SAFE][5].stop_loss == Decimal("0.07")
    else:
        field, value = expected[write]
        assert held[BotKind.SAFE][field] == value


async def _write_otherwise(database: Database, write: str, kind: BotKind, n: int) -> None:
    """A bot or its risk state written by something other than a ledger."""
    if write == "another_connection":  # another process's writer (the API's, say)
        other = Database(str(database.url))
        try:
            async with UnitOfWork(other) as uow:
                row = await bots.require_bot(session=uow.session, kind=kind)
                row.capital = Decimal(n)
                await uow.commit()
        finally:
            await other.dispose()
        return
    async with UnitOfWork(database) as uow:
        session = uow.session
        if write == "orm_status":
            await bots.set_status(session=session, kind=kind, status=BotStatus.PAUSED)
        elif write == "sql_capital":
            await session.execute(
                text("UPDATE bots SET capital = :c WHERE type = :t"),
                {"c": f"{n}.00000000", "t": kind.value},
            )
        elif write == "risk_checkpoint":
            await checkpoints.save_checkpoint(
                session=session,
                engine=RISK_ENGINE,
                key=f"risk:{kind}",
                value={"level": 0, "losses": 0, "wins": n, "paused": False},
                at=AT,
            )
        elif write == "strategy_config":  # as the API's settings change writes it
            row = await bots.require_bot(session=session, kind=kind)
            row.strategy_config = {"strategy": "momentum", "stop_loss": f"0.0{n}"}
        else:  # "beside_the_ledger": in a ledger's own transaction, not through it
            ledger = await BotLedger.of(session)
            await ledger.set_capital(kind, Decimal(1200))
            await bots.set_risk_ratio(session=session, kind=kind, ratio=Decimal(f"0.0{n}"))
        await uow.commit()


_STEP = st.one_of(
    st.tuples(
        st.just("ledger"),
        st.sampled_from(list(BotKind)),
        st.decimals(min_value=0, max_value=10**6, places=10, allow_nan=False),
        st.booleans(),  # deferred
        st.booleans(),  # committed
        st.integers(min_value=0, max_value=5),  # risk state (0: unchanged)
    ),
    st.tuples(
        st.sampled_from(
            [
                "orm_status",
                "sql_capital",
                "risk_checkpoint",
                "strategy_config",
                "beside_the_ledger",
                "another_connection",
            ]
        ),
        st.sampled_from(list(BotKind)),
        st.integers(min_value=1, max_value=9),
    ),
)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(steps=st.lists(_STEP, min_size=1, max_size=12))
def test_ledger_after_any_writes_equals_a_read_of_the_rows(steps: list[tuple[Any, ...]]) -> None:
    async def run() -> None:
        with tempfile.TemporaryDirectory() as folder:
            database = await _opened(Path(folder) / "test.db")
            try:
                for step in steps:
                    if step[0] == "ledger":
                        await _ledger_step(database, *step[1:])
                    else:
                        await _write_otherwise(database, *step)
                    await _checked(database)
            finally:
                await database.dispose()

    asyncio.run(run())


async def _ledger_step(  # noqa: PLR0917 - one generated step's fields
    database: Database, kind: BotKind, capital: Decimal, defer: bool, commit: bool, risk: int
) -> None:
    async with UnitOfWork(database) as uow:
        ledger = await BotLedger.of(uow.session, lock=True)
        if defer:
            async with deferred.defer(uow.session):
                await ledger.set_capital(kind, capital, ratio=Decimal(risk) / 1000)
                if risk:
                    await ledger.set_risk(kind, RiskState(level=risk % 3, wins=risk), AT)
                await deferred.flush(uow.session)
        else:
            await ledger.set_capital(kind, capital)
            if risk:
                await ledger.set_risk(kind, RiskState(losses=risk), AT)
                await ledger.set_status(kind, BotStatus.RUNNING if risk % 2 else BotStatus.PAUSED)
        if commit:
            await uow.commit()


@async_test
async def test_ledger_when_committed_with_its_change_unwritten_is_read_again(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _settle(db, Decimal(1100))
    reads = _reads(monkeypatch)
    async with UnitOfWork(db) as uow:
        async with deferred.defer(uow.session):
            ledger = await BotLedger.of(uow.session, lock=True)
            await ledger.set_capital(BotKind.SAFE, Decimal(5))  # queued, never flushed
            await uow.commit()
        await uow.rollback()  # what the block's end flushed, after the commit
    held = await _checked(db)
    assert held[BotKind.SAFE][3] == "1100.00000000"
    assert len(reads) == 2  # read again, then the check's own read
