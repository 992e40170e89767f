"""``FileCandleStore``: the ``CandleStore`` kept as one Parquet file per series.

Layout: ``<root>/<exchange>/<BASE-QUOTE>_<timeframe>.parquet`` (``1mo`` for monthly candles), with
a ``timestamp[ms, UTC]`` column and float64 ``open high low close volume``: readable by pandas,
pyarrow, DuckDB or Polars without CryptoTrader.

``write`` is an upsert (a candle written twice is stored once; the newer values win) and atomic:
the merged series goes to a temporary file that replaces the old one, so a crash or a full disk
leaves the previous file intact. Candles are validated before anything is written (OHLC rules,
order, and open times on the timeframe's bucket starts). Writers of one series inside one process
are serialised; two processes writing the same series at once are not coordinated (the last
rename wins), which is why long downloads run one at a time.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
import pandas as pd

from cryptotrader.domain.market import OHLCV_COLUMNS, CandleArrays, IntArray
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.errors import UserInputError
from cryptotrader.marketdata.frames import candle_arrays, candle_frame, timestamps_ms
from cryptotrader.marketdata.io import write_ohlcv
from cryptotrader.marketdata.naming import exchange_name, timeframe_slug
from cryptotrader.marketdata.store import StoredSeries
from cryptotrader.marketdata.validation import validate_alignment, validate_arrays

_SUFFIX = ".parquet"


class FileCandleStore:
    """Candle series as Parquet files under ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._locks: dict[Path, asyncio.Lock] = {}

    def path_for(self, *, exchange: str, pair: Pair, timeframe: Timeframe) -> Path:
        """The file holding one series (it may not exist yet)."""
        name = f"{pair.slug}_{timeframe_slug(timeframe)}{_SUFFIX}"
        return self.root / exchange_name(exchange) / name

    async def last_timestamp(
        self, *, exchange: str, pair: Pair, timeframe: Timeframe
    ) -> int | None:
        """Open time (epoch ms) of the newest stored candle, or None when nothing is stored."""
        path = self.path_for(exchange=exchange, pair=pair, timeframe=timeframe)
        ts = await asyncio.to_thread(_read_timestamps, path)
        return int(ts[-1]) if ts is not None and ts.shape[0] else None

    async def write(
        self, *, exchange: str, pair: Pair, timeframe: Timeframe, candles: CandleArrays
    ) -> int:
        """Validate and upsert ``candles``; returns how many rows were written.

        Raises:
            DataValidationError: a candle breaks an OHLCV rule or is off the timeframe's buckets.
        """
        if len(candles) == 0:
            return 0
        path = self.path_for(exchange=exchange, pair=pair, timeframe=timeframe)
        source = f"{exchange} {pair} {timeframe} candles"
        validate_arrays(candles, source)
        validate_alignment(candles.timestamps, timeframe, source)
        async with self._locks.setdefault(path, asyncio.Lock()):
            await asyncio.to_thread(_upsert, path, candles)
        return len(candles)

    async def read_arrays(
        self,
        *,
        exchange: str,
        pair: Pair,
        timeframe: Timeframe,
        start_ms: int | None = None,
        end_ms: int | None = None,
    ) -> CandleArrays:
        """The stored candles with ``start_ms <= open time < end_ms``, oldest first, as arrays."""
        path = self.path_for(exchange=exchange, pair=pair, timeframe=timeframe)
        arrays = await asyncio.to_thread(_load, path)
        if arrays is None:
            return _empty()
        ts = arrays.timestamps
        lo = 0 if start_ms is None else int(np.searchsorted(ts, start_ms, side="left"))
        hi = len(arrays) if end_ms is None else int(np.searchsorted(ts, end_ms, side="left"))
        return arrays.slice(lo, max(lo, hi))

    async def series(self) -> list[StoredSeries]:
        """Every stored series, sorted by exchange, pair and timeframe."""
        return await asyncio.to_thread(self._scan)

    def _scan(self) -> list[StoredSeries]:
        found: list[StoredSeries] = []
        if not self.root.is_dir():
            return found
        for path in sorted(self.root.glob(f"*/*{_SUFFIX}")):
            key = _parse_file_name(path)
            ts = _read_timestamps(path)
            if key is None or ts is None or ts.shape[0] == 0:
                continue
            pair, timeframe = key
            found.append(
                StoredSeries(
                    exchange=path.parent.name,
                    pair=pair,
                    timeframe=timeframe,
                    first_ms=int(ts[0]),
                    last_ms=int(ts[-1]),
                    count=int(ts.shape[0]),
                )
            )
        order = list(Timeframe)
        found.sort(key=lambda s: (s.exchange, s.pair.symbol, order.index(s.timeframe)))
        return found


def _parse_file_name(path: Path) -> tuple[Pair, Timeframe] | None:
    stem = path.name.removesuffix(_SUFFIX)
    slug, _, tf = stem.rpartition("_")
    try:
        return Pair.parse(slug), Timeframe.parse(tf)
    except UserInputError:
        return None


def _empty() -> CandleArrays:
    nothing = np.empty(0, dtype=np.float64)
    return CandleArrays(np.empty(0, dtype=np.int64), *(nothing.copy() for _ in OHLCV_COLUMNS))


def _read_timestamps(path: Path) -> IntArray | None:
    if not path.is_file():
        return None
    column = pd.read_parquet(path, columns=["timestamp"])["timestamp"]
    return timestamps_ms(pd.DatetimeIndex(column))


def _load(path: Path) -> CandleArrays | None:
    if not path.is_file():
        return None
    frame = pd.read_parquet(path).set_index("timestamp")
    return candle_arrays(frame)


def _upsert(path: Path, candles: CandleArrays) -> None:
    stored = _load(path)
    merged = candles if stored is None else merge_candles(stored, candles)
    write_ohlcv(candle_frame(merged), path)


def merge_candles(old: CandleArrays, new: CandleArrays) -> CandleArrays:
    """``old`` and ``new`` as one sorted series; where both have a candle, ``new``'s wins."""
    if len(old) == 0:
        return new
    if len(new) == 0 or new.timestamps[0] > old.timestamps[-1]:
        return _concat(old, new)
    both = _concat(old, new)
    order = np.argsort(both.timestamps, kind="stable")  # equal times: old first, then new
    ts = both.timestamps[order]
    keep = order[np.r_[ts[1:] != ts[:-1], True]]  # the last of each run of equal times
    return CandleArrays(both.timestamps[keep], *(getattr(both, c)[keep] for c in OHLCV_COLUMNS))


def _concat(first: CandleArrays, second: CandleArrays) -> CandleArrays:
    return CandleArrays(
        np.concatenate([first.timestamps, second.timestamps]),
        *(np.concatenate([getattr(first, c), getattr(second, c)]) for c in OHLCV_COLUMNS),
    )
