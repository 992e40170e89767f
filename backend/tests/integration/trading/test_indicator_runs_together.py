"""The indicator worker takes a candle time's runs together (``handle_many``).

Each run's inputs equal those ``handle`` publishes run by run (same messages, same order), the
inputs of every pair of a read go out in one ``publish_many`` (one round trip on Redis), and the
runtime subscribes the worker so.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from cryptotrader.bootstrap.runtime import open_runtime
from cryptotrader.bus import topics
from cryptotrader.bus.codec import encode
from cryptotrader.bus.memory import InProcessBus
from cryptotrader.bus.messages import BusMessage, CandlesClosed, StrategyInputsComputed
from cryptotrader.bus.protocol import Delivery
from cryptotrader.config import load_settings
from cryptotrader.domain import BotKind
from cryptotrader.domain.market import CandleArrays
from cryptotrader.engines.workers.indicators import IndicatorWorker
from cryptotrader.marketdata.io import read_ohlcv
from cryptotrader.persistence.candles import SqlCandleStore
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.migrate import upgrade
from cryptotrader.runtime_inputs import RunOptions
from cryptotrader.strategies import create_strategy
from tests.integration.trading.test_readings_off_path import HISTORY, PAIRS, closed, until
from tests.support.builders import read_shared_csv
from tests.support.feeds import simultaneous

pytestmark = pytest.mark.asyncio(loop_scope="function")

TIMED = 4


class CountingBus(InProcessBus):
    """The in-process bus, counting the messages of each ``publish_many`` of the inputs.

    The readings (``IndicatorsComputed``) share the channel and go out in a ``publish_many``
    of their own: only the calls that carry strategy inputs are counted.
    """

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[int] = []

    async def publish_many(self, topic: str, messages: Sequence[BusMessage]) -> list[str]:
        inputs = [m for m in messages if isinstance(m, StrategyInputsComputed)]
        if topic == topics.INDICATORS and inputs:
            assert len(inputs) == len(messages)  # inputs and readings never in one call
            self.batches.append(len(inputs))
        return await super().publish_many(topic, messages)


async def inputs_of(
    series: dict[str, CandleArrays], database: Database, together: bool
) -> tuple[list[StrategyInputsComputed], list[int]]:
    """Every ``StrategyInputsComputed`` of the candle times, handled together or run by run."""
    bus = CountingBus()
    worker = IndicatorWorker(
        bus=bus,
        store=SqlCandleStore(database),
        strategies={
            BotKind.SAFE: create_strategy("conservative"),
            BotKind.AGGRESSIVE: create_strategy("aggressive"),
        },
    )
    seen: list[StrategyInputsComputed] = []

    async def collect(delivery: Delivery) -> None:
        if isinstance(delivery.message, StrategyInputsComputed):
            seen.append(delivery.message)

    await bus.subscribe(
        topics.CANDLES,
        group="indicator",
        consumer="i",
        handler=worker.handle,
        many=worker.handle_many if together else None,
    )
    await bus.subscribe(topics.INDICATORS, group="probe", consumer="p", handler=collect)
    try:
        steps = [(0, HISTORY)] + [(i, i + 1) for i in range(HISTORY, HISTORY + TIMED)]
        for start, stop in steps:  # a candle time: every pair's run, published at once
            runs = [closed(series[pair], pair, start, stop) for pair in PAIRS]
            await bus.publish_many(topics.CANDLES, runs)
            wanted = len(seen) + len(PAIRS)
            await until(lambda: len(seen) == wanted, "the inputs")  # noqa: B023
        await worker.flush()
    finally:
        await bus.close()
    return seen, bus.batches


@pytest.mark.shared_data
async def test_a_candle_times_runs_together_publish_the_same_inputs_at_once(
    shared_data: Path, tmp_path: Path
) -> None:
    minutes = read_ohlcv(shared_data / "binance_BTC-USDT_1m.csv.gz").arrays
    # three pairs: the same times, different minutes
    series = simultaneous(minutes, PAIRS, HISTORY + TIMED + 1, stride=7_000)
    database = Database(f"sqlite:///{tmp_path / 'db.sqlite'}")
    await upgrade(database)
    alone, alone_batches = await inputs_of(series, database, together=False)
    together, batches = await inputs_of(series, database, together=True)
    assert alone_batches == []  # run by run: one publish each
    assert batches == [len(PAIRS)] * (1 + TIMED)  # a candle time's inputs in one publish
    assert [encode(m) for m in together] == [encode(m) for m in alone]  # bit for bit (JSON)
    assert {m.pair.symbol for m in together} == set(PAIRS)


@pytest.mark.shared_data
async def test_the_runtime_gives_the_indicator_worker_a_candle_times_runs_together(
    shared_data: Path, tmp_path: Path
) -> None:
    replay = []
    for name in ("binance_ETH-USDT_1d.csv", "binance_BTC-USDT_1d.csv"):
        path = tmp_path / name
        read_shared_csv(shared_data / name, rows=260).to_csv(path, index=False)
        replay.append(path)
    runtime = await open_runtime(load_settings(), RunOptions(replay=tuple(replay)))
    assert runtime.indicators is not None
    worker = runtime.indicators
    given = worker.handle_many
    reads: list[list[str]] = []

    async def handle_many(deliveries: Sequence[Delivery]) -> None:
        reads.append(
            [d.message.pair.symbol for d in deliveries if isinstance(d.message, CandlesClosed)]
        )
        await given(deliveries)

    worker.handle_many = handle_many  # type: ignore[method-assign] # seen, then applied
    try:
        await runtime.start()
        await runtime.wait()
        assert not runtime.failed.is_set(), runtime.error
    finally:
        await runtime.close()
    assert any(sorted(read) == ["BTC/USDT", "ETH/USDT"] for read in reads), reads
