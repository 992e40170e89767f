"""TA-Lib's streams, stepped for several pairs at once, equal its batch values bit for bit.

Every TA-Lib function (and parameters) the built-in indicators call: a pair's stream opened over
its history then stepped candle by candle gives, on every candle, the value a batch call over
the pair's whole series gives (``np.array_equal``, not a tolerance).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import talib
from hypothesis import given, settings
from hypothesis import strategies as st

from cryptotrader.domain.market import CandleArrays
from cryptotrader.indicators.atr import true_range
from cryptotrader.indicators.streaming import (
    TRUE_RANGE,
    PairStreams,
    SeriesStreams,
    attach,
    talib_rows,
)
from cryptotrader.marketdata import read_ohlcv
from cryptotrader.strategies.evaluation import grid_start

CLOSE, HLC, HLCV, CV, HIGH, LOW, VOLUME = (
    ("close",),
    ("high", "low", "close"),
    ("high", "low", "close", "volume"),
    ("close", "volume"),
    ("high",),
    ("low",),
    ("volume",),
)

#: (function, inputs read, outputs, parameters): what rsi, ema, sma, atr, macd, bollinger,
#: stoch_rsi, volume, adi, fibonacci, choppiness and support_resistance call, with defaults.
SPECS: list[tuple[str, tuple[str, ...], int, dict[str, Any]]] = [
    ("RSI", CLOSE, 1, {"timeperiod": 14}),
    ("EMA", CLOSE, 1, {"timeperiod": 50}),
    ("EMA", CLOSE, 1, {"timeperiod": 2}),
    ("SMA", CLOSE, 1, {"timeperiod": 200}),
    ("SMA", CLOSE, 1, {"timeperiod": 1}),
    ("SMA", VOLUME, 1, {"timeperiod": 20}),
    ("ATR", HLC, 1, {"timeperiod": 14}),
    ("TRANGE", HLC, 1, {}),
    ("MACD", CLOSE, 3, {"fastperiod": 12, "slowperiod": 26, "signalperiod": 9}),
    ("BBANDS", CLOSE, 3, {"timeperiod": 20, "nbdevup": 2.0, "nbdevdn": 2.0, "matype": 0}),
    ("STOCHRSI", CLOSE, 2, {"timeperiod": 14, "fastk_period": 14, "fastd_period": 3}),
    ("MAX", HIGH, 1, {"timeperiod": 100}),
    ("MIN", LOW, 1, {"timeperiod": 100}),
    ("MAXINDEX", HIGH, 1, {"timeperiod": 100}),
    ("MININDEX", LOW, 1, {"timeperiod": 100}),
    ("MAX", HIGH, 1, {"timeperiod": 5}),
    ("MIN", LOW, 1, {"timeperiod": 14}),
    ("SUM", VOLUME, 1, {"timeperiod": 20}),
    ("AD", HLCV, 1, {}),
    ("OBV", CV, 1, {}),
]


#: what the rows path streams besides (``talib_rows``): choppiness's MAX 14 and its true ranges'
#: SUM (``true_range``: TA-Lib TRANGE, the window's first candle's range high - low)
ROWS_SPECS = [
    *SPECS,
    ("MAX", HIGH, 1, {"timeperiod": 14}),
    ("SUM", (TRUE_RANGE,), 1, {"timeperiod": 14}),
]


def column(c: CandleArrays, field: str) -> np.ndarray:
    return true_range(c) if field == TRUE_RANGE else getattr(c, field)


def batch(spec: tuple[str, tuple[str, ...], int, dict[str, Any]], c: CandleArrays) -> list[Any]:
    """TA-Lib's batch values over the whole series, one array per output."""
    function, fields, outputs, params = spec
    values = getattr(talib, function)(*(getattr(c, f) for f in fields), **params)
    return [values] if outputs == 1 else list(values)


def streamed(
    spec: tuple[str, tuple[str, ...], int, dict[str, Any]], series: list[CandleArrays], first: int
) -> list[list[np.ndarray]]:
    """Each pair's values: opened over all but its last ``first`` candles, then stepped."""
    function, fields, outputs, params = spec
    streams = PairStreams(function, inputs=len(fields), outputs=outputs, **params)
    parts: list[list[list[np.ndarray]]] = []
    for c in series:
        opened = streams.add(*(getattr(c, f)[: len(c) - first] for f in fields))
        parts.append([[v] for v in opened])
    for t in range(first, 0, -1):  # every pair's next candle, at once
        row = [np.array([getattr(c, f)[len(c) - t] for c in series]) for f in fields]
        for o, values in enumerate(streams.step(*row)):
            for p in range(len(series)):
                parts[p][o].append(values[p : p + 1])
    return [[np.concatenate(chunks) for chunks in pair] for pair in parts]


def assert_exact(series: list[CandleArrays], first: int) -> None:
    for spec in SPECS:
        for c, values in zip(series, streamed(spec, series, first), strict=True):
            for o, (got, want) in enumerate(zip(values, batch(spec, c), strict=True)):
                assert got.shape == want.shape
                same = np.array_equal(got, want, equal_nan=True)
                assert same, f"{spec[0]} {spec[3]} output {o}: first difference at " + str(
                    np.flatnonzero(~((got == want) | (np.isnan(got) & np.isnan(want))))[:3]
                )


