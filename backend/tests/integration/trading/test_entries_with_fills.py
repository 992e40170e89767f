"""The paper exchange's entries sent, and their fills recorded, in the transaction that writes them.

A batch's entries are written (pending) in one transaction, sent, and their fills recorded in a
second. On the paper exchange the entries are sent, and their fills recorded (with the legs of
the positions they open, placed too: ``_place_within``), in the first (``order_batch.
_fill_within``): the paper account is saved only there, so it holds the entries exactly when our
records do. The decision behind an entry is then not stored as a checkpoint: its trade records
it in that very transaction.

* A replay with the entries filled within and one with them sent apart (the entries' commit,
  then the send and the fills' own commit) store the same trades (with their decisions),
  orders, fills and paper account, and send the same events in the same order; within, one
  commit fewer per batch filled within.
* When that transaction fails after the entries were sent, the paper account forgets what it
  was not saved with (``PaperExchange.discard``): it never keeps an entry our database did not
  write, and a restart trades on as a run without the fault.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError as DriverError

from cryptotrader import outbox
from cryptotrader.engines import order_batch
from cryptotrader.engines.order_send import OrderSender
from tests.integration.trading.test_order_gap import _decided
from tests.integration.trading.test_protection_with_fills import (
    _FailsOnce,
    _replay,
    _series,
    _traded,
)


def _decisions(folder: Path) -> list[Any]:
    """Every trade's decision (confidence, indicators' snapshot), and the intents stored."""
    with sqlite3.connect(folder / "cryptotrader.db") as connection:
        trades = connection.execute(
            "SELECT opened_at, confidence, indicators_snapshot FROM trades ORDER BY id"
        ).fetchall()
        intents = connection.execute(
            "SELECT count(*) FROM engine_checkpoints WHERE engine = 'order.intent'"
        ).fetchone()
    return [trades, intents[0]]


@pytest.mark.shared_data
@pytest.mark.timeout(1800)
def test_entries_filled_with_their_write_store_and_send_what_entries_sent_apart_do(
    shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    series = _series(shared_data, tmp_path)
    events: list[tuple[str, str, str]] = []
    encode_each, commit, fill_within = (
        outbox.encode_each,
        order_batch._commit,
        order_batch._fill_within,
    )
    commits = {"within": 0, "apart": 0}
    filled = {"within": 0, "apart": 0}
    entries = {"within": 0, "apart": 0}
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

    async def within(*args: Any) -> Any:
        sent = await fill_within(*args)
        filled[run] += sent is not None
        entries[run] += 0 if sent is None else len(sent)
        return sent

    monkeypatch.setattr(outbox, "encode_each", encoded)
    monkeypatch.setattr(order_batch, "_commit", committed)
    monkeypatch.setattr(order_batch, "_fill_within", within)
    joined = asyncio.run(_replay(series, tmp_path / "within"))
    decisions_within = _decisions(tmp_path / "within")
    events_within, events[:] = list(events), []

    run = "apart"  # the legs still placed within the fills' transaction (h4's path)
    monkeypatch.setattr(order_batch._Account, "fills_within", lambda _: False)
    apart = asyncio.run(_replay(series, tmp_path / "apart"))
    decisions_apart = _decisions(tmp_path / "apart")

    assert filled["within"] >= 5, filled  # the path under test ran, several times
    assert filled["apart"] == 0
    assert joined == apart  # trades, orders, fills, the paper account
    assert decisions_within[0] == decisions_apart[0]  # each trade's decision, as stored apart
    assert decisions_apart[1] >= entries["within"]  # apart: each entry's decision stored ...
    assert decisions_within[1] == decisions_apart[1] - entries["within"]  # ... within: not
    assert events_within == events  # the same events, in the same order
    assert commits["within"] == commits["apart"] - filled["within"]  # one each fewer


@pytest.mark.shared_data
@pytest.mark.timeout(1800)
def test_a_failed_transaction_that_sent_entries_leaves_the_paper_account_as_last_saved(
    shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    series = _series(shared_data, tmp_path)
    runs = asyncio.run(_decided(series, tmp_path / "decided"))
    every = asyncio.run(_traded(series, tmp_path / "every", runs))

    folder = tmp_path / "failed"
    with monkeypatch.context() as patch:
        fault = _FailsOnce(patch, "_fill_within", 3, lambda sent: sent is not None)
        first = asyncio.run(_traded(series, folder, runs))
    assert fault.failed
    assert isinstance(first["failed"], DriverError)  # the handler failed: the runtime stops
    sent = fault.new
    assert sent  # the entry (and its legs), sent in the failed transaction
    assert sent <= every["paper orders"]  # as the run without the fault sent them
    assert not sent & first["paper orders"]  # forgotten in memory ...
    assert not sent & first["saved paper orders"]  # ... and never saved
    assert not sent & first["written"]  # nor written
    assert first["paper orders"] == first["saved paper orders"]
    assert first["saved paper orders"] <= first["written"]  # no order we did not write first

    again = asyncio.run(_traded(series, folder, runs[first["handled"] :]))  # restarted
    assert again["failed"] is None
    assert again["trades"] == every["trades"]
    assert again["saved paper orders"] <= again["written"]


@pytest.mark.shared_data
@pytest.mark.timeout(1800)
def test_an_entry_sent_within_but_not_answered_is_forgotten_and_sent_again_as_usual(
    shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A send inside the transaction that answers nothing usable (here: the paper exchange took
    the order, the answer is dropped) leaves the entries to the usual path: the account's
    changes forgotten, the entries committed with their decisions, sent again and recorded apart.
    """
    series = _series(shared_data, tmp_path)
    events: list[tuple[str, str, str]] = []
    encode_each = outbox.encode_each
    send_within = OrderSender.send_within
    dropped: list[str] = []

    def encoded(batch: Any) -> tuple[str, list[str]]:
        for topic, message in batch:
            fields = message.model_dump(mode="json")
            del fields["message_id"]  # new at each run
            events.append((topic, type(message).__name__, json.dumps(fields, sort_keys=True)))
        return encode_each(batch)

    async def unanswered(sender: OrderSender, order: Any) -> Any:
        report = await send_within(sender, order)
        if len(dropped) < 3:  # the first three batches: taken by the exchange, answer lost
            dropped.append(order.client_order_id)
            return None
        return report

    monkeypatch.setattr(outbox, "encode_each", encoded)
    with monkeypatch.context() as patch:
        patch.setattr(OrderSender, "send_within", unanswered)
        faulty = asyncio.run(_replay(series, tmp_path / "faulty"))
    decisions_faulty = _decisions(tmp_path / "faulty")
    events_faulty, events[:] = list(events), []

    clean = asyncio.run(_replay(series, tmp_path / "clean"))
    decisions_clean = _decisions(tmp_path / "clean")

    assert len(dropped) == 3
    assert faulty == clean  # trades, orders, fills, the paper account
    assert decisions_faulty[0] == decisions_clean[0]
    assert decisions_faulty[1] >= decisions_clean[1] + 3  # those entries' decisions stored
    assert events_faulty == events  # the same events, in the same order
