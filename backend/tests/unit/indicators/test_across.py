"""The loops over several pairs' windows at once (``_across``) against TA-Lib and the pivot kernel.

Bit for bit, per window: TA-Lib MAX/MAXINDEX/MIN/MININDEX over the whole window (the index
depends on where the window starts when equal values meet), and ``pivot_levels`` over the
window's last candles. Coarse prices make ties (plateaus, equal highs a period apart).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import talib
from hypothesis import given, settings
from hypothesis import strategies as st

from cryptotrader.domain.market import CandleArrays
from cryptotrader.indicators import _across
from cryptotrader.indicators._kernels import pivot_levels
from cryptotrader.indicators._shared import stack_rows, window_matrix
from cryptotrader.indicators.atr import true_range
from cryptotrader.marketdata import read_ohlcv
from tests.unit.indicators.test_streaming import candles


def coarse(seed: int, n: int, digits: int) -> CandleArrays:
    """A random walk rounded to ``digits``: many equal highs and lows."""
    c = candles(seed, n, 0, 0, 1.0)
    o, h, lo, cl = (np.round(getattr(c, f), digits) for f in ("open", "high", "low", "close"))
    return CandleArrays(c.timestamps, o, h, lo, cl, c.volume)


def assert_extremes_exact(windows: list[CandleArrays], period: int, take: int) -> None:
    stacked = stack_rows(windows, take)
    for field, highest, value_of, index_of in (
        ("high", True, talib.MAX, talib.MAXINDEX),
        ("low", False, talib.MIN, talib.MININDEX),
    ):
        matrix = window_matrix(windows, stacked, field)
        assert matrix is not None
        for compiled in (True, False):
            loop = _across.kernel("extremes", compiled=compiled)
            got, got_at = loop(*matrix, period, take, highest)
            for p, window in enumerate(windows):
                values = getattr(window, field)
                want = value_of(values, timeperiod=period)[-take:]
                want_at = index_of(values, timeperiod=period)[-take:]
                assert got[:, p].tobytes() == want.tobytes(), (field, p, compiled)
                np.testing.assert_array_equal(got_at[:, p], want_at, err_msg=f"{field} {p}")


def assert_levels_exact(
    windows: list[CandleArrays], window: int, max_levels: int, lookback: int, take: int
) -> None:
    stacked = stack_rows(windows, take)
    high, starts = window_matrix(windows, stacked, "high") or (None, None)
    low, _ = window_matrix(windows, stacked, "low") or (None, None)
    close, _ = window_matrix(windows, stacked, "close") or (None, None)
    assert high is not None
    assert low is not None
    assert close is not None
    assert starts is not None
    reach = lookback + window + take
    starts = np.maximum(starts, high.shape[1] - reach)
    for compiled in (True, False):
        loop = _across.kernel("levels", compiled=compiled)
        got = loop(high, low, close, starts, window, max_levels, lookback, take)
        for p, w in enumerate(windows):
            tail = w.slice(max(0, len(w) - reach), len(w))
            want = pivot_levels(tail.high, tail.low, tail.close, window, max_levels, lookback)
            for column, (a, b) in enumerate(zip(got, want, strict=True)):
                assert a[:, p].tobytes() == b[-take:].tobytes(), (column, p, compiled)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    lengths=st.lists(st.integers(0, 400), min_size=1, max_size=5),
    digits=st.sampled_from([0, 1, 2, 6]),
    period=st.sampled_from([2, 3, 14, 100]),
    take=st.integers(1, 12),
)
def test_extremes_of_every_window_equal_talib_over_it(
    *, seed: int, lengths: list[int], digits: int, period: int, take: int
) -> None:
    windows = [coarse(seed + k, take + n, digits) for k, n in enumerate(lengths)]
    assert_extremes_exact(windows, period, take)


def test_extremes_on_a_flat_series_step_from_the_window_start() -> None:
    """No period with a unique extreme near the rows: TA-Lib's loop from the start."""
    flat = candles(1, 300, 0, 0, 1.0)
    for array in (flat.high, flat.low):
        array[150:] = 7.0  # a plateau longer than the period, up to the last row
        array[20] = 7.0  # and equal to an earlier candle
    windows = [flat, flat.slice(1, 300), flat.slice(40, 300), coarse(3, 300, 0)]
    for period, take in ((100, 1), (100, 11), (14, 3)):
        assert_extremes_exact(windows, period, take)


def assert_sums_exact(windows: list[CandleArrays], period: int, take: int) -> None:
    """SUM of the true ranges against TA-Lib over each window."""
    stacked = stack_rows(windows, take)
    found = _across.matrices(windows, stacked, ("high", "low", "close"))
    assert found is not None
    (high, starts), (low, _), (close, _) = found
    for compiled in (True, False):
        ranges = _across.kernel("true_ranges", compiled=compiled)(high, low, close, starts)
        tr_sum = _across.kernel("sums", compiled=compiled)(ranges, starts, period, take)
        for p, w in enumerate(windows):
            want_sum = talib.SUM(true_range(w), timeperiod=period)[-take:]
            assert tr_sum[:, p].tobytes() == want_sum.tobytes(), (p, compiled)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    lengths=st.lists(st.integers(0, 300), min_size=1, max_size=4),
    digits=st.sampled_from([0, 2, 6]),
    period=st.sampled_from([2, 14, 20]),
    take=st.integers(1, 12),
)
def test_running_sums_of_every_window_equal_talib_over_it(
    *, seed: int, lengths: list[int], digits: int, period: int, take: int
) -> None:
    windows = [coarse(seed + k, take + n, digits) for k, n in enumerate(lengths)]
    assert_sums_exact(windows, period, take)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    lengths=st.lists(st.integers(0, 200), min_size=1, max_size=4),
    digits=st.sampled_from([0, 1, 6]),
    params=st.sampled_from([(5, 12, 300), (2, 3, 40), (2, 1, 2), (3, 100, 50)]),
    take=st.integers(1, 12),
)
def test_levels_of_every_window_equal_the_pivot_kernel_over_its_tail(
    *, seed: int, lengths: list[int], digits: int, params: tuple[int, int, int], take: int
) -> None:
    window, max_levels, lookback = params
    windows = [coarse(seed + k, take + n, digits) for k, n in enumerate(lengths)]
    assert_levels_exact(windows, window, max_levels, lookback, take)


def test_a_window_with_a_nan_has_no_matrix() -> None:
    windows = [candles(1, 50, 0, 0, 1.0), candles(2, 60, 0, 2, 1.0)]
    stacked = stack_rows(windows, 5)
    assert window_matrix(windows, stacked, "high") is None
    assert window_matrix(windows[:1], stack_rows(windows[:1], 5), "high") is not None


@pytest.mark.shared_data
def test_on_real_minutes_sliding_every_loop_equals_talib_and_the_kernel(
    shared_data: Path,
) -> None:
    minutes = read_ohlcv(shared_data / "binance_BTC-USDT_1m.csv.gz").arrays
    starts = (3_000, 9_000, 17_000, 25_000, 31_000)
    lengths = (260, 700, 1_263, 1_263, 1_301)
    for step in range(0, 120, 7):
        spans = zip(starts, lengths, strict=True)
        windows = [minutes.slice(s + step, s + step + n) for s, n in spans]
        assert_extremes_exact(windows, 100, 11)
        assert_extremes_exact(windows, 14, 11)
        assert_levels_exact(windows, 5, 12, 300, 11)
        assert_sums_exact(windows, 14, 11)
        assert_sums_exact(windows, 20, 11)