def candles(seed: int, n: int, flat: int, nan_led: int, jump: float) -> CandleArrays:
    """A random walk with a flat run (high = low = close), a gap, zero volumes, a NaN start."""
    rng = np.random.default_rng(seed)
    close = 100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.01, n)))
    if n > 4:
        close[n // 2 :] *= jump  # a gap between two candles
    opens = np.r_[close[:1], close[:-1]]
    high = np.maximum(opens, close) * (1 + rng.random(n) * 0.005)
    low = np.minimum(opens, close) * (1 - rng.random(n) * 0.005)
    volume = rng.random(n) * 10.0
    volume[rng.random(n) < 0.1] = 0.0
    run = slice(n // 3, n // 3 + flat)
    for array in (opens, high, low, close):
        array[run] = close[n // 3]
    for array in (opens, high, low, close, volume):
        array[:nan_led] = np.nan
    stamps = np.arange(n, dtype=np.int64) * 60_000
    return CandleArrays(stamps, opens, high, low, close, volume)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    lengths=st.lists(st.integers(1, 320), min_size=1, max_size=4),
    flat=st.integers(0, 60),
    nan_led=st.integers(0, 3),
    jump=st.sampled_from([1.0, 1.3, 0.6]),
    first=st.integers(1, 40),
)
def test_streams_stepped_equal_talib_over_the_whole_series(
    *, seed: int, lengths: list[int], flat: int, nan_led: int, jump: float, first: int
) -> None:
    series = [  # at least one bar: on NaN alone TA-Lib's batch reads the last NaN as a bar
        candles(seed + k, n + first, flat, min(nan_led, n + first - 1) if k % 2 else 0, jump)
        for k, n in enumerate(lengths)
    ]
    assert_exact(series, first)


def test_a_pair_too_short_to_open_is_nan_until_it_has_enough_then_exact() -> None:
    short = candles(7, 30, 0, 2, 1.0)  # 28 bars for RSI (15 needed), MACD (34), SMA 200 ...
    long = candles(8, 260, 5, 0, 1.0)
    assert_exact([long, short, long], first=20)  # opened with 10 and 240 bars, then stepped


@pytest.mark.shared_data
def test_streams_on_real_candles_equal_talib(shared_data: Path) -> None:
    minutes = read_ohlcv(shared_data / "binance_BTC-USDT_1m.csv.gz").arrays.slice(0, 4_000)
    hours = read_ohlcv(shared_data / "binance_BTC-USDT_1h.csv.gz").arrays.slice(10_000, 14_500)
    eth = read_ohlcv(shared_data / "binance_ETH-USDT_1h.csv.gz").arrays.slice(0, 3_500)
    assert_exact([minutes, hours, eth], first=1_500)  # 1,500 candle times of three pairs


def assert_rows_exact(series: list[CandleArrays], reach: int, grid: int, skip: int) -> int:
    """Windows sliding on a grid: the streamed rows equal the batch's; how many streams opened.

    Every pair's window holds its last ``reach`` candles and starts on its grid (staggered);
    each candle time a pair's rows come from its ``SeriesStreams`` (stepped, or opened again when
    its window moved or it missed a candle: pair 0 misses every ``skip``-th).
    """
    streams = [SeriesStreams() for _ in series]
    kept: dict[tuple[int, Any], Any] = {}  # each pair's streams (held: no id reused)
    opened = 0
    take = 3
    given: list[tuple[np.ndarray, np.ndarray]] = []  # the rows given, and a copy of them
    for t in range(reach + take, min(len(c) for c in series)):
        in_step = [p for p in range(len(series)) if p or t % skip]
        windows = []
        for p in in_step:
            c = series[p]
            ts = c.timestamps[: t + 1]
            windows.append(c.slice(grid_start(ts, t - reach, 60_000, grid, 5 * p), t + 1))
        attach(windows, [streams[p] for p in in_step])
        for function, fields, outputs, params in ROWS_SPECS:
            got = talib_rows(windows, take, function, fields, outputs, **params)
            called = [  # TA-Lib called on each window
                getattr(talib, function)(*(column(w, f) for f in fields), **params) for w in windows
            ]
            direct = [[v] if outputs == 1 else list(v) for v in called]
            want = [np.array([d[o][-take:] for d in direct]).T for o in range(outputs)]
            for o, (g, w) in enumerate(zip(got, want, strict=True)):
                assert np.array_equal(g, w, equal_nan=True), f"{function} {params} {o} at {t}"
            again = talib_rows(windows, take, function, fields, outputs, **params)
            same = zip(again, want, strict=True)
            assert all(np.array_equal(a, w, equal_nan=True) for a, w in same)
            given.extend((g, g.copy()) for g in got)
        # the rows given earlier are the caller's: later candle times do not write into them
        assert all(np.array_equal(g, kept, equal_nan=True) for g, kept in given)
        del given[: -len(ROWS_SPECS) * 3]
        for p, pair in enumerate(streams):
            for key, call in pair._calls.items():
                opened += kept.get((p, key)) is not call.stream
                kept[p, key] = call.stream
    return opened


@pytest.mark.shared_data
def test_rows_streamed_over_grid_windows_equal_the_batch_calls(shared_data: Path) -> None:
    minutes = read_ohlcv(shared_data / "binance_BTC-USDT_1m.csv.gz").arrays
    series = [minutes.slice(k * 5_000, k * 5_000 + 1_000) for k in range(3)]
    opened = assert_rows_exact(series, reach=300, grid=64, skip=50)
    # each pair's streams open once per grid move (about 11) and after each missed candle: not
    # once per candle time (700 of them)
    assert opened <= 3 * len(ROWS_SPECS) * 25


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), flat=st.integers(0, 60), nan_led=st.integers(0, 3))
def test_rows_streamed_on_odd_series_equal_the_batch_calls(
    *, seed: int, flat: int, nan_led: int
) -> None:
    series = [candles(seed + k, 330, flat, nan_led if k % 2 else 0, 1.3) for k in range(2)]
    assert_rows_exact(series, reach=40, grid=16, skip=7)
