"""Faults survived: the engines as separate processes, hit at random points of a two-pair replay.

The engines run as ``cryptotrader engine NAME`` processes on a private ``redis-server`` (no
persistence) and on PostgreSQL reached through a proxy the test controls; a dead engine is
restarted, as the deployment's service manager does. Each seed injects, in a random order at
random moments (``schedule``): a worker (indicator or decision engine) killed with SIGKILL, the
order engine killed with SIGKILL, Redis killed and restarted empty on its port, and every
PostgreSQL connection cut. At the end, against a run of the same replay without faults:

* no order twice (the paper exchange never got a client id twice) and none it holds that the
  database did not write first; every open position has its live stop-loss;
* the same alerts on ``alerts``, as an idempotent consumer keeps them (one per message id):
  none lost, none published twice;
* the same trades, bots' capital and risk, reallocations, orders and balances.

``FAULT_TEST_SEEDS=N`` runs seeds 0..N-1 (the sweep); by default one seed, since the suite is
long. ``FAULT_TEST_KINDS`` (comma-separated) narrows the kinds injected.

Alerts and the other events that follow a database change go through the transactional outbox
(``cryptotrader.outbox``): published again from its table when Redis was down, and again from
the rows it keeps when Redis restarted empty; any loss fails the test. (Before the outbox, a
seed that restarted Redis and lost alerts ended as an expected failure listing them; that
branch stays for a tree without it.)
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import random
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.support.builders import read_shared_csv
from tests.support.fault_runs import WORKERS as WORKER_ENGINES
from tests.support.fault_runs import Fault, Outcome, drive, final_state
from tests.support.faults import private_redis
from tests.support.processes import migrated_postgres_database

SEEDS = int(os.environ.get("FAULT_TEST_SEEDS", "1"))
OUTBOX = importlib.util.find_spec("cryptotrader.outbox")
"""The transactional outbox (issue 17, point 2), once it exists."""
KINDS = tuple(os.environ.get("FAULT_TEST_KINDS", "worker,order,postgres,redis").split(","))
WORKERS = int(os.environ.get("FAULT_TEST_WORKERS", "2"))
"""Workers of each of the indicator and decision engines (``--workers``; they share the pairs)."""
PAIRS = ("BTC-USDT", "ETH-USDT")


@pytest.mark.slow
@pytest.mark.shared_data
@pytest.mark.timeout(3600)  # a few minutes on a quiet machine; much longer when it is loaded
def test_engines_in_processes_when_faults_strike_end_as_a_run_without_faults(
    shared_data: Path, tmp_path: Path
) -> None:
    files, last_opens = [], {}
    for name in PAIRS:  # 3,500 real hours of 2020 (both files have the same hours)
        path = tmp_path / f"binance_{name}_1h.csv"
        frame = read_shared_csv(shared_data / f"{path.name}.gz", rows=24_500).iloc[21_000:]
        frame.to_csv(path, index=False)
        files.append(path)
        last_opens[f"paper:binance:{name.replace('-', '/')}:1h"] = int(frame["timestamp"].iloc[-1])

    reference, expected = _run(files, tmp_path / "reference", last_opens, [])
    assert sum(len(rows) for rows in expected["trades"].values()) > 30
    assert len(alerts(reference)) > 30
    print(f"without faults: {reference.duration_s:.0f} s")  # noqa: T201
    problems = []  # every seed runs (a sweep reports them all), then the test says what failed
    awaiting_outbox = []
    for seed in range(SEEDS):
        faults = schedule(seed, reference.duration_s)
        outcome, state = _run(files, tmp_path / f"seed{seed}", last_opens, faults)
        lost, twice, changed = _differ(alerts(reference), alerts(outcome))
        print(  # noqa: T201 - the figures docs/BENCHMARKS.md records
            f"seed {seed}: {[(round(f.at_s, 1), f.kind, f.target) for f in outcome.injected]}, "
            f"restarts {outcome.restarts}, Redis down {[round(s, 2) for s in outcome.redis_down_s]}"
            f" s, groups back {[round(s, 2) for s in outcome.groups_back_s]} s later, "
            f"{outcome.duration_s:.0f} s against {reference.duration_s:.0f} s without faults, "
            f"{len(lost)} alerts lost, {len(twice)} twice, {len(changed)} saying something else"
        )
        if not outcome.injected:
            problems.append(f"seed {seed}: the replay ended before its first fault")
        differ = [key for key in expected if state[key] != expected[key]]
        problems += [f"seed {seed}: {key} differ from the run without faults" for key in differ]
        if twice:
            problems.append(f"seed {seed}: alerts published twice: {twice}")
        if changed:
            problems.append(f"seed {seed}: alerts saying something else: {changed}")
        if lost and OUTBOX is None and any(f.kind == "redis" for f in outcome.injected):
            awaiting_outbox.append(f"seed {seed}: {lost}")
        elif lost:
            problems.append(f"seed {seed}: alerts lost: {lost}")
    assert not problems, "\n".join(problems)
    if awaiting_outbox:  # a real loss, said as such: see the module docstring
        pytest.xfail(
            "alerts published after their commit were lost with Redis's streams (no outbox yet "
            f"to publish them again): {'; '.join(awaiting_outbox)}"
        )


def schedule(seed: int, duration_s: float) -> list[Fault]:
    """Each kind once, in a random order, at random moments spread over the replay."""
    rng = random.Random(seed)
    kinds = list(KINDS)
    rng.shuffle(kinds)
    faults, at = [], 0.0
    for kind in kinds:
        at += rng.uniform(0.05, 0.2) * duration_s
        target = {"worker": rng.choice(WORKER_ENGINES), "order": "order"}.get(kind, "")
        faults.append(Fault(at, kind, target))
    return faults


def alerts(outcome: Outcome) -> list[tuple[Any, ...]]:
    """The alerts as an idempotent consumer keeps them (one per message id), in a fixed order."""
    return sorted(dict(outcome.alerts).values())


def _differ(
    expected: list[tuple[Any, ...]], got: list[tuple[Any, ...]]
) -> tuple[list[str], list[str], list[str]]:
    """The alerts missing from ``got``, those in it once too often, and those in it once but
    saying something else than in ``expected`` (which fields differ), in short."""

    def short(key: tuple[Any, ...]) -> str:
        fields = dict(key)
        return f"{fields['kind']} {fields['bot']} {fields['pair']} {fields['timestamp']}"

    want, have = Counter(expected), Counter(got)
    missing, extra = list((want - have).elements()), list((have - want).elements())
    changed = []
    for key in list(missing):  # an event announced once, in other words: not lost, not twice
        twin = next((k for k in extra if short(k) == short(key)), None)
        if twin is not None:
            missing.remove(key)
            extra.remove(twin)
            a, b = dict(key), dict(twin)
            changed.append(f"{short(key)} ({[(f, a[f], b[f]) for f in a if a[f] != b.get(f)]})")
    return [short(k) for k in missing], [short(k) for k in extra], changed


def _run(
    files: list[Path], folder: Path, last_opens: dict[str, int], faults: list[Fault]
) -> tuple[Outcome, dict[str, Any]]:
    env = dict(os.environ, CRYPTOTRADER_DATA_DIR=str(folder))
    with migrated_postgres_database() as url, private_redis(folder / "redis") as redis:
        outcome = asyncio.run(
            drive(
                files,
                env,
                folder,
                redis=redis,
                postgres_url=url,
                last_opens=last_opens,
                faults=faults,
                workers=WORKERS,
            )
        )
        return outcome, asyncio.run(final_state(url))
