"""Decision workers across processes (issue 17): 1 vs 2 on 100 pairs, and a dead one's pairs.

Parts ``workers`` and ``failover`` of ``bench.runtime_scale`` (see its docstring for how to run
it and what the pairs are). The decision workers are separate ``cryptotrader engine decision
--consumer NAME`` processes sharing the pairs through the bus's partition leases
(``bus.partitions``: ``<topic>.p<k>`` work streams, a lease per partition), exactly as
``--workers N`` starts them.

* **Throughput** (``workers``): the indicator engine (a process) first computes every pair's
  runs on the real candles (300 of history, then one minute at a time, as live); its
  ``StrategyInputsComputed`` entries are read back from Redis. Each round then starts 1 or 2
  decision workers on an emptied Redis, waits until they hold even shares of the partitions,
  stops them (``SIGSTOP``, for less than a lease), appends every captured minute run (one candle
  of one pair each) to the channel and its pair's partition as the bus does, and lets them go
  (``SIGCONT``): candles/s from then to the last ``DecisionsMade`` (its ``signals`` entry id:
  the Redis server's clock), and the workers' CPU (``/proc``) per 1,000 candles. The workers
  alone are on the clock, not the publishing; meanwhile this process only asks every 0.2 s
  whether every partition is read and acked (``XINFO GROUPS``) and reads the decisions once
  they are all out (until 2026-12-05 it read and decoded them as they came, with a core's
  share of its own and of Redis's taken from 2 workers on 2 cores: ``BENCH_READ_LIVE=1`` does
  so again). Printed with each round: the Redis server's CPU and this process's, per 1,000
  candles. Rounds alternate 1, 2, 2, 1 ... with the machine's load printed at each; the ratio
  is of the median rates. Target: 2 workers >= 1.6x.
* **Failover** (``failover``): 2 workers; one minute batch (every pair's run) published every
  ``STEP_S``; after ``KILL_AFTER_S`` one worker is killed (``SIGKILL``); timed from the kill to
  the first decision (its ``signals`` entry id: the Redis server's clock) of each of the dead
  worker's pairs: the last of them is when every pair has resumed. Target: within 10 s.

Comparing code (A/B): ``BENCH_AGAINST=<another checkout's backend/>`` runs every throughput
round with that checkout's decision workers too, interleaved with this one's, on the same
captured runs. ``BENCH_RUNS=<file>`` keeps the captured runs there and reuses them (same pairs
and minutes only). ``BENCH_PROFILE=<dir>``: every engine process under cProfile.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import os
import re
import signal
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from redis import Redis

from bench._common import load
from bench.scale_harness import HISTORY, Engines, Feed, Pairs, stack
from cryptotrader.bus import topics
from cryptotrader.bus.codec import decode
from cryptotrader.bus.messages import StrategyInputsComputed
from cryptotrader.bus.partitions import partition_of, partition_topic
from cryptotrader.bus.redis_streams import DEFAULT_PREFIX
from cryptotrader.config import Settings

GROUP = "decision"
RATIO_TARGET, RESUME_TARGET_S = 1.6, 10.0
STEP_S, KILL_AFTER_S, RESUME_WAIT_S = 0.25, 3.0, 60.0
_PAIR = re.compile(r'"pair":"([^"]+)"')
_DECIDED = '"type":"decisions_made"'
_INPUTS = '"type":"strategy_inputs_computed"'
Entries = list[tuple[str, dict[str, str]]]
LIVE = os.environ.get("BENCH_READ_LIVE") == "1"
"""Read the decisions while the workers run (this bench before 2026-12-05 h7), not after."""


def entries(client: Redis, stream: str, after: str = "0-0", count: int = 2000) -> Entries:
    """Up to ``count`` entries of ``stream`` after the id ``after`` (a client decoding text)."""
    found: Any = client.xrange(stream, min=f"({after}" if after != "0-0" else "-", count=count)
    return cast(Entries, found)


def partitions() -> int:
    """The work partitions every process uses (``CRYPTOTRADER_BUS_PARTITIONS``)."""
    return Settings().bus_partitions


# --- the captured indicator runs -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Run:
    """One pair's one-candle ``StrategyInputsComputed``, as its stream entry's fields."""

    symbol: str
    fields: dict[str, str]


async def _capture(url: str, redis_url: str, pairs: Pairs, minutes: int) -> list[Run]:
    """Paced: each minute is published once the one before is computed, so that every minute
    stays a run of its own (a worker behind merges a pair's runs into one)."""
    feed, database = await Feed.open(url, redis_url, pairs)
    client = Redis.from_url(redis_url, decode_responses=True)
    stream = f"{DEFAULT_PREFIX}{topics.INDICATORS}"
    runs: list[Run] = []
    after = "0-0"

    async def computed(count: int) -> None:
        nonlocal after
        deadline = time.monotonic() + 600
        while count:
            page = entries(client, stream, after)
            for _, fields in page:
                if _INPUTS not in fields["data"]:
                    continue  # the readings (IndicatorsComputed)
                message = decode(topics.INDICATORS, fields)
                assert isinstance(message, StrategyInputsComputed)
                count -= 1
                if len(message.candles.open_times) == 1:  # not the history run
                    runs.append(Run(message.pair.symbol, fields))
            if page:
                after = page[-1][0]
            elif time.monotonic() > deadline:
                raise TimeoutError(f"the indicator engine is {count} runs short")
            else:
                await asyncio.sleep(0.02)

    try:
        await feed.publish(0, HISTORY)
        await computed(len(pairs.series))
        for i in range(HISTORY, HISTORY + minutes):
            await feed.publish(i, i + 1)
            await computed(len(pairs.series))
        return runs
    finally:
        client.close()
        await feed.bus.close()
        await database.dispose()


def capture(engines: Engines, url: str, redis_url: str, pairs: Pairs, minutes: int) -> list[Run]:
    """Every pair's one-candle runs of ``minutes`` minutes, computed by the indicator engine."""
    label = engines.start("indicator")
    engines.wait_ready(label)
    try:
        return asyncio.run(_capture(url, redis_url, pairs, minutes))
    finally:
        engines.stop([label])


def publish(client: Redis, runs: Sequence[Run]) -> None:
    """Append ``runs`` to ``indicators`` and each to its pair's work partition, as the bus does
    (``StreamBus.publish``), from the captured fields: no encoding on the clock."""
    count = partitions()
    channel = f"{DEFAULT_PREFIX}{topics.INDICATORS}"
    for i in range(0, len(runs), 500):
        pipe = client.pipeline(transaction=False)
        for run in runs[i : i + 500]:
            work = partition_topic(topics.INDICATORS, partition_of(run.symbol, count))
            pipe.xadd(channel, run.fields)  # type: ignore[arg-type]
            pipe.xadd(f"{DEFAULT_PREFIX}{work}", run.fields)  # type: ignore[arg-type]
        pipe.execute()


# --- a round of decision workers -----------------------------------------------------------


def start_workers(
    engines: Engines, redis_url: str, count: int, tag: str, backend: Path | None = None
) -> list[str]:
    """``count`` decision workers on an emptied Redis, once they hold even shares (their code
    from ``backend``, default this checkout's)."""
    Redis.from_url(redis_url).flushdb()
    labels = [
        engines.start("decision", consumer=f"{tag}w{i}", backend=backend) for i in range(count)
    ]
    for label in labels:
        engines.wait_ready(label)
    wait_even(redis_url, engines, labels)
    return labels


def owners(redis_url: str) -> dict[int, int]:
    """Partition -> the pid holding its lease (``<consumer>@<host>:<pid>|<token>``)."""
    client = Redis.from_url(redis_url, decode_responses=True)
    try:
        count = partitions()
        values: list[str | None] = cast(
            "list[str | None]",
            client.mget([f"{DEFAULT_PREFIX}lease:{GROUP}:{k}" for k in range(count)]),
        )
    finally:
        client.close()
    return {
        k: int(value.split("|")[0].rsplit(":", 1)[1])
        for k, value in enumerate(values)
        if value is not None
    }


def wait_even(redis_url: str, engines: Engines, labels: Sequence[str]) -> None:
    """Until every partition is held and each worker holds its fair share."""
    pids = [engines.running[label].pid for label in labels]
    fair = math.ceil(partitions() / len(labels))
    deadline = time.monotonic() + 120
    while True:
        held = owners(redis_url)
        shares = [sum(1 for pid in held.values() if pid == mine) for mine in pids]
        if sum(shares) == partitions() and max(shares) <= fair:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"the partitions were not shared: {held} among {pids}")
        time.sleep(0.2)


