"""The step checkpoint (``Progress.mark``): one row per transaction, rewritten after a rollback."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.engines import progress as progress_module
from cryptotrader.engines.progress import Progress
from cryptotrader.persistence import deferred
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.repositories import checkpoints
from cryptotrader.persistence.uow import UnitOfWork

pytestmark = pytest.mark.asyncio(loop_scope="function")

STEP = 1_704_067_200_000
AT = datetime(2024, 1, 1, 0, 1, tzinfo=UTC)


async def test_progress_marks_a_step_once_per_transaction_and_again_after_a_rollback(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    saved: list[dict[str, object]] = []
    save = checkpoints.save_checkpoint

    async def counted(**kwargs: object) -> None:
        saved.append(dict(kwargs["value"]))  # type: ignore[call-overload]
        await save(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(checkpoints, "save_checkpoint", counted)
    progress = Progress(key="paper:test:BTC/USDT:1m", timeframe=Timeframe.M1)
    progress.step_ms = STEP

    async with UnitOfWork(database) as uow:  # marked, then rolled back: nothing committed
        await progress.mark(uow.session, at=AT)
        await progress.mark(uow.session, at=AT)
    assert len(saved) == 1

    async with UnitOfWork(database) as uow, deferred.defer(uow.session):
        await progress.mark(uow.session, at=AT)  # the rolled-back row is written again
        await progress.mark(uow.session, at=AT)  # a batch's sale after its cancel's record
        await deferred.flush(uow.session)
        await uow.commit()
    assert saved == [{"candle_ms": STEP, "complete": False}] * 2

    async with UnitOfWork(database) as uow:  # committed: no row
        await progress.mark(uow.session, at=AT)
        await uow.commit()
    assert len(saved) == 2
    async with UnitOfWork(database, read_only=True) as uow:
        stored = await checkpoints.load_checkpoint(
            session=uow.session, engine=progress_module.ENGINE, key=progress.key
        )
    assert stored == {"candle_ms": STEP, "complete": False}

    progress.step_ms = STEP + 60_000  # the next step: written once in its transaction
    async with UnitOfWork(database) as uow, deferred.defer(uow.session):
        await progress.mark(uow.session, at=AT)
        await progress.mark(uow.session, at=AT)
        await deferred.flush(uow.session)
        await uow.commit()
    assert saved[2:] == [{"candle_ms": STEP + 60_000, "complete": False}]
