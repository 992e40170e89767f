"""Several pairs' last rows at once (``IndicatorEngine.compute_rows``) equal ``compute`` per pair.

A live candle time brings one candle for each of many pairs; the indicator worker scores their
rows together. Every built-in indicator's series, strength and reading of those rows must be
what ``compute`` gives over each pair's window alone, bit for bit (the bytes of the floats, not
a tolerance): on real candles and on hypothesis series with flat runs, gaps, zero volumes and
NaN-led starts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cryptotrader.domain.market import CandleArrays, FloatArray
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.indicators import create_indicator, indicator_class
from cryptotrader.indicators.defaults import DEFAULT_SET, _keywords
from cryptotrader.indicators.engine import IndicatorEngine, PendingReading
from cryptotrader.marketdata import read_ohlcv
from cryptotrader.sentiment.fear_greed import load_fear_greed_csv
from cryptotrader.sentiment.series import DailySeries
from cryptotrader.strategies.context import context_arrays
from cryptotrader.strategies.evaluation import context_rows
from tests.unit.indicators.test_streaming import candles

#: Every built-in indicator with the bots' parameters, and the variants the strategies add.
BUILT_IN: list[tuple[str, dict[str, Any], float | None]] = [
    *DEFAULT_SET,
    ("sma", {"period": 1}, 0.0),  # bench_flip's close
    ("ema", {"period": 2}, None),
    ("bollinger", {"period": 10, "std_dev": 1.5}, None),
    ("support_resistance", {"pivot_window": 2, "lookback": 40, "max_levels": 3}, None),
]
DAY = 86_400_000


def engine(name: str, params: dict[str, Any], weight: float | None, **deps: Any) -> IndicatorEngine:
    accepted = {k: v for k, v in deps.items() if k in _keywords(indicator_class(name))}
    return IndicatorEngine([create_indicator(name, params, weight=weight, **accepted)])


def bits(values: FloatArray) -> bytes:
    return np.ascontiguousarray(values, dtype=np.float64).tobytes()


def read(pending: list[tuple[str, PendingReading]]) -> list[tuple[str, Any]]:
    return [(key, reading.read()) for key, reading in pending]


def assert_rows_exact(
    engine: IndicatorEngine,
    windows: list[CandleArrays],
    rows: int,
    timeframe: Timeframe,
    with_strengths: bool = True,
) -> None:
    """``compute_rows`` against ``compute`` over each window (series, strengths, readings)."""
    later: list[list[tuple[str, PendingReading]]] = [[] for _ in windows]
    together = engine.compute_rows(
        windows, timeframe, rows, with_strengths=with_strengths, later=later
    )
    for p, window in enumerate(windows):
        alone_later: list[tuple[str, PendingReading]] = []
        alone = engine.compute(
            window,
            timeframe,
            with_strengths=with_strengths,
            plain=True,
            start=len(window) - rows,
            later=alone_later,
        )
        assert list(together.series) == list(alone.series)
        for column, values in alone.series.items():
            assert bits(together.series[column][:, p]) == bits(values), (column, p)
        assert list(together.strengths) == list(alone.strengths)
        for key, values in alone.strengths.items():
            assert bits(together.strengths[key][:, p]) == bits(values), (key, p)
        assert together.weights == alone.weights
        got, want = read(later[p]), read(alone_later)
        assert repr(got) == repr(want), p  # repr: NaN equal to NaN, 0.0 told from -0.0


def daily(start_ms: int, days: int, seed: int) -> DailySeries:
    rng = np.random.default_rng(seed)
    stamps = start_ms - start_ms % DAY + np.arange(days, dtype=np.int64) * DAY
    keep = rng.random(days) > 0.1  # missing days, as upstream has
    keep[0] = True
    return DailySeries(stamps[keep], rng.integers(0, 101, days).astype(np.float64)[keep])


@settings(max_examples=20, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    lengths=st.lists(st.integers(0, 300), min_size=1, max_size=4),
    flat=st.integers(0, 60),
    nan_led=st.integers(0, 3),
    jump=st.sampled_from([1.0, 1.3, 0.6]),
    rows=st.integers(1, 3),
    scored=st.booleans(),
)
def test_rows_of_every_built_in_equal_each_window_computed_alone(
    *, seed: int, lengths: list[int], flat: int, nan_led: int, jump: float, rows: int, scored: bool
) -> None:
    deps = {
        "fear_greed": daily(0, 40, seed),
        "google_trends": daily(-30 * DAY, 12, seed + 1),
    }
    for name, params, weight in BUILT_IN:
        one = engine(name, params, weight, **deps)
        least = rows + one.rows_pad
        windows = [
            candles(seed + k, least + n, flat, nan_led if k % 2 else 0, jump)
            for k, n in enumerate(lengths)
        ]
        assert_rows_exact(one, windows, rows, Timeframe.M1, with_strengths=scored)
    # and the whole set in one engine, as a bot's (indicators sharing the ATR)
    whole = IndicatorEngine([create_indicator(n, p, weight=w) for n, p, w in BUILT_IN[:12]])
    windows = [candles(seed + k, rows + 10 + n, flat, 0, jump) for k, n in enumerate(lengths)]
    assert_rows_exact(whole, windows, rows, Timeframe.M1)


def test_a_sentiment_indicator_without_history_scores_every_pairs_rows_zero() -> None:
    windows = [candles(k, 50, 0, 0, 1.0) for k in range(3)]
    for name in ("fear_greed", "google_trends"):
        assert_rows_exact(engine(name, {}, None), windows, 2, Timeframe.M1)


@pytest.mark.shared_data
@pytest.mark.parametrize("rows", [1, 2])
def test_rows_on_real_candles_equal_each_window_computed_alone(
    shared_data: Path, rows: int
) -> None:
    fear_greed = load_fear_greed_csv(shared_data / "alternative-me_fear-greed_1d.csv")
    minutes = read_ohlcv(shared_data / "binance_BTC-USDT_1m.csv.gz").arrays
    hours = read_ohlcv(shared_data / "binance_ETH-USDT_1h.csv.gz").arrays
    for source, timeframe in ((minutes, Timeframe.M1), (hours, Timeframe.H1)):
        # pairs of different window lengths (a window still growing, one at the live length)
        starts = (3_000, 9_000, 17_000, 25_000)
        lengths = (260, 700, 1_300, 1_301)
        for step in range(0, 60, 3):  # candle times, each window one candle further
            windows = [
                source.slice(s + step, s + step + n) for s, n in zip(starts, lengths, strict=True)
            ]
            for name, params, weight in BUILT_IN:
                assert_rows_exact(
                    engine(name, params, weight, fear_greed=fear_greed), windows, rows, timeframe
                )


@settings(max_examples=15, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    lengths=st.lists(st.integers(0, 80), min_size=1, max_size=3),
    nan_led=st.integers(0, 3),
    rows=st.integers(1, 3),
)
def test_the_context_of_the_rows_is_each_windows_own(
    *, seed: int, lengths: list[int], nan_led: int, rows: int
) -> None:
    """``context_rows`` against ``context_arrays``: warm-up rows (NaN) included."""
    deps = {"fear_greed": daily(0, 40, seed)}
    whole = IndicatorEngine([engine(n, p, w, **deps).indicators[0] for n, p, w in BUILT_IN[:13]])
    windows = [
        candles(seed + k, rows + 10 + n, 0, nan_led if k % 2 else 0, 1.0)
        for k, n in enumerate(lengths)
    ]
    trends = [np.sign(np.linspace(-1.0, 1.0, rows)) if k % 2 else None for k in range(len(lengths))]
    together = context_rows(whole.compute_rows(windows, Timeframe.M1, rows), trends)
    for p, window in enumerate(windows):
        alone = context_arrays(whole.compute(window, Timeframe.M1, start=len(window) - rows))
        for field in alone.__slots__:
            want = getattr(alone, field)
            if field == "higher_trend":
                want = np.full(rows, np.nan) if trends[p] is None else trends[p]
            assert bits(getattr(together, field)[:, p]) == bits(want), (field, p)


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    extra=st.lists(st.integers(-2, 4), min_size=1, max_size=4),
    nan_led=st.integers(1, 3),
    rows=st.integers(1, 3),
)
def test_support_resistance_rows_where_the_tail_meets_a_nan_led_start(
    *, seed: int, extra: list[int], nan_led: int, rows: int
) -> None:
    """Windows about as long as the kernel's tail (memory + rows + pad), NaN-led."""
    one = engine("support_resistance", {"pivot_window": 2, "lookback": 40, "max_levels": 3}, None)
    reach = 40 + 2 + rows + one.rows_pad
    windows = [
        candles(seed + k, reach + e, 0, nan_led if k % 2 == 0 else 0, 1.0)
        for k, e in enumerate(extra)
    ]
    assert_rows_exact(one, windows, rows, Timeframe.M1)


def test_adi_rows_less_than_a_lookback_into_a_window_without_volume_have_no_flow() -> None:
    """A window whose first candles have no volume: ``compute`` leaves their flow NaN."""
    windows = []
    for k, n in enumerate((21, 22, 24, 30)):
        c = candles(k, n, 0, 0, 1.0)
        c.volume[:20] = 0.0
        windows.append(c)
    one = engine("adi", {"lookback": 20}, None)
    for rows in (1, 2, 3):
        assert_rows_exact(one, windows, rows, Timeframe.M1)
