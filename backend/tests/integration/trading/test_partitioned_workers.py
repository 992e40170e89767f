"""Indicator and decision workers sharing the pairs, one killed with ``kill -9`` mid-replay.

Three indicator processes (``engine indicator --consumer iK``, as on three machines) and a
decision engine started with ``--workers 2`` share six pairs over real Redis and PostgreSQL
while a paced multi-pair replay runs. One indicator process holding pairs is killed, then one
decision worker: each one's partitions must be taken by a survivor (or the restarted worker)
and its pairs' decisions must go on. At the end every candle of every pair has been decided
exactly once on ``signals`` (a run the dead worker had published but not acked comes again
with the same ``message_id`` and the same content: consumers drop it), in order per pair.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from redis import Redis

from cryptotrader.bus import topics
from cryptotrader.bus.codec import decode
from cryptotrader.bus.messages import DecisionsMade
from tests.support.builders import read_shared_csv
from tests.support.processes import ENGINE_CLI, process_env

REDIS_DB = 15  # a logical database of its own: the runtime's stream names are fixed
PARTITIONS = 6
# five pairs on five partitions, ETH on BTC's: every worker of three gets pairs
PAIRS = ("BTC", "ETH", "SOL", "DOGE", "DOT", "LINK")
ROWS = 420  # candle times replayed; the strategies need 201 before they decide
SPEED = "36000"  # 1h candles: one candle time every 0.1 s, about 40 s in all
DEADLINE_S = 120.0
"""How long a functional wait may last on a loaded machine (the target for a takeover is 10 s:
measured and printed, not asserted)."""
T = TypeVar("T")
log = logging.getLogger(__name__)


def _files(shared: Path, folder: Path) -> list[Path]:
    """Six 1h series: BTC and ETH as recorded, the others scaled copies of them."""
    sources = {
        "BTC": read_shared_csv(shared / "binance_BTC-USDT_1h.csv.gz", rows=ROWS),
        "ETH": read_shared_csv(shared / "binance_ETH-USDT_1h.csv.gz", rows=ROWS),
    }
    files = []
    for index, symbol in enumerate(PAIRS):
        frame = sources["BTC" if index % 2 == 0 else "ETH"].copy()
        if symbol not in sources:
            for column in ("open", "high", "low", "close"):
                frame[column] = frame[column] / (10 * (index + 1))
        path = folder / f"binance_{symbol}-USDT_1h.csv"
        frame.to_csv(path, index=False)
        files.append(path)
    return files


class _Fleet:
    """The worker processes, each started again when it exits on its own (as a service
    manager would: a worker's handler failing on a loaded machine stops its process)."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env, self.log = env, log
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.commands: dict[str, list[str]] = {}
        self.killed: set[int] = set()
        self.restarts = 0

    def start(self, name: str, command: list[str]) -> None:
        self.commands[name] = command
        with self.log.open("ab") as out:
            self.processes[name] = subprocess.Popen(command, env=self.env, stdout=out, stderr=out)  # noqa: S603

    def keep_up(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None and process.pid not in self.killed:
                self.restarts += 1
                self.start(name, self.commands[name])

    def kill(self, pid: int) -> None:
        self.killed.add(pid)
        os.kill(pid, signal.SIGKILL)

    def stop(self) -> dict[str, int]:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        return {name: p.wait(timeout=120) for name, p in self.processes.items()}


def _until(
    fleet: _Fleet, what: str, check: Callable[[], T | None], deadline_s: float = DEADLINE_S
) -> T:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        fleet.keep_up()
        found = check()
        if found is not None:
            return found
        time.sleep(0.1)
    raise AssertionError(f"not within {deadline_s:.0f} s: {what}")


def _holders(client: Redis, group: str) -> list[str | None]:
    keys = [f"cryptotrader:lease:{group}:{p}" for p in range(PARTITIONS)]
    values: list[Any] = client.mget(keys)
    return [None if v is None else str(v) for v in values]


def _pid(holder: str) -> int:
    return int(holder.split("|", maxsplit=1)[0].rsplit(":", 1)[1])


def _balanced(client: Redis, group: str, workers: int) -> dict[int, list[int]] | None:
    """Each worker's partitions once every partition is held and the share is even."""
    holders = _holders(client, group)
    if None in holders:
        return None
    owned: dict[int, list[int]] = {}
    for partition, holder in enumerate(holders):
        assert holder is not None
        owned.setdefault(_pid(holder), []).append(partition)
    even = len(owned) == workers and all(len(p) == PARTITIONS // workers for p in owned.values())
    return owned if even else None


def _decided(client: Redis) -> list[tuple[str, DecisionsMade]]:
    """Every ``DecisionsMade`` on ``signals`` (entry id, message), in stream order."""
    found = []
    entries: Any = client.xrange("cryptotrader:signals")
    for entry_id, fields in entries:
        message = decode(topics.SIGNALS, {str(k): str(v) for k, v in fields.items()})
        if isinstance(message, DecisionsMade):
            found.append((str(entry_id), message))
    return found


def _last_decided(client: Redis) -> dict[str, int]:
    last: dict[str, int] = {}
    for _, message in _decided(client):
        symbol = message.pair.symbol
        last[symbol] = max(last.get(symbol, -1), message.candles.open_times[-1])
    return last


def _pairs_of(partitions: list[int]) -> list[str]:
    return [
        f"{s}/USDT" for s in PAIRS if zlib.crc32(f"{s}/USDT".encode()) % PARTITIONS in partitions
    ]


def _kill_and_take_over(
    fleet: _Fleet, client: Redis, group: str, owned: dict[int, list[int]], victim: int
) -> tuple[float, float]:
    """``kill -9`` the worker ``victim``; seconds until its partitions are held again and until
    each of its pairs has a new decision."""
    partitions = owned[victim]
    pairs = _pairs_of(partitions)
    assert pairs, f"worker {victim} holds no pair: {owned}"
    before = _last_decided(client)
    started = time.monotonic()
    fleet.kill(victim)

    def taken() -> bool | None:
        holders = _holders(client, group)
        moved = all(h is not None and _pid(h) != victim for h in (holders[p] for p in partitions))
        return moved or None

    _until(fleet, f"{group} partitions {partitions} of the killed worker taken", taken)
    taken_s = time.monotonic() - started

    def resumed() -> bool | None:
        last = _last_decided(client)
        return all(last.get(p, -1) > before.get(p, -1) for p in pairs) or None

    _until(fleet, f"pairs {pairs} decided again after the kill", resumed)
    return taken_s, time.monotonic() - started


@pytest.mark.shared_data
@pytest.mark.timeout(1800)  # seven processes: slow when the machine is loaded
def test_a_killed_worker_s_pairs_go_on_elsewhere_and_every_candle_is_decided_once(
    shared_data: Path, tmp_path: Path, postgres_url: str, redis_url: str
) -> None:
    files = _files(shared_data, tmp_path)
    replay = [arg for path in files for arg in ("--replay", str(path))]
    env = process_env(
        postgres_url, redis_url, tmp_path, CRYPTOTRADER_BUS_PARTITIONS=str(PARTITIONS)
    )
    env.pop("CRYPTOTRADER_MONITORING__METRICS_PORT", None)
    client = Redis.from_url(redis_url, decode_responses=True)
    fleet = _Fleet(env, tmp_path / "engines.log")
    for k in range(3):
        fleet.start(f"i{k}", [*ENGINE_CLI, "indicator", *replay, "--consumer", f"i{k}"])
    fleet.start("d", [*ENGINE_CLI, "decision", *replay, "--consumer", "d", "--workers", "2"])
    try:
        _until(fleet, "indicators shared by 3", lambda: _balanced(client, "indicator", 3))
        _until(fleet, "decisions shared by 2", lambda: _balanced(client, "decision", 2))
        with (tmp_path / "market.log").open("ab") as out:
            market = subprocess.Popen(  # noqa: S603 - our own entry point
                [*ENGINE_CLI, "market-data", *replay, "--speed", SPEED], env=env, stdout=out,
                stderr=out,
            )  # fmt: skip
        # a third of the replay decided on every pair, then the kills
        third = int(read_shared_csv(files[0])["timestamp"].iloc[ROWS // 3])

        def a_third() -> bool | None:
            last = _last_decided(client)
            return (len(last) == len(PAIRS) and min(last.values()) >= third) or None

        _until(fleet, "a third of the replay decided", a_third, 600)
        owned = _until(fleet, "indicators shared", lambda: _balanced(client, "indicator", 3))
        indicators = {fleet.processes[f"i{k}"].pid for k in range(3)}
        killed = next(p for p, parts in owned.items() if p in indicators and _pairs_of(parts))
        taken_s, resumed_s = _kill_and_take_over(fleet, client, "indicator", owned, killed)
        log.warning("indicator worker killed: held in %.1f s, on in %.1f s", taken_s, resumed_s)
        owned = _until(fleet, "decisions shared", lambda: _balanced(client, "decision", 2))
        victim = next(pid for pid, parts in owned.items() if _pairs_of(parts))
        taken_s, resumed_s = _kill_and_take_over(fleet, client, "decision", owned, victim)
        log.warning("decision worker killed: held in %.1f s, on in %.1f s", taken_s, resumed_s)
        assert market.wait(timeout=900) == 0
        last_open = int(read_shared_csv(files[0])["timestamp"].iloc[-1])
        _until(
            fleet,
            "every pair decided to its last candle",
            lambda: all(v == last_open for v in _last_decided(client).values()) or None,
            600,
        )
        _check_exactly_once_in_order(client, files)
        # the killed decision worker's restart holds its share again before the fleet stops:
        # one stopped while still starting (no SIGTERM handler yet) would end by the signal
        _until(fleet, "the restarted decision worker up", lambda: _balanced(client, "decision", 2))
    finally:
        codes = fleet.stop()
        client.close()
        if "market" in locals() and market.poll() is None:
            market.kill()
    log.warning("%d worker(s) restarted after exiting on their own", fleet.restarts)
    survivors = [c for n, c in codes.items() if fleet.processes[n].pid not in fleet.killed]
    assert all(code == 0 for code in survivors), codes


def _check_exactly_once_in_order(client: Redis, files: list[Path]) -> None:
    """Each pair's decisions cover its candles once, in order; a repeat is the same message."""
    by_id: dict[str, DecisionsMade] = {}
    runs: dict[str, list[list[int]]] = {}
    repeats = 0
    for _, message in _decided(client):
        seen = by_id.get(message.message_id)
        if seen is not None:
            assert seen == message  # the same id is the same decision
            repeats += 1
            continue
        by_id[message.message_id] = message
        runs.setdefault(message.pair.symbol, []).append(message.candles.open_times)
    for path in files:
        symbol = path.name.split("_")[1].replace("-", "/")
        want = [int(t) for t in read_shared_csv(path)["timestamp"]]
        got = [t for run in runs[symbol] for t in run]
        assert got == want, symbol
    log.warning("%d run(s) decided again after a kill, dropped by their id", repeats)
