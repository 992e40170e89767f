"""A replay's market data alone waits for a restarted order engine, then publishes again.

An order engine that fails (a PostgreSQL connection cut mid-handler) says on its way out that it
stopped (its heartbeat's stop time); its service manager starts another. The market data
(``engine market-data``, ``Runtime._replay_alone``) once ended as soon as it read no live
heartbeat, before the new engine beat: the runs the dead one had gathered and acked were never
published again, and the new one waited for them forever (seen by h6 in
``test_faults_processes``, seed 1). The heartbeats here are the runtime's own (``Heartbeat``),
written to a real PostgreSQL database.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from cryptotrader.bootstrap.runtime import open_runtime
from cryptotrader.config import Settings
from cryptotrader.engines.heartbeat import Heartbeat
from cryptotrader.persistence.database import Database
from cryptotrader.runtime import Runtime
from cryptotrader.runtime_inputs import RunOptions
from tests.support.builders import read_shared_csv
from tests.support.processes import migrated_postgres_database

ROWS = 300
DEADLINE_S = 120.0


@pytest.mark.shared_data
@pytest.mark.timeout(600)
def test_market_data_alone_waits_for_the_restarted_order_engine_and_publishes_again(
    shared_data: Path, tmp_path: Path
) -> None:
    series = tmp_path / "binance_BTC-USDT_1h.csv"
    read_shared_csv(shared_data / f"{series.name}.gz", rows=ROWS).to_csv(series, index=False)
    with migrated_postgres_database() as url:
        asyncio.run(_scenario(url, series, tmp_path / "data"))


async def _scenario(url: str, series: Path, folder: Path) -> None:
    database = Database(url)
    first = Heartbeat(database, mode="paper", market="a replay", interval_s=0.5)
    await first.start()  # the order engine runs before the market data starts
    settings = Settings.model_validate(  # the aliases: the environment's names
        {"data_dir": folder, "DATABASE_URL": url, "REDIS_URL": None}
    )
    assert settings.database_url == url
    runtime = await open_runtime(settings, RunOptions(replay=(series,), engines=("market-data",)))
    second: Heartbeat | None = None
    try:
        gone = _reads_of_no_engine(runtime)
        await runtime.start()
        publisher, market = runtime.publisher, runtime._market
        assert publisher is not None
        assert market is not None
        await _until(lambda: runtime.published >= ROWS, "the first pass published")
        first_pass = publisher.pass_ms

        await first.stop()  # failed: its close stores its stop time
        # the market data's own task (``_until_traded``) read that no engine beats
        await _until(lambda: market in gone, "the gap seen by the market data")
        second = Heartbeat(database, mode="paper", market="a replay", interval_s=0.5)
        await second.start()  # the restarted order engine (another start time)

        await _until(
            lambda: publisher.pass_ms != first_pass and runtime.published >= 2 * ROWS,
            "a second pass published for the restarted order engine",
        )
        assert not market.done()  # still waiting for the new engine to trade every candle
    finally:
        if second is not None:
            await second.stop()
        await runtime.close()
        await first.stop()
        await database.dispose()


def _reads_of_no_engine(runtime: Runtime) -> set[asyncio.Task[object]]:
    """The tasks that read no live order engine heartbeat (a spy: the reads are unchanged)."""
    read = runtime._order_engine
    tasks: set[asyncio.Task[object]] = set()

    async def spy() -> tuple[int, datetime] | None:
        running = await read()
        task = asyncio.current_task()
        if running is None and task is not None:
            tasks.add(task)
        return running

    runtime._order_engine = spy  # type: ignore[method-assign]
    return tasks


async def _until(condition: Callable[[], bool], what: str) -> None:
    try:
        async with asyncio.timeout(DEADLINE_S):
            while not condition():  # noqa: ASYNC110 - the runtime's progress, polled
                await asyncio.sleep(0.05)
    except TimeoutError:
        pytest.fail(f"not within {DEADLINE_S:.0f} s: {what}")
