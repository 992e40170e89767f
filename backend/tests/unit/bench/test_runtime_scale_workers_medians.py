"""The workers bench's summary on figures too small for ``/proc``'s clock ticks.

On the integration test's 16 runs a round's CPU can read 0 s (CPU is counted in 10 ms ticks);
the summary said ``ZeroDivisionError`` then instead of the medians.
"""

from __future__ import annotations

import pytest
from bench.runtime_scale_workers import Round, _medians


def _round(workers: int, cpu_per_1000: float) -> Round:
    split = [4] if workers == 1 else [2, 2]
    return Round(workers, 100.0 * workers, cpu_per_1000, 0.1, 0.5, split, 0.2, 0.1)


def test_a_cpu_reading_of_zero_gives_the_rates_and_says_why_there_is_no_cpu_ratio(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _medians({1: [_round(1, 10.0)], 2: [_round(2, 0.0)]})

    out = capsys.readouterr().out
    assert "1 worker 100, 2 workers 200 candles/s = 2.00x" in out
    assert "too few candles for the CPU figures" in out


def test_cpu_readings_give_the_ceilings(capsys: pytest.CaptureFixture[str]) -> None:
    _medians({1: [_round(1, 10.0)], 2: [_round(2, 5.0)]})

    out = capsys.readouterr().out
    # A core each, half the pairs each, half the CPU per candle: 2 * 10 / 5 = 4x.
    assert "the CPU figures give 4.00x" in out
    assert "too few candles" not in out
