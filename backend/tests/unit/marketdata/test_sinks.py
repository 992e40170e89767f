"""Download sinks: what a file or store series already holds, and all-or-nothing files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cryptotrader.domain import Pair, Timeframe
from cryptotrader.errors import DataValidationError
from cryptotrader.marketdata import read_ohlcv, write_ohlcv
from cryptotrader.marketdata.file_store import FileCandleStore
from cryptotrader.marketdata.frames import candle_frame
from cryptotrader.marketdata.sinks import FileSink, StoreSink
from tests.support.builders import random_walk

HOUR = 3_600_000


@pytest.mark.asyncio
async def test_file_sink_when_file_holds_another_timeframe_refuses_to_extend_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "btc.csv"
    write_ohlcv(candle_frame(random_walk(50, step_ms=4 * HOUR)), path)
    with pytest.raises(DataValidationError, match="holds 4h candles, not 1h"):
        await FileSink(path, Timeframe.H1).bounds()


@pytest.mark.asyncio
async def test_file_sink_when_not_committed_leaves_file_untouched(tmp_path: Path) -> None:
    path = tmp_path / "btc.parquet"
    candles = random_walk(100, step_ms=HOUR)
    write_ohlcv(candle_frame(candles.slice(0, 50)), path)
    before = path.read_bytes()
    sink = FileSink(path, Timeframe.H1)
    assert await sink.bounds() == (int(candles.timestamps[0]), int(candles.timestamps[49]))
    await sink.write(candles.slice(50, 100))
    assert path.read_bytes() == before  # nothing is written before commit
    await sink.commit()
    np.testing.assert_array_equal(read_ohlcv(path).arrays.timestamps, candles.timestamps)


@pytest.mark.asyncio
async def test_store_sink_when_exchange_spelt_in_capitals_finds_the_stored_series(
    tmp_path: Path,
) -> None:
    store = FileCandleStore(tmp_path)
    pair = Pair.parse("BTC/USDT")
    candles = random_walk(10, step_ms=HOUR)
    await StoreSink(store, exchange="binance", pair=pair, timeframe=Timeframe.H1).write(candles)
    sink = StoreSink(store, exchange="Binance", pair=pair, timeframe=Timeframe.H1)
    assert await sink.bounds() == (int(candles.timestamps[0]), int(candles.timestamps[-1]))
