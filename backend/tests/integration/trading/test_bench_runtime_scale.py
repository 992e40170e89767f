"""``bench.runtime_scale``'s harness on a tiny input, so that the benchmark cannot rot unseen.

The engines as processes over real Redis and PostgreSQL. Latency: three pairs, three timed candle
times: every pair's decisions come back for every one, the flip bot's orders are seen, each
engine's CPU is read. Workers: four pairs of four minutes on two partitions: every run is
decided by one worker and by two (each holding a partition), and a killed worker's pairs come
back. No timing is asserted (the figures are the benchmark's business).
"""

from __future__ import annotations

import asyncio
import math
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]  # the driver the app uses, without stubs
import pytest
from bench.runtime_scale import report_latency, run_latency
from bench.runtime_scale_workers import workers_parts
from bench.scale_harness import HISTORY, make_pairs, postgres_cpu
from sqlalchemy.engine import make_url

from tests.integration.conftest import POSTGRES_URL, require_postgres, require_redis

PAIRS, TIMED, MINUTES = 3, 3, 4


@pytest.mark.shared_data
@pytest.mark.timeout(1800)  # four engine processes: slow when the machine is loaded
def test_the_latency_harness_times_every_pairs_decisions_and_the_flip_bots_orders(
    shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    require_postgres()
    require_redis()
    pairs = make_pairs(tmp_path, PAIRS, HISTORY + TIMED + 2)

    timings = run_latency(tmp_path, pairs, flip=True, timed=TIMED, pause_s=0)

    assert sorted(timings.decisions) == pairs.symbols
    assert all(len(seconds) == TIMED for seconds in timings.decisions.values())
    assert len(timings.stepped) == TIMED
    assert timings.orders  # bench_flip trades on almost every candle
    assert set(timings.orders) <= {code.replace("/", "") for code in pairs.symbols}
    assert sorted(label.partition(":")[0] for label in timings.cpu) == sorted(
        ("portfolio", "order", "decision", "indicator")
    )
    report_latency("smoke", timings, pairs.symbols[-1])
    assert f"orders of the last pair ({pairs.symbols[-1]})" in capsys.readouterr().out


@pytest.mark.shared_data
@pytest.mark.timeout(1800)  # engine processes started five times: slow when the machine is loaded
def test_the_workers_harness_decides_every_run_with_one_and_two_workers_and_resumes_a_dead_ones(
    shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    require_postgres()
    require_redis()
    # Two partitions: C00 and C03 in one, C01 and C02 in the other (crc32), one per worker.
    monkeypatch.setenv("CRYPTOTRADER_BUS_PARTITIONS", "2")
    pairs = make_pairs(tmp_path, 4, HISTORY + MINUTES + 2)

    figures = workers_parts(
        tmp_path, pairs, minutes=MINUTES, rounds=1, parts={"workers", "failover"}
    )

    assert figures.runs == 4 * MINUTES  # every minute of every pair, a run of its own
    one, two = figures.rounds[1][0], figures.rounds[2][0]
    assert (one.split, two.split) == ([4], [2, 2])
    assert min(one.rate, two.rate) > 0
    [(resumed_s, dead_pairs)] = figures.resumed
    assert dead_pairs == 2
    assert math.isfinite(resumed_s)  # each came back (within the bench's 60 s wait)


def test_postgres_cpu_finds_the_backends_serving_a_database_and_no_other() -> None:
    """The latency bench's PostgreSQL CPU (``postgres_cpu``): the backends of its database."""
    require_postgres()

    async def backend_pid() -> tuple[int, dict[int, float], dict[int, float]]:
        url = make_url(POSTGRES_URL)
        connection = await asyncpg.connect(url.set(drivername="postgresql").render_as_string(False))
        try:
            pid = int(await connection.fetchval("SELECT pg_backend_pid()"))
            return (
                pid,
                postgres_cpu(POSTGRES_URL),
                postgres_cpu(str(url.set(database="no_such_database_here"))),
            )
        finally:
            await connection.close()

    pid, found, other = asyncio.run(backend_pid())

    assert pid in found
    assert found[pid] >= 0.0
    assert pid not in other
