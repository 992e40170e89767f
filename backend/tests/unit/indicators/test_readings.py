"""Each indicator's reading (strength, signal, label), against hand-computed cases."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cryptotrader.domain import Bias, CandleArrays, Timeframe
from cryptotrader.indicators import create_indicator
from cryptotrader.indicators.base import piecewise_extremes
from tests.support.builders import random_walk


def candles_from(
    close: list[float],
    *,
    high: list[float] | None = None,
    low: list[float] | None = None,
    volume: list[float] | None = None,
    open_: list[float] | None = None,
) -> CandleArrays:
    c = np.asarray(close, dtype=np.float64)
    n = c.shape[0]
    return CandleArrays(
        timestamps=1_704_067_200_000 + 3_600_000 * np.arange(n, dtype=np.int64),
        open=np.asarray(open_ if open_ is not None else close, dtype=np.float64),
        high=np.asarray(high if high is not None else close, dtype=np.float64),
        low=np.asarray(low if low is not None else close, dtype=np.float64),
        close=c,
        volume=np.asarray(volume if volume is not None else [1.0] * n, dtype=np.float64),
    )


def test_piecewise_extremes_when_inside_band_is_zero_and_linear_outside() -> None:
    values = np.array([0.0, 15.0, 30.0, 50.0, 70.0, 85.0, 100.0, np.nan])
    strength = piecewise_extremes(values, 30.0, 70.0, 0.0, 100.0)
    np.testing.assert_allclose(strength[:7], [1.0, 0.5, 0.0, 0.0, 0.0, -0.5, -1.0])
    assert math.isnan(strength[7])


def test_rsi_when_price_only_falls_reads_oversold_and_bullish() -> None:
    candles = candles_from([100.0 - i for i in range(30)])  # RSI 0: every change is a loss
    rsi = create_indicator("rsi")
    values = rsi.compute(candles)
    signal = rsi.interpret(values, candles, Timeframe.H1)
    assert signal.values["rsi_14"] == pytest.approx(0.0)
    assert (signal.signal, signal.label, signal.strength) == (Bias.BULLISH, "oversold", 1.0)


def test_rsi_when_warming_up_reads_neutral() -> None:
    candles = candles_from([100.0, 101.0, 102.0])
    rsi = create_indicator("rsi")
    values = rsi.compute(candles)
    signal = rsi.interpret(values, candles, Timeframe.H1)
    assert (signal.signal, signal.label, signal.strength) == (Bias.NEUTRAL, "warming_up", 0.0)
    assert signal.values["rsi_14"] is None  # NaN travels as null


def test_bollinger_when_close_on_lower_band_is_full_bullish() -> None:
    bb = create_indicator("bollinger", {"period": 3})
    candles = candles_from([10.0, 12.0, 8.0])
    values = bb.compute(candles)
    middle = 10.0
    std = math.sqrt(((10 - middle) ** 2 + (12 - middle) ** 2 + (8 - middle) ** 2) / 3)
    assert values["bb_3_2_lower"][-1] == pytest.approx(middle - 2 * std)
    percent_b = (8.0 - (middle - 2 * std)) / (4 * std)
    assert values["bb_3_2_percent_b"][-1] == pytest.approx(percent_b)
    strength = bb.strength(values, candles)
    assert strength[-1] == pytest.approx((0.2 - percent_b) / 0.2)
    assert bb.label(values, candles, 2, float(strength[-1])) == "near_lower_band"


def test_choppiness_when_hand_computed_matches_formula() -> None:
    high = [11.0, 12.0, 13.0, 12.5]
    low = [9.0, 10.0, 11.0, 10.5]
    close = [10.0, 11.0, 12.0, 11.0]
    candles = candles_from(close, high=high, low=low)
    chop = create_indicator("choppiness", {"period": 3})
    values = chop.compute(candles)["chop_3"]
    # true ranges: 2 (first candle: high - low), then max(2, 12-10, 10-10) = 2, max(2, 2, 1) = 2
    # and max(2, 0.5, 1.5) = 2
    expected_at_3 = 100 * math.log10((2 + 2 + 2) / (13.0 - 10.0)) / math.log10(3)
    expected_at_2 = 100 * math.log10((2 + 2 + 2) / (13.0 - 9.0)) / math.log10(3)
    assert math.isnan(values[1])
    assert values[2] == pytest.approx(expected_at_2)
    assert values[3] == pytest.approx(expected_at_3)


def test_fibonacci_when_up_swing_levels_hang_from_the_high() -> None:
    close = [100.0, 90.0, 80.0, 120.0, 200.0, 180.0, 150.0]
    candles = candles_from(close)
    fib = create_indicator("fibonacci", {"lookback": 7, "tolerance": 0.01})
    values = fib.compute(candles)
    assert values["fib_trend"][-1] == 1.0  # the low (80) came before the high (200)
    assert values["fib_500"][-1] == pytest.approx(140.0)
    assert values["fib_618"][-1] == pytest.approx(200 - 0.618 * 120)
    strength = fib.strength(values, candles)
    distance = abs(150.0 - (200 - 0.382 * 120)) / 150.0  # nearest key level: 0.382 at 154.16
    assert strength[-1] == pytest.approx(max(0.0, 1 - distance / 0.01))


def test_fibonacci_when_close_on_618_of_down_swing_reads_resistance() -> None:
    close = [200.0, 150.0, 100.0, 100.0 + 0.618 * 100]
    candles = candles_from(close)
    fib = create_indicator("fibonacci", {"lookback": 4})
    values = fib.compute(candles)
    strength = fib.strength(values, candles)
    assert strength[-1] == pytest.approx(-1.0)
    assert fib.label(values, candles, 3, float(strength[-1])) == "resistance_0.618"


def test_support_resistance_when_pivots_confirmed_reads_nearest_levels() -> None:
    # A peak at 110 (index 2) and a trough at 95 (index 5), pivot window 2.
    close = [100.0, 105.0, 110.0, 104.0, 100.0, 95.0, 99.0, 103.0, 104.0]
    candles = candles_from(close)
    sr = create_indicator("support_resistance", {"pivot_window": 2, "tolerance": 0.02})
    values = sr.compute(candles)
    assert np.isnan(values["resistance"][3])  # the peak at 2 is only confirmed at 4
    assert values["resistance"][4] == 110.0
    assert np.isnan(values["support"][6])  # the trough at 5 is confirmed at 7
    assert values["support"][7] == 95.0
    strength = sr.strength(values, candles)
    assert strength[7] == 0.0  # 103: 7.8% above support, 6.8% below resistance
    assert sr.label(values, candles, 7, 0.0) == "between_levels"


def test_support_resistance_when_close_above_every_pivot_high_reads_breakout() -> None:
    close = [100.0, 105.0, 110.0, 104.0, 100.0, 112.0, 118.0]
    candles = candles_from(close)
    sr = create_indicator("support_resistance", {"pivot_window": 2, "breakout_strength": 0.5})
    values = sr.compute(candles)
    strength = sr.strength(values, candles)
    assert values["sr_above_all"][6] == 1.0
    assert strength[6] == 0.5
    assert sr.label(values, candles, 6, 0.5) == "breakout"


def test_support_resistance_when_compiled_equals_python_kernel() -> None:
    from cryptotrader.indicators._kernels import pivot_levels

    candles = random_walk(2_000, seed=7)
    compiled = pivot_levels(candles.high, candles.low, candles.close, 5, 12, 300)
    plain = pivot_levels(candles.high, candles.low, candles.close, 5, 12, 300, compiled=False)
    for a, b in zip(compiled, plain, strict=True):
        np.testing.assert_array_equal(a, b)


def test_pivots_when_compared_with_a_direct_definition_agree() -> None:
    from cryptotrader.indicators._kernels import pivots

    candles = random_walk(1_000, seed=5)
    rounded = np.round(candles.high, -1)  # coarse prices create plateaus and ties
    is_high, _ = pivots(rounded, rounded, 3)
    expected = [
        3 <= i < 997
        and rounded[i] > rounded[i - 3 : i].max()
        and rounded[i] >= rounded[i + 1 : i + 4].max()
        for i in range(1_000)
    ]
    assert is_high.tolist() == expected


def test_volume_when_spike_on_up_candle_reads_bullish_confirmation() -> None:
    volume = [10.0] * 5 + [40.0]
    close = [100.0] * 5 + [101.0]
    candles = candles_from(close, volume=volume)
    vol = create_indicator("volume", {"period": 5, "spike": 1.5, "full_strength": 3.0})
    values = vol.compute(candles)
    relative = 40.0 / ((10.0 * 4 + 40.0) / 5)
    assert values["volume_rel"][-1] == pytest.approx(relative)
    strength = vol.strength(values, candles)
    assert strength[-1] == pytest.approx(min(1.0, (relative - 1.5) / 1.5))
    assert vol.label(values, candles, 5, float(strength[-1])) == "volume_spike_up"


def test_adi_when_closes_at_highs_reads_accumulation_with_flow_one() -> None:
    n = 30
    close = [100.0 + i for i in range(n)]
    candles = candles_from(close, high=close, low=[c - 2 for c in close])
    adi = create_indicator("adi", {"lookback": 10})
    values = adi.compute(candles)
    assert values["adi_flow"][-1] == pytest.approx(1.0)  # every candle closes at its high
    strength = adi.strength(values, candles)
    assert adi.label(values, candles, n - 1, float(strength[-1])) == "accumulation"


def test_adi_when_any_series_flow_stays_within_unit_interval() -> None:
    candles = random_walk(5_000, seed=11)
    flow = create_indicator("adi").compute(candles)["adi_flow"]
    finite = flow[~np.isnan(flow)]
    assert finite.size
    assert np.all(np.abs(finite) <= 1.0 + 1e-9)


@pytest.mark.parametrize("name", ["ema", "sma"])
def test_moving_average_when_close_far_above_reads_bullish(name: str) -> None:
    close = [100.0] * 60 + [130.0]
    candles = candles_from(close, high=[c + 1 for c in close], low=[c - 1 for c in close])
    indicator = create_indicator(name, {"period": 10})
    values = indicator.compute(candles)
    strength = indicator.strength(values, candles)
    assert strength[-1] == 1.0
    assert indicator.label(values, candles, 60, 1.0) == "above"
    assert strength[55] == 0.0  # flat price sits on its average
