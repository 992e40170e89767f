"""The live higher timeframe, built a closed bucket at a time, equals its whole recompute.

``WindowedInputs`` used to resample the whole kept window (75,840 one-minute candles for the
safe bot's 1h trend) and compute every indicator over the result at each higher candle's close:
a spike every hour. ``HigherCandles`` keeps the closed buckets and builds only the new ones (and
the window's first, which the window's start cuts); the higher result computes only the trend
the context reads. Both must give what the whole recompute gave, bit for bit, on real candles
fed as the worker feeds them (a moving window, runs of varied length, gaps).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from cryptotrader.domain.market import CandleArrays
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.engines.workers.indicators import CandleBuffer
from cryptotrader.indicators.engine import align, take_aligned
from cryptotrader.marketdata import read_ohlcv
from cryptotrader.marketdata.resample import resample
from cryptotrader.sentiment.fear_greed import load_fear_greed_csv
from cryptotrader.strategies import create_strategy, evaluation
from cryptotrader.strategies.context import TREND_KEY
from cryptotrader.strategies.evaluation import (
    HigherCandles,
    WindowedInputs,
    build_indicator_engine,
)

_FIELDS = ("timestamps", "open", "high", "low", "close", "volume")


def _same(got: CandleArrays, want: CandleArrays) -> None:
    for name in _FIELDS:
        np.testing.assert_array_equal(getattr(got, name), getattr(want, name), err_msg=name)
        assert getattr(got, name).dtype == getattr(want, name).dtype


def _with_gaps(candles: CandleArrays, seed: int) -> CandleArrays:
    """``candles`` with some candles and a few whole stretches missing (outages)."""
    rng = np.random.default_rng(seed)
    kept = rng.random(len(candles)) > 0.02
    for at in rng.integers(0, len(candles), 4):
        kept[at : at + int(rng.integers(30, 400))] = False
    picked = np.flatnonzero(kept)
    return CandleArrays(*(getattr(candles, name)[picked] for name in _FIELDS))


def _runs(total: int, first: int, seed: int) -> list[tuple[int, int]]:
    """``[first, total)`` cut in runs: mostly single candles (live), some long (catching up)."""
    rng = np.random.default_rng(seed)
    cuts, at = [], first
    while at < total:
        size = 1 if rng.random() < 0.95 else int(rng.integers(2, 200))
        cuts.append((at, min(total, at + size)))
        at += size
    return cuts


@pytest.mark.parametrize(
    ("file", "source", "target", "keep", "gaps"),
    [
        ("binance_BTC-USDT_1m.csv.gz", Timeframe.M1, Timeframe.H1, 3_000, False),
        ("binance_BTC-USDT_1m.csv.gz", Timeframe.M1, Timeframe.H1, 1_000, True),
        ("binance_BTC-USDT_1m.csv.gz", Timeframe.M1, Timeframe.H1, 61, True),
        ("binance_ETH-USDT_1h.csv.gz", Timeframe.H1, Timeframe.H4, 700, True),
        ("binance_ETH-USDT_1h.csv.gz", Timeframe.H1, Timeframe.MO1, 2_500, False),
    ],
)
def test_built_a_bucket_at_a_time_as_resampled_whole(  # noqa: PLR0917 - one case per row
    shared_data: Path, file: str, source: Timeframe, target: Timeframe, keep: int, gaps: bool
) -> None:
    """Every window a live series shows gives ``resample``'s candles, bit for bit."""
    candles = read_ohlcv(shared_data / file).arrays.slice(0, 12_000)
    if gaps:
        candles = _with_gaps(candles, seed=keep)
    buffer = CandleBuffer(candles.slice(0, 200), None)
    buffer.keep = keep
    higher = HigherCandles(source, target)
    checked = 0
    for start, stop in _runs(len(candles), 200, seed=keep):
        window = buffer.append(candles.slice(start, stop))
        _same(higher.of(window), resample(window, source, target))
        checked += 1
    assert checked > 1_000


