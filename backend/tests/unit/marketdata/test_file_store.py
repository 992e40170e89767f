"""FileCandleStore: one Parquet file per series, upserts, atomic writes, validation, listing."""

from __future__ import annotations

from pathlib import Path
from typing import TypedDict

import numpy as np
import pandas as pd
import pytest

from cryptotrader.domain import CandleArrays, Pair, Timeframe
from cryptotrader.errors import DataValidationError, UserInputError
from cryptotrader.marketdata import read_ohlcv
from cryptotrader.marketdata.file_store import FileCandleStore, merge_candles
from tests.support.builders import random_walk

BTC = Pair.parse("BTC/USDT")
ETH = Pair.parse("ETH/USDT")
HOUR = 3_600_000


class Key(TypedDict):
    exchange: str
    pair: Pair
    timeframe: Timeframe


KEY = Key(exchange="binance", pair=BTC, timeframe=Timeframe.H1)


def hours(n: int, *, seed: int = 0, start: int = 0) -> CandleArrays:
    series = random_walk(n + start, seed=seed, step_ms=HOUR)
    return series.slice(start, start + n)


def assert_same(a: CandleArrays, b: CandleArrays) -> None:
    for name in ("timestamps", "open", "high", "low", "close", "volume"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)


@pytest.mark.asyncio
async def test_file_store_when_written_reads_back_exactly(tmp_path: Path) -> None:
    store = FileCandleStore(tmp_path)
    candles = hours(500)
    assert await store.write(**KEY, candles=candles) == 500
    assert await store.last_timestamp(**KEY) == int(candles.timestamps[-1])
    assert_same(await store.read_arrays(**KEY), candles)


@pytest.mark.asyncio
async def test_file_store_when_nothing_stored_answers_none_and_empty(tmp_path: Path) -> None:
    store = FileCandleStore(tmp_path / "absent")
    assert await store.last_timestamp(**KEY) is None
    assert len(await store.read_arrays(**KEY)) == 0
    assert await store.series() == []


@pytest.mark.asyncio
async def test_file_store_when_overlapping_write_upserts_newer_values(tmp_path: Path) -> None:
    store = FileCandleStore(tmp_path)
    old = hours(300, seed=1)
    new = hours(300, seed=2, start=200)  # overlaps 100 candles, with different values
    await store.write(**KEY, candles=old)
    await store.write(**KEY, candles=new)
    stored = await store.read_arrays(**KEY)
    assert len(stored) == 500
    assert np.all(np.diff(stored.timestamps) == HOUR)  # sorted, no duplicates
    assert_same(stored.slice(0, 200), old.slice(0, 200))
    assert_same(stored.slice(200, 500), new)


@pytest.mark.asyncio
async def test_file_store_when_older_candles_written_later_keeps_order(tmp_path: Path) -> None:
    store = FileCandleStore(tmp_path)
    candles = hours(400)
    await store.write(**KEY, candles=candles.slice(200, 400))
    await store.write(**KEY, candles=candles.slice(0, 200))
    assert_same(await store.read_arrays(**KEY), candles)


@pytest.mark.asyncio
async def test_file_store_when_range_read_returns_half_open_interval(tmp_path: Path) -> None:
    store = FileCandleStore(tmp_path)
    candles = hours(100)
    await store.write(**KEY, candles=candles)
    start, end = int(candles.timestamps[10]), int(candles.timestamps[20])
    part = await store.read_arrays(**KEY, start_ms=start, end_ms=end)
    assert_same(part, candles.slice(10, 20))


@pytest.mark.asyncio
async def test_file_store_when_candle_invalid_refuses_and_keeps_file(tmp_path: Path) -> None:
    store = FileCandleStore(tmp_path)
    good = hours(50)
    await store.write(**KEY, candles=good)
    path = store.path_for(**KEY)
    before = path.read_bytes()
    bad_high = hours(10, start=50)
    bad_high.high[3] = bad_high.low[3] / 2
    with pytest.raises(DataValidationError, match="binance BTC/USDT 1h candles: row 4: high"):
        await store.write(**KEY, candles=bad_high)
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left


