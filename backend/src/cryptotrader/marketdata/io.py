"""Read and write OHLCV files: CSV (optionally gzipped) and Parquet.

Timestamps may be epoch seconds, milliseconds or microseconds (detected per row by magnitude, so a
file spanning Binance's 2025 switch to microseconds reads correctly) or ISO-8601 strings with or
without an offset (no offset means UTC). Writing is atomic: a failed write leaves no file behind.

A plain CSV (the header ``timestamp,open,high,low,close,volume``, integer epoch times, numbers in
every cell: what this project writes and ../shared/data holds) is read by Arrow's CSV reader
straight into arrays, without pandas, whose import alone costs a third of a second of a cold
backtest; both parsers round each number correctly, so the arrays are the same. Any other file,
or one Arrow refuses, goes through pandas and its row-by-row messages.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from cryptotrader.domain.market import OHLCV_COLUMNS, CandleArrays, IntArray
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.errors import DataValidationError, UserInputError
from cryptotrader.marketdata.validation import Gap, find_gaps, infer_timeframe, validate_arrays

if TYPE_CHECKING:
    import pandas as pd

TIME_COLUMNS = ("timestamp", "time", "date", "datetime", "open_time", "ts", "unix")
CSV_SUFFIXES = (".csv", ".csv.gz", ".txt")
PARQUET_SUFFIXES = (".parquet", ".pq")

# Epoch magnitudes: below 1e11 seconds (until year 5138), below 1e14 milliseconds, below 1e17 us.
_SECONDS_MAX, _MILLIS_MAX, _MICROS_MAX = 1e11, 1e14, 1e17


@dataclass(frozen=True, slots=True)
class OhlcvFile:
    """A validated candle series read from a file, with what was learnt while reading it."""

    path: Path
    arrays: CandleArrays
    timeframe: Timeframe | None
    gaps: list[Gap]

    @property
    def frame(self) -> pd.DataFrame:
        """The series as a canonical candle frame (built on each call)."""
        from cryptotrader.marketdata.frames import candle_frame  # noqa: PLC0415 - pandas

        return candle_frame(self.arrays)


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
    import pandas as pd  # noqa: PLC0415 - only files that need pandas load it

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
    import pandas as pd  # noqa: PLC0415

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
    import pandas as pd  # noqa: PLC0415

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
    arrays = _plain_csv(path) if kind == "csv" else None
    if arrays is None:
        arrays = _read_with_pandas(path, kind, row_label, first_row)
    validate_arrays(arrays, str(path), row_label, first_row)
    tf = timeframe or infer_timeframe(arrays.timestamps)
    gaps = find_gaps(arrays.timestamps, tf) if tf is not None else []
    return OhlcvFile(path=path, arrays=arrays, timeframe=tf, gaps=gaps)


def _plain_csv(path: Path) -> CandleArrays | None:
    """A plain CSV's candles read by Arrow (see the module doc); None for any other file."""
    import pyarrow as pa  # noqa: PLC0415 - loaded by the commands that read files
    import pyarrow.csv as pa_csv  # noqa: PLC0415

    names = ("timestamp", *OHLCV_COLUMNS)
    types = {"timestamp": pa.int64(), **dict.fromkeys(OHLCV_COLUMNS, pa.float64())}
    try:
        table = pa_csv.read_csv(path, convert_options=pa_csv.ConvertOptions(column_types=types))
    except (pa.ArrowException, OSError, UnicodeDecodeError):
        return None
    if tuple(table.column_names) != names or table.num_rows == 0:
        return None
    if any(column.null_count for column in table.columns):
        return None
    stamps = _column(table.column("timestamp"), np.int64).astype(np.float64)
    ts = _epoch_to_ms(stamps, path, "line", 2)
    return CandleArrays(ts, *(_column(table.column(c), np.float64) for c in OHLCV_COLUMNS))


def _column(column: Any, dtype: type[np.generic]) -> np.ndarray:
    """A null-free Arrow column as a new numpy array, from its data buffers.

    Arrow's own ``to_numpy`` imports pandas; the copy is writable, as the pandas path's arrays.
    """
    size = np.dtype(dtype).itemsize
    parts = [
        np.frombuffer(chunk.buffers()[1], dtype=dtype, count=len(chunk), offset=chunk.offset * size)
        for chunk in column.chunks
    ]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)


def _read_with_pandas(path: Path, kind: str, row_label: str, first_row: int) -> CandleArrays:
    import pandas as pd  # noqa: PLC0415

    try:
        raw = pd.read_csv(path) if kind == "csv" else pd.read_parquet(path)
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        raise DataValidationError(f"{path}: cannot read as {kind}: {exc}") from None
    if isinstance(raw.index, pd.DatetimeIndex):
        raw = raw.reset_index()
    if raw.empty:
        raise DataValidationError(f"{path}: no candles in the file")
    ts = _timestamps(raw[_find_time_column(raw, path)], path, row_label, first_row)
    return CandleArrays(ts, *_numeric(raw, path, row_label, first_row))


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
    import pandas as pd  # noqa: PLC0415

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
