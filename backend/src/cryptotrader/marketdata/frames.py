"""The canonical candle frame and its array form.

A candle frame is a DataFrame with float64 columns ``open high low close volume`` on a UTC
``DatetimeIndex`` named ``timestamp`` holding candle **open** times. Engines convert it once to
``CandleArrays`` (int64 epoch-ms timestamps + contiguous float64 columns) and work on those.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cryptotrader.domain.market import OHLCV_COLUMNS, CandleArrays, IntArray


def utc_index(timestamps_ms: IntArray) -> pd.DatetimeIndex:
    """A UTC DatetimeIndex (millisecond unit) named ``timestamp`` from epoch milliseconds."""
    values = np.asarray(timestamps_ms, dtype=np.int64).astype("datetime64[ms]")
    return pd.DatetimeIndex(values, name="timestamp").tz_localize("UTC")


def timestamps_ms(index: pd.Index) -> IntArray:
    """Epoch milliseconds of a DatetimeIndex (naive ones are taken as UTC)."""
    if not isinstance(index, pd.DatetimeIndex):
        raise TypeError("a candle frame needs a DatetimeIndex")
    naive = index.tz_convert("UTC").tz_localize(None) if index.tz is not None else index
    return np.asarray(naive.as_unit("ms").asi8, dtype=np.int64)


def candle_arrays(frame: pd.DataFrame) -> CandleArrays:
    """Array form of a candle frame (copies only when a column is not contiguous float64)."""
    columns = [np.ascontiguousarray(frame[c].to_numpy(dtype=np.float64)) for c in OHLCV_COLUMNS]
    return CandleArrays(timestamps_ms(frame.index), *columns)


def candle_frame(arrays: CandleArrays) -> pd.DataFrame:
    """Canonical frame from arrays."""
    return pd.DataFrame(
        {c: getattr(arrays, c) for c in OHLCV_COLUMNS}, index=utc_index(arrays.timestamps)
    )
