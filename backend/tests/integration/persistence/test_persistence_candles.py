"""``SqlCandleStore``: the CandleStore protocol on SQLite and PostgreSQL, real and seeded data."""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
import pytest

from cryptotrader.domain import CandleArrays, Pair, Timeframe
from cryptotrader.errors import DataValidationError
from cryptotrader.marketdata import read_ohlcv
from cryptotrader.marketdata.store import CandleStore
from cryptotrader.persistence import Database, SqlCandleStore
from cryptotrader.persistence.export import export_candles
from cryptotrader.persistence.uow import UnitOfWork
from tests.support.builders import random_walk

BTC = Pair.parse("BTC/USDT")
ETH = Pair.parse("ETH/USDT")
H1 = Timeframe.H1


def _assert_same(got: CandleArrays, expected: CandleArrays) -> None:
    np.testing.assert_array_equal(got.timestamps, expected.timestamps)
    for column in ("open", "high", "low", "close", "volume"):
        np.testing.assert_array_equal(getattr(got, column), getattr(expected, column))


@pytest.mark.asyncio
@pytest.mark.shared_data
async def test_store_when_real_btc_hours_are_written_reads_them_back_bit_for_bit(
    database: Database, shared_data: Path
) -> None:
    candles = read_ohlcv(shared_data / "binance_BTC-USDT_1h.csv.gz").arrays
    store: CandleStore = SqlCandleStore(database)

    written = await store.write(exchange="binance", pair=BTC, timeframe=H1, candles=candles)

    assert written == len(candles) == 72_540
    _assert_same(await store.read_arrays(exchange="binance", pair=BTC, timeframe=H1), candles)
    (series,) = await store.series()
    assert (series.first_ms, series.last_ms, series.count) == (
        int(candles.timestamps[0]),
        int(candles.timestamps[-1]),
        len(candles),
    )


@pytest.mark.asyncio
async def test_store_when_ranges_overlap_keeps_one_candle_per_time_and_newer_values_win(
    database: Database,
) -> None:
    store = SqlCandleStore(database)
    first = random_walk(300, seed=1, step_ms=3_600_000)
    second = random_walk(300, seed=2, step_ms=3_600_000).slice(0, 300)
    shifted = CandleArrays(
        second.timestamps + 200 * 3_600_000,
        second.open,
        second.high,
        second.low,
        second.close,
        second.volume,
    )

    await store.write(exchange="binance", pair=BTC, timeframe=H1, candles=first)
    await store.write(exchange="binance", pair=BTC, timeframe=H1, candles=shifted)

    stored = await store.read_arrays(exchange="binance", pair=BTC, timeframe=H1)
    assert len(stored) == 500
    np.testing.assert_array_equal(stored.close[:200], first.close[:200])
    np.testing.assert_array_equal(stored.close[200:], shifted.close)
    assert (await store.series())[0].count == 500


@pytest.mark.asyncio
async def test_store_when_one_batch_repeats_a_time_keeps_its_last_row(database: Database) -> None:
    store = SqlCandleStore(database)
    base = random_walk(3, seed=3)
    repeated = CandleArrays(
        np.array([base.timestamps[1], base.timestamps[0], base.timestamps[1]]),
        *(getattr(base, c)[[0, 1, 2]] for c in ("open", "high", "low", "close", "volume")),
    )

    assert await store.write(exchange="x", pair=BTC, timeframe=Timeframe.M1, candles=repeated) == 2

    stored = await store.read_arrays(exchange="x", pair=BTC, timeframe=Timeframe.M1)
    assert stored.close.tolist() == [base.close[1], base.close[2]]


@pytest.mark.asyncio
async def test_store_when_reading_a_range_includes_start_and_excludes_end(
    database: Database,
) -> None:
    store = SqlCandleStore(database)
    candles = random_walk(100, seed=4)
    await store.write(exchange="binance", pair=BTC, timeframe=Timeframe.M1, candles=candles)
    start, end = int(candles.timestamps[10]), int(candles.timestamps[20])

    stored = await store.read_arrays(
        exchange="binance", pair=BTC, timeframe=Timeframe.M1, start_ms=start, end_ms=end
    )

    _assert_same(stored, candles.slice(10, 20))
    later = await store.read_arrays(
        exchange="binance", pair=BTC, timeframe=Timeframe.M1, start_ms=end + 10**9
    )
    assert len(later) == 0


@pytest.mark.asyncio
async def test_store_when_series_differ_by_exchange_pair_or_timeframe_keeps_them_apart(
    database: Database,
) -> None:
    store = SqlCandleStore(database)
    candles = random_walk(10, seed=5)
    for exchange, pair, timeframe in (
        ("kraken", BTC, H1),
        ("binance", ETH, H1),
        ("binance", BTC, Timeframe.M1),
        ("binance", BTC, H1),
    ):
        await store.write(exchange=exchange, pair=pair, timeframe=timeframe, candles=candles)

    listed = [(s.exchange, s.pair.symbol, s.timeframe.value, s.count) for s in await store.series()]
    assert listed == [
        ("binance", "BTC/USDT", "1h", 10),
        ("binance", "BTC/USDT", "1m", 10),
        ("binance", "ETH/USDT", "1h", 10),
        ("kraken", "BTC/USDT", "1h", 10),
    ]
    assert await store.last_timestamp(exchange="kraken", pair=BTC, timeframe=H1) == int(
        candles.timestamps[-1]
    )
    assert await store.last_timestamp(exchange="kraken", pair=ETH, timeframe=H1) is None


