"""PostgreSQL binary ``COPY`` for candles, encoded and decoded with numpy (no per-row Python).

Every value is NOT NULL and fixed-width within one batch (the timeframe text has one length), so
each row has the same layout: a big-endian field count, then a length and a value per field.
Timestamps are microseconds since 2000-01-01 UTC, PostgreSQL's epoch.
"""

from __future__ import annotations

import numpy as np

from cryptotrader.domain.market import OHLCV_COLUMNS, CandleArrays

_SIGNATURE = b"PGCOPY\n\xff\r\n\x00"
HEADER = _SIGNATURE + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"  # no flags, no extension
TRAILER = b"\xff\xff"
_PG_EPOCH_MS = 946_684_800_000
CANDLE_COLUMNS = ("time", *OHLCV_COLUMNS)


def _row_dtype(timeframe_length: int | None) -> np.dtype[np.void]:
    fields: list[tuple[str, str]] = [("count", ">i2")]
    if timeframe_length is not None:
        fields += [("pair_id_len", ">i4"), ("pair_id", ">i4")]
        fields += [("timeframe_len", ">i4"), ("timeframe", f"S{timeframe_length}")]
    for name in CANDLE_COLUMNS:
        fields += [(f"{name}_len", ">i4"), (name, ">i8" if name == "time" else ">f8")]
    return np.dtype(fields)


CANDLE_ROW = _row_dtype(None)


def encode_rows(
    candles: CandleArrays,
    start: int,
    stop: int,
    *,
    key: tuple[int, str] | None = None,
) -> bytes:
    """Rows ``start:stop`` without header or trailer (a stream may be sent in such chunks).

    Without ``key`` the columns are ``CANDLE_COLUMNS``; with ``key=(pair_id, timeframe)`` they
    are ``pair_id, timeframe, *CANDLE_COLUMNS``, the layout of ``ohlcv_data`` itself.
    """
    part = candles.slice(start, stop)
    timeframe = None if key is None else key[1].encode()
    rows = np.empty(len(part), dtype=_row_dtype(None if timeframe is None else len(timeframe)))
    rows["count"] = len(rows.dtype.names or ()) // 2
    if key is not None and timeframe is not None:
        rows["pair_id_len"], rows["pair_id"] = 4, key[0]
        rows["timeframe_len"], rows["timeframe"] = len(timeframe), timeframe
    for name in CANDLE_COLUMNS:
        rows[f"{name}_len"] = 8
    rows["time"] = (part.timestamps - _PG_EPOCH_MS) * 1000
    for name in OHLCV_COLUMNS:
        rows[name] = getattr(part, name)
    return rows.tobytes()


def encode(candles: CandleArrays) -> bytes:
    """A complete binary COPY stream of ``CANDLE_COLUMNS``: header, every row, trailer."""
    return HEADER + encode_rows(candles, 0, len(candles)) + TRAILER


def decode(data: bytes) -> CandleArrays:
    """Candle arrays from a binary COPY stream of ``CANDLE_COLUMNS``.

    Raises:
        ValueError: the stream is not in that layout (a NULL, another column type).
    """
    if not data.startswith(_SIGNATURE) or not data.endswith(TRAILER):
        raise ValueError("not a PostgreSQL binary COPY stream")
    extension = int.from_bytes(data[15:19], "big")
    body = memoryview(data)[19 + extension : len(data) - len(TRAILER)]
    layout_error = "binary COPY rows are not (timestamptz, 5 x float8) without NULLs"
    if len(body) % CANDLE_ROW.itemsize:
        raise ValueError(layout_error)
    rows = np.frombuffer(body, dtype=CANDLE_ROW)
    lengths_ok = all(bool((rows[f"{name}_len"] == 8).all()) for name in CANDLE_COLUMNS)
    if not lengths_ok or not bool((rows["count"] == len(CANDLE_COLUMNS)).all()):
        raise ValueError(layout_error)
    timestamps = rows["time"].astype(np.int64) // 1000 + _PG_EPOCH_MS
    columns = [np.ascontiguousarray(rows[name], dtype=np.float64) for name in OHLCV_COLUMNS]
    return CandleArrays(timestamps, *columns)
