"""The fear_greed indicator: contrarian reading, alignment without look-ahead, no-data reading."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cryptotrader.domain import Bias, CandleArrays, Timeframe
from cryptotrader.domain.timeframes import DAY_MS, HOUR_MS, MINUTE_MS
from cryptotrader.errors import UserInputError
from cryptotrader.indicators import create_indicator
from cryptotrader.indicators.engine import IndicatorEngine
from cryptotrader.sentiment import DailySeries, load_fear_greed_csv
from tests.support.builders import random_walk

D0 = 1_704_067_200_000  # 2024-01-01 00:00 UTC

# value -> (strength, label), by hand: 0 inside [25, 75], linear to +1 at 0 and -1 at 100.
HAND_COMPUTED = [
    (0.0, 1.0, "extreme_fear"),
    (5.0, 0.8, "extreme_fear"),
    (12.5, 0.5, "extreme_fear"),
    (25.0, 0.0, "extreme_fear"),
    (26.0, 0.0, "fear"),
    (46.0, 0.0, "fear"),
    (47.0, 0.0, "neutral"),
    (54.0, 0.0, "neutral"),
    (55.0, 0.0, "greed"),
    (75.0, 0.0, "greed"),
    (76.0, -0.04, "extreme_greed"),
    (87.5, -0.5, "extreme_greed"),
    (100.0, -1.0, "extreme_greed"),
]


def daily(values: list[float], start: int = D0) -> DailySeries:
    return DailySeries(start + DAY_MS * np.arange(len(values), dtype=np.int64), np.array(values))


def candles(n: int, *, start: int = D0, step: int = DAY_MS) -> CandleArrays:
    return random_walk(n, start_ms=start, step_ms=step)


@pytest.mark.parametrize(("value", "strength", "label"), HAND_COMPUTED)
def test_fear_greed_when_value_at_or_beyond_thresholds_reads_hand_computed(
    value: float, strength: float, label: str
) -> None:
    indicator = create_indicator("fear_greed", fear_greed=daily([value]))
    bars = candles(1)
    values = indicator.compute(bars)
    signal = indicator.interpret(values, bars, Timeframe.D1)
    assert signal.values == {"fear_greed": value}
    assert signal.strength == pytest.approx(strength)
    assert signal.label == label
    expected_bias = Bias.BULLISH if strength > 0 else Bias.BEARISH if strength < 0 else Bias.NEUTRAL
    assert signal.signal is expected_bias
    assert signal.weight == 1.0


def test_fear_greed_when_strengths_of_all_candles_match_the_readings() -> None:
    history = daily([v for v, _, _ in HAND_COMPUTED])
    indicator = create_indicator("fear_greed", fear_greed=history)
    bars = candles(len(HAND_COMPUTED))
    values = indicator.compute(bars)
    strengths = indicator.strength(values, bars)
    np.testing.assert_allclose(strengths, [s for _, s, _ in HAND_COMPUTED], atol=1e-12)
    np.testing.assert_array_equal(indicator.strength(values, bars, start=5), strengths[5:])


def test_fear_greed_when_thresholds_changed_uses_them() -> None:
    params = {"extreme_fear": 10.0, "fear": 30.0, "greed": 70.0, "extreme_greed": 90.0}
    indicator = create_indicator("fear_greed", params, fear_greed=daily([5.0, 20.0, 95.0]))
    bars = candles(3)
    values = indicator.compute(bars)
    np.testing.assert_allclose(indicator.strength(values, bars), [0.5, 0.0, -0.5])
    assert [indicator.label(values, bars, i, 0.0) for i in range(3)] == [
        "extreme_fear",
        "fear",
        "extreme_greed",
    ]


def test_fear_greed_when_thresholds_out_of_order_is_refused() -> None:
    with pytest.raises(UserInputError, match="extreme_fear < fear < greed <= extreme_greed"):
        create_indicator("fear_greed", {"fear": 80.0})


def test_fear_greed_when_candle_at_2359_does_not_see_the_next_days_value() -> None:
    indicator = create_indicator("fear_greed", fear_greed=daily([10.0, 90.0]))
    times = np.array([D0, D0 + DAY_MS - MINUTE_MS, D0 + DAY_MS], dtype=np.int64)
    bars = CandleArrays(times, *(np.ones(3) for _ in range(5)))
    values = indicator.compute(bars)
    assert values["fear_greed"].tolist() == [10.0, 10.0, 90.0]
    assert indicator.interpret(values, bars, Timeframe.M1, index=1).label == "extreme_fear"


def test_fear_greed_when_no_history_is_neutral_with_weight_0_and_unavailable() -> None:
    indicator = create_indicator("fear_greed", weight=2.0)
    bars = candles(5)
    values = indicator.compute(bars)
    signal = indicator.interpret(values, bars, Timeframe.D1)
    assert indicator.weight == 0.0
    assert (signal.signal, signal.label, signal.strength, signal.weight) == (
        Bias.NEUTRAL,
        "unavailable",
        0.0,
        0.0,
    )
    assert signal.values == {"fear_greed": None}
    assert indicator.strength(values, bars).tolist() == [0.0] * 5


def test_fear_greed_when_history_does_not_cover_the_candle_reads_unavailable() -> None:
    indicator = create_indicator("fear_greed", fear_greed=daily([10.0]))
    bars = candles(6)  # days 0..5; the only value is from day 0, max age 3 days
    values = indicator.compute(bars)
    strengths = indicator.strength(values, bars)
    assert strengths[0] == pytest.approx(0.6)
    assert np.isnan(strengths[4:]).all()  # undefined, like a warm-up: nobody listens
    signal = indicator.interpret(values, bars, Timeframe.D1, strengths=strengths)
    assert (signal.label, signal.weight, signal.strength) == ("unavailable", 0.0, 0.0)
    assert indicator.weight == 1.0  # the indicator itself still counts where it has data


def test_fear_greed_when_run_by_the_engine_takes_its_history_as_a_dependency() -> None:
    engine = IndicatorEngine.with_default_set(["fear_greed", "rsi"], fear_greed=daily([80.0]))
    result = engine.compute(candles(1), Timeframe.D1)
    signal = result.signals["fear_greed"]
    assert signal.label == "extreme_greed"
    assert signal.strength == pytest.approx(-0.2)
    assert result.weights["fear_greed"] == 1.0
    assert result.series["fear_greed"].tolist() == [80.0]


def test_default_set_when_no_sentiment_given_includes_both_with_weight_0() -> None:
    engine = IndicatorEngine.with_default_set()
    weights = {i.key: i.weight for i in engine.indicators}
    assert weights["fear_greed"] == 0.0
    assert weights["google_trends"] == 0.0


@settings(max_examples=100, deadline=None)
@given(
    values=st.lists(st.integers(0, 100), min_size=3, max_size=30),
    future=st.lists(st.integers(0, 100), min_size=30, max_size=30),
    cut=st.integers(1, 29),
)
def test_fear_greed_when_future_values_change_earlier_readings_do_not(
    values: list[int], future: list[int], cut: int
) -> None:
    cut = cut % len(values)
    changed = values[:cut] + future[cut : len(values)]
    bars = candles(24 * len(values), step=HOUR_MS)  # hourly candles over the whole history
    before = create_indicator("fear_greed", fear_greed=daily([float(v) for v in values]))
    after = create_indicator("fear_greed", fear_greed=daily([float(v) for v in changed]))
    earlier = slice(0, 24 * cut)  # candles opened before day ``cut``
    values_before, values_after = before.compute(bars), after.compute(bars)
    np.testing.assert_array_equal(
        values_before["fear_greed"][earlier], values_after["fear_greed"][earlier]
    )
    np.testing.assert_array_equal(
        before.strength(values_before, bars)[earlier], after.strength(values_after, bars)[earlier]
    )


def test_fear_greed_when_real_history_read_daily_matches_the_files_values_and_labels(
    shared_data: Path,
) -> None:
    history = load_fear_greed_csv(shared_data / "alternative-me_fear-greed_1d.csv")
    indicator = create_indicator("fear_greed", fear_greed=history)
    bars = candles(2_000, start=int(history.timestamps[0]))  # 2018-02-01 .. 2023-07-24
    values = indicator.compute(bars)
    # Daily candles bridge the 2018-04-14..16 hole: on the 16th, the 13th's value is 3 days old.
    assert not np.isnan(values["fear_greed"]).any()
    day = np.searchsorted(history.timestamps, bars.timestamps, side="right") - 1
    np.testing.assert_array_equal(values["fear_greed"], history.values[day])
    labels = history.labels
    assert labels is not None
    ours = [indicator.label(values, bars, i, 0.0) for i in range(len(bars))]
    theirs = [labels[d].lower().replace(" ", "_") for d in day]
    assert ours == theirs  # our band edges are alternative.me's, on every real day


def test_the_same_candle_times_are_aligned_once_and_shared_read_only() -> None:
    indicator = create_indicator("fear_greed", fear_greed=daily([10.0, 20.0, 30.0, 40.0]))
    first = candles(3, start=D0 + DAY_MS)
    other_pair = random_walk(3, start_ms=D0 + DAY_MS, step_ms=DAY_MS, seed=9)  # same times
    shifted = candles(3, start=D0 + HOUR_MS)
    a = indicator.compute(first)["fear_greed"]
    b = indicator.compute(other_pair)["fear_greed"]
    c = indicator.compute(shifted)["fear_greed"]
    assert b is a  # aligned once for both pairs of the candle time
    assert not a.flags.writeable
    assert a.tolist() == [20.0, 30.0, 40.0]
    assert c.tolist() == [10.0, 20.0, 30.0]  # other times: aligned again