def pairs_of(redis_url: str, symbols: Sequence[str]) -> dict[int, list[str]]:
    """Worker pid -> the pairs whose partition it holds."""
    held = owners(redis_url)
    mine: dict[int, list[str]] = {}
    for name in symbols:
        mine.setdefault(held[partition_of(name, partitions())], []).append(name)
    return mine


def drained(client: Redis) -> bool:
    """True once every partition's entries were read and acked by the decision workers.

    A worker acks a run after publishing its decisions, so then every decision is on
    ``signals``. Two cheap commands per partition (``XINFO GROUPS``), not the decisions
    themselves: reading them as they came (36,000 entries of 0.5-2.3 KB, decoded here) took a
    core's share from the workers being timed.
    """
    pipe = client.pipeline(transaction=False)
    for k in range(partitions()):
        pipe.xinfo_groups(f"{DEFAULT_PREFIX}{partition_topic(topics.INDICATORS, k)}")
    replies = cast("list[list[dict[str, Any]] | Exception]", pipe.execute(raise_on_error=False))
    for reply in replies:
        if isinstance(reply, Exception):
            return False  # the partition's stream is not there yet
        group = next((g for g in reply if _text(g["name"]) == GROUP), None)
        if group is None or group["lag"] != 0 or group["pending"] != 0:
            return False
    return True


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value


