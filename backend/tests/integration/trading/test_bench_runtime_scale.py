"""``bench.runtime_scale``'s harness on a tiny input, so that the benchmark cannot rot unseen.

Three pairs, three timed candle times, the engines as processes over real Redis and PostgreSQL:
every pair's decisions come back for every timed candle time, the flip bot's orders are seen, and
each engine's CPU is read. No timing is asserted (the figures are the benchmark's business).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from bench.runtime_scale import HISTORY, report_latency, run_latency
from bench.scale_harness import make_pairs

from tests.integration.conftest import require_postgres, require_redis

PAIRS, TIMED = 3, 3


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
