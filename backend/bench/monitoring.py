"""Monitoring benchmark: the InfluxDB writer's cost on a replay, and its sustained rate.

Run from ``backend/``: ``../.venv/bin/python -m bench.monitoring`` (needs ../shared/data and
Debian's ``influxd``, started here on loopback and stopped by pid). Targets (issue 13): the
metrics writer costs under 2% of replay throughput when on; 10k points/s sustained into influxd.

* **Cost**: ``cryptotrader run --replay``'s runtime in this process (as ``bench.runtime``), on 8
  years of real BTC/USDT 1h candles, alternately without and with InfluxDB configured (writer
  thread, Prometheus metrics are always on); best of each, side by side in one run.
* **Sustained**: 10,000 points a second offered for 20 s in 100 ms slices (the engines' ``bot``
  point shape), then the time until influxd has accepted them all; and the drops, which must be 0.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from tests.support.monitoring_servers import influxd

from bench._common import SHARED_DATA, machine, today
from cryptotrader.bootstrap import open_runtime
from cryptotrader.config import MonitoringSettings, Settings
from cryptotrader.monitoring.influx import InfluxWriter
from cryptotrader.runtime_inputs import RunOptions

HOURS = SHARED_DATA / "binance_BTC-USDT_1h.csv.gz"
FEAR_GREED = SHARED_DATA / "alternative-me_fear-greed_1d.csv"
DB = "cryptotrader"
RATE, SECONDS = 10_000, 20


async def replay(folder: Path, influx_url: str | None) -> tuple[float, int]:
    """Candles per second of one replay, and the points InfluxDB accepted from it."""
    monitoring = MonitoringSettings(influx_url=influx_url, influx_database=DB)
    settings = Settings(data_dir=folder, monitoring=monitoring)
    options = RunOptions(replay=HOURS, fear_greed=FEAR_GREED, inline_database=True)
    runtime = await open_runtime(settings, options)
    started = time.perf_counter()
    try:
        await runtime.start()
        await runtime.wait()
        elapsed = time.perf_counter() - started
        assert runtime.trading is not None
        candles = runtime.trading.candles_done
    finally:
        await runtime.close()  # flushes the writer
    writer = runtime.telemetry.influx
    return candles / elapsed, 0 if writer is None else writer.written


def cost(root: Path, url: str) -> None:
    rates: dict[str, list[float]] = {"off": [], "on": []}
    for round_ in range(2):
        for mode in ("off", "on"):
            rate, points = asyncio.run(
                replay(root / f"{mode}{round_}", url if mode == "on" else None)
            )
            rates[mode].append(rate)
            print(f"  replay, InfluxDB {mode}: {rate:,.0f} candles/s, {points:,} points written")
    off, on = max(rates["off"]), max(rates["on"])
    print(f"replay best of 2: off {off:,.0f}, on {on:,.0f} candles/s; cost {1 - on / off:+.1%}")


def sustained(url: str) -> None:
    writer = InfluxWriter(url=url, database=DB, capacity=100_000, batch_size=5_000)
    writer.start()
    per_slice = RATE // 10
    started = time.perf_counter()
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
    writer.close()
    print(
        f"sustained: {n:,} points offered over {offered:.1f} s ({n / offered:,.0f}/s); all "
        f"accepted after {done:.1f} s ({writer.written / done:,.0f} points/s written); "
        f"dropped {writer.dropped}, refused {writer.failed}"
    )


def main() -> None:
    print(f"{today()} {machine()}")
    with tempfile.TemporaryDirectory() as tmp, influxd(Path(tmp) / "influx") as server:
        server.create_database(DB)
        sustained(server.url)
        cost(Path(tmp), server.url)


if __name__ == "__main__":
    main()
