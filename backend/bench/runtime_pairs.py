"""Trading runtime on many pairs: replay throughput, memory per pair, and the last pair's latency.

Run from ``backend/``: ``../.venv/bin/python -m bench.runtime_pairs [HOURS TIMED]`` (needs
../shared/data; ``HOURS`` candles of 1h per pair, default a year, 8760; ``TIMED`` timed candle
times of the latency part, default 300: smaller on a loaded machine, and said in the output;
0 skips it).
Targets (issue 15): 50 pairs on 1m candles in one process, candle close to order submitted p99
< 20 ms for the last pair of the batch; a replay of 50 pairs x 1 year of 1h candles through the
whole pipeline at the single-pair throughput or better (candles/s); memory growing linearly with
the pairs and under 2 GiB.

**The pairs are not 50 real markets.** ../shared/data holds two (BTC/USDT, ETH/USDT). Pair ``k``
(``C00/USDT`` ... ``C49/USDT``) is a real year of BTC/USDT or ETH/USDT (alternately), taken from a
different start in the 8 years of real candles for each ``k`` and stamped onto one common year:
real market moves, but different periods made simultaneous, under invented symbols.

* **Throughput and memory**: ``cryptotrader run --replay`` of 1, 10 and 50 such pairs (1 year of
  1h each, the default strategies and limits), each in its own process (SQLite, in-process bus,
  paper exchange): candles/s (every pair's candles), and the process's peak memory.
* **Latency**: 50 pairs of 1m candles (from the real BTC/USDT 2024 minutes, 50 different
  starts), 300 candles of history each (the warm-up is 201), then 300 candle times published
  one batch at a time (the 50 pairs' candles of one minute); the time is taken from publishing
  the batch to the ``pending`` update of the **last** pair's order (``C49/USDT``, traded after
  the 49 others). Every pair's aggressive bot runs ``bench_flip`` (a trade on almost every
  candle) with 10,000 USDT, a small risk and limits high enough that every pair can hold a
  position: the worst case for the last pair. The garbage collector is settled after the
  history as ``cryptotrader run`` settles it once up (``cryptotrader.collector``).
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

import bench.runtime_flip  # noqa: F401 - registers bench_flip
from bench._common import FEAR_GREED, HOURS, SHARED_DATA, load, machine, peak_rss_mib, today
from bench.runtime import report, use_flip
from cryptotrader import collector
from cryptotrader.bootstrap.runtime import open_runtime
from cryptotrader.bus import topics
from cryptotrader.bus.memory import InMemoryTransport
from cryptotrader.bus.messages import OrderUpdated
from cryptotrader.bus.protocol import Delivery
from cryptotrader.config import Settings
from cryptotrader.domain import BotKind, OrderStatus, Pair, Timeframe
from cryptotrader.domain.market import CandleArrays
from cryptotrader.engines import client_ids
from cryptotrader.engines.workers.market_data import Publisher, Series
from cryptotrader.marketdata import read_ohlcv
from cryptotrader.persistence import Database, SqlCandleStore
from cryptotrader.persistence.migrate import upgrade
from cryptotrader.persistence.repositories import bots
from cryptotrader.persistence.uow import UnitOfWork
from cryptotrader.runtime import Runtime
from cryptotrader.runtime_inputs import RunOptions

PAIRS, YEAR_H, HISTORY, TIMED, PAUSE_S = 50, 8760, 300, 300, 0.05
ETH_HOURS = SHARED_DATA / "binance_ETH-USDT_1h.csv.gz"
MINUTES = SHARED_DATA / "binance_BTC-USDT_1m.csv.gz"
WHAT = (
    "pairs built from the real BTC/USDT and ETH/USDT files: each a real stretch of one of them "
    "from a different start, stamped onto one common timeline under an invented symbol "
    "(C00/USDT ...): not real other markets"
)


def symbol(k: int) -> str:
    """The invented symbol of pair ``k``."""
    return f"C{k:02d}/USDT"


def build(sources: list[CandleArrays], n: int, length: int, step_ms: int) -> list[CandleArrays]:
    """``n`` series of ``length`` candles: series ``k`` is ``sources[k % len]`` from an offset
    that differs for each ``k``, re-stamped onto the first source's first ``length`` times."""
    stamps = sources[0].timestamps[0] + step_ms * np.arange(length, dtype=np.int64)
    built = []
    for k in range(n):
        source = sources[k % len(sources)]
        room = len(source) - length
        start = (k * 7919 * 97) % max(room, 1)  # spread over the whole history, differently per k
        part = source.slice(start, start + length)
        built.append(CandleArrays(stamps, part.open, part.high, part.low, part.close, part.volume))
    return built


def write(folder: Path, series: list[CandleArrays], timeframe: str) -> list[Path]:
    """Each series as ``binance_Ckk-USDT_<tf>.csv`` (its pair told by its name)."""
    paths = []
    for k, candles in enumerate(series):
        path = folder / f"binance_{symbol(k).replace('/', '-')}_{timeframe}.csv"
        pd.DataFrame(
            {
                "timestamp": candles.timestamps,
                "open": candles.open,
                "high": candles.high,
                "low": candles.low,
                "close": candles.close,
                "volume": candles.volume,
            }
        ).to_csv(path, index=False)
        paths.append(path)
    return paths


