"""The order engine acts on no run that follows a candle it has not done.

When Redis restarts empty, the runs in flight are gone, and a run computed before the restart
may still arrive after it: acting on it would skip the lost candles (stops not checked, entries
and exits not taken). The real runs of a paced replay (``previous_open_ms`` carried from the
market data through the indicator and decision engines) are handed to an order engine with one
run missing: it does nothing with the runs after the gap, then trades exactly as an order engine
that got every run once the missing one comes again, followed by those after it.
"""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path
from typing import Any

import pytest

from cryptotrader.bootstrap.runtime import open_runtime
from cryptotrader.bus import Delivery, topics
from cryptotrader.bus.messages import DecisionsMade
from cryptotrader.config import Settings
from cryptotrader.domain.values import utc_from_ms
from cryptotrader.persistence.database import Database
from cryptotrader.runtime_inputs import RunOptions
from tests.support.builders import read_shared_csv
from tests.support.parity import stored_pair_rows

ROWS = 700  # daily candles: the warm-up (201), then about 16 months of trading
PACE = 86_400 * 1000.0  # one run per candle, a millisecond apart


@pytest.mark.shared_data
@pytest.mark.timeout(1800)
def test_order_engine_when_a_run_is_missing_waits_for_it_then_trades_as_without_the_gap(
    shared_data: Path, tmp_path: Path
) -> None:
    series = tmp_path / "binance_BTC-USDT_1d.csv"
    read_shared_csv(shared_data / series.name, rows=ROWS).to_csv(series, index=False)
    runs = asyncio.run(_decided(series, tmp_path / "decided"))
    chained = [r.previous_open_ms == p.candles.open_times[-1] for p, r in itertools.pairwise(runs)]
    assert all(chained)
    missing = len(runs) * 2 // 3

    every = asyncio.run(_traded(series, tmp_path / "every", [runs]))
    parts = [runs[1:3], runs[:missing], runs[missing + 1 :], runs[missing:]]
    gapped = asyncio.run(_traded(series, tmp_path / "gap", parts))

    assert gapped["first"] == (None, 0)  # a replay's runs after its lost first one: not acted on
    assert gapped["after gap"] == gapped["before gap"]  # nothing acted on after the gap
    assert gapped["checkpoint"] == every["checkpoint"]
    assert gapped["trades"] == every["trades"]
    gap_at = utc_from_ms(runs[missing].candles.open_times[0])
    later = [t for rows in every["trades"].values() for t in rows if t[1] > gap_at]
    assert later, "no trade after the missing run: the test would prove nothing"


async def _decided(series: Path, folder: Path) -> list[DecisionsMade]:
    """The runs the decision engine publishes for a paced replay of ``series``."""
    options = RunOptions(
        replay=(series,), speed=PACE, engines=("market-data", "indicator", "decision")
    )
    runtime = await open_runtime(Settings(data_dir=folder, redis_url=None), options)
    runs: list[DecisionsMade] = []

    async def keep(delivery: Delivery) -> None:
        if isinstance(delivery.message, DecisionsMade):
            runs.append(delivery.message)

    try:
        await runtime.bus.subscribe(topics.SIGNALS, group="test", consumer="t", handler=keep)
        await runtime.start()
        await runtime.wait()
        async with asyncio.timeout(600):
            while not runs or not runs[-1].final:  # noqa: ASYNC110 - the workers' progress
                await asyncio.sleep(0.05)
    finally:
        await runtime.close()
    return runs


async def _traded(
    series: Path, folder: Path, deliveries: list[list[DecisionsMade]]
) -> dict[str, Any]:
    """An order engine alone, handed the runs in the given order (the first list, then ...)."""
    settings = Settings(data_dir=folder, redis_url=None)
    runtime = await open_runtime(settings, RunOptions(replay=(series,), engines=("order",)))
    marks: dict[str, Any] = {}
    try:
        trading = runtime.trading
        assert trading is not None
        await trading.start()
        names = ("first", "before gap", "after gap", "again")
        for part, runs in zip(names[-len(deliveries) :], deliveries, strict=True):
            for n, run in enumerate(runs):
                await trading.handle(Delivery(topics.SIGNALS, "order", f"{n}-0", run, 1))
            marks[part] = (trading.resume_ms, trading.candles_done)
        marks["checkpoint"] = await trading.lanes["BTC/USDT"].engine.deps.progress.load(
            runtime.database
        )
    finally:
        await runtime.close()
    database = Database(f"sqlite:///{folder / 'cryptotrader.db'}")
    try:
        marks["trades"] = await stored_pair_rows(database)
    finally:
        await database.dispose()
    return marks