def test_a_window_that_starts_earlier_is_built_again(shared_data: Path) -> None:
    """Another series' window (it starts before the last one did) gets no kept bucket."""
    candles = read_ohlcv(shared_data / "binance_BTC-USDT_1m.csv.gz").arrays.slice(0, 3_000)
    higher = HigherCandles(Timeframe.M1, Timeframe.H1)
    later = candles.slice(1_000, 3_000)
    _same(higher.of(later), resample(later, Timeframe.M1, Timeframe.H1))
    earlier = candles.slice(0, 2_000)
    _same(higher.of(earlier), resample(earlier, Timeframe.M1, Timeframe.H1))


def _resampled_sizes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    sizes: list[int] = []

    def recorded(candles: CandleArrays, *args: Any, **kwargs: Any) -> CandleArrays:
        sizes.append(len(candles))
        return resample(candles, *args, **kwargs)

    monkeypatch.setattr(evaluation, "resample", recorded)
    return sizes


def test_the_trend_filter_each_hour_as_recomputed_whole(
    shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """conservative on 1m (1h trend): at each hour's close, the higher trend strength is the
    one computed over the whole window resampled, bit for bit, while only the new hour's
    candles (and the window's first bucket) are resampled: the work no longer grows with the
    75,840 candles kept."""
    rule = create_strategy("conservative")
    deps = {"fear_greed": load_fear_greed_csv(shared_data / "alternative-me_fear-greed_1d.csv")}
    engine = build_indicator_engine(rule, **deps)
    window = WindowedInputs(rule, engine, Timeframe.M1)
    assert window.higher is Timeframe.H1
    assert window.keep is not None
    candles = read_ohlcv(shared_data / "binance_BTC-USDT_1m.csv.gz").arrays
    history = window.keep + 45
    candles = candles.slice(0, history + 4 * 60)
    buffer = CandleBuffer(candles.slice(0, history), None)
    buffer.keep = window.keep
    sizes = _resampled_sizes(monkeypatch)
    closes = 0
    for at in range(history, len(candles)):
        first = len(buffer)
        full = buffer.append(candles.slice(at, at + 1))
        sizes.clear()
        _, inputs = window.compute(full, first, readings=False)
        got = window._higher_result(full)  # the result the context was read from (kept)
        whole = engine.compute(
            resample(full, Timeframe.M1, Timeframe.H1), Timeframe.H1, readings=False
        )
        if not sizes:
            continue  # within the hour: the result kept since its last close
        closes += 1
        np.testing.assert_array_equal(got.timestamps, whole.timestamps)
        np.testing.assert_array_equal(got.strengths[TREND_KEY], whole.strengths[TREND_KEY])
        np.testing.assert_array_equal(got.series[TREND_KEY], whole.series[TREND_KEY])
        if closes > 1:  # the first hour builds its window whole, once
            assert max(sizes) <= 60, sizes
    assert closes >= 4
    assert len(inputs) == 1
    assert not np.isnan(inputs.context.higher_trend).any()


def test_the_higher_trend_each_minute_as_aligned(shared_data: Path) -> None:
    """``higher_trend`` (cached close times and signs, a ``searchsorted`` a minute) gives what
    ``align`` over every higher candle gave, bit for bit: single minutes, and runs of several
    minutes across hour closes, on conservative's 1h trend over real 1m candles."""
    rule = create_strategy("conservative")
    engine = build_indicator_engine(rule)
    window = WindowedInputs(rule, engine, Timeframe.M1)
    candles = read_ohlcv(shared_data / "binance_BTC-USDT_1m.csv.gz").arrays.slice(0, 9_000)
    buffer = CandleBuffer(candles.slice(0, 4_000), None)
    buffer.keep = 3_000
    seen = set()
    for start, stop in _runs(len(candles), 4_000, seed=5):
        full = buffer.append(candles.slice(start, stop))
        rows = stop - start + 1  # the run's rows and the row before it (a lookback of 2)
        got = window.higher_trend(full, rows)
        result = window._higher_result(full)
        positions = align(full.timestamps[-rows:], Timeframe.M1, result.timestamps, Timeframe.H1)
        want = np.sign(take_aligned(result.strengths[TREND_KEY], positions))
        assert got is not None
        np.testing.assert_array_equal(got, want)
        assert got.dtype == want.dtype
        seen.update(np.unique(got).tolist())
    assert {-1.0, 1.0} <= seen
