"""``data export``: write a stored candle series back out to CSV or Parquet."""

from __future__ import annotations

from pathlib import Path

from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.errors import UserInputError
from cryptotrader.marketdata.frames import candle_frame
from cryptotrader.marketdata.io import write_ohlcv
from cryptotrader.marketdata.store import CandleStore


async def export_candles(
    *,
    store: CandleStore,
    exchange: str,
    pair: Pair,
    timeframe: Timeframe,
    path: Path,
    start_ms: int | None = None,
    end_ms: int | None = None,
) -> int:
    """Write the stored candles of one series to ``path`` (``.csv``, ``.csv.gz``, ``.parquet``).

    The file is written atomically, with epoch-millisecond timestamps in CSV, so that
    ``data import`` reads it back unchanged. Returns how many candles were written.

    Raises:
        UserInputError: nothing is stored for that series and range, or the suffix is unknown.
    """
    candles = await store.read_arrays(
        exchange=exchange, pair=pair, timeframe=timeframe, start_ms=start_ms, end_ms=end_ms
    )
    if len(candles) == 0:
        raise UserInputError(f"no {pair} {timeframe} candles from {exchange} stored in that range")
    write_ohlcv(candle_frame(candles), path)
    return len(candles)