# --- throughput and memory: one process per pair count -------------------------------------


async def _replay(files: list[Path], folder: Path) -> dict[str, float]:
    options = RunOptions(replay=tuple(files), fear_greed=FEAR_GREED, inline_database=True)
    runtime = await open_runtime(Settings(data_dir=folder), options)
    started = time.perf_counter()
    try:
        await runtime.start()
        await runtime.wait()
        seconds = time.perf_counter() - started
        assert runtime.trading is not None
        candles = runtime.trading.candles_done
        summary = await runtime.summary()
    finally:
        await runtime.close()
    trades = sum(s.closed + s.open for s in summary)
    return {"candles": candles, "seconds": seconds, "trades": trades, "rss": peak_rss_mib()}


def replay_child(folder: str, *files: str) -> None:
    """In a child process: replay ``files`` and print the figures as JSON."""
    figures = asyncio.run(_replay([Path(f) for f in files], Path(folder)))
    print(json.dumps(figures))


def replay_in_child(files: list[Path], folder: Path) -> dict[str, float]:
    code = "import sys, bench.runtime_pairs as b; b.replay_child(*sys.argv[1:])"
    done = subprocess.run(  # noqa: S603 - our own module, fixed arguments
        [sys.executable, "-c", code, str(folder), *map(str, files)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parents[1],
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def throughput(root: Path, hours: int) -> None:
    sources = [read_ohlcv(HOURS).arrays, read_ohlcv(ETH_HOURS).arrays]
    files = write(root, build(sources, PAIRS, hours, 3_600_000), "1h")
    rows = []
    for count in (1, 10, PAIRS):
        folder = root / f"run{count}"
        folder.mkdir()
        figures = replay_in_child(files[:count], folder)
        rows.append((count, figures))
        rate = figures["candles"] / figures["seconds"]
        print(
            f"  {count:>2} pair(s) x {hours:,} 1h candles: {figures['candles']:,.0f} candles in "
            f"{figures['seconds']:.1f} s = {rate:,.0f} candles/s, {figures['trades']:,.0f} "
            f"trades, peak memory {figures['rss']:,.0f} MiB ({load()})"
        )
    one = rows[0][1]
    many = rows[-1][1]
    ratio = (many["candles"] / many["seconds"]) / (one["candles"] / one["seconds"])
    per_pair = (many["rss"] - one["rss"]) / (PAIRS - 1)
    ten = rows[1][1]
    per_pair_10 = (ten["rss"] - one["rss"]) / 9
    print(
        f"  {PAIRS} pairs vs 1: {ratio:.2f}x the single-pair candles/s; memory "
        f"{per_pair:.1f} MiB per extra pair (1 -> {PAIRS}), {per_pair_10:.1f} MiB (1 -> 10)"
    )


# --- latency of the last pair of a batch ----------------------------------------------------


class BatchProbe:
    """Publishes one candle time of every pair, times the last pair's order."""

    def __init__(self, publishers: list[Publisher], series: list[CandleArrays]) -> None:
        self.publishers, self.series = publishers, series
        self.last = client_ids.pair_code(symbol(len(series) - 1))
        self.sent: dict[int, float] = {}
        self.latencies: list[float] = []
        self.cpu_sent: dict[int, float] = {}
        self.cpu_before: list[float] = []
        """CPU of the process (every thread) from publishing to the last pair's order."""

    async def order(self, delivery: Delivery) -> None:
        message = delivery.message
        if not isinstance(message, OrderUpdated) or message.status is not OrderStatus.PENDING:
            return
        parsed = client_ids.parse(message.client_order_id)
        if parsed is None or parsed.protection or parsed.pair != self.last:
            return
        if parsed.step_ms in self.sent:
            self.latencies.append(time.perf_counter() - self.sent.pop(parsed.step_ms))
            self.cpu_before.append(time.process_time() - self.cpu_sent.pop(parsed.step_ms))

    async def publish(self, i: int, j: int) -> None:
        batch = sorted(symbol(k) for k in range(len(self.series)))
        times = self.series[0].timestamps
        for publisher, candles in zip(self.publishers, self.series, strict=True):
            await publisher.publish(
                candles.slice(i, j),
                previous_ms=int(times[i - 1]) if i else None,
                history_from_ms=int(times[0]),
                next_open=(float(candles.open[j]), int(times[j])),
                batch=batch,
                batch_ms=int(times[i]),
            )


async def settled(runtime: Runtime, candle_ms: int) -> None:
    """The candle time's orders done, then its readings published.

    Live, the readings are built ``READINGS_DELAY_S`` after their inputs, in the minute before
    the next candle time, and the in-process bus encodes the acked entries once idle
    (``bus.memory.IDLE_S``); the bench's candle times follow each other at once, so it asks now.
    """
    assert runtime.trading is not None
    await runtime.trading.done_with(candle_ms)
    await runtime.flush_readings()
    transport = getattr(runtime.bus, "transport", None)
    if isinstance(transport, InMemoryTransport):
        transport.settle()  # the acked entries encoded, as live after ``IDLE_S``


def _up_as_run(runtime: Runtime) -> None:
    """As ``cryptotrader run`` once up, live: the indicator loops warm, the collector settled."""
    assert runtime.indicators is not None
    runtime.indicators.warm_in_background().join()
    collector.settle(owned=True)


async def latency(root: Path, timed: int) -> None:
    minutes = read_ohlcv(MINUTES).arrays
    series = build([minutes], PAIRS, HISTORY + timed + 2, 60_000)
    files = write(root, series, "1m")
    folder = root / "latency"
    folder.mkdir()
    settings = Settings(data_dir=folder)
    settings = settings.model_copy(
        update={
            "runtime": settings.runtime.model_copy(
                update={"max_open_positions": 2 * PAIRS, "max_positions_per_bot": PAIRS}
            ),
            "trading": settings.trading.model_copy(
                update={
                    "aggressive": settings.trading.aggressive.model_copy(
                        update={"capital": Decimal(10_000), "risk_ratio": Decimal("0.0003")}
                    )
                }
            ),
        }
    )
    database = Database(settings.database_url)
    await upgrade(database)
    await use_flip(database)
    async with UnitOfWork(database) as uow:  # the bots were made with the default capital
        await bots.set_capital(
            session=uow.session,
            kind=BotKind.AGGRESSIVE,
            capital=settings.trading.aggressive.capital,
        )
        await uow.commit()
    await database.dispose()
    engines = ("indicator", "decision", "order", "portfolio")
    options = RunOptions(replay=tuple(files), fear_greed=FEAR_GREED, engines=engines)
    runtime = await open_runtime(settings, options)
    try:
        await runtime.start()
        store = SqlCandleStore(runtime.database)
        publishers = []
        for k, candles in enumerate(series):
            publisher = Publisher(
                bus=runtime.bus,
                store=store,
                clock=runtime.clock,
                series=Series("binance", Pair.parse(symbol(k)), Timeframe.M1),
            )
            await publisher.store(candles)
            publishers.append(publisher)
        probe = BatchProbe(publishers, series)
        await runtime.bus.subscribe(
            topics.ORDERS, group="bench", consumer="bench", handler=probe.order
        )
        trading = runtime.trading
        assert trading is not None
        times = series[0].timestamps
        # The history is indicators' input, not trades: its steps count as done before (as after
        # a restart), so that only the timed candles trade; the first candle after it is not timed
        # (it waits for the history to be computed).
        for lane in trading.lanes.values():
            lane.resume_ms = int(times[HISTORY])
        await probe.publish(0, HISTORY)
        await probe.publish(HISTORY, HISTORY + 1)
        await trading.done_with(int(times[HISTORY]))
        _up_as_run(runtime)
        cpu = time.process_time()
        for i in range(HISTORY + 1, HISTORY + 1 + timed):
            probe.sent[int(times[i])] = time.perf_counter()
            probe.cpu_sent[int(times[i])] = time.process_time()
            await probe.publish(i, i + 1)
            await settled(runtime, int(times[i]))
            await asyncio.sleep(PAUSE_S)
        cpu = time.process_time() - cpu
    finally:
        await runtime.close()
    report(
        f"{PAIRS} pairs of 1m, one process: the last pair ({symbol(PAIRS - 1)})", probe.latencies
    )
    print(
        f"  CPU of the process per candle time: {cpu / timed * 1000:,.0f} ms (every thread, the"
        " whole step of the 50 pairs: a quiet machine's latency cannot be below the part of it"
        " before the last pair's order)"
    )
    if probe.cpu_before:
        before = np.asarray(probe.cpu_before) * 1000
        print(
            f"  CPU of the process from publishing to the last pair's order: p50 "
            f"{np.percentile(before, 50):,.0f} ms, p99 {np.percentile(before, 99):,.0f} ms (what a "
            "quiet machine's latency would be, at most: the load only adds waiting)"
        )
    print(f"  ({load()})")


def main() -> None:
    hours = int(sys.argv[1]) if len(sys.argv) > 1 else YEAR_H
    timed = int(sys.argv[2]) if len(sys.argv) > 2 else TIMED
    print(f"runtime on many pairs, {today()}, {machine()}, {load()}")
    print(f"  {WHAT}")
    print(f"  {hours:,} 1h candles per pair, {timed} timed candle times of 1m")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "hours").mkdir()
        (root / "minutes").mkdir()
        if hours:  # 0: the latency part alone
            throughput(root / "hours", hours)
        if timed:  # 0: the throughput part alone
            asyncio.run(latency(root / "minutes", timed))


if __name__ == "__main__":
    main()
