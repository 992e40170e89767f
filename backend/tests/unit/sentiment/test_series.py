"""DailySeries: alignment onto candle open times without look-ahead, and staleness."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cryptotrader.domain.timeframes import DAY_MS, HOUR_MS, MINUTE_MS
from cryptotrader.sentiment import DailySeries

D0 = 1_704_067_200_000  # 2024-01-01 00:00 UTC


def _days(*values: float, start: int = D0) -> DailySeries:
    stamps = start + DAY_MS * np.arange(len(values), dtype=np.int64)
    return DailySeries(stamps, np.array(values, dtype=np.float64))


def test_align_when_candle_at_2359_of_day_d_sees_day_d_not_d_plus_1() -> None:
    series = _days(10, 90)
    last_minute_of_d = D0 + DAY_MS - MINUTE_MS
    aligned = series.align(np.array([D0, last_minute_of_d, D0 + DAY_MS]))
    assert aligned.tolist() == [10.0, 10.0, 90.0]


def test_align_when_candle_before_first_value_is_nan() -> None:
    aligned = _days(10).align(np.array([D0 - 1, D0]))
    assert np.isnan(aligned[0])
    assert aligned[1] == 10.0


def test_align_when_latest_value_older_than_max_age_is_nan() -> None:
    series = _days(10)  # one value, then nothing (a missing stretch upstream)
    times = np.array([D0 + 3 * DAY_MS, D0 + 3 * DAY_MS + 1, D0 + DAY_MS])
    aligned = series.align(times)  # default max age: 3 days
    assert aligned[0] == 10.0  # exactly 3 days old: still used
    assert np.isnan(aligned[1])  # older than 3 days
    assert aligned[2] == 10.0


def test_align_when_max_age_given_uses_it_and_none_carries_forever() -> None:
    series = _days(10)
    times = np.array([D0 + 2 * HOUR_MS, D0 + 400 * DAY_MS])
    short = series.align(times, max_age=timedelta(hours=1))
    assert np.isnan(short).all()
    assert series.align(times, max_age=None).tolist() == [10.0, 10.0]


def test_align_when_gap_in_history_resumes_at_next_value() -> None:
    stamps = np.array([D0, D0 + 5 * DAY_MS], dtype=np.int64)
    series = DailySeries(stamps, np.array([10.0, 20.0]))
    times = D0 + DAY_MS * np.array([0, 3, 4, 5], dtype=np.int64)
    aligned = series.align(times)
    assert aligned[0] == 10.0
    assert aligned[1] == 10.0
    assert np.isnan(aligned[2])
    assert aligned[3] == 20.0


def test_align_when_series_empty_is_all_nan() -> None:
    empty = DailySeries(np.array([], dtype=np.int64), np.array([], dtype=np.float64))
    assert np.isnan(empty.align(np.array([D0, D0 + 1]))).all()


def test_series_when_timestamps_not_increasing_is_refused() -> None:
    with pytest.raises(ValueError, match="strictly increasing"):
        DailySeries(np.array([D0, D0]), np.array([1.0, 2.0]))


def test_series_when_lengths_differ_is_refused() -> None:
    with pytest.raises(ValueError, match="one length"):
        DailySeries(np.array([D0, D0 + 1]), np.array([1.0]))
    with pytest.raises(ValueError, match="labels"):
        DailySeries(np.array([D0]), np.array([1.0]), labels=("a", "b"))


def test_series_when_built_copies_and_freezes_its_arrays() -> None:
    values = np.array([1.0, 2.0])
    series = DailySeries(np.array([D0, D0 + DAY_MS]), values)
    values[0] = 99.0
    assert series.values[0] == 1.0
    with pytest.raises(ValueError, match="read-only"):
        series.values[0] = 5.0


@settings(max_examples=200, deadline=None)
@given(
    original=st.lists(st.integers(0, 100), min_size=2, max_size=40),
    replacement=st.lists(st.integers(0, 100), min_size=40, max_size=40),
    cut=st.integers(0, 39),
    offsets=st.lists(st.integers(-DAY_MS, 45 * DAY_MS), min_size=1, max_size=60),
)
def test_align_when_future_values_change_earlier_candles_are_unchanged(
    original: list[int], replacement: list[int], cut: int, offsets: list[int]
) -> None:
    cut = cut % len(original)
    changed = original[:cut] + replacement[cut : len(original)]
    times = D0 + np.array(offsets, dtype=np.int64)
    before = _days(*original).align(times)
    after = _days(*changed).align(times)
    earlier = times < D0 + cut * DAY_MS  # candles opened before the first changed value
    np.testing.assert_array_equal(before[earlier], after[earlier])
