"""A commit that succeeded but reported failure: the order engine recovers from the database.

A connection lost after ``COMMIT`` reached the server (PostgreSQL committed; the driver says the
connection failed) leaves the engine's memory behind the database: it still holds the position
whose close committed. The failure stops the runtime (its handler fails; its service manager
starts it again) and the restarted engine reads positions, orders, the paper account and its
checkpoint from the database: the run it was handling comes again and is stepped from where
the commit left it. The trade must be closed and settled once (a close recorded again fails
its transaction: ``trades.update_trade``), its ``trade_closed`` alert sent by the outbox once
(by ``message_id``), and the restarted engine must not fail again on it (no crash loop): the
trades, capital and checkpoint equal a run without the fault.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError as DriverError

from cryptotrader.bootstrap.runtime import open_runtime
from cryptotrader.bus import Delivery, topics
from cryptotrader.bus.messages import AlertRaised, DecisionsMade
from cryptotrader.config import Settings
from cryptotrader.domain.enums import BotKind
from cryptotrader.persistence import uow as uow_module
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.repositories import bots
from cryptotrader.persistence.repositories import trades as trades_module
from cryptotrader.persistence.uow import UnitOfWork
from cryptotrader.runtime import Runtime
from cryptotrader.runtime_inputs import RunOptions
from tests.integration.trading.test_order_gap import ROWS, _decided
from tests.support.builders import read_shared_csv
from tests.support.parity import stored_pair_rows

_CLOSES = "test.closes_trade"
LOST_AT_CLOSE = 2
"""The trade close whose commit is reported lost (the third: some history before it)."""


class CommitLost:
    """Reports the ``LOST_AT_CLOSE``-th commit that closes a trade as failed, after it committed.

    Installed over ``UnitOfWork.commit`` and ``trades.update_trade``: the commit is made durable
    by the server, then the driver's error is raised before the unit's callbacks run, as when
    the connection drops between the server's commit and its answer.
    """

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.closes = 0
        self.lost = False
        commit, update = UnitOfWork.commit, trades_module.update_trade

        async def update_trade(**kwargs: Any) -> None:
            kwargs["session"].info[_CLOSES] = True
            await update(**kwargs)

        async def lost_commit(unit: UnitOfWork) -> None:
            session = unit.session
            if not session.info.pop(_CLOSES, False):
                await commit(unit)
                return
            self.closes += 1
            if self.closes != LOST_AT_CLOSE + 1:
                await commit(unit)
                return
            check = unit._database.commit_check  # as UnitOfWork.commit does
            if check is not None:
                await check(session)
            await session.commit()  # durable: only the answer is lost
            self.lost = True
            raise DriverError("COMMIT", None, ConnectionResetError("connection lost"))

        monkeypatch.setattr(trades_module, "update_trade", update_trade)
        monkeypatch.setattr(uow_module.UnitOfWork, "commit", lost_commit)


@pytest.mark.shared_data
@pytest.mark.timeout(1800)
def test_order_engine_when_a_close_committed_but_reported_failure_recovers_after_restart(
    shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    series = tmp_path / "binance_BTC-USDT_1d.csv"
    read_shared_csv(shared_data / series.name, rows=ROWS).to_csv(series, index=False)
    runs = asyncio.run(_decided(series, tmp_path / "decided"))
    every = asyncio.run(_traded(series, tmp_path / "every", runs))
    closed = len(every["closed alerts"])
    assert closed > LOST_AT_CLOSE + 1, "too few closes: the test would prove nothing"

    folder = tmp_path / "lost"
    with monkeypatch.context() as patch:
        fault = CommitLost(patch)
        first = asyncio.run(_traded(series, folder, runs))
    assert fault.lost
    assert isinstance(first["failed"], DriverError)  # the handler failed: the runtime stops
    failed_at = first["handled"]
    again = asyncio.run(_traded(series, folder, runs[failed_at:]))  # restarted: no fault
    assert again["failed"] is None  # no crash loop: the redelivered run and the rest trade

    assert again["trades"] == every["trades"]
    assert again["capital"] == every["capital"]  # settled once
    assert again["checkpoint"] == every["checkpoint"]
    sent = first["closed alerts"] | again["closed alerts"]  # the outbox may send a copy again
    assert sorted(sent.values()) == sorted(every["closed alerts"].values())  # each trade once


async def _traded(series: Path, folder: Path, runs: list[DecisionsMade]) -> dict[str, Any]:
    """An order engine alone on ``folder``'s database, handed ``runs`` until one fails."""
    settings = Settings(data_dir=folder, redis_url=None)
    runtime = await open_runtime(settings, RunOptions(replay=(series,), engines=("order",)))
    marks: dict[str, Any] = {"failed": None, "handled": len(runs)}
    try:
        trading = runtime.trading
        assert trading is not None
        assert runtime.outbox is not None
        await trading.start()
        await runtime.outbox.recover()  # what a run before left unsent (as ``Runtime.start``)
        for n, run in enumerate(runs):
            try:
                await trading.handle(Delivery(topics.SIGNALS, "order", f"{n}-0", run, 1))
            except DriverError as exc:
                marks["failed"], marks["handled"] = exc, n
                break
        marks["closed alerts"] = await _closed_alerts(runtime)
        marks["checkpoint"] = await trading.lanes["BTC/USDT"].engine.deps.progress.load(
            runtime.database
        )
    finally:
        await runtime.close()
    database = Database(f"sqlite:///{folder / 'cryptotrader.db'}")
    try:
        marks["trades"] = await stored_pair_rows(database)
        marks["capital"] = await _capital(database)
    finally:
        await database.dispose()
    return marks


async def _closed_alerts(runtime: Runtime) -> dict[str, tuple[str, str]]:
    """The ``trade_closed`` alerts on the process's bus: (trade id, text) by ``message_id``."""
    found: dict[str, tuple[str, str]] = {}
    after = "0-0"
    while True:
        page = await runtime.bus.history(topics.ALERTS, after=after, count=1000)
        for _, message in page.messages:
            if isinstance(message, AlertRaised) and message.kind == "trade_closed":
                found[message.message_id] = (message.details["trade_id"], message.text)
        if page.last_id is None:
            return found
        after = page.last_id


async def _capital(database: Database) -> dict[BotKind, Decimal]:
    async with UnitOfWork(database, read_only=True) as uow:
        return {row.type: row.capital for row in await bots.list_bots(session=uow.session)}
