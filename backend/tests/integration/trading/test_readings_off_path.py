"""The indicator worker's readings come after the rule inputs of every pair of a candle time.

The readings (``IndicatorsComputed``: labels for display and alerts) are not on the path to the
orders: the rule inputs (``StrategyInputsComputed``) of every pair a candle time brings go out
first, then the readings, equal to those computed over the same candles at once.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from cryptotrader.bus import topics
from cryptotrader.bus.memory import InProcessBus
from cryptotrader.bus.messages import CandlesClosed, IndicatorsComputed, StrategyInputsComputed
from cryptotrader.bus.protocol import Delivery
from cryptotrader.domain import BotKind, Timeframe
from cryptotrader.domain.market import CandleArrays
from cryptotrader.engines.workers.indicators import IndicatorWorker
from cryptotrader.marketdata.io import read_ohlcv
from cryptotrader.persistence.candles import SqlCandleStore
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.migrate import upgrade
from cryptotrader.strategies import create_strategy
from cryptotrader.strategies.evaluation import build_indicator_engine
from tests.support.feeds import minute_run, simultaneous

pytestmark = pytest.mark.asyncio(loop_scope="function")

PAIRS = ("AAA/USDT", "BBB/USDT", "CCC/USDT")
HISTORY, TIMED = 300, 3


async def until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 60
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


def closed(candles: CandleArrays, pair: str, start: int, stop: int) -> CandlesClosed:
    return minute_run(candles, pair, start, stop, PAIRS)


def same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    return bool(a == b)


@pytest.mark.shared_data
async def test_every_pairs_inputs_go_out_before_the_readings_which_equal_the_inline_ones(
    shared_data: Path, tmp_path: Path
) -> None:
    minutes = read_ohlcv(shared_data / "binance_BTC-USDT_1m.csv.gz").arrays
    # three pairs: the same times, different minutes
    series = simultaneous(minutes, PAIRS, HISTORY + TIMED + 1, stride=5_000)
    stamps = series[PAIRS[0]].timestamps
    database = Database(f"sqlite:///{tmp_path / 'db.sqlite'}")
    await upgrade(database)
    bus = InProcessBus()
    strategies = {
        BotKind.SAFE: create_strategy("conservative"),
        BotKind.AGGRESSIVE: create_strategy("aggressive"),
    }
    worker = IndicatorWorker(bus=bus, store=SqlCandleStore(database), strategies=strategies)
    seen: list[tuple[str, str, int]] = []
    readings: dict[tuple[str, int], IndicatorsComputed] = {}

    async def collect(delivery: Delivery) -> None:
        message = delivery.message
        if isinstance(message, StrategyInputsComputed):
            seen.append(("inputs", message.pair.symbol, message.candles.open_times[-1]))
        elif isinstance(message, IndicatorsComputed):
            last = int(message.candle_time.timestamp() * 1000)
            seen.append(("readings", message.pair.symbol, last))
            readings[(message.pair.symbol, last)] = message

    await bus.subscribe(topics.CANDLES, group="indicator", consumer="i", handler=worker.handle)
    await bus.subscribe(topics.INDICATORS, group="probe", consumer="p", handler=collect)
    try:
        steps = [(0, HISTORY)] + [(i, i + 1) for i in range(HISTORY, HISTORY + TIMED)]
        for start, stop in steps:  # a candle time: every pair's run, published at once
            for pair in PAIRS:
                await bus.publish(topics.CANDLES, closed(series[pair], pair, start, stop))
            last = int(stamps[stop - 1])
            wanted = len(PAIRS) * len({ms for _, ms in readings} | {last})
            await until(lambda: len(readings) == wanted, "the readings")  # noqa: B023
            if stop - start == 1:  # a live candle (the history is read from the store first)
                mine = [kind for kind, _, ms in seen if ms == last]
                assert mine == ["inputs"] * len(PAIRS) + ["readings"] * len(PAIRS)
        await worker.flush()
    finally:
        await bus.close()
    engines = [
        build_indicator_engine(strategies[bot]) for bot in (BotKind.SAFE, BotKind.AGGRESSIVE)
    ]
    for (pair, last), message in readings.items():
        stop = int(np.searchsorted(stamps, last)) + 1
        assert_inline(message, engines, series[pair].slice(0, stop))


def assert_inline(message: IndicatorsComputed, engines: list[Any], candles: CandleArrays) -> None:
    """The readings equal those computed over the candles at once (the later bot's win)."""
    expected: dict[str, Any] = {}
    for engine in engines:
        expected.update(engine.compute(candles, Timeframe.M1, plain=True).readings)
    assert message.indicators.keys() == expected.keys()
    for key, reading in message.indicators.items():
        want = expected[key]
        assert (reading.label, reading.strength) == (want["label"], want["strength"]), key
        assert reading.values.keys() == want["values"].keys()
        for column, value in reading.values.items():
            assert same(value, want["values"][column]), (key, column)


class _CountingBus(InProcessBus):
    """Counts the publishing calls that carry readings, and how many each carries."""

    def __init__(self) -> None:
        super().__init__()
        self.readings_calls: list[int] = []

    async def publish(self, topic: str, message: Any) -> str:
        if isinstance(message, IndicatorsComputed):
            self.readings_calls.append(1)
        return await super().publish(topic, message)

    async def publish_many(self, topic: str, messages: Any) -> list[str]:
        count = sum(isinstance(m, IndicatorsComputed) for m in messages)
        if count:
            self.readings_calls.append(count)
        return await super().publish_many(topic, messages)


@pytest.mark.shared_data
@pytest.mark.parametrize("hurried", [False, True])
async def test_a_candle_times_readings_go_out_in_one_call(
    shared_data: Path, tmp_path: Path, hurried: bool
) -> None:
    """Every pair's readings of a candle time in one ``publish_many`` (one round trip on Redis),
    whether the reader builds them (``flush``) or the next candle time finds them late."""
    minutes = read_ohlcv(shared_data / "binance_BTC-USDT_1m.csv.gz").arrays
    series = simultaneous(minutes, PAIRS, HISTORY + TIMED + 1, stride=5_000)
    database = Database(f"sqlite:///{tmp_path / 'db.sqlite'}")
    await upgrade(database)
    bus = _CountingBus()
    strategies = {
        BotKind.SAFE: create_strategy("conservative"),
        BotKind.AGGRESSIVE: create_strategy("aggressive"),
    }
    worker = IndicatorWorker(bus=bus, store=SqlCandleStore(database), strategies=strategies)
    inputs: list[StrategyInputsComputed] = []

    async def collect(delivery: Delivery) -> None:
        if isinstance(delivery.message, StrategyInputsComputed):
            inputs.append(delivery.message)

    await bus.subscribe(topics.INDICATORS, group="probe", consumer="p", handler=collect)
    try:
        steps = [(0, HISTORY)] + [(i, i + 1) for i in range(HISTORY, HISTORY + TIMED)]
        for n, (start, stop) in enumerate(steps, 1):  # a candle time: one read of every pair
            runs = [closed(series[pair], pair, start, stop) for pair in PAIRS]
            await worker.handle_many([Delivery(topics.CANDLES, "i", "0-0", run, 1) for run in runs])
            await until(lambda: len(inputs) == n * len(PAIRS), "the inputs")  # noqa: B023
            if hurried:
                await worker.flush()  # the reader builds them (the minute between candle times)
        await worker.flush()
    finally:
        await bus.close()
    assert bus.readings_calls == [len(PAIRS)] * len(steps)