def redis_cpu_s(client: Redis) -> float:
    """CPU seconds the Redis server has used (``INFO cpu``: every client's work)."""
    info = cast("dict[str, float]", client.info("cpu"))
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


class Decisions:
    """Reads the ``DecisionsMade`` entries of ``signals`` as they come (id time, pair)."""

    def __init__(self, redis_url: str) -> None:
        self.client = Redis.from_url(redis_url, decode_responses=True)
        self.stream = f"{DEFAULT_PREFIX}{topics.SIGNALS}"
        self.after = "0-0"
        self.seen: list[tuple[int, str]] = []

    def read(self) -> None:
        while page := entries(self.client, self.stream, self.after):
            for entry_id, fields in page:
                data = fields["data"]
                if _DECIDED in data:
                    found = _PAIR.search(data)
                    assert found is not None
                    self.seen.append((int(entry_id.split("-")[0]), found.group(1)))
            self.after = page[-1][0]

    def all_read(self, runs: int) -> bool:
        """Read what came; True once there is a decision for each of ``runs``."""
        self.read()
        return len(self.seen) >= runs

    def close(self) -> None:
        self.client.close()


@dataclass(frozen=True, slots=True)
class Round:
    """One throughput round's figures."""

    workers: int
    rate: float
    cpu_per_1000: float
    publish_s: float
    load: float
    split: list[int]
    redis_per_1000: float = 0.0
    """The Redis server's CPU in the round (its commands from the workers and this bench)."""
    bench_per_1000: float = 0.0
    """This process's CPU in the round (waiting for the workers)."""


def throughput_round(
    engines: Engines,
    redis_url: str,
    runs: Sequence[Run],
    workers: int,
    tag: str,
    *,
    backend: Path | None = None,
) -> Round:
    """``workers`` decision workers, stopped (``SIGSTOP``) while every run is published, then
    let go together: candles/s from then to the last decision, and their CPU per candle."""
    labels = start_workers(engines, redis_url, workers, tag, backend)
    split = [len(p) for p in pairs_of(redis_url, sorted({r.symbol for r in runs})).values()]
    decisions = Decisions(redis_url)
    client = Redis.from_url(redis_url)
    try:
        for label in labels:
            engines.running[label].send_signal(signal.SIGSTOP)
        published = time.perf_counter()
        publish(client, runs)
        publish_s = time.perf_counter() - published
        cpu = sum(engines.cpu_s(label) for label in labels)
        server, own = redis_cpu_s(client), time.process_time()
        started = time.time()
        for label in labels:
            engines.running[label].send_signal(signal.SIGCONT)
        deadline = time.monotonic() + 1800
        while not (decisions.all_read(len(runs)) if LIVE else drained(client)):
            if time.monotonic() > deadline:
                raise TimeoutError("the decision workers did not read and ack every run")
            time.sleep(0.2)
        cpu = sum(engines.cpu_s(label) for label in labels) - cpu
        server, own = redis_cpu_s(client) - server, time.process_time() - own
        decisions.read()  # off the clock: the rate is from the last decision's entry id
        if len(decisions.seen) < len(runs):
            raise RuntimeError(f"{len(decisions.seen)} decisions for {len(runs)} runs")
    finally:
        client.close()
        decisions.close()
        for label in labels:
            engines.running[label].send_signal(signal.SIGCONT)
        engines.stop(labels)
    last_ms = max(ms for ms, _ in decisions.seen)
    return Round(
        workers=workers,
        rate=len(runs) / ((last_ms - started * 1000) / 1000),
        cpu_per_1000=cpu / len(runs) * 1000,
        publish_s=publish_s,
        load=os.getloadavg()[0],
        split=sorted(split),
        redis_per_1000=server / len(runs) * 1000,
        bench_per_1000=own / len(runs) * 1000,
    )


