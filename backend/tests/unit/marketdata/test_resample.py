"""Resampler: golden tests against Binance's own higher-timeframe klines, and properties."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cryptotrader.domain import CandleArrays, Timeframe
from cryptotrader.errors import UserInputError
from cryptotrader.marketdata import read_ohlcv, resample
from tests.support.builders import random_walk

COLUMNS = ("open", "high", "low", "close", "volume")


def assert_same_candles(built: CandleArrays, reference: CandleArrays) -> None:
    np.testing.assert_array_equal(built.timestamps, reference.timestamps)
    for column in COLUMNS:
        np.testing.assert_allclose(
            getattr(built, column), getattr(reference, column), rtol=1e-12, err_msg=column
        )


@pytest.mark.parametrize(
    ("source_file", "target_file", "source_tf", "target_tf"),
    [
        # Binance's native 1h klines aggregated give its native 4h klines, outages included.
        ("binance_BTC-USDT_1h_native-2017-2022.csv.gz", "binance_BTC-USDT_4h.csv", "1h", "4h"),
        # ... and Binance's native ETH daily klines.
        ("binance_ETH-USDT_1h.csv.gz", "binance_ETH-USDT_1d.csv", "1h", "1d"),
        ("binance_BTC-USDT_1h.csv.gz", "binance_BTC-USDT_1d.csv", "1h", "1d"),
    ],
)
def test_resample_when_native_klines_aggregated_matches_exchange_higher_timeframe(
    shared_data: Path, source_file: str, target_file: str, source_tf: str, target_tf: str
) -> None:
    source = read_ohlcv(shared_data / source_file).arrays
    reference = read_ohlcv(shared_data / target_file).arrays
    built = resample(source, Timeframe(source_tf), Timeframe(target_tf))
    assert_same_candles(built, reference)


def test_resample_when_one_minute_year_aggregated_matches_hourly_and_daily_files(
    shared_data: Path,
) -> None:
    minutes = read_ohlcv(shared_data / "binance_BTC-USDT_1m.csv.gz").arrays
    for target, name in ((Timeframe.H1, "1h.csv.gz"), (Timeframe.D1, "1d.csv")):
        reference = read_ohlcv(shared_data / f"binance_BTC-USDT_{name}").arrays
        built = resample(minutes, Timeframe.M1, target)
        rows = np.isin(reference.timestamps, built.timestamps)
        assert rows.sum() == len(built) == (8784 if target is Timeframe.H1 else 366)
        assert_same_candles(built, reference.slice(*np.flatnonzero(rows)[[0, -1]] + [0, 1]))


def test_resample_when_last_bucket_unfinished_drops_it() -> None:
    candles = random_walk(90)  # 1m candles from 00:00 to 01:29: the 01:00 hour is unfinished
    hourly = resample(candles, Timeframe.M1, Timeframe.H1)
    assert len(hourly) == 1
    assert hourly.close[0] == candles.close[59]
    kept = resample(candles, Timeframe.M1, Timeframe.H1, include_incomplete=True)
    assert len(kept) == 2
    assert kept.close[1] == candles.close[89]


def test_resample_when_last_bucket_exactly_complete_keeps_it() -> None:
    hourly = resample(random_walk(120), Timeframe.M1, Timeframe.H1)
    assert len(hourly) == 2


def test_resample_when_gap_inside_bucket_covers_only_existing_candles() -> None:
    candles = random_walk(180)
    keep = np.r_[0:30, 100:180]  # minutes 30-99 missing: an outage across two hours
    holed = CandleArrays(*(getattr(candles, c)[keep] for c in ("timestamps", *COLUMNS)))
    hourly = resample(holed, Timeframe.M1, Timeframe.H1)
    assert len(hourly) == 3
    assert hourly.open[1] == candles.open[100]  # the 01:00 hour starts at 01:40
    assert hourly.volume[0] == pytest.approx(candles.volume[:30].sum())


def test_resample_when_weekly_buckets_start_on_monday_utc() -> None:
    daily = random_walk(30, start_ms=1_704_067_200_000, step_ms=86_400_000)  # from Mon 2024-01-01
    weekly = resample(daily, Timeframe.D1, Timeframe.W1)
    days = (weekly.timestamps // 86_400_000 - 4) % 7  # 1970-01-05 was a Monday: 0 = Monday
    assert (days == 0).all()
    assert len(weekly) == 4


def test_resample_when_target_not_a_multiple_raises() -> None:
    with pytest.raises(UserInputError, match="cannot build 1h candles from 1M"):
        resample(random_walk(10), Timeframe.MO1, Timeframe.H1)


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 600), seed=st.integers(0, 10_000), target=st.sampled_from(["5m", "15m", "1h"])
)
def test_resample_when_any_series_preserves_extremes_and_volume(
    n: int, seed: int, target: str
) -> None:
    candles = random_walk(n, seed=seed)
    built = resample(candles, Timeframe.M1, Timeframe(target), include_incomplete=True)
    assert built.high.max() == candles.high.max()
    assert built.low.min() == candles.low.min()
    assert built.volume.sum() == pytest.approx(candles.volume.sum())
    assert built.open[0] == candles.open[0]
    assert built.close[-1] == candles.close[-1]
