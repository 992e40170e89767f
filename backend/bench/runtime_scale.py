"""The runtime at scale across processes (issue 17): 100 pairs on 1m over Redis and PostgreSQL.

Run from ``backend/``: ``PYTHONPATH=$PWD/src:$PWD ../.venv/bin/python -m bench.runtime_scale
[part] [n] [pairs] [rounds]``: ``part`` one of ``latency`` (default), ``workers``, ``failover``,
``all``; ``n``: candle times timed (latency, default 300) or minutes of runs captured (workers,
failover: default 120); ``pairs``: how many (default 100); ``rounds``: of each worker count and
of the kills (default 3). Needs ../shared/data, PostgreSQL on
127.0.0.1:5432 (a database of its own is created) and Redis on 127.0.0.1:6379 (logical database
12, held alone and emptied); without them it says so and stops. Targets (issue 17): candle close
to order p99 under 50 ms across processes over Redis with 100 pairs on 1m; 2 decision workers
>= 1.6x the candles/s of one; a dead worker's pairs resumed within 10 s (the last two:
``bench.runtime_scale_workers``).

**The pairs are not 100 real markets.** ../shared/data holds two; pair ``k`` (``C00/USDT`` ...
``C99/USDT``) is a stretch of the real BTC/USDT 2024 minutes from a different start for each
``k``, stamped onto one common timeline under an invented symbol (``bench.runtime_pairs.build``):
real market moves, but different periods made simultaneous.

* **Latency** (``latency``): the indicator, decision, order and portfolio engines each run as
  their own process (``cryptotrader engine NAME``, PostgreSQL, Redis Streams); this process
  stores the pairs' candles, publishes 300 candles of history of each pair (the warm-up is 201;
  the order checkpoints say they were stepped before, so only later candles trade), then one
  candle time at a time: the 100 pairs' candles of one minute, one ``CandlesClosed`` each, as
  one batch (as the market data engine's batch replay), waiting for the order engine to have
  stepped the batch (woken by a PostgreSQL notification, not polling), then ``PAUSE_S`` (0.05 s;
  ``BENCH_PAUSE_S=1.5``: the engines' deferred work of a candle time done before the next, as
  a 1m feed leaves it a minute). Timed
  from the start of publishing the batch to (a) each pair's ``DecisionsMade`` on ``signals`` (its
  entry id: the Redis server's clock, 1 ms; read back after the run, so that the bench decodes
  nothing while the engines work), (b) each pair's first order ``pending`` update of the candle
  time (the order written and about to be sent), by its entry id too (``BENCH_ARRIVAL=1``: by
  its arrival here, decoded as it comes, as before 2026-12-05 12:45 UTC: one bus hop more, and
  the bench's decoding on the engines' cores, 14-57 ms of CPU per candle time), for the pair
  last in the batch's order (``C99/USDT``; the workers read every partition at once, so it is
  not always the last one decided) and for all: the figure to read is every pair's, the
  order engine trading a candle time once all its pairs are in. The breakdown: each stage's
  first and last entry per candle time (``candles``, ``indicators``, ``signals``, ``orders``, by
  entry ids), the Redis commands per candle time (``INFO commandstats``: the whole server's; a
  private ``redis-server`` through ``CRYPTOTRADER_TEST_REDIS_URL`` counts the bench's only), the
  CPU of each engine (its ``--workers`` processes included) and of the bench itself.
  ``BENCH_WORKERS=N``: the indicator and decision engines with ``--workers N``.
  Run twice: the aggressive bot on ``bench_flip`` (a trade on almost every candle: the worst
  case) and both bots on their default strategies (few orders on 300 minutes: the count is
  printed). ``BENCH_AGAINST=<another checkout's backend/>`` runs each with that checkout's
  engines too (A, B, then B, A), the feed publishing a batch one run at a time for A (at once,
  as for B, with ``BENCH_SAME_FEED=1``: an A/B of the engines alone). ``BENCH_ONLY=flip`` or
  ``BENCH_ONLY=default``: that run alone. ``BENCH_SPY=<dir>``: py-spy on the order engine (or
  ``BENCH_SPY_ENGINES=order,decision``) over the timed candle times, collapsed stacks in ``dir``.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from redis import Redis

from bench._common import load, machine, today
from bench.runtime_pairs import WHAT
from bench.runtime_scale_workers import workers_parts
from bench.scale_harness import (
    HISTORY,
    Engines,
    Feed,
    Pairs,
    Stepped,
    make_pairs,
    postgres_cpu,
    stack,
    unreachable,
)
from cryptotrader.bus import topics
from cryptotrader.bus.messages import OrderUpdated
from cryptotrader.bus.protocol import Delivery
from cryptotrader.bus.redis_streams import DEFAULT_PREFIX
from cryptotrader.domain import OrderStatus
from cryptotrader.engines import client_ids
from cryptotrader.engines.workers.indicators import READINGS_DELAY_S

PAIRS, TIMED, MINUTES, ROUNDS = 100, 300, 120, 3
PAUSE_S = float(os.environ.get("BENCH_PAUSE_S", "0.05"))
"""The pause between two timed candle times, once the order engine has stepped the first.