def throughput(
    engines: Engines,
    redis_url: str,
    runs: Sequence[Run],
    rounds: int,
    against: Path | None = None,
) -> dict[int, list[Round]]:
    """Alternate 1 and 2 workers ``rounds`` times each; print each round and the ratio.

    ``against``: another checkout's ``backend/`` (``BENCH_AGAINST``): each round is run with
    its decision workers too, interleaved with this checkout's (A, B, B, A ...), and the
    medians of both are printed.
    """
    done: dict[int, list[Round]] = {1: [], 2: []}
    other: dict[int, list[Round]] = {1: [], 2: []}
    for r in range(rounds):
        for workers in (1, 2) if r % 2 == 0 else (2, 1):
            trees: list[Path | None] = [None] if against is None else [against, None]
            for backend in trees if (r + workers) % 2 == 0 else trees[::-1]:
                one = throughput_round(engines, redis_url, runs, workers, f"r{r}", backend=backend)
                (done if backend is None else other)[workers].append(one)
                late = " (longer than a lease: the figure is suspect)" if one.publish_s > 3 else ""
                cores = one.rate * one.cpu_per_1000 / 1000
                which = "" if against is None else ("A " if backend else "B ")
                print(
                    f"    {which}{workers} worker(s) (pairs per worker {one.split}): "
                    f"{one.rate:,.0f} candles/s, CPU {one.cpu_per_1000:.2f} s per 1,000 "
                    f"candles, {cores:.2f} cores busy; Redis {one.redis_per_1000:.3f}, bench "
                    f"{one.bench_per_1000:.3f} s per 1,000 (load {one.load:.1f}; published in "
                    f"{one.publish_s:.1f} s{late})"
                )
    if against is not None:
        print(f"  A = {against}:")
        _medians(other)
        print("  B = this checkout:")
    _medians(done)
    return done


def _medians(done: dict[int, list[Round]]) -> None:
    rate = {w: statistics.median(r.rate for r in done[w]) for w in done}
    cpu = {w: statistics.median(r.cpu_per_1000 for r in done[w]) for w in done}
    ratio = rate[2] / rate[1]
    verdict = "met" if ratio >= RATIO_TARGET else "NOT met"
    print(
        f"  medians: 1 worker {rate[1]:,.0f}, 2 workers {rate[2]:,.0f} candles/s = {ratio:.2f}x "
        f"(target >= {RATIO_TARGET}x: {verdict}, wall, at this load); CPU per 1,000 candles "
        f"{cpu[1]:.2f} vs {cpu[2]:.2f} s; {_cpu_ceilings(done, cpu)}"
    )


def _cpu_ceilings(done: dict[int, list[Round]], cpu: dict[int, float]) -> str:
    """What the CPU figures allow 2 workers against 1, or why they cannot tell.

    ``/proc`` counts CPU in clock ticks (10 ms): a few runs (the test's 16) can read 0, and
    then there is no ratio to give.
    """
    cores = os.cpu_count() or 1
    beside = {
        w: statistics.median(r.cpu_per_1000 + r.redis_per_1000 + r.bench_per_1000 for r in done[w])
        for w in done
    }
    if min(*cpu.values(), *beside.values()) <= 0:
        return "too few candles for the CPU figures to give a ratio (CPU is read in clock ticks)"
    # With a core each, the 2 workers take as long as the one with more pairs does.
    largest = max(done[2][0].split) / sum(done[2][0].split)
    capacity = (1 / largest) * cpu[1] / cpu[2]
    # On this machine's cores, Redis and this bench run beside the workers: the ceiling of each
    # count is the tighter of its largest worker's core and every process's CPU over the cores.
    here = min(1 / (largest * cpu[2]), cores / beside[2]) / min(1 / cpu[1], cores / beside[1])
    return (
        f"with a core for each worker (and the larger share, {largest:.0%} of the pairs, setting "
        f"the pace) the CPU figures give {capacity:.2f}x; on this machine's {cores} cores, Redis "
        f"and this bench beside (CPU per 1,000 candles of all three {beside[1]:.3f} vs "
        f"{beside[2]:.3f} s), at most {here:.2f}x"
    )


# --- failover ------------------------------------------------------------------------------


async def _stream(redis_url: str, runs: Sequence[Run], batch: int, stop: asyncio.Event) -> None:
    client = Redis.from_url(redis_url)
    try:
        for i in itertools.count(0, batch):
            if stop.is_set():
                return
            await asyncio.to_thread(
                publish, client, [runs[(i + k) % len(runs)] for k in range(batch)]
            )
            await asyncio.sleep(STEP_S)
    finally:
        client.close()


