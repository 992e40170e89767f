"""Shared helpers for the benchmark scripts: timing, memory, and the 1M-candle test series."""

from __future__ import annotations

import datetime as dt
import os
import platform
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tests.support.parity import stored_rows

from cryptotrader import collector
from cryptotrader.bootstrap.runtime import open_runtime
from cryptotrader.config import Settings
from cryptotrader.domain import BotKind, CandleArrays
from cryptotrader.marketdata import read_ohlcv
from cryptotrader.runtime_inputs import RunOptions

_DEFAULT_SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
SHARED_DATA = Path(os.environ.get("CRYPTOTRADER_SHARED_DATA", _DEFAULT_SHARED))
ONE_MILLION = 1_000_000
HOURS = SHARED_DATA / "binance_BTC-USDT_1h.csv.gz"
FEAR_GREED = SHARED_DATA / "alternative-me_fear-greed_1d.csv"


def best_of(repeat: int, fn: Callable[[], object]) -> float:
    """Best wall time in seconds over ``repeat`` runs (after the first, which warms caches)."""
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far, in MiB.

    Linux's ``VmHWM`` belongs to the current program image; ``ru_maxrss`` survives ``exec`` and
    would report a parent's peak in a child started by ``subprocess``.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def today() -> str:
    """UTC date of the run."""
    return dt.datetime.now(dt.UTC).date().isoformat()


def machine() -> str:
    """One line describing where the figures come from."""
    cpu = platform.processor() or platform.machine()
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


def load() -> str:
    """The machine's load averages (1, 5, 15 min): other work sharing the cores."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.1f} / {five:.1f} / {fifteen:.1f}"


@dataclass(frozen=True, slots=True)
class Replay:
    """One ``cryptotrader run --replay`` of the real BTC/USDT 1h series, in this process."""

    candles: int
    seconds: float
    cpu_seconds: float
    """CPU time of this process (every thread: the writer's too) over the same span: unlike the
    wall time, hardly moved by other work sharing the cores."""
    trades: dict[BotKind, list[tuple[object, ...]]]
    """Each bot's stored trades (``tests.support.parity.stored_rows``), read after the timing."""
    influx_written: int
    """Points InfluxDB accepted (the writer is flushed when the runtime closes); 0 without it."""

    @property
    def rate(self) -> float:
        """Candles per second."""
        return self.candles / self.seconds


async def replay_hours(settings: Settings, series: Path = HOURS) -> Replay:
    """Replay real BTC/USDT 1h candles (by default all 8 years) through both bots' pipeline.

    As ``cryptotrader run --replay`` without the API: SQLite on the event loop's thread, the
    in-process bus, the paper exchange, the default strategies. Timed from start to the end of
    the series. ``series``: another file of the same market (its name tells pair and timeframe).
    """
    options = RunOptions(replay=series, fear_greed=FEAR_GREED, inline_database=True)
    runtime = await open_runtime(settings, options)
    collector.settle(owned=True)  # as `cryptotrader run` does, here and once market data flows
    started, cpu_started = time.perf_counter(), time.process_time()
    try:
        await runtime.start()
        await runtime.wait_ready()
        collector.settle(owned=True)
        await runtime.wait()
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        assert runtime.trading is not None
        candles = runtime.trading.candles_done
        trades = await stored_rows(runtime.database)
    finally:
        await runtime.close()
    writer = runtime.telemetry.influx
    return Replay(candles, elapsed, cpu, trades, 0 if writer is None else writer.written)


def btc_minutes_extended(n: int = ONE_MILLION) -> tuple[CandleArrays, str]:
    """``n`` one-minute candles: the real BTC/USDT 2024 year, then the same year's moves replayed.

    The second pass repeats 2024's real candle-by-candle relative moves, rescaled to continue from
    the last real close, with timestamps continuing minute by minute: real market structure, but
    its second half is a replay, not history.
    """
    real = read_ohlcv(SHARED_DATA / "binance_BTC-USDT_1m.csv.gz").arrays
    reps = -(-n // len(real))
    ratio = 1.0
    parts: dict[str, list[np.ndarray]] = {c: [] for c in ("open", "high", "low", "close", "volume")}
    for _ in range(reps):
        for column in ("open", "high", "low", "close"):
            parts[column].append(getattr(real, column) * ratio)
        parts["volume"].append(real.volume)
        ratio *= real.close[-1] / real.open[0]
    step = 60_000
    timestamps = real.timestamps[0] + step * np.arange(n, dtype=np.int64)
    arrays = CandleArrays(
        timestamps, *(np.ascontiguousarray(np.concatenate(parts[c])[:n]) for c in parts)
    )
    what = f"real BTC/USDT 1m 2024 ({len(real):,} candles) extended to {n:,} by replaying its moves"
    return arrays, what
