"""IndicatorEngine: registration, results, multi-timeframe alignment and no look-ahead."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cryptotrader.bus.messages import IndicatorsComputed
from cryptotrader.domain import CandleArrays, Pair, Timeframe
from cryptotrader.domain.values import utc_from_ms
from cryptotrader.errors import UnknownNameError, UserInputError
from cryptotrader.indicators import create_indicator
from cryptotrader.indicators.engine import IndicatorEngine, align
from cryptotrader.indicators.rsi import Rsi
from cryptotrader.sentiment import DailySeries
from tests.support.builders import random_frame, random_walk

REQUIRED_COLUMNS = [
    "rsi_14",
    "macd",
    "macd_signal",
    "macd_hist",
    "bb_upper",
    "bb_middle",
    "bb_lower",
    "ema_50",
    "sma_200",
    "stochrsi_k",
    "stochrsi_d",
    "adi",
    "obv",
    "atr_14",
    "chop_14",
]

ENGINE = IndicatorEngine.with_default_set()


def perturb_after(candles: CandleArrays, cut: int, seed: int) -> CandleArrays:
    """A copy whose candles from ``cut`` on are replaced by another (valid) random walk."""
    other = random_walk(len(candles), seed=seed + 99_991)
    columns = {}
    for name in ("open", "high", "low", "close", "volume"):
        column = getattr(candles, name).copy()
        column[cut:] = getattr(other, name)[cut:] * (1.0 if name == "volume" else 1.3)
        columns[name] = column
    return CandleArrays(candles.timestamps.copy(), **columns)


def test_compute_when_default_set_has_every_required_column() -> None:
    result = ENGINE.compute(random_frame(500), Timeframe.M1)
    assert set(REQUIRED_COLUMNS) <= set(result.series)
    assert list(result.to_frame().columns) == list(result.series)
    assert set(result.signals) == set(result.strengths)


def test_register_when_column_already_taken_refuses() -> None:
    engine = IndicatorEngine([create_indicator("rsi")])
    with pytest.raises(UserInputError, match="already registered"):
        engine.register_indicator(create_indicator("rsi"))


def test_with_default_set_when_name_unknown_suggests() -> None:
    with pytest.raises(UnknownNameError, match="did you mean 'rsi'"):
        IndicatorEngine.with_default_set(["rsj"])


def test_with_default_set_when_subset_named_computes_only_it() -> None:
    engine = IndicatorEngine.with_default_set(["rsi", "macd"])
    assert [i.key for i in engine.indicators] == ["rsi_14", "macd"]


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(50, 700), data=st.data())
def test_compute_when_future_candles_change_past_results_do_not(
    seed: int, n: int, data: st.DataObject
) -> None:
    candles = random_walk(n, seed=seed)
    cut = data.draw(st.integers(1, n - 1))
    before = ENGINE.compute(candles, Timeframe.M1)
    after = ENGINE.compute(perturb_after(candles, cut, seed), Timeframe.M1)
    for column, values in before.series.items():
        np.testing.assert_array_equal(values[:cut], after.series[column][:cut], err_msg=column)
    for key, values in before.strengths.items():
        np.testing.assert_array_equal(values[:cut], after.strengths[key][:cut], err_msg=key)


def test_align_when_lower_candle_closes_with_higher_one_sees_it() -> None:
    hour = 3_600_000
    minutes = np.array(
        [10 * hour + 58 * 60_000, 10 * hour + 59 * 60_000, 11 * hour], dtype=np.int64
    )
    hours = np.array([9 * hour, 10 * hour, 11 * hour], dtype=np.int64)
    positions = align(minutes, Timeframe.M1, hours, Timeframe.H1)
    # 10:58 closes at 10:59: only the 09:00 hour has closed.
    # 10:59 closes at 11:00, together with the 10:00 hour.
    assert positions.tolist() == [0, 1, 1]


def test_align_when_no_higher_candle_closed_yet_is_minus_one() -> None:
    positions = align(
        np.array([0], dtype=np.int64), Timeframe.M1, np.array([0], dtype=np.int64), Timeframe.H1
    )
    assert positions.tolist() == [-1]


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(200, 1_500), data=st.data())
def test_multi_timeframe_when_future_candles_change_past_aligned_values_do_not(
    seed: int, n: int, data: st.DataObject
) -> None:
    candles = random_walk(n, seed=seed)
    cut = data.draw(st.integers(1, n - 1))
    higher = [Timeframe.M5, Timeframe.M15, Timeframe.H1]
    before = ENGINE.compute_from_base(candles, Timeframe.M1, higher)
    after = ENGINE.compute_from_base(perturb_after(candles, cut, seed), Timeframe.M1, higher)
    for tf in higher:
        for column in before.results[tf].series:
            a, b = before.aligned(tf, column), after.aligned(tf, column)
            np.testing.assert_array_equal(a[:cut], b[:cut], err_msg=f"{tf} {column}")
        for key in before.results[tf].strengths:
            a, b = before.aligned_strength(tf, key), after.aligned_strength(tf, key)
            np.testing.assert_array_equal(a[:cut], b[:cut], err_msg=f"{tf} {key}")


def test_multi_timeframe_when_higher_candle_visible_its_close_is_already_known() -> None:
    candles = random_walk(600, seed=3)
    result = IndicatorEngine([create_indicator("sma", {"period": 1})]).compute_from_base(
        candles, Timeframe.M1, [Timeframe.H1]
    )
    hourly_close = result.aligned(Timeframe.H1, "sma_1")  # SMA(1) is the close itself
    positions = result.positions(Timeframe.H1)
    for i in np.flatnonzero(positions >= 0):
        hour_end = (positions[i] + 1) * 60  # index of the first minute after that hour
        assert hour_end <= i + 1
        assert hourly_close[i] == candles.close[hour_end - 1]


def test_multi_timeframe_to_frame_when_built_prefixes_higher_columns() -> None:
    result = IndicatorEngine.with_default_set(["rsi"]).compute_from_base(
        random_walk(300), Timeframe.M1, [Timeframe.M5]
    )
    frame = result.to_frame()
    assert list(frame.columns) == ["rsi_14", "5m_rsi_14"]
    assert len(frame) == 300


def test_compute_multi_timeframe_when_empty_refuses() -> None:
    with pytest.raises(UserInputError):
        ENGINE.compute_multi_timeframe({})


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 500))
def test_compute_when_only_latest_scored_gives_the_same_readings(seed: int, n: int) -> None:
    candles = random_walk(n, seed=seed)
    full = ENGINE.compute(candles, Timeframe.M1)
    lean = ENGINE.compute(candles, Timeframe.M1, with_strengths=False)
    assert lean.strengths == {}
    assert lean.signals == full.signals


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 500), covered=st.integers(0, 3))
def test_compute_when_plain_readings_asked_they_carry_what_the_signals_say(
    seed: int, n: int, covered: int
) -> None:
    # the live engines put plain readings on the bus: the same message as from the signals,
    # warm-up (NaN values), sentiment missing on some candles (unavailable, weight 0) included
    candles = random_walk(n, seed=seed)
    day = 86_400_000
    first = int(candles.timestamps[0]) // day * day
    history = DailySeries(first + day * np.arange(covered, dtype=np.int64), np.full(covered, 30.0))
    engine = IndicatorEngine.with_default_set(fear_greed=history)
    signals = engine.compute(candles, Timeframe.M1).signals
    plain = engine.compute(candles, Timeframe.M1, plain=True)
    assert plain.signals == {}
    at = utc_from_ms(int(candles.timestamps[-1]))
    pair = Pair.parse("BTC/USDT")
    expected = IndicatorsComputed.from_domain(
        signals, pair=pair, timeframe=Timeframe.M1, candle_time=at, at=at
    )
    built = IndicatorsComputed(
        timestamp=at, pair=pair, timeframe=Timeframe.M1, candle_time=at, indicators=plain.readings
    )
    assert built.model_dump(exclude={"message_id"}) == expected.model_dump(exclude={"message_id"})


def test_compute_when_two_engines_share_an_identical_indicator_it_is_computed_once() -> None:
    candles = random_walk(300, seed=3)
    first = IndicatorEngine([create_indicator("rsi"), create_indicator("ema", {"period": 50})])
    second = IndicatorEngine(
        [create_indicator("rsi", weight=2.0), create_indicator("ema", {"period": 20})]
    )
    shared: dict[object, object] = {}
    a = first.compute(candles, Timeframe.M1, start=290, shared=shared)  # type: ignore[arg-type]
    b = second.compute(candles, Timeframe.M1, start=290, shared=shared)  # type: ignore[arg-type]
    assert len(shared) == 3  # rsi once (weights aside), both EMAs
    assert b.strengths["rsi_14"] is a.strengths["rsi_14"]
    assert b.weights["rsi_14"] == 2.0
    assert not np.shares_memory(b.series["ema_20"], a.series["ema_50"])


def test_keys_rows_pad_and_rows_ready_follow_an_indicator_registered_after_they_were_read() -> None:
    """Kept once read (a live candle time reads them per pair), renewed by a registration."""
    engine = IndicatorEngine([create_indicator("rsi")])
    assert (engine.keys, engine.rows_pad, engine.rows_ready) == (frozenset({"rsi_14"}), 1, True)
    levels = create_indicator("support_resistance")
    engine.register_indicator(levels)
    assert engine.keys == frozenset({"rsi_14", levels.key})
    assert engine.rows_pad == levels.rows_pad > 1
    assert engine.rows_ready

    class NotOnRows(Rsi):  # a plugin whose strength is not scored on rows
        rows_strength = False

    engine.register_indicator(NotOnRows({"period": 7}))
    assert engine.keys == frozenset({"rsi_14", "rsi_7", levels.key})
    assert not engine.rows_ready
