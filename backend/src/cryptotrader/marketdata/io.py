"""Read and write OHLCV files: CSV (optionally gzipped) and Parquet.

Timestamps may be epoch seconds, milliseconds or microseconds (detected per row by magnitude, so a
file spanning Binance's 2025 switch to microseconds reads correctly) or ISO-8601 strings with or
without an offset (no offset means UTC). Writing is atomic: a failed write leaves no file behind.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from cryptotrader.domain.market import OHLCV_COLUMNS, CandleArrays, IntArray
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.errors import DataValidationError, UserInputError
from cryptotrader.marketdata.frames import candle_arrays, candle_frame
from cryptotrader.marketdata.validation import Gap, find_gaps, infer_timeframe, validate_arrays

TIME_COLUMNS = ("timestamp", "time", "date", "datetime", "open_time", "ts", "unix")
CSV_SUFFIXES = (".csv", ".csv.gz", ".txt")
PARQUET_SUFFIXES = (".parquet", ".pq")

# Epoch magnitudes: below 1e11 seconds (until year 5138), below 1e14 milliseconds, below 1e17 us.
_SECONDS_MAX, _MILLIS_MAX, _MICROS_MAX = 1e11, 1e14, 1e17


@dataclass(frozen=True, slots=True)
class OhlcvFile:
    """A validated candle series read from a file, with what was learnt while reading it."""

    path: Path
    frame: pd.DataFrame
    timeframe: Timeframe | None
    gaps: list[Gap]

    @property
    def arrays(self) -> CandleArrays:
        """The series as arrays."""
        return candle_arrays(self.frame)


def file_format(path: Path) -> str:
    """``csv`` or ``parquet`` from the file name.

    Raises:
        UserInputError: the suffix is neither.
    """
    name = path.name.lower()
    if name.endswith(CSV_SUFFIXES):
        return "csv"
    if name.endswith(PARQUET_SUFFIXES):
        return "parquet"
    raise UserInputError(f"{path}: unsupported file type (use .csv, .csv.gz or .parquet)")


def _epoch_to_ms(values: np.ndarray, path: Path, row_label: str, first_row: int) -> IntArray:
    magnitude = np.abs(values)
    bad = np.flatnonzero(~np.isfinite(values) | (magnitude >= _MICROS_MAX * 1000))
    if bad.shape[0]:
        i = int(bad[0])
        raise DataValidationError(
            f"{path}: {row_label} {i + first_row}: timestamp {values[i]!r} is not an epoch time"
        )
    scale = np.select(
        [magnitude < _SECONDS_MAX, magnitude < _MILLIS_MAX, magnitude < _MICROS_MAX],
        [1000.0, 1.0, 1e-3],
        default=1e-6,
    )
    return np.asarray(np.round(values * scale), dtype=np.int64)


def _strings_to_ms(values: pd.Series, path: Path, row_label: str, first_row: int) -> IntArray:
    parsed = pd.to_datetime(values, utc=True, format="ISO8601", errors="coerce")
    bad = np.flatnonzero(parsed.isna().to_numpy())
    if bad.shape[0]:
        i = int(bad[0])
        raise DataValidationError(
            f"{path}: {row_label} {i + first_row}: cannot read timestamp {values.iloc[i]!r}"
        )
    index = pd.DatetimeIndex(parsed).tz_localize(None).as_unit("ms")
    return np.asarray(index.asi8, dtype=np.int64)


def _timestamps(column: pd.Series, path: Path, row_label: str, first_row: int) -> IntArray:
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        index = pd.DatetimeIndex(column)
        naive = index.tz_convert("UTC").tz_localize(None) if index.tz is not None else index
        return np.asarray(naive.as_unit("ms").asi8, dtype=np.int64)
    if pd.api.types.is_numeric_dtype(column.dtype):
        return _epoch_to_ms(column.to_numpy(dtype=np.float64), path, row_label, first_row)
    numbers = pd.to_numeric(column, errors="coerce")
    if numbers.notna().any():  # epoch numbers with a few unreadable cells: blame the first one
        i = int(np.flatnonzero(numbers.isna().to_numpy())[0])
        raise DataValidationError(
            f"{path}: {row_label} {i + first_row}: cannot read timestamp {column.iloc[i]!r}"
        )
    return _strings_to_ms(column.astype(str), path, row_label, first_row)


def _find_time_column(frame: pd.DataFrame, path: Path) -> str:
    lowered = {str(c).strip().lower(): str(c) for c in frame.columns}
    for name in TIME_COLUMNS:
        if name in lowered:
            return lowered[name]
    raise DataValidationError(
        f"{path}: no timestamp column (expected one of {', '.join(TIME_COLUMNS)})"
    )


def _numeric(frame: pd.DataFrame, path: Path, row_label: str, first_row: int) -> list[np.ndarray]:
    lowered = {str(c).strip().lower(): str(c) for c in frame.columns}
    missing = [c for c in OHLCV_COLUMNS if c not in lowered]
    if missing:
        raise DataValidationError(f"{path}: missing column(s) {', '.join(missing)}")
    arrays = []
    for name in OHLCV_COLUMNS:
        raw = frame[lowered[name]]
        converted = pd.to_numeric(raw, errors="coerce")
        bad = np.flatnonzero(converted.isna().to_numpy() & raw.notna().to_numpy())
        if bad.shape[0]:
            i = int(bad[0])
            raise DataValidationError(
                f"{path}: {row_label} {i + first_row}: {name} is not a number ({raw.iloc[i]!r})"
            )
        arrays.append(np.ascontiguousarray(converted.to_numpy(dtype=np.float64)))
    return arrays


def read_ohlcv(path: Path | str, timeframe: Timeframe | None = None) -> OhlcvFile:
    """Read, normalise and validate a candle file.

    Args:
        path: a ``.csv``, ``.csv.gz`` or ``.parquet`` file.
        timeframe: the expected timeframe; inferred from the spacing when omitted.

    Raises:
        UserInputError: the file is missing or of an unknown type.
        DataValidationError: the content breaks a rule; the message names the file and row.
    """
    path = Path(path)
    kind = file_format(path)
    if not path.is_file():
        raise UserInputError(f"{path}: no such file")
    row_label, first_row = ("line", 2) if kind == "csv" else ("row", 1)
    try:
        raw = pd.read_csv(path) if kind == "csv" else pd.read_parquet(path)
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        raise DataValidationError(f"{path}: cannot read as {kind}: {exc}") from None
    if isinstance(raw.index, pd.DatetimeIndex):
        raw = raw.reset_index()
    if raw.empty:
        raise DataValidationError(f"{path}: no candles in the file")
    ts = _timestamps(raw[_find_time_column(raw, path)], path, row_label, first_row)
    arrays = CandleArrays(ts, *_numeric(raw, path, row_label, first_row))
    validate_arrays(arrays, str(path), row_label, first_row)
    tf = timeframe or infer_timeframe(ts)
    gaps = find_gaps(ts, tf) if tf is not None else []
    return OhlcvFile(path=path, frame=candle_frame(arrays), timeframe=tf, gaps=gaps)


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """A temporary path beside ``target`` that replaces it only if the block succeeds."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)


def write_frame(frame: pd.DataFrame, path: Path | str, *, index_label: str = "timestamp") -> None:
    """Write any time-indexed frame atomically; CSV timestamps as epoch milliseconds.

    Parquet keeps a ``timestamp[ms, UTC]`` column; CSV writes integer epoch milliseconds, which
    every tool reads without timezone ambiguity.
    """
    path = Path(path)
    kind = file_format(path)
    out = frame.copy()
    index = pd.DatetimeIndex(out.index)
    with atomic_path(path) as tmp:
        if kind == "csv":
            naive = index.tz_convert("UTC").tz_localize(None) if index.tz is not None else index
            out.index = pd.Index(naive.as_unit("ms").asi8, name=index_label)
            gzipped = path.name.lower().endswith(".gz")
            out.to_csv(tmp, index_label=index_label, compression="gzip" if gzipped else None)
        else:
            out.index = index.as_unit("ms").rename(index_label)
            out.reset_index().to_parquet(tmp, index=False)


def write_ohlcv(frame: pd.DataFrame, path: Path | str) -> None:
    """Write a candle frame (canonical columns only) atomically as CSV or Parquet."""
    write_frame(frame.loc[:, list(OHLCV_COLUMNS)], path)
