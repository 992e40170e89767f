"""Monitoring benchmark: the InfluxDB writer's cost on a replay, and its sustained rate.

Run from ``backend/``: ``../.venv/bin/python -m bench.monitoring [ROUNDS [CANDLES]] [--at-once]``
(default 8 rounds of the last 8,760 candles; needs ../shared/data and Debian's ``influxd``,
started here on loopback and stopped by pid). Targets (issue 13): the metrics writer costs under
2% of replay throughput when on; 10k points/s sustained into influxd.

* **Cost**: ``cryptotrader run --replay``'s runtime in this process (``bench._common.replay_hours``,
  as ``bench.runtime``) on the last ``CANDLES`` real BTC/USDT 1h candles, without (A) and with (B)
  InfluxDB configured (writer thread; Prometheus metrics are always on). One untimed warm-up run,
  then ``ROUNDS`` rounds of A B B A: a round's cost is its two B runs against its two A runs, run
  back to back, so the machine's load (other work on 2 shared cores moves one replay's time by
  10-50 %) hits both modes alike and a steady drift within the round cancels. Printed per round
  and over all rounds: the wall-clock throughput cost and the CPU-time cost (the process's CPU,
  the writer thread's included), each as the median of the rounds' costs with its spread and a
  distribution-free confidence interval of the median (order statistics); the verdict on "< 2 %"
  is drawn from that interval: holds (it lies below 2 %), fails (above) or unresolved (it
  straddles 2 %: more rounds or a quieter machine). Also: whether every run made the same trades,
  the load averages before and after. ``--at-once``: each round runs A and B at the same time in
  two processes (spawned, each warmed up once), which swap modes every round: the pair shares
  one moment of the machine's load instead of two neighbouring ones.
* **Sustained**: 10,000 points a second offered for 20 s in 100 ms slices (the engines' ``bot``
  point shape), then the time until influxd has accepted them all; and the drops, which must be 0.
"""

from __future__ import annotations

import asyncio
import math
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from decimal import Decimal
from multiprocessing import current_process, get_context
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Barrier
from pathlib import Path

from tests.support.monitoring_servers import influxd

from bench._common import HOURS, Replay, load, machine, replay_hours, today
from cryptotrader.config import MonitoringSettings, Settings
from cryptotrader.marketdata import read_ohlcv
from cryptotrader.monitoring.influx import InfluxWriter

DB = "cryptotrader"
RATE, SECONDS = 10_000, 20
ROUNDS = 8
CANDLES = 8_760  # a year of hours: ~10-30 s a run on this machine
TARGET = 0.02
CONFIDENCE = 0.90


