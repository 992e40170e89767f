"""The indicator worker's candle times computed together equal its runs computed one by one.

``IndicatorWorker.handle_many`` computes the runs of one candle each of a candle time together
(``IndicatorEngine.compute_rows``); everything else (a run of several candles, a history too
short, a pair added live, a gap, a reconfigured strategy) alone, as before, and back together
once in step. Every message it publishes, the rule inputs and the readings, must equal those of
``handle`` run by run, bit for bit (their JSON), for both default strategies and ``bench_flip``,
over real candles whose windows slide past the live window's length.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import bench.runtime_flip  # noqa: F401 - registers bench_flip
import numpy as np
import pytest

from cryptotrader.bus import topics
from cryptotrader.bus.codec import encode
from cryptotrader.bus.memory import InProcessBus
from cryptotrader.bus.messages import (
    BotReconfigured,
    BusMessage,
    CandlesClosed,
    IndicatorsComputed,
    StrategyInputsComputed,
)
from cryptotrader.bus.protocol import Delivery
from cryptotrader.domain import BotKind, Pair
from cryptotrader.domain.market import CandleArrays
from cryptotrader.domain.values import utc_from_ms
from cryptotrader.engines.workers.indicators import IndicatorWorker
from cryptotrader.marketdata.io import read_ohlcv
from cryptotrader.persistence.candles import SqlCandleStore
from cryptotrader.sentiment.fear_greed import load_fear_greed_csv
from cryptotrader.strategies import create_strategy
from cryptotrader.strategies.evaluation import WINDOW_GRID
from tests.support.feeds import minute_run, simultaneous

pytestmark = pytest.mark.asyncio(loop_scope="function")

PAIRS = ("AAA/USDT", "BBB/USDT", "CCC/USDT", "DDD/USDT")
HISTORY, TIMED = 1_250, 40  # the windows (1,265 candles) start sliding during the timed times
LATE, GAP, CAUGHT_UP, RECONFIGURED = 6, 12, 20, 27


class Store:
    """The candle store, as the market data engine fills it: every candle of the series."""

    def __init__(self, series: dict[str, CandleArrays]) -> None:
        self.series = series

    async def read_arrays(
        self, *, pair: Pair, start_ms: int | None = None, end_ms: int | None = None, **_: Any
    ) -> CandleArrays:
        candles = self.series[pair.symbol]
        times = candles.timestamps
        low = 0 if start_ms is None else int(np.searchsorted(times, start_ms))
        high = len(candles) if end_ms is None else int(np.searchsorted(times, end_ms))
        return candles.slice(low, high)


def closed(candles: CandleArrays, pair: str, start: int, stop: int) -> CandlesClosed:
    return minute_run(candles, pair, start, stop, PAIRS)


def candle_times() -> list[list[tuple[str, int, int]]]:
    """Each candle time's runs (pair, start, stop): in step, and every way out of step."""
    times: list[list[tuple[str, int, int]]] = [[(p, 0, HISTORY) for p in PAIRS[:3]]]
    for i in range(HISTORY, HISTORY + TIMED):
        runs = [(p, i, i + 1) for p in PAIRS[:2]]
        if i == HISTORY + CAUGHT_UP - 1:
            runs = [(PAIRS[0], i, i + 1)]  # BBB/USDT's candle comes late ...
        elif i == HISTORY + CAUGHT_UP:
            runs = [(PAIRS[0], i, i + 1), (PAIRS[1], i - 1, i + 1)]  # ... with the next: a run of 2
        if i != HISTORY + GAP:  # CCC/USDT misses one (a gap: its history is read again)
            runs.append((PAIRS[2], i, i + 1))
        if i == HISTORY + LATE:  # DDD/USDT added live: its history, then in step
            runs.append((PAIRS[3], 0, i + 1))
        elif i > HISTORY + LATE:
            runs.append((PAIRS[3], i, i + 1))
        times.append(runs)
    return times


async def until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 120
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


async def published(
    series: dict[str, CandleArrays],
    rules: tuple[str, str],
    together: bool,
    grid: int,
    **deps: Any,
) -> tuple[list[BusMessage], int]:
    """Every message the worker publishes, and how many runs were computed together."""
    bus = InProcessBus()
    store: SqlCandleStore = Store(series)  # type: ignore[assignment] # only read_arrays is called
    worker = IndicatorWorker(
        bus=bus,
        store=store,
        strategies={
            BotKind.SAFE: create_strategy(rules[0]),
            BotKind.AGGRESSIVE: create_strategy(rules[1]),
        },
        dependencies=deps,
        window_grid=grid,
    )
    grouped = 0
    given = worker._compute_rows

    def counted(runs: list[Any]) -> Any:
        nonlocal grouped
        grouped += len(runs)
        return given(runs)

    worker._compute_rows = counted  # type: ignore[method-assign] # counted, then computed
    seen: list[BusMessage] = []

    async def collect(delivery: Delivery) -> None:
        if isinstance(delivery.message, StrategyInputsComputed | IndicatorsComputed):
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
        for k, runs in enumerate(candle_times()):
            if k == RECONFIGURED:  # the aggressive bot's strategy changed: from the next run on
                await worker.reconfigure(
                    Delivery(
                        topic=topics.COMMANDS,
                        group="indicator",
                        entry_id="1-0",
                        message=BotReconfigured(
                            timestamp=utc_from_ms(int(series[PAIRS[0]].timestamps[0])),
                            bot=BotKind.AGGRESSIVE,
                            strategy="aggressive",
                            params={"buy_threshold": 0.25},
                            requested_by="test",
                        ),
                        attempt=1,
                    )
                )
            messages = [closed(series[p], p, start, stop) for p, start, stop in runs]
            await bus.publish_many(topics.CANDLES, messages)
            inputs = sum(isinstance(m, StrategyInputsComputed) for m in seen) + len(messages)
            await until(
                lambda: sum(isinstance(m, StrategyInputsComputed) for m in seen) == inputs,  # noqa: B023
                "the inputs",
            )
            await worker.flush()  # the readings, between two candle times
    finally:
        await bus.close()
    return seen, grouped


@pytest.mark.shared_data
@pytest.mark.parametrize(
    "rules", [("conservative", "aggressive"), ("conservative", "bench_flip")], ids="+".join
)
@pytest.mark.parametrize("grid", [WINDOW_GRID, 4], ids=lambda g: f"grid{g}")
async def test_candle_times_computed_together_publish_what_runs_alone_do(
    shared_data: Path, rules: tuple[str, str], grid: int
) -> None:
    # grid 4: the windows' starts move every 4 candles once they slide (TA-Lib's streams opened
    # again); the default grid: at most once in these 40 candle times (streams stepped)
    minutes = read_ohlcv(shared_data / "binance_BTC-USDT_1m.csv.gz").arrays
    series = simultaneous(minutes, PAIRS, HISTORY + TIMED + 1, stride=9_000)
    fear_greed = load_fear_greed_csv(shared_data / "alternative-me_fear-greed_1d.csv")
    alone, none = await published(series, rules, False, grid, fear_greed=fear_greed)
    together, grouped = await published(series, rules, True, grid, fear_greed=fear_greed)
    assert none == 0
    # together: most runs of one candle (not the late pair's history, the run of 2, the gap)
    assert grouped >= 3 * TIMED - 10
    assert len(together) == len(alone)
    for got, want in zip(together, alone, strict=True):
        assert encode(got) == encode(want)  # bit for bit (JSON: floats by repr)
    kinds = {type(m) for m in together}
    assert kinds == {StrategyInputsComputed, IndicatorsComputed}
