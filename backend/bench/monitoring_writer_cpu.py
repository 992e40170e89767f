"""The InfluxDB writer's own CPU over a replay-like stream of points, per configuration.

Run from ``backend/``: ``../.venv/bin/python -m bench.monitoring_writer_cpu [SECONDS]`` (starts
Debian's influxd on loopback, stopped by pid). A full-speed replay writes a few hundred points
over its run (286 for a year of 1h candles); here the points of such a replay are offered evenly
over SECONDS (default 30, a loaded machine's replay of a year) while the main thread only sleeps
between writes, so the process's CPU time is the writer's: its thread, its HTTP client, its
requests. Measured for the flush intervals of a live run (1 s) and of a full-speed replay
(``REPLAY_FLUSH_S``), each in a fresh writer as a replay opens one. CPU time, unlike a wall
clock, hardly moves with the machine's load. To compare with older code, run it with
``PYTHONPATH=<that checkout>/backend/src``.
"""

from __future__ import annotations

import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from tests.support.monitoring_servers import influxd

from bench._common import load, machine, today
from cryptotrader.monitoring import setup
from cryptotrader.monitoring.influx import InfluxWriter

# also runs on code from before the replay interval (PYTHONPATH=<older checkout>/backend/src)
REPLAY_FLUSH_S: float = getattr(setup, "REPLAY_FLUSH_S", 10.0)

POINTS = 286  # what a replay of 8,760 1h candles writes (bench.monitoring)


def run(url: str, flush_s: float, seconds: float) -> tuple[float, int]:
    """(CPU seconds of the process, points written) for one writer's life."""
    cpu = time.process_time()
    writer = InfluxWriter(url=url, database="bench", flush_interval_s=flush_s)
    writer.start()
    started = time.monotonic()
    for n in range(POINTS):
        writer.write(
            "bot",
            {"bot": "safe" if n % 2 else "aggressive"},
            {"equity": Decimal("1000.5") + n, "drawdown": 0.01, "open_positions": 1},
            1_700_000_000_000 + n * 3_600_000,
        )
        pause = started + (n + 1) * seconds / POINTS - time.monotonic()
        if pause > 0:
            time.sleep(pause)
    writer.close()
    return time.process_time() - cpu, writer.written


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 30.0
    print(f"{today()} {machine()}, {load()}")
    with tempfile.TemporaryDirectory() as tmp, influxd(Path(tmp) / "influx") as server:
        server.create_database("bench")
        for flush_s in (1.0, REPLAY_FLUSH_S, 1.0, REPLAY_FLUSH_S):
            cpu, written = run(server.url, flush_s, seconds)
            print(
                f"flush every {flush_s:g} s: {POINTS} points over {seconds:g} s, {written} written,"
                f" writer's CPU {cpu * 1e3:.0f} ms; {load()}"
            )


if __name__ == "__main__":
    main()
