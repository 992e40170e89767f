"""The order engine's events counted (telemetry) after a batch, not before its last order."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from cryptotrader.bus import topics
from cryptotrader.bus.messages import AlertRaised, BusMessage
from cryptotrader.engines.order_events import count_committed, counted_after
from cryptotrader.engines.portfolio import Event
from cryptotrader.monitoring.telemetry import Telemetry
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.uow import UnitOfWork

pytestmark = pytest.mark.asyncio(loop_scope="function")


def _event(text: str) -> Event:
    at = datetime(2026, 12, 5, 15, 0, tzinfo=UTC)
    return topics.ALERTS, AlertRaised(timestamp=at, kind="test", text=text)


async def _commit(database: Database, telemetry: Telemetry, text: str, *, commit: bool) -> None:
    async with UnitOfWork(database) as uow:
        count_committed(uow.session, telemetry, [_event(text)])
        if commit:
            await uow.commit()


async def test_events_committed_in_a_batch_are_counted_as_it_ends_in_order(
    database: Database,
) -> None:
    telemetry = Telemetry()
    seen: list[str] = []

    def observe(_topic: str, message: BusMessage) -> None:
        assert isinstance(message, AlertRaised)
        seen.append(message.text)

    telemetry.observers.append(observe)

    await _commit(database, telemetry, "alone", commit=True)
    assert seen == ["alone"]  # outside a batch: at its commit

    with counted_after():
        await _commit(database, telemetry, "first", commit=True)
        await _commit(database, telemetry, "rolled back", commit=False)
        with counted_after():  # nested: the outer block counts
            await _commit(database, telemetry, "nested", commit=True)
        await asyncio.gather(  # the batch's sends: tasks of their own
            _commit(database, telemetry, "task", commit=True),
            asyncio.sleep(0),
        )
        assert seen == ["alone"]  # nothing counted before the batch is done
    assert seen == ["alone", "first", "nested", "task"]

    await _commit(database, telemetry, "after", commit=True)
    assert seen[-1] == "after"


async def test_a_task_that_outlives_its_batch_counts_at_its_commit(database: Database) -> None:
    telemetry = Telemetry()
    seen: list[str] = []
    telemetry.observers.append(lambda _t, m: seen.append(m.text))  # type: ignore[attr-defined]
    go = asyncio.Event()

    async def late() -> None:
        await go.wait()
        await _commit(database, telemetry, "late", commit=True)

    with counted_after():
        task = asyncio.create_task(late())  # copies the batch's context
    go.set()
    await task
    assert seen == ["late"]
