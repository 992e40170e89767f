"""The indicator and decision stage alone: 50 pairs of 1m, CPU per candle time.

Run from ``backend/``: ``../.venv/bin/python -m bench.indicator_stage [PAIRS TIMED HISTORY]``
(needs ../shared/data; default 50 pairs, 60 timed candle times, 300 candles of history).

The stage of ``bench.runtime_pairs``' latency part without the order engine: the indicator and
decision workers on an in-process bus, both bots (the safe bot's ``conservative`` with its 1h
trend filter, the aggressive bot's ``bench_flip``: the full indicator set), the same 50 built
pairs (real BTC/USDT minutes from 50 starts, invented symbols). A candle time publishes the 50
pairs' candles and ends when the 50 ``DecisionsMade`` are out. Printed: the CPU of the process
per candle time (every thread; the steadier measure on a shared machine), the CPU from publishing
a candle time to its last pair's decisions (the readings, built after, are not in it), the wall
time, and a
digest of every decision, so that two trees' runs show they decided the same. The garbage
collector is settled after the history, as ``cryptotrader run`` settles it once up.

To compare two trees, run it with ``PYTHONPATH`` on each in turn (docs/BENCHMARKS.md).
"""

from __future__ import annotations

import asyncio
import hashlib
import sys
import time

import numpy as np

import bench.runtime_flip  # noqa: F401 - registers bench_flip
from bench._common import FEAR_GREED, load, machine, today
from bench.runtime_pairs import MINUTES, build, symbol
from cryptotrader import collector
from cryptotrader.bus import topics
from cryptotrader.bus.memory import InMemoryTransport, InProcessBus
from cryptotrader.bus.messages import CandlesClosed, DecisionsMade
from cryptotrader.bus.protocol import Delivery
from cryptotrader.domain import BotKind, Pair, Timeframe
from cryptotrader.domain.market import CandleArrays
from cryptotrader.domain.values import utc_from_ms
from cryptotrader.engines.decision import DecisionEngine
from cryptotrader.engines.workers.decisions import DecisionWorker
from cryptotrader.engines.workers.indicators import IndicatorWorker
from cryptotrader.engines.workers.runs import candle_run
from cryptotrader.marketdata import read_ohlcv
from cryptotrader.persistence import SqlCandleStore
from cryptotrader.sentiment.fear_greed import load_fear_greed_csv
from cryptotrader.strategies import create_strategy

PAIRS, TIMED, HISTORY = 50, 60, 300


class _NoStore:
    """The history comes in the first run: nothing to read back."""

    async def read_arrays(self, **_: object) -> CandleArrays:
        return CandleArrays(np.empty(0, dtype=np.int64), *(np.empty(0) for _ in range(5)))


class Stage:
    """Publishes candle times and waits for every pair's decisions."""

    def __init__(self, bus: InProcessBus, series: list[CandleArrays]) -> None:
        self.bus, self.series = bus, series
        self.waiting = 0
        self.done = asyncio.Event()
        self.decided: list[tuple[str, int, list[tuple[str, int]]]] = []
        self.decided_cpu = 0.0

    async def on_signal(self, delivery: Delivery) -> None:
        message = delivery.message
        if isinstance(message, DecisionsMade):
            actions = [(bot.value, d.actions[-1]) for bot, d in sorted(message.bots.items())]
            self.decided.append((message.pair.symbol, message.candles.open_times[-1], actions))
            self.waiting -= 1
            if not self.waiting:
                self.decided_cpu = time.process_time()
                self.done.set()

    async def step(self, i: int, j: int) -> None:
        times = self.series[0].timestamps
        batch = sorted(symbol(k) for k in range(len(self.series)))
        self.done.clear()
        self.waiting = len(self.series)
        messages = []
        for k, candles in enumerate(self.series):
            run = candles.slice(i, j)
            closes = Timeframe.M1.bucket_end(run.timestamps[-1:])
            messages.append(
                CandlesClosed(
                    timestamp=utc_from_ms(int(closes[0])),
                    exchange="binance",
                    pair=Pair.parse(symbol(k)),
                    timeframe=Timeframe.M1,
                    candles=candle_run(run),
                    previous_open_ms=int(times[i - 1]) if i else None,
                    history_from_ms=int(times[0]),
                    next_open=float(candles.open[j]),
                    next_open_ms=int(times[j]),
                    batch=batch,
                    batch_ms=int(times[i]),
                )
            )
        # a candle time at once, as the market data engine publishes it (``publish_batch``)
        await self.bus.publish_many(topics.CANDLES, messages)
        await self.done.wait()