async def _failover(
    engines: Engines, redis_url: str, runs: Sequence[Run], labels: list[str], batch: int
) -> tuple[float, float, int]:
    held = pairs_of(redis_url, sorted({r.symbol for r in runs}))
    victim = max(labels, key=lambda label: len(held.get(engines.running[label].pid, [])))
    theirs = set(held.get(engines.running[victim].pid, []))
    stop = asyncio.Event()
    streaming = asyncio.create_task(_stream(redis_url, runs, batch, stop))
    decisions = Decisions(redis_url)
    first: dict[str, int] = {}
    try:
        await asyncio.sleep(KILL_AFTER_S)
        killed = time.time()
        engines.kill(victim)
        deadline = time.monotonic() + RESUME_WAIT_S
        while set(first) < theirs and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
            decisions.read()
            for ms, name in decisions.seen:
                if name in theirs and ms > killed * 1000:
                    first.setdefault(name, ms)
            decisions.seen.clear()
    finally:
        stop.set()
        await streaming
        decisions.close()
    if set(first) < theirs:
        return math.inf, math.inf, len(theirs)
    delays = [first[name] - killed * 1000 for name in theirs]
    return min(delays) / 1000, max(delays) / 1000, len(theirs)


def failover(
    engines: Engines, redis_url: str, runs: Sequence[Run], rounds: int, batch: int
) -> list[tuple[float, int]]:
    """``rounds`` kills of one of 2 workers mid-stream; per round, when every one of its pairs
    had resumed (s after the kill; inf: not within ``RESUME_WAIT_S``) and how many it had."""
    resumed = []
    for r in range(rounds):
        labels = start_workers(engines, redis_url, 2, f"f{r}")
        try:
            first, last, count = asyncio.run(_failover(engines, redis_url, runs, labels, batch))
        finally:
            engines.stop([label for label in labels if label in engines.running])
        resumed.append((last, count))
        print(
            f"    round {r + 1}: the dead worker's {count} pairs: first resumed {first:.1f} s, "
            f"every one {last:.1f} s after the kill (load {os.getloadavg()[0]:.1f})"
        )
    worst = max(last for last, _ in resumed)
    verdict = "met" if worst <= RESUME_TARGET_S else "NOT met"
    print(
        f"  every pair of the dead worker resumed within {worst:.1f} s at worst, median "
        f"{statistics.median(last for last, _ in resumed):.1f} s (target <= "
        f"{RESUME_TARGET_S:.0f} s: {verdict})"
    )
    return resumed


@dataclass
class WorkerFigures:
    """What the workers parts measured (for the smoke test)."""

    runs: int = 0
    rounds: dict[int, list[Round]] = field(default_factory=dict)
    resumed: list[tuple[float, int]] = field(default_factory=list)


def workers_parts(
    root: Path, pairs: Pairs, *, minutes: int, rounds: int, parts: set[str]
) -> WorkerFigures:
    """Capture the runs, then the throughput rounds and/or the failover rounds."""
    folder = root / "workers"
    folder.mkdir()
    done_through = pairs.times[HISTORY - 1]
    figures = WorkerFigures()
    with stack(folder, pairs, flip=False, done_through=done_through) as (url, redis_url, engines):
        kept = os.environ.get("BENCH_RUNS")  # a file: the captured runs, reused when it exists
        if kept and Path(kept).exists():
            runs = [Run(symbol, fields) for symbol, fields in json.loads(Path(kept).read_text())]
        else:
            runs = capture(engines, url, redis_url, pairs, minutes)
            if kept:
                Path(kept).write_text(json.dumps([[r.symbol, r.fields] for r in runs]))
        figures.runs = len(runs)
        print(
            f"  {len(runs):,} one-candle runs captured ({len(pairs.series)} pairs x {minutes} "
            f"minutes), {partitions()} partitions ({load()})"
        )
        if "workers" in parts:
            print(f"  decision throughput, 1 vs 2 workers, {rounds} rounds each, interleaved:")
            against = os.environ.get("BENCH_AGAINST")
            figures.rounds = throughput(
                engines, redis_url, runs, rounds, Path(against) if against else None
            )
        if "failover" in parts:
            print(f"  a dead worker's pairs (kill -9 of one of 2, {rounds} rounds):")
            figures.resumed = failover(engines, redis_url, runs, rounds, len(pairs.series))
    return figures
