"""Monitoring benchmark: the InfluxDB writer's cost on a replay, and its sustained rate.

Run from ``backend/``: ``../.venv/bin/python -m bench.monitoring [ROUNDS]`` (default 5; needs
../shared/data and Debian's ``influxd``, started here on loopback and stopped by pid). Targets
(issue 13): the metrics writer costs under 2% of replay throughput when on; 10k points/s sustained
into influxd.

* **Cost**: ``cryptotrader run --replay``'s runtime in this process (``bench._common.replay_hours``,
  as ``bench.runtime``), on 8 years of real BTC/USDT 1h candles, without and with InfluxDB
  configured (writer thread; Prometheus metrics are always on), ``ROUNDS`` rounds side by side in
  one run, the order swapped every round so that a drift of the machine's load hits both alike.
  Printed: best and median of each, their ratio, each mode's spread (the noise the ratio must be
  read against), the load averages before and after, and whether both modes made the same trades;
  and the process's CPU time per candle (all threads, the writer's included), which other work on
  the machine moves far less than the wall time: the writer's cost in CPU, load or not.
* **Sustained**: 10,000 points a second offered for 20 s in 100 ms slices (the engines' ``bot``
  point shape), then the time until influxd has accepted them all; and the drops, which must be 0.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from tests.support.monitoring_servers import influxd

from bench._common import Replay, load, machine, replay_hours, today
from cryptotrader.config import MonitoringSettings, Settings
from cryptotrader.monitoring.influx import InfluxWriter

DB = "cryptotrader"
RATE, SECONDS = 10_000, 20
ROUNDS = 5


def cost(root: Path, url: str, rounds: int, cpu_per_point: float) -> None:
    print(f"cost, {rounds} rounds; before: {load()}")
    runs: dict[str, list[Replay]] = {"off": [], "on": []}
    for round_ in range(rounds):
        for mode in ("off", "on") if round_ % 2 == 0 else ("on", "off"):
            monitoring = MonitoringSettings(
                influx_url=url if mode == "on" else None, influx_database=DB
            )
            settings = Settings(data_dir=root / f"{mode}{round_}", monitoring=monitoring)
            run = asyncio.run(replay_hours(settings))
            runs[mode].append(run)
            print(
                f"  round {round_ + 1}, InfluxDB {mode:>3}: {run.rate:,.0f} candles/s, "
                f"{run.cpu_seconds / run.candles * 1e6:,.1f} CPU µs/candle, "
                f"{run.influx_written:,} points written"
            )
    print(f"after: {load()}")
    rates = {mode: [run.rate for run in runs[mode]] for mode in runs}
    best = {mode: max(rates[mode]) for mode in rates}
    median = {mode: statistics.median(rates[mode]) for mode in rates}
    spread = {mode: (max(rates[mode]) - min(rates[mode])) / median[mode] for mode in rates}
    same = all(run.trades == runs["off"][0].trades for run in runs["off"] + runs["on"])
    cpu = {mode: statistics.median(r.cpu_seconds / r.candles for r in runs[mode]) for mode in runs}
    cpu_spread = {
        mode: (max(c := [r.cpu_seconds / r.candles for r in runs[mode]]) - min(c)) / cpu[mode]
        for mode in runs
    }
    print(
        f"best: off {best['off']:,.0f}, on {best['on']:,.0f} candles/s, cost "
        f"{1 - best['on'] / best['off']:+.1%}; median: off {median['off']:,.0f}, on "
        f"{median['on']:,.0f}, cost {1 - median['on'] / median['off']:+.1%}"
    )
    print(
        f"spread within a mode (max-min)/median: off {spread['off']:.1%}, on {spread['on']:.1%}; "
        f"same trades in every run: {same}"
    )
    print(
        f"CPU per candle, median: off {cpu['off'] * 1e6:,.1f} µs, on {cpu['on'] * 1e6:,.1f} µs, "
        f"cost {cpu['on'] / cpu['off'] - 1:+.1%} (spread off {cpu_spread['off']:.1%}, "
        f"on {cpu_spread['on']:.1%})"
    )
    points = statistics.median(run.influx_written for run in runs["on"])
    replay_cpu = statistics.median(run.cpu_seconds for run in runs["off"])
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
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else ROUNDS
    print(f"{today()} {machine()}, {load()}")
    with tempfile.TemporaryDirectory() as tmp, influxd(Path(tmp) / "influx") as server:
        server.create_database(DB)
        per_point = sustained(server.url)
        cost(Path(tmp), server.url, rounds, per_point)


if __name__ == "__main__":
    main()