def tail_series(folder: Path, candles: int) -> Path:
    """The last ``candles`` rows of the 1h series, in a file named like it (pair, timeframe)."""
    arrays = read_ohlcv(HOURS).arrays
    n = min(candles, len(arrays.close))
    path = folder / "binance_BTC-USDT_1h.csv"
    rows = zip(
        arrays.timestamps[-n:],
        arrays.open[-n:],
        arrays.high[-n:],
        arrays.low[-n:],
        arrays.close[-n:],
        arrays.volume[-n:],
        strict=True,
    )
    lines = ["timestamp,open,high,low,close,volume"]
    lines += [f"{t},{o},{h},{lo},{c},{v}" for t, o, h, lo, c, v in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


def median_interval(values: list[float], confidence: float) -> tuple[float, float, float]:
    """The median's distribution-free interval: order statistics k and n-k+1 (binomial, p=1/2).

    Returns (low, high, coverage); with too few values for ``confidence`` it widens to the
    extremes and says what coverage those give.
    """
    ordered, n = sorted(values), len(values)
    tail = 0.0
    k = 0
    for i in range(n // 2):  # P(fewer than i+1 values below the median) = tail
        nxt = tail + math.comb(n, i) / 2**n
        if nxt > (1 - confidence) / 2:
            break
        tail, k = nxt, i + 1
    k = max(k, 1)
    coverage = 1 - 2 * sum(math.comb(n, i) for i in range(k)) / 2**n
    return ordered[k - 1], ordered[n - k], coverage


def verdict(low: float, high: float, coverage: float) -> str:
    """What the interval of the cost says about the target."""
    if coverage < CONFIDENCE:
        return f"unresolved (too few rounds for a {CONFIDENCE:.0%} interval: 5 at least)"
    if high < TARGET:
        return f"holds (< {TARGET:.0%})"
    if low > TARGET:
        return f"FAILS (> {TARGET:.0%})"
    return f"unresolved (the interval straddles {TARGET:.0%}: more rounds or a quieter machine)"


def summary(name: str, costs: list[float]) -> None:
    """One measure's median cost over the rounds, its spread, interval and verdict."""
    low, high, coverage = median_interval(costs, CONFIDENCE)
    print(
        f"{name}: median cost {statistics.median(costs):+.2%} over {len(costs)} rounds "
        f"(rounds from {min(costs):+.2%} to {max(costs):+.2%}); {coverage:.0%} interval of the "
        f"median [{low:+.2%}, {high:+.2%}]: {verdict(low, high, coverage)}"
    )


def replay(root: Path, url: str, series: Path, mode: str, label: str) -> Replay:
    """One replay of ``series``: InfluxDB off (A) or on (B), in a data folder of its own."""
    monitoring = MonitoringSettings(influx_url=url if mode == "B" else None, influx_database=DB)
    settings = Settings(data_dir=root / label, monitoring=monitoring)
    return asyncio.run(replay_hours(settings, series))


Rounds = Iterator[tuple[Replay, dict[str, list[Replay]]]]
"""The warm-up run, then each round's runs by mode."""


def in_turn(root: Path, url: str, series: Path, rounds: int) -> Rounds:
    """Rounds of A B B A in this process, after one warm-up run."""
    yield replay(root, url, series, "A", "warm-up"), {}
    for round_ in range(rounds):
        got: dict[str, list[Replay]] = {"A": [], "B": []}
        for i, mode in enumerate("ABBA"):
            got[mode].append(replay(root, url, series, mode, f"r{round_}-{i}{mode}"))
        yield got["A"][0], got


def _worker(root: Path, url: str, series: Path, start: Barrier, pipe: Connection) -> None:
    """A process of ``at_once``: a warm-up, then the replays it is sent, each after the barrier."""
    name = current_process().name
    pipe.send(replay(root, url, series, "A", f"warm-up-{name}"))
    while (job := pipe.recv()) is not None:
        mode, label = job
        start.wait()
        pipe.send(replay(root, url, series, mode, label))


def at_once(root: Path, url: str, series: Path, rounds: int) -> Rounds:
    """Rounds of A and B run at the same time by two processes, which swap modes every round.

    Both replays of a round share the same moment of the machine's load, which two runs one
    after the other do not; swapping the modes cancels what differs between the two processes.
    """
    spawn = get_context("spawn")
    start = spawn.Barrier(2)
    pipes, workers = [], []
    for i in range(2):
        ours, theirs = spawn.Pipe()
        worker = spawn.Process(
            target=_worker, args=(root, url, series, start, theirs), name=f"w{i}", daemon=True
        )
        worker.start()
        pipes.append(ours)
        workers.append(worker)
    try:
        warm = [pipe.recv() for pipe in pipes]
        yield warm[0], {}
        for round_ in range(rounds):
            modes = "AB" if round_ % 2 == 0 else "BA"
            for i, (pipe, mode) in enumerate(zip(pipes, modes, strict=True)):
                pipe.send((mode, f"r{round_}-w{i}{mode}"))
            got: dict[str, list[Replay]] = {"A": [], "B": []}
            for pipe, mode in zip(pipes, modes, strict=True):
                got[mode].append(pipe.recv())
            yield got["A"][0], got
    finally:
        for pipe in pipes:
            pipe.send(None)
        for worker in workers:
            worker.join(60)


def cost(rounds_of: Rounds, how: str, cpu_per_point: float) -> None:
    """Print each round's costs, then the medians, intervals and verdicts."""
    warm, _ = next(rounds_of)
    print(
        f"cost ({how}): {warm.candles:,} candles a run, A = InfluxDB off, B = on; warm-up "
        f"{warm.rate:,.0f} candles/s; before: {load()}"
    )
    runs: list[Replay] = [warm]
    wall_costs, cpu_costs = [], []
    for round_, (_, got) in enumerate(rounds_of):
        runs += got["A"] + got["B"]
        wall = sum(r.seconds for r in got["B"]) / sum(r.seconds for r in got["A"]) - 1
        cpu = sum(r.cpu_seconds for r in got["B"]) / sum(r.cpu_seconds for r in got["A"]) - 1
        wall_costs.append(wall)
        cpu_costs.append(cpu)
        a_rates = ", ".join(f"{r.rate:,.0f}" for r in got["A"])
        b_rates = ", ".join(f"{r.rate:,.0f}" for r in got["B"])
        print(
            f"  round {round_ + 1}: A {a_rates} / B {b_rates} candles/s: wall cost {wall:+.2%}, "
            f"CPU cost {cpu:+.2%}; {sum(r.influx_written for r in got['B']):,} points written; "
            f"{load()}"
        )
    print(f"after: {load()}")
    same = all(run.trades == warm.trades for run in runs)
    summary("replay throughput (wall clock)", wall_costs)
    summary("CPU time of the process", cpu_costs)
    print(f"same trades in every run: {same}")
    points = statistics.median(r.influx_written for r in runs if r.influx_written)
    replay_cpu = statistics.median(r.cpu_seconds for r in runs[1:] if not r.influx_written)
    print(
        f"bound from the sustained run: {points:,.0f} points x {cpu_per_point * 1e6:.1f} µs = "
        f"{points * cpu_per_point * 1e3:,.0f} ms of CPU, {points * cpu_per_point / replay_cpu:.2%} "
        f"of the replay's {replay_cpu:,.1f} s"
    )


def sustained(url: str) -> float:
    """Offer RATE points a second; return the CPU seconds one point costs this process.

    That CPU (the caller's ``write`` and the writer thread's encoding and sending, measured over
    the whole run with the process's CPU clock) times the points a replay writes bounds the
    writer's share of the replay's CPU without the noise of timing two replays.
    """
    writer = InfluxWriter(url=url, database=DB, capacity=100_000, batch_size=5_000)
    writer.start()
    per_slice = RATE // 10
    started, cpu_started = time.perf_counter(), time.process_time()
    base = 1_700_000_000_000
    n = 0
    for slice_ in range(SECONDS * 10):
        for _ in range(per_slice):
            writer.write(
                "bot",
                {"bot": "safe" if n % 2 else "aggressive"},
                {"equity": Decimal("1000.5") + n % 100, "drawdown": 0.01, "open_positions": 1},
                base + n,
            )
            n += 1
        pause = started + (slice_ + 1) / 10 - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
    offered = time.perf_counter() - started
    deadline = time.monotonic() + 600
    while writer.written + writer.dropped + writer.failed < n and time.monotonic() < deadline:
        time.sleep(0.05)
    done = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    writer.close()
    print(
        f"sustained: {n:,} points offered over {offered:.1f} s ({n / offered:,.0f}/s); all "
        f"accepted after {done:.1f} s ({writer.written / done:,.0f} points/s written); "
        f"dropped {writer.dropped}, refused {writer.failed}"
    )
    per_point = cpu / n
    print(f"  CPU of this process per point (write + encode + send): {per_point * 1e6:.1f} µs")
    return per_point


def main() -> None:
    args = [arg for arg in sys.argv[1:] if not arg.startswith("--")]
    rounds = int(args[0]) if args else ROUNDS
    candles = int(args[1]) if len(args) > 1 else CANDLES
    print(f"{today()} {machine()}, {load()}")
    with tempfile.TemporaryDirectory() as tmp, influxd(Path(tmp) / "influx") as server:
        server.create_database(DB)
        per_point = sustained(server.url)
        root = Path(tmp)
        series = tail_series(root, candles)
        if "--at-once" in sys.argv:
            cost(at_once(root, server.url, series, rounds), "A and B at once", per_point)
        else:
            cost(in_turn(root, server.url, series, rounds), "A B B A in turn", per_point)


if __name__ == "__main__":
    main()
