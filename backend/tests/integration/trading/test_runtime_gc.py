"""The runtime keeps what it built at start out of the garbage collector's passes, until closed.

Every full collection went through the ~350k objects of the start-up again (about 0.8 s of a
6.5 s replay): ``Runtime.start`` freezes them (``gc.freeze``), ``close`` unfreezes them so that
a process running several runtimes one after the other (the tests) frees each one's cycles.
"""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from cryptotrader.bootstrap.runtime import open_runtime
from cryptotrader.config import Settings
from cryptotrader.runtime_inputs import RunOptions
from tests.support.builders import read_shared_csv

pytestmark = pytest.mark.asyncio(loop_scope="function")


@pytest.mark.shared_data
async def test_runtime_when_started_freezes_its_start_up_objects_and_close_unfreezes_them(
    shared_data: Path, tmp_path: Path
) -> None:
    series = tmp_path / "binance_BTC-USDT_4h.csv"
    read_shared_csv(shared_data / "binance_BTC-USDT_4h.csv", rows=300).to_csv(series, index=False)
    fear_greed = shared_data / "alternative-me_fear-greed_1d.csv"
    options = RunOptions(replay=(series,), fear_greed=fear_greed, inline_database=True)
    gc.unfreeze()
    runtime = await open_runtime(Settings(data_dir=tmp_path), options)
    try:
        await runtime.start()
        frozen = gc.get_freeze_count()
        await runtime.wait()
    finally:
        await runtime.close()

    assert frozen > 10_000  # the modules, schemas and engines built so far
    assert gc.get_freeze_count() == 0
