"""The google_trends indicator: spike rule, weekly alignment without look-ahead, no-data reading."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cryptotrader.domain import Bias, CandleArrays, Timeframe
from cryptotrader.domain.timeframes import DAY_MS, HOUR_MS, WEEK_MS
from cryptotrader.errors import UserInputError
from cryptotrader.indicators import create_indicator
from cryptotrader.indicators.google_trends import trailing_ratio
from cryptotrader.sentiment import DailySeries
from cryptotrader.sentiment.google_trends import availability
from tests.support.builders import random_walk

SUNDAY = 1_704_585_600_000  # 2024-01-07 00:00 UTC: Google's label of that week


def weekly(values: list[float], *, lag: timedelta = timedelta(days=1)) -> DailySeries:
    """A series stamped as the client stamps it: each week known at its end plus ``lag``."""
    starts = SUNDAY + WEEK_MS * np.arange(len(values), dtype=np.int64)
    return DailySeries(availability(starts, lag), np.array(values, dtype=np.float64))


def at(times: list[int]) -> CandleArrays:
    stamps = np.array(times, dtype=np.int64)
    return CandleArrays(stamps, *(np.ones(len(times)) for _ in range(5)))


def test_trailing_ratio_when_hand_computed_divides_by_the_previous_values_mean() -> None:
    ratio = trailing_ratio(np.array([10.0, 20.0, 30.0, 50.0, 0.0]), 2)
    assert np.isnan(ratio[:2]).all()  # no full window before them
    np.testing.assert_allclose(ratio[2:], [30 / 15, 50 / 25, 0 / 40])


def test_trailing_ratio_when_mean_is_zero_is_inf_or_one() -> None:
    ratio = trailing_ratio(np.array([0.0, 0.0, 5.0, 0.0]), 2)
    assert ratio[2] == np.inf
    assert trailing_ratio(np.array([0.0, 0.0, 0.0]), 2)[2] == 1.0


@pytest.mark.parametrize(
    ("last", "strength", "label"),
    [
        (20.0, 0.0, "normal"),  # ratio 1.0
        (15.0, 0.0, "low"),  # 0.75
        (25.0, 0.0, "elevated"),  # 1.25
        (30.0, 0.0, "spike"),  # 1.5: the threshold itself is not bearish yet
        (45.0, -0.5, "spike"),  # 2.25: half way from 1.5 to 3
        (60.0, -1.0, "spike"),  # 3.0
        (100.0, -1.0, "spike"),  # 5.0: capped
    ],
)
def test_google_trends_when_ratio_at_or_beyond_thresholds_reads_hand_computed(
    last: float, strength: float, label: str
) -> None:
    history = weekly([20.0, 20.0, 20.0, 20.0, last])
    indicator = create_indicator("google_trends", {"lookback": 4}, google_trends=history)
    bars = at([int(history.timestamps[-1])])
    values = indicator.compute(bars)
    signal = indicator.interpret(values, bars, Timeframe.D1)
    assert signal.values == {"google_trends": last, "google_trends_ratio": pytest.approx(last / 20)}
    assert signal.strength == pytest.approx(strength)
    assert signal.signal is (Bias.BEARISH if strength < 0 else Bias.NEUTRAL)
    assert signal.label == label
    assert signal.weight == 0.5


def test_google_trends_when_weekly_value_is_only_seen_after_its_week_and_lag() -> None:
    history = weekly([10.0, 20.0, 30.0])
    indicator = create_indicator("google_trends", {"lookback": 2}, google_trends=history)
    week_end = SUNDAY + WEEK_MS  # the Sunday after the first labelled week
    times = [SUNDAY, SUNDAY + 3 * DAY_MS, week_end, week_end + DAY_MS - 1, week_end + DAY_MS]
    values = indicator.compute(at(times))["google_trends"]
    assert np.isnan(values[:4]).all()  # during its week, and before the one-day lag is over
    assert values[4] == 10.0


def test_google_trends_when_no_history_is_neutral_with_weight_0_and_unavailable() -> None:
    indicator = create_indicator("google_trends")
    bars = random_walk(10, step_ms=HOUR_MS)
    values = indicator.compute(bars)
    signal = indicator.interpret(values, bars, Timeframe.H1)
    assert indicator.weight == 0.0
    assert (signal.signal, signal.label, signal.strength, signal.weight) == (
        Bias.NEUTRAL,
        "unavailable",
        0.0,
        0.0,
    )
    assert signal.values == {"google_trends": None, "google_trends_ratio": None}
    assert indicator.strength(values, bars, start=7).tolist() == [0.0] * 3


def test_google_trends_when_history_shorter_than_lookback_is_warming_up() -> None:
    history = weekly([10.0, 20.0])
    indicator = create_indicator("google_trends", google_trends=history)  # lookback 26
    bars = at([int(history.timestamps[-1])])
    signal = indicator.interpret(indicator.compute(bars), bars, Timeframe.D1)
    assert (signal.label, signal.strength, signal.weight) == ("warming_up", 0.0, 0.5)


def test_google_trends_when_last_value_too_old_reads_unavailable() -> None:
    history = weekly([20.0, 20.0, 40.0])
    indicator = create_indicator("google_trends", {"lookback": 2}, google_trends=history)
    bars = at([int(history.timestamps[-1]) + 11 * DAY_MS])  # max age 10 days
    signal = indicator.interpret(indicator.compute(bars), bars, Timeframe.D1)
    assert (signal.label, signal.weight) == ("unavailable", 0.0)


def test_google_trends_when_levels_out_of_order_is_refused() -> None:
    with pytest.raises(UserInputError, match="low < elevated <= spike < extreme"):
        create_indicator("google_trends", {"spike": 4.0})


def test_google_trends_when_answer_rescaled_reads_the_same() -> None:
    """Google rescales each answer to its window's maximum; the scored ratio must not care."""
    raw = [20.0, 22.0, 18.0, 21.0, 50.0]
    bars = at([int(weekly(raw).timestamps[-1])])
    readings = []
    for scale in (1.0, 0.5):
        history = weekly([v * scale for v in raw])
        indicator = create_indicator("google_trends", {"lookback": 4}, google_trends=history)
        values = indicator.compute(bars)
        readings.append((indicator.strength(values, bars)[0], indicator.label(values, bars, 0, 0)))
    assert readings[0][0] == pytest.approx(readings[1][0])
    assert readings[0][1] == readings[1][1] == "spike"


@settings(max_examples=100, deadline=None)
@given(
    values=st.lists(st.integers(0, 100), min_size=3, max_size=20),
    future=st.lists(st.integers(0, 100), min_size=20, max_size=20),
    cut=st.integers(1, 19),
)
def test_google_trends_when_future_weeks_change_earlier_readings_do_not(
    values: list[int], future: list[int], cut: int
) -> None:
    cut = cut % len(values)
    changed = values[:cut] + future[cut : len(values)]
    before = weekly([float(v) for v in values])
    after = weekly([float(v) for v in changed])
    bars = random_walk(24 * 7 * (len(values) + 2), start_ms=SUNDAY, step_ms=HOUR_MS)
    earlier = bars.timestamps < before.timestamps[cut]  # before week ``cut`` became known
    params = {"lookback": 2}
    a = create_indicator("google_trends", params, google_trends=before)
    b = create_indicator("google_trends", params, google_trends=after)
    va, vb = a.compute(bars), b.compute(bars)
    for column in ("google_trends", "google_trends_ratio"):
        np.testing.assert_array_equal(va[column][earlier], vb[column][earlier])
    np.testing.assert_array_equal(a.strength(va, bars)[earlier], b.strength(vb, bars)[earlier])
