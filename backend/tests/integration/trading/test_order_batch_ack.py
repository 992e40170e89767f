"""The order engine acks a run gathered for a batch of pairs only once the batch is traded.

Several pairs: the runs of one batch (one per pair, ``DecisionsMade.batch``) are gathered and
traded together once all have come. A run acked as soon as it was gathered was lost for good
when the engine died before its batch was traded (its restart never got it again, and the
batch waited for it forever). The real runs of a two-pair replay are published to an order
engine alone: the first run of a batch stays pending in the ``order`` group while it waits for
the other; once the batch is traded, nothing is pending. (A consumer killed while a delivery is
kept gets it again: ``tests/integration/bus/test_bus_kept.py``.)
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from cryptotrader.bootstrap.runtime import open_runtime
from cryptotrader.bus import Delivery, StreamBus, topics
from cryptotrader.bus.messages import DecisionsMade
from cryptotrader.config import Settings
from cryptotrader.runtime_inputs import RunOptions
from tests.support.builders import read_shared_csv

ROWS = 260  # daily candles: the warm-up, then a few runs
PACE = 86_400 * 1000.0
NAMES = ("binance_BTC-USDT_1d.csv", "binance_ETH-USDT_1d.csv")


@pytest.mark.shared_data
@pytest.mark.timeout(1800)
def test_order_engine_acks_a_gathered_run_only_once_its_batch_is_traded(
    shared_data: Path, tmp_path: Path
) -> None:
    files = []
    for name in NAMES:
        path = tmp_path / name
        read_shared_csv(shared_data / name, rows=ROWS).to_csv(path, index=False)
        files.append(path)
    runs = asyncio.run(_decided(files, tmp_path / "decided"))
    first = [r for r in runs if r.batch_ms == runs[0].batch_ms]
    assert sorted(r.pair.symbol for r in first) == ["BTC/USDT", "ETH/USDT"]
    asyncio.run(_gathered(files, tmp_path / "order", first))


async def _decided(files: list[Path], folder: Path) -> list[DecisionsMade]:
    """The runs the decision engine publishes for a paced two-pair replay."""
    options = RunOptions(
        replay=tuple(files), speed=PACE, engines=("market-data", "indicator", "decision")
    )
    runtime = await open_runtime(Settings(data_dir=folder, redis_url=None), options)
    runs: list[DecisionsMade] = []

    async def keep(delivery: Delivery) -> None:
        if isinstance(delivery.message, DecisionsMade):
            runs.append(delivery.message)

    try:
        await runtime.bus.subscribe(topics.SIGNALS, group="test", consumer="t", handler=keep)
        await runtime.start()
        async with asyncio.timeout(600):
            while len({r.pair.symbol for r in runs if r.batch_ms == runs[0].batch_ms}) < 2:  # noqa: ASYNC110
                await asyncio.sleep(0.05)
    finally:
        await runtime.close()
    return runs


async def _gathered(files: list[Path], folder: Path, batch: list[DecisionsMade]) -> None:
    settings = Settings(data_dir=folder, redis_url=None)
    runtime = await open_runtime(settings, RunOptions(replay=tuple(files), engines=("order",)))
    try:
        bus, trading = runtime.bus, runtime.trading
        assert isinstance(bus, StreamBus)
        assert trading is not None
        await runtime.start()
        stream, consumer = bus.stream(topics.SIGNALS), f"order-{runtime.consumer}"

        async def pending() -> list[str]:
            entries = await bus.transport.read_pending(stream, "order", consumer, 10)
            return [entry.entry_id for entry in entries]

        one, other = batch
        kept = await bus.publish(topics.SIGNALS, one)
        async with asyncio.timeout(120):
            while not trading._gathering:  # noqa: ASYNC110 - handled: gathered
                await asyncio.sleep(0.02)
        await asyncio.sleep(0.3)  # the subscription has settled the delivery
        assert await pending() == [kept]  # not acked: its batch is not traded yet
        assert trading.candles_done == 0

        await bus.publish(topics.SIGNALS, other)
        async with asyncio.timeout(120):
            while trading.candles_done == 0 or await pending():  # noqa: ASYNC110
                await asyncio.sleep(0.02)
        assert trading.candles_done == sum(len(r.candles.open_times) for r in batch)
    finally:
        await runtime.close()