async def run(pairs: int, timed: int, history: int) -> None:
    series = build([read_ohlcv(MINUTES).arrays], pairs, history + timed + 2, 60_000)
    bus = InProcessBus()
    transport = bus.transport
    assert isinstance(transport, InMemoryTransport)
    strategies = {
        BotKind.SAFE: create_strategy("conservative"),
        BotKind.AGGRESSIVE: create_strategy("bench_flip"),
    }
    store: SqlCandleStore = _NoStore()  # type: ignore[assignment] # only read_arrays is called
    indicators = IndicatorWorker(
        bus=bus,
        store=store,
        strategies=strategies,
        dependencies={"fear_greed": load_fear_greed_csv(FEAR_GREED)},
    )
    pair = Pair.parse(symbol(0))
    engines = {
        bot: DecisionEngine(strategy=rule, pair=pair, target_bot=bot)
        for bot, rule in strategies.items()
    }
    decisions = DecisionWorker(bus=bus, engines=engines)
    stage = Stage(bus, series)
    await bus.subscribe(
        topics.CANDLES,
        group="i",
        consumer="i",
        handler=indicators.handle,
        many=indicators.handle_many,  # as the runtime subscribes it
    )
    await bus.subscribe(
        topics.INDICATORS,
        group="d",
        consumer="d",
        handler=decisions.handle,
        many=decisions.handle_many,  # as the runtime subscribes it
    )
    await bus.subscribe(topics.SIGNALS, group="bench", consumer="b", handler=stage.on_signal)
    try:
        await stage.step(0, history)
        await stage.step(history, history + 1)
        indicators.warm_in_background().join()  # as `cryptotrader run` live
        collector.settle(owned=True)  # as `cryptotrader run` once it is up
        walls, to_decisions = [], []
        cpu = time.process_time()
        for i in range(history + 1, history + 1 + timed):
            started, started_cpu = time.perf_counter(), time.process_time()
            await stage.step(i, i + 1)
            walls.append(time.perf_counter() - started)
            to_decisions.append(stage.decided_cpu - started_cpu)
            await indicators.flush()  # the readings, in the minute between two candle times
            transport.settle()  # the acked entries encoded, as the minute's idle moment does
        cpu = time.process_time() - cpu
    finally:
        await bus.close()
    digest = hashlib.sha256(repr(stage.decided).encode()).hexdigest()[:16]
    ms = np.array(walls) * 1000
    decided = np.array(to_decisions) * 1000
    print(
        f"  {pairs} pairs of 1m, {history} candles of history, {timed} timed candle times: "
        f"CPU {cpu / timed * 1000:,.1f} ms per candle time, to the last pair's decisions "
        f"p50 {np.median(decided):,.1f} ms, p99 {np.percentile(decided, 99):,.1f} ms, max "
        f"{decided.max():,.1f} ms; wall p50 "
        f"{np.median(ms):,.1f} ms, max {ms.max():,.1f} ms; decisions digest {digest} ({load()})"
    )


def main() -> None:
    pairs = int(sys.argv[1]) if len(sys.argv) > 1 else PAIRS
    timed = int(sys.argv[2]) if len(sys.argv) > 2 else TIMED
    history = int(sys.argv[3]) if len(sys.argv) > 3 else HISTORY
    print(f"indicator and decision stage, {today()}, {machine()}")
    asyncio.run(run(pairs, timed, history))


if __name__ == "__main__":
    main()