@pytest.mark.asyncio
async def test_store_when_a_value_is_nan_refuses_the_batch_and_stores_nothing(
    database: Database,
) -> None:
    store = SqlCandleStore(database)
    candles = random_walk(5, seed=6)
    candles.volume[3] = np.nan

    with pytest.raises(DataValidationError, match="volume = nan"):
        await store.write(exchange="binance", pair=BTC, timeframe=H1, candles=candles)

    assert await store.series() == []


@pytest.mark.asyncio
@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
async def test_export_when_written_to_a_file_reads_back_as_the_same_candles(
    database: Database, tmp_path: Path, suffix: str
) -> None:
    store = SqlCandleStore(database)
    candles = random_walk(500, seed=7, step_ms=3_600_000)
    await store.write(exchange="binance", pair=BTC, timeframe=H1, candles=candles)
    path = tmp_path / f"btc{suffix}"

    count = await export_candles(store=store, exchange="binance", pair=BTC, timeframe=H1, path=path)

    assert count == 500
    _assert_same(read_ohlcv(path).arrays, candles)


@pytest.mark.asyncio
async def test_store_when_open_times_have_milliseconds_reads_them_back_exactly(
    database: Database,
) -> None:
    walk = random_walk(50, seed=4, step_ms=60_123)
    candles = CandleArrays(
        walk.timestamps + 7, walk.open, walk.high, walk.low, walk.close, walk.volume
    )
    store = SqlCandleStore(database)
    await store.write(exchange="binance", pair=BTC, timeframe=H1, candles=candles)

    got = await store.read_arrays(exchange="binance", pair=BTC, timeframe=H1)

    np.testing.assert_array_equal(got.timestamps, candles.timestamps)
    assert got.timestamps.dtype == np.int64
    np.testing.assert_array_equal(got.close, candles.close)


@pytest.mark.asyncio
async def test_store_keeping_ranges_when_nothing_changed_returns_the_kept_arrays_read_only(
    database: Database,
) -> None:
    candles = random_walk(400, seed=5, step_ms=3_600_000)
    store = SqlCandleStore(database)
    await store.write(exchange="binance", pair=BTC, timeframe=H1, candles=candles)
    kept = SqlCandleStore(database, keep=4)

    first = await kept.read_arrays(exchange="binance", pair=BTC, timeframe=H1)
    again = await kept.read_arrays(exchange="binance", pair=BTC, timeframe=H1)

    assert again is first
    np.testing.assert_array_equal(first.close, candles.close)
    assert not first.close.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        first.close[0] = 1.0
    assert len(await kept.read_arrays(exchange="binance", pair=ETH, timeframe=H1)) == 0
    plain = await store.read_arrays(exchange="binance", pair=BTC, timeframe=H1)
    assert plain.close.flags.writeable  # a store without ``keep`` keeps nothing
    assert await store.read_arrays(exchange="binance", pair=BTC, timeframe=H1) is not plain


@pytest.mark.asyncio
async def test_store_keeping_ranges_when_a_candle_is_rewritten_or_added_reads_the_new_values(
    database: Database,
) -> None:
    candles = random_walk(400, seed=6, step_ms=3_600_000)
    writer = SqlCandleStore(database)
    await writer.write(exchange="binance", pair=BTC, timeframe=H1, candles=candles)
    kept = SqlCandleStore(database, keep=4)
    before = await kept.read_arrays(exchange="binance", pair=BTC, timeframe=H1)
    end_ms = int(candles.timestamps[100])
    ranged = await kept.read_arrays(exchange="binance", pair=BTC, timeframe=H1, end_ms=end_ms)

    corrected = candles.slice(50, 51)
    fixed = CandleArrays(
        corrected.timestamps,
        corrected.open,
        corrected.high + 1.0,
        corrected.low,
        corrected.close,
        corrected.volume,
    )
    await writer.write(exchange="binance", pair=BTC, timeframe=H1, candles=fixed)
    after = await kept.read_arrays(exchange="binance", pair=BTC, timeframe=H1)

    assert after is not before
    assert after.high[50] == candles.high[50] + 1.0
    assert before.high[50] == candles.high[50]
    ranged_after = await kept.read_arrays(exchange="binance", pair=BTC, timeframe=H1, end_ms=end_ms)
    assert len(ranged) == len(ranged_after) == 100
    assert ranged_after.high[50] == candles.high[50] + 1.0

    later = candles.slice(399, 400)
    newer = CandleArrays(
        later.timestamps + 3_600_000, later.open, later.high, later.low, later.close, later.volume
    )
    await writer.write(exchange="binance", pair=BTC, timeframe=H1, candles=newer)
    assert len(await kept.read_arrays(exchange="binance", pair=BTC, timeframe=H1)) == 401
    assert (
        await kept.read_arrays(exchange="binance", pair=BTC, timeframe=H1, end_ms=end_ms)
        is ranged_after
    )


@pytest.mark.asyncio
async def test_store_reads_while_a_writer_holds_the_database(database: Database) -> None:
    candles = random_walk(50, seed=8, step_ms=3_600_000)
    store = SqlCandleStore(database, keep=4)
    await store.write(exchange="binance", pair=BTC, timeframe=H1, candles=candles)

    async def read() -> tuple[int, int, int | None]:
        arrays = await store.read_arrays(exchange="binance", pair=BTC, timeframe=H1)
        series = await store.series()
        return (
            len(arrays),
            len(series),
            await store.last_timestamp(exchange="binance", pair=BTC, timeframe=H1),
        )

    async with UnitOfWork(database):  # a writer (on SQLite: the writer lock) until the end
        # another task, as a request beside the runtime's write: it must not wait for the lock
        found = await asyncio.wait_for(asyncio.create_task(read()), timeout=60)

    assert found == (50, 1, int(candles.timestamps[-1]))