Back to back by default: a candle time's deferred work (the indicator engine's readings, built
``READINGS_DELAY_S`` after its inputs; the relay's half-second loop) then runs while a later
candle time is computed, a heavier load than a 1m feed gives. ``BENCH_PAUSE_S=1.5`` leaves
that work its own time, as live; on a quiet machine it changed nothing measurable (2 rounds,
2026-12-05 16:15-16:30 UTC, docs/BENCHMARKS.md), and its CPU per candle time then counts the
engines' idle loops over the pause too, so the default stays comparable with earlier runs."""
ARRIVAL = bool(os.environ.get("BENCH_ARRIVAL"))
"""Time the orders by their arrival in this process (decoded as they come, as before
2026-12-05 12:40 UTC) instead of by their entry ids read back after the run."""
TARGET_MS = 50.0
PIPELINE = ("portfolio", "order", "decision", "indicator")


@dataclass
class Timings:
    """Times from publishing a batch to what came back, per candle time."""

    last: str
    sent: dict[int, float] = field(default_factory=dict)
    decisions: dict[str, list[float]] = field(default_factory=dict)
    """Each pair's ``DecisionsMade``, s after publishing began (its entry id: Redis's clock)."""
    orders: dict[str, list[float]] = field(default_factory=dict)
    stepped: list[float] = field(default_factory=list)
    cpu: dict[str, float] = field(default_factory=dict)
    """CPU seconds of each engine's process over the timed candle times."""
    bench_cpu: float = 0.0
    """CPU seconds of this process (the feed, the order updates, the polling) meanwhile."""
    postgres_cpu: float = 0.0
    """CPU seconds of the PostgreSQL backends serving the bench's database meanwhile."""
    postgres_seen: bool = False
    """Whether those backends were found (a server on this machine, its ``/proc`` readable)."""
    wall: dict[int, float] = field(default_factory=dict)
    """``time.time()`` at the start of publishing each batch (the streams' entry ids' clock)."""
    commands: dict[str, int] = field(default_factory=dict)
    """Redis commands over the timed candle times (the whole server's: ``INFO commandstats``)."""
    stages: dict[str, list[tuple[float, float, int]]] = field(default_factory=dict)
    """Per channel, per candle time: first and last entry (s after publishing began), count."""
    _seen: set[tuple[str, int]] = field(default_factory=set)

    async def order(self, delivery: Delivery) -> None:
        message = delivery.message
        if not isinstance(message, OrderUpdated) or message.status is not OrderStatus.PENDING:
            return
        parsed = client_ids.parse(message.client_order_id)
        if parsed is None or parsed.pair is None or parsed.protection:
            return
        if parsed.step_ms not in self.sent:
            return
        if (parsed.pair, parsed.step_ms) in self._seen:  # the other bot's order on that candle
            return
        self._seen.add((parsed.pair, parsed.step_ms))
        elapsed = time.perf_counter() - self.sent[parsed.step_ms]
        self.orders.setdefault(parsed.pair, []).append(elapsed)

    def read_stages(self, redis_url: str) -> None:
        """Each stage's entries of the timed candle times, read back from the streams."""
        found = stage_entries(redis_url, self.wall)
        self.stages = {
            channel: [(min(t for t, _ in e), max(t for t, _ in e), len(e)) for e in by.values()]
            for channel, by in found.items()
        }
        for entries in found.get("signals", {}).values():
            for elapsed, pair in entries:
                self.decisions.setdefault(pair, []).append(elapsed)
        if ARRIVAL:
            return
        for entries in found.get("orders", {}).values():
            first: dict[str, float] = {}  # a pair's first order of the candle time (either bot)
            for elapsed, pair in entries:
                first[pair] = min(elapsed, first.get(pair, elapsed))
            for pair, elapsed in first.items():
                self.orders.setdefault(client_ids.pair_code(pair), []).append(elapsed)


STAGES = (
    ("candles", "candles published (market data)"),
    ("indicators", "inputs published (indicator worker)"),
    ("signals", "decisions published (decision worker)"),
    ("orders", "entries/exits pending (order engine)"),
)
"""The channels whose entries time each stage: the entry ids are the Redis server's clock (ms)."""


