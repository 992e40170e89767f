"""The order side of ``bench.runtime_pairs``' latency part: CPU per part of a candle time.

Run from ``backend/``: ``../.venv/bin/python -m bench.order_side [TIMED]`` (needs ../shared/data;
default 30 timed candle times).

The same run as ``python -m bench.runtime_pairs 0 TIMED`` (50 pairs of 1m, ``bench_flip`` on every
pair: ~12 exits and ~12 entries per candle time), with the order engine's batch parts timed: the
CPU of the process (every thread: aiosqlite's included) while each part runs, summed per candle
time, then the mean over the candle times that had any (a part nested in another counts for
itself only). Before the last pair's order: the exits
(``close_positions``: the cancels, the sales written, sent, their fills recorded and settled) and
the entries decided and written (``_decide_and_write``). After it: the entries' fills
(``_record_fills``; on the paper exchange the legs are placed in it too, since h4's change of
2026-12-05 18:00 UTC) and the legs placed (``_protect``: other venues). A part's window also
holds what other tasks of the loop do while it awaits the database thread (little: nothing else
consumes the order updates here). To compare two trees, run it with ``PYTHONPATH`` on each,
interleaved.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import numpy as np

from bench import runtime_pairs
from bench._common import load, machine, today
from cryptotrader.engines import order_batch
from cryptotrader.engines.workers import trading

EXITS = "exits (before the last order)"
ENTRIES = "entries decided and written (before the last order)"
PARTS = (
    (trading, "close_positions", EXITS),
    (order_batch, "_decide_and_write", ENTRIES),
    (order_batch, "_decide_in", ENTRIES),  # with the sales' record (the parts nested: one each)
    (order_batch, "_send_entries", "entries sent (after)"),
    (order_batch, "_record_fills", "entries' fills, trades and legs stored (after)"),
    (order_batch, "_protect", "legs placed and recorded (after)"),
)
"""A part run inside another counts as its own only (the outer part's time leaves it out)."""

Part = Callable[..., Awaitable[Any]]


class Parts:
    """The CPU spent in each part, per candle time (a publish starts the next one)."""

    def __init__(self) -> None:
        self.now: dict[str, float] = defaultdict(float)
        self.done: dict[str, list[float]] = defaultdict(list)
        self._inner: list[float] = []
        """The CPU of the parts nested in each running part (the innermost last)."""

    def timed(self, name: str, part: Part) -> Part:
        async def run(*args: Any, **kwargs: Any) -> Any:
            started = time.process_time()
            self._inner.append(0.0)
            try:
                return await part(*args, **kwargs)
            finally:
                spent = time.process_time() - started
                self.now[name] += spent - self._inner.pop()
                if self._inner:
                    self._inner[-1] += spent

        return run

    def next_candle_time(self) -> None:
        for name, spent in self.now.items():
            self.done[name].append(spent)
        self.now.clear()


def main() -> None:
    timed = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    parts = Parts()
    for module, attribute, name in PARTS:
        if hasattr(module, attribute):  # an older tree (A/B) may not have it
            setattr(module, attribute, parts.timed(name, getattr(module, attribute)))
    publish = runtime_pairs.BatchProbe.publish

    async def publish_timed(probe: runtime_pairs.BatchProbe, i: int, j: int) -> None:
        parts.next_candle_time()
        await publish(probe, i, j)

    runtime_pairs.BatchProbe.publish = publish_timed  # type: ignore[method-assign,assignment]
    print(f"order side of 50 pairs of 1m, {today()}, {machine()}, {load()}")
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(runtime_pairs.latency(Path(tmp), timed))
    parts.next_candle_time()
    for name in dict.fromkeys(name for _, _, name in PARTS):
        spent = np.asarray(parts.done.get(name, [0.0])[1:] or [0.0]) * 1000  # 1st: the warm-up
        print(
            f"  {name}: mean {spent.mean():.1f} ms, p50 {np.percentile(spent, 50):.1f} ms "
            f"({len(spent)} candle times)"
        )
    before = [np.asarray(parts.done.get(name, [0.0])[1:] or [0.0]) for name in (EXITS, ENTRIES)]
    total = sum(spent.mean() for spent in before) * 1000
    print(f"  before the last order, exits and entries: mean {total:.1f} ms")
    print(f"  ({load()})")


if __name__ == "__main__":
    main()
