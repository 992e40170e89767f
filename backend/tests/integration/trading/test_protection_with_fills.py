"""The paper exchange's protection legs placed in the transaction that writes them.

A batch's entry fills are recorded in one transaction with the legs of the positions they open
(pending). On the paper exchange the legs are also placed, and its answers (the legs open)
recorded, in that transaction (``order_batch._place_within``): the paper account is saved only
there, so it holds the legs exactly when our records do, and the legs' acknowledgement needs no
commit of its own.

* A replay with the legs placed within and one with them placed apart (as on any other venue:
  the fills' commit, then the placement and its own commit) store the same trades, orders,
  fills and paper account, and send the same events in the same order; within, one commit
  fewer per batch that opened a position.
* When that transaction fails after the legs were placed, the paper account forgets what it
  was not saved with (``PaperExchange.discard``): it never keeps a leg our database did not
  write (saving it later would), and a restart trades on as a run without the fault.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError as DriverError

from cryptotrader import outbox
from cryptotrader.bootstrap.runtime import open_runtime
from cryptotrader.bus import Delivery, topics
from cryptotrader.bus.messages import DecisionsMade
from cryptotrader.config import Settings
from cryptotrader.engines import order_batch
from cryptotrader.persistence.database import Database
from cryptotrader.runtime_inputs import RunOptions
from tests.integration.trading.test_order_gap import ROWS, _decided
from tests.support.builders import read_shared_csv
from tests.support.parity import stored_pair_rows


def _series(shared_data: Path, folder: Path) -> Path:
    series = folder / "binance_BTC-USDT_1d.csv"
    read_shared_csv(shared_data / series.name, rows=ROWS).to_csv(series, index=False)
    return series


def _stored(folder: Path) -> dict[str, Any]:
    """The orders, fills and paper account documents as stored (row ids and times left out)."""
    with sqlite3.connect(folder / "cryptotrader.db") as connection:
        columns = [
            row[1]
            for row in connection.execute("PRAGMA table_info(orders)")
            if row[1] not in {"id", "updated_at"}
        ]
        orders = connection.execute(
            f"SELECT {', '.join(columns)} FROM orders ORDER BY client_order_id"  # noqa: S608
        ).fetchall()
        fills = connection.execute(
            "SELECT exchange_fill_id, quantity, price, fee, filled_at FROM order_fills"
            " ORDER BY exchange_fill_id"
        ).fetchall()
        paper = connection.execute(
            "SELECT key, value FROM engine_checkpoints WHERE engine LIKE 'paper:%' ORDER BY key"
        ).fetchall()
    return {"orders": orders, "fills": fills, "paper": paper}


async def _replay(series: Path, folder: Path) -> dict[str, Any]:
    runtime = await open_runtime(Settings(data_dir=folder), RunOptions(replay=(series,)))
    try:
        await runtime.start()
        await asyncio.wait_for(runtime.wait(), timeout=900)
    finally:
        await runtime.close()
    database = Database(f"sqlite:///{folder / 'cryptotrader.db'}")
    try:
        trades = await stored_pair_rows(database)
    finally:
        await database.dispose()
    return {"trades": trades, **_stored(folder)}


@pytest.mark.shared_data
@pytest.mark.timeout(1800)
def test_legs_placed_with_their_write_store_and_send_what_legs_placed_apart_do(
    shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    series = _series(shared_data, tmp_path)
    events: list[tuple[str, str, str]] = []
    encode_each, commit, place_within = (
        outbox.encode_each,
        order_batch._commit,
        order_batch._place_within,
    )
    commits = {"within": 0, "apart": 0}
    placed = {"within": 0, "apart": 0}
    merged = {"within": 0, "apart": 0}  # entries filled in the transaction that wrote them
    fill_within = order_batch._fill_within
    run = "within"

    def encoded(batch: Any) -> tuple[str, list[str]]:
        for topic, message in batch:
            fields = message.model_dump(mode="json")
            del fields["message_id"]  # new at each run
            events.append((topic, type(message).__name__, json.dumps(fields, sort_keys=True)))
        return encode_each(batch)

    async def committed(uow: Any) -> None:  # a batch's transaction
        commits[run] += 1
        await commit(uow)

    async def within(*args: Any) -> None:
        placed[run] += 1
        await place_within(*args)

    async def filled(*args: Any) -> Any:
        sent = await fill_within(*args)
        merged[run] += sent is not None
        return sent

    monkeypatch.setattr(outbox, "encode_each", encoded)
    monkeypatch.setattr(order_batch, "_commit", committed)
    monkeypatch.setattr(order_batch, "_place_within", within)
    monkeypatch.setattr(order_batch, "_fill_within", filled)
    joined = asyncio.run(_replay(series, tmp_path / "within"))
    events_within, events[:] = list(events), []

    run = "apart"  # as on a venue whose account is not saved in our transaction
    monkeypatch.setattr(order_batch._Account, "places_within", lambda _: False)
    apart = asyncio.run(_replay(series, tmp_path / "apart"))

    assert placed["within"] >= 5, placed  # the path under test ran, several times
    assert placed["apart"] == 0
    assert sum(len(rows) for rows in joined["trades"].values()) >= placed["within"]
    assert joined == apart  # trades, orders, fills, the paper account
    assert events_within == events  # the same events, in the same order
    assert merged["apart"] == 0  # apart: no entry filled within either (test_entries_with_fills)
    # one each fewer, and one more for each batch of entries filled with their write
    assert commits["within"] == commits["apart"] - placed["within"] - merged["within"]


class _FailsOnce:
    """The first transaction in which ``order_batch.<name>`` put orders on the paper exchange
    fails at its commit (nothing committed); ``new``: those orders' client ids.

    ``name``: ``_place_within`` (the legs, here) or ``_fill_within`` (the entries,
    test_entries_with_fills.py); ``account_at``: where its ``_Account`` is among its arguments;
    ``counts``: whether its result means it put them there (``_fill_within`` returns None when
    it left the entries to the usual path).
    """

    def __init__(
        self,
        monkeypatch: pytest.MonkeyPatch,
        name: str = "_place_within",
        account_at: int = 2,
        counts: Callable[[Any], bool] = lambda _: True,
    ) -> None:
        self.failed = False
        self.new: set[str] = set()
        commit, wrapped = order_batch._commit, getattr(order_batch, name)
        armed = False

        async def within(*args: Any) -> Any:
            nonlocal armed
            paper = args[account_at]._paper
            assert paper is not None
            before = set(paper.book.orders)
            result = await wrapped(*args)
            if counts(result) and not self.failed:
                armed, self.new = True, set(paper.book.orders) - before
            return result

        async def failing(uow: Any) -> None:
            nonlocal armed
            if armed:
                armed, self.failed = False, True
                raise DriverError("COMMIT", None, OSError("disk I/O error"))
            await commit(uow)

        monkeypatch.setattr(order_batch, name, within)
        monkeypatch.setattr(order_batch, "_commit", failing)


@pytest.mark.shared_data
@pytest.mark.timeout(1800)
def test_a_failed_transaction_that_placed_legs_leaves_the_paper_account_as_last_saved(
    shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    series = _series(shared_data, tmp_path)
    runs = asyncio.run(_decided(series, tmp_path / "decided"))
    every = asyncio.run(_traded(series, tmp_path / "every", runs))

    folder = tmp_path / "failed"
    with monkeypatch.context() as patch:
        fault = _FailsOnce(patch)
        first = asyncio.run(_traded(series, folder, runs))
    assert fault.failed
    assert isinstance(first["failed"], DriverError)  # the handler failed: the runtime stops
    legs = fault.new
    assert legs  # placed in the failed transaction
    assert legs <= every["paper orders"]  # as the run without the fault placed them
    assert not legs & first["paper orders"]  # forgotten in memory ...
    assert not legs & first["saved paper orders"]  # ... and never saved
    assert first["paper orders"] == first["saved paper orders"]
    assert first["saved paper orders"] <= first["written"]  # no order we did not write first

    again = asyncio.run(_traded(series, folder, runs[first["handled"] :]))  # restarted
    assert again["failed"] is None
    assert again["trades"] == every["trades"]
    assert again["saved paper orders"] <= again["written"]


async def _traded(series: Path, folder: Path, runs: list[DecisionsMade]) -> dict[str, Any]:
    """An order engine alone on ``folder``'s database, handed ``runs`` until one fails."""
    settings = Settings(data_dir=folder, redis_url=None)
    runtime = await open_runtime(settings, RunOptions(replay=(series,), engines=("order",)))
    marks: dict[str, Any] = {"failed": None, "handled": len(runs)}
    try:
        trading = runtime.trading
        assert trading is not None
        assert trading.feed is not None
        assert runtime.outbox is not None
        await trading.start()
        await runtime.outbox.recover()
        for n, run in enumerate(runs):
            try:
                await trading.handle(Delivery(topics.SIGNALS, "order", f"{n}-0", run, 1))
            except DriverError as exc:
                marks["failed"], marks["handled"] = exc, n
                break
        marks["paper orders"] = set(trading.feed.book.orders)
    finally:
        await runtime.close()
    database = Database(f"sqlite:///{folder / 'cryptotrader.db'}")
    try:
        marks["trades"] = await stored_pair_rows(database)
    finally:
        await database.dispose()
    with sqlite3.connect(folder / "cryptotrader.db") as connection:
        marks["written"] = {c for (c,) in connection.execute("SELECT client_order_id FROM orders")}
        saved = connection.execute(
            "SELECT key FROM engine_checkpoints WHERE engine LIKE 'paper:%' AND key != 'account'"
        ).fetchall()
    marks["saved paper orders"] = {key.removeprefix("order:") for (key,) in saved}
    return marks