def command_calls(redis_url: str) -> dict[str, int]:
    """Calls of each Redis command so far (``INFO commandstats``: the whole server's)."""
    client = Redis.from_url(redis_url)
    try:
        stats: Any = client.info("commandstats")
    finally:
        client.close()
    return {name.removeprefix("cmdstat_"): int(row["calls"]) for name, row in stats.items()}


def _batch_of(channel: str, message: dict[str, Any]) -> int | None:
    """The candle time a channel's entry belongs to, None when it does not count."""
    if channel == "orders":
        if message.get("status") != "pending":
            return None
        parsed = client_ids.parse(str(message.get("client_order_id", "")))
        if parsed is None or parsed.protection:
            return None
        return parsed.step_ms
    if message.get("type") not in {"candles_closed", "strategy_inputs_computed", "decisions_made"}:
        return None
    batch_ms = message.get("batch_ms")
    return batch_ms if isinstance(batch_ms, int) else None


def stage_entries(
    redis_url: str, wall: dict[int, float], prefix: str = DEFAULT_PREFIX
) -> dict[str, dict[int, list[tuple[float, str]]]]:
    """Per channel and timed candle time: each entry's time, in s after publishing began (its
    id: Redis's clock, 1 ms), and its pair. Read once the run is over: the bench decodes
    nothing while the engines work (it would take a share of the 2 cores)."""
    client = Redis.from_url(redis_url, decode_responses=True)
    found: dict[str, dict[int, list[tuple[float, str]]]] = {}
    try:
        for channel, _ in STAGES:
            times: dict[int, list[tuple[float, str]]] = {}
            after = "-"
            while True:
                page: Any = client.xrange(f"{prefix}{channel}", min=after, count=5000)
                if not page:
                    break
                for entry_id, fields in page:
                    message = json.loads(fields.get("data", "{}"))
                    batch = _batch_of(channel, message)
                    if batch in wall:
                        elapsed = int(entry_id.partition("-")[0]) / 1000 - wall[batch]
                        times.setdefault(batch, []).append((elapsed, str(message.get("pair"))))
                after = f"({page[-1][0]}"
            found[channel] = dict(sorted(times.items()))
    finally:
        client.close()
    return found


def percentiles(label: str, seconds: list[float], *, target: bool = False) -> str:
    """``label: n, p50, p99, max`` in ms; with ``target``, whether p99 < 50 ms."""
    if not seconds:
        return f"{label}: none"
    ms = np.asarray(seconds) * 1000
    p50, p99 = np.percentile(ms, 50), np.percentile(ms, 99)
    line = f"{label}: {len(ms)}, p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {ms.max():.1f} ms"
    if target:
        line += f" (target p99 < {TARGET_MS:.0f} ms: {'met' if p99 < TARGET_MS else 'NOT met'})"
    return line


async def _drive(
    url: str,
    redis_url: str,
    pairs: Pairs,
    engines: Engines,
    *,
    timed: int,
    pause_s: float,
    one_by_one: bool = False,
) -> Timings:
    feed, database = await Feed.open(url, redis_url, pairs)
    feed.one_by_one = one_by_one
    times = pairs.times
    last = pairs.symbols[-1]
    timings = Timings(last=client_ids.pair_code(last))
    stepped = await Stepped.open(url)
    if ARRIVAL:  # the orders' arrival here, decoded as they come (on the engines' cores)
        await feed.bus.subscribe(topics.ORDERS, group="bench", consumer="b", handler=timings.order)
    try:
        await feed.publish(0, HISTORY)
        await feed.publish(HISTORY, HISTORY + 1)  # not timed: it waits for the history
        await stepped.wait(last, times[HISTORY])
        spies = spy(engines)
        before = engines.cpu_all()
        server_before = postgres_cpu(url)
        mine = time.process_time()
        commands_before = command_calls(redis_url)
        for i in range(HISTORY + 1, HISTORY + 1 + timed):
            started = time.perf_counter()
            timings.wall[times[i]] = time.time()
            timings.sent[times[i]] = started
            await feed.publish(i, i + 1)
            await stepped.wait(last, times[i])
            timings.stepped.append(time.perf_counter() - started)
            await asyncio.sleep(pause_s)
        after = engines.cpu_all()
        server = postgres_cpu(url)
        unspy(spies)
        commands_after = command_calls(redis_url)
        timings.cpu = {label: after[label] - before[label] for label in before}
        timings.bench_cpu = time.process_time() - mine
        # a backend opened meanwhile counts from 0; one closed meanwhile is missed
        timings.postgres_cpu = sum(s - server_before.get(pid, 0.0) for pid, s in server.items())
        timings.postgres_seen = bool(server)
        timings.commands = {
            name: calls - commands_before.get(name, 0)
            for name, calls in commands_after.items()
            if calls > commands_before.get(name, 0)
        }
        await asyncio.sleep(0.5)  # the last updates on their way
        timings.read_stages(redis_url)
    finally:
        await stepped.close()
        await feed.bus.close()
        await database.dispose()
    return timings