@pytest.mark.asyncio
async def test_file_store_when_candles_off_timeframe_buckets_refuses(tmp_path: Path) -> None:
    store = FileCandleStore(tmp_path)
    minutes = random_walk(120, step_ms=60_000)  # 1m candles claimed to be 1h
    with pytest.raises(DataValidationError, match="does not start a 1h candle"):
        await store.write(**KEY, candles=minutes)
    assert not store.path_for(**KEY).exists()


@pytest.mark.asyncio
async def test_file_store_when_several_series_lists_them_sorted(tmp_path: Path) -> None:
    store = FileCandleStore(tmp_path)
    days = random_walk(30, step_ms=86_400_000)
    await store.write(exchange="kraken", pair=BTC, timeframe=Timeframe.H1, candles=hours(5))
    await store.write(exchange="binance", pair=ETH, timeframe=Timeframe.D1, candles=days)
    await store.write(**KEY, candles=hours(7))
    await store.write(exchange="binance", pair=BTC, timeframe=Timeframe.M1, candles=random_walk(3))
    listed = [(s.exchange, s.pair.symbol, s.timeframe.value, s.count) for s in await store.series()]
    assert listed == [
        ("binance", "BTC/USDT", "1m", 3),
        ("binance", "BTC/USDT", "1h", 7),
        ("binance", "ETH/USDT", "1d", 30),
        ("kraken", "BTC/USDT", "1h", 5),
    ]


@pytest.mark.asyncio
async def test_file_store_when_monthly_and_minute_series_never_share_a_file(tmp_path: Path) -> None:
    store = FileCandleStore(tmp_path)
    minute = store.path_for(exchange="binance", pair=BTC, timeframe=Timeframe.M1)
    month = store.path_for(exchange="binance", pair=BTC, timeframe=Timeframe.MO1)
    assert minute.name.lower() != month.name.lower()  # case-insensitive file systems
    months = np.array(["2024-01", "2024-02", "2024-03"], dtype="datetime64[M]")
    stamps = months.astype("datetime64[ms]").astype(np.int64)
    monthly = CandleArrays(stamps, *(np.array([1.0, 2.0, 3.0]) for _ in range(5)))
    await store.write(exchange="binance", pair=BTC, timeframe=Timeframe.MO1, candles=monthly)
    [listed] = await store.series()
    assert listed.timeframe is Timeframe.MO1


@pytest.mark.asyncio
async def test_file_store_when_file_written_is_plain_parquet_readable_by_pandas(
    tmp_path: Path,
) -> None:
    store = FileCandleStore(tmp_path)
    candles = hours(24)
    await store.write(**KEY, candles=candles)
    path = store.path_for(**KEY)
    assert path == tmp_path / "binance" / "BTC-USDT_1h.parquet"
    frame = pd.read_parquet(path)
    assert list(frame.columns) == ["timestamp", "open", "high", "low", "close", "volume"]
    assert str(frame["timestamp"].dt.tz) == "UTC"
    assert_same(read_ohlcv(path).arrays, candles)


def test_file_store_when_exchange_name_unsafe_refuses(tmp_path: Path) -> None:
    store = FileCandleStore(tmp_path)
    with pytest.raises(UserInputError, match="not an exchange name"):
        store.path_for(exchange="../etc", pair=BTC, timeframe=Timeframe.H1)


def test_merge_candles_when_times_equal_keeps_the_newer_candle() -> None:
    old = hours(3, seed=1)
    new = hours(1, seed=2, start=1)
    merged = merge_candles(old, new)
    assert merged.timestamps.tolist() == old.timestamps.tolist()
    assert merged.close[1] == new.close[0]
    assert merged.close[0] == old.close[0]