def spy(engines: Engines) -> list[subprocess.Popen[bytes]]:
    """``BENCH_SPY=<dir>``: py-spy (``BENCH_SPY_BIN``, default /tmp/spy/bin/py-spy) on the
    engines named in ``BENCH_SPY_ENGINES`` (default ``order``) over the timed candle times only
    (the history's 300 candle times left out), 500 Hz, collapsed stacks, CPU samples only."""
    folder = os.environ.get("BENCH_SPY")
    if not folder:
        return []
    binary = os.environ.get("BENCH_SPY_BIN", "/tmp/spy/bin/py-spy")  # noqa: S108 - the team's
    names = os.environ.get("BENCH_SPY_ENGINES", "order").split(",")
    spies = []
    for label, process in engines.running.items():
        name = label.partition(":")[0]
        if name not in names:
            continue
        out = Path(folder) / f"{engines.folder.name}-{name}.txt"
        command = [binary, "record", "-r", "500", "-f", "raw", "-o", str(out), "--nonblocking"]
        spies.append(
            subprocess.Popen(  # noqa: S603 - a profiler the caller named
                [*command, "-p", str(process.pid)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
    time.sleep(1.0)  # attached before the first timed candle time
    return spies


def unspy(spies: list[subprocess.Popen[bytes]]) -> None:
    """Stop the profilers (SIGINT: each writes its file)."""
    for process in spies:
        process.send_signal(signal.SIGINT)
    for process in spies:
        process.wait(timeout=60)


def run_latency(
    root: Path,
    pairs: Pairs,
    *,
    flip: bool,
    timed: int,
    pause_s: float = PAUSE_S,
    backend: Path | None = None,
) -> Timings:
    """The pipeline's engines as processes; ``timed`` candle times timed. Returns the timings.

    ``backend``: another checkout's ``backend/`` to run the engines from (an A/B; the feed then
    publishes a batch's runs one by one, as the market data did before ``publish_batch`` sent
    them together, unless ``BENCH_SAME_FEED=1``: both sides fed a batch at once).
    """
    folder = root / ("flip" if flip else "default")
    n = 1
    while folder.exists():  # several runs (A/B)
        n += 1
        folder = root / f"{'flip' if flip else 'default'}{n}"
    folder.mkdir()
    done_through = pairs.times[HISTORY - 1]
    with stack(folder, pairs, flip=flip, done_through=done_through) as (url, redis_url, engines):
        start_pipeline(engines, backend)
        return asyncio.run(
            _drive(
                url,
                redis_url,
                pairs,
                engines,
                timed=timed,
                pause_s=pause_s,
                one_by_one=backend is not None and not os.environ.get("BENCH_SAME_FEED"),
            )
        )


def start_pipeline(engines: Engines, backend: Path | None = None) -> None:
    """The indicator, decision, order and portfolio engines, once each has started.

    ``BENCH_WORKERS=N``: the indicator and decision engines with ``--workers N`` (N processes
    each, sharing the pairs by the bus's partitions).
    """
    workers = int(os.environ.get("BENCH_WORKERS", "1"))
    started = []
    for name in PIPELINE:
        shared = workers > 1 and name in {"indicator", "decision"}
        args = ("--workers", str(workers)) if shared else ()
        label = engines.start(name, backend=backend, args=args)
        consumers = [f"1.{i}" for i in range(workers)] if shared else ["1"]
        started += [(label, f"engine {name} (consumer {c})") for c in consumers]
    for label, banner in started:
        engines.wait_ready(label, banner)


def report_latency(what: str, timings: Timings, last: str) -> None:
    """The figures of one run, the target's verdict on the orders."""
    code = timings.last
    print(f"  {what}:")
    everyone = [s for seconds in timings.decisions.values() for s in seconds]
    mine = timings.decisions.get(last, [])
    print("    " + percentiles(f"decisions of the last pair ({last}; entry ids)", mine))
    print("    " + percentiles("decisions of every pair (entry ids)", everyone))
    orders = [s for seconds in timings.orders.values() for s in seconds]
    last_orders = timings.orders.get(code, [])
    print("    " + percentiles(f"orders of the last pair ({last})", last_orders, target=True))
    print("    " + percentiles("orders of every pair", orders, target=True))
    print(
        "    "
        + percentiles(
            "batch stepped by the order engine (its checkpoint, notified)", timings.stepped
        )
    )
    steps = max(len(timings.stepped), 1)
    cpu = ", ".join(
        f"{label.partition(':')[0]} {seconds / steps * 1000:.1f}"
        for label, seconds in timings.cpu.items()
    )
    total = sum(timings.cpu.values()) / steps * 1000
    own = timings.bench_cpu / steps * 1000
    print(
        f"    CPU per candle time (ms, each engine's process): {cpu}; all {total:.1f} (the load "
        f"adds waiting to the latency, not CPU); the bench itself {own:.1f}"
    )
    if timings.postgres_seen:
        print(
            f"    PostgreSQL's backends of this database (the engines' statements, on the same "
            f"cores): {timings.postgres_cpu / steps * 1000:.1f} ms of CPU per candle time"
        )
    report_breakdown(timings, steps)


def report_breakdown(timings: Timings, steps: int) -> None:
    """Where a candle time's latency goes: each stage's first and last entry, the system calls
    of each engine, the Redis commands."""
    print("    stages, ms after publishing began (p50 of the candle times; entry ids, 1 ms):")
    for channel, what in STAGES:
        rows = timings.stages.get(channel, [])
        if not rows:
            print(f"      {what}: none")
            continue
        first = np.median([r[0] for r in rows]) * 1000
        last = np.median([r[1] for r in rows]) * 1000
        last99 = np.percentile([r[1] for r in rows], 99) * 1000
        count = np.mean([r[2] for r in rows])
        print(
            f"      {what}: first {first:.0f}, last {last:.0f} (p99 {last99:.0f}); "
            f"{count:.0f} entries per candle time"
        )
    top = sorted(timings.commands.items(), key=lambda item: -item[1])[:8]
    shown = ", ".join(f"{name} {calls / steps:.0f}" for name, calls in top)
    print(f"    Redis commands per candle time (the whole server's): {shown}")


def latency(root: Path, timed: int, count: int = PAIRS) -> None:
    workers = int(os.environ.get("BENCH_WORKERS", "1"))
    shared = f", indicator and decision engines with --workers {workers}" if workers > 1 else ""
    print(f"latency: {count} pairs of 1m, {timed} candle times timed{shared} ({load()})")
    paced = (
        "back to back: a heavier load than a 1m feed" if PAUSE_S < READINGS_DELAY_S else "as live"
    )
    print(f"  {PAUSE_S:.2f} s between candle times once stepped ({paced}; BENCH_PAUSE_S)")
    pairs = make_pairs(root, count, HISTORY + timed + 2)
    last = pairs.symbols[-1]
    against = os.environ.get("BENCH_AGAINST")
    trees: list[Path | None] = [None] if not against else [Path(against), None]
    only = os.environ.get("BENCH_ONLY")  # "flip" or "default": that run alone
    runs = [flip for flip in (True, False) if only in (None, "flip" if flip else "default")]
    for r, flip in enumerate(runs):
        for backend in trees if r % 2 == 0 else trees[::-1]:
            timings = run_latency(root, pairs, flip=flip, timed=timed, backend=backend)
            what = "aggressive bot on bench_flip" if flip else "default strategies"
            which = "" if not against else ("A " if backend else "B ")
            report_latency(f"{which}{what} ({load()})", timings, last)


def main() -> None:
    part = sys.argv[1] if len(sys.argv) > 1 else "latency"
    count = int(sys.argv[3]) if len(sys.argv) > 3 else PAIRS
    rounds = int(sys.argv[4]) if len(sys.argv) > 4 else ROUNDS
    parts = {"latency", "workers", "failover"} if part == "all" else {part}
    print(f"runtime at scale across processes, {today()}, {machine()}, {load()}")
    print(f"  {WHAT}")
    reason = unreachable()
    if reason is not None:
        print(f"  skipped: {reason}")
        return
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        if "latency" in parts:
            timed = int(sys.argv[2]) if len(sys.argv) > 2 else TIMED
            latency(root, timed, count)
        if parts & {"workers", "failover"}:
            minutes = int(sys.argv[2]) if len(sys.argv) > 2 else MINUTES
            print(f"decision workers: {count} pairs of 1m, {minutes} minutes ({load()})")
            pairs = make_pairs(root, count, HISTORY + minutes + 2)
            workers_parts(root, pairs, minutes=minutes, rounds=rounds, parts=parts)


if __name__ == "__main__":
    main()
