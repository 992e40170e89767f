"""Reading and writing candle files: formats, timestamp encodings, validation, atomic writes."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from cryptotrader.domain import Timeframe
from cryptotrader.errors import DataValidationError, UserInputError
from cryptotrader.marketdata import read_ohlcv, write_frame, write_ohlcv
from cryptotrader.marketdata.io import atomic_path
from tests.support.builders import random_frame

HEADER = "timestamp,open,high,low,close,volume\n"
# 2024-01-01 00:00, 01:00, 02:00 UTC
T0, T1, T2 = 1_704_067_200_000, 1_704_070_800_000, 1_704_074_400_000
ROWS = ("100,101,99,100.5,10", "100.5,102,100,101,11", "101,101.5,100.5,101.25,12")


def csv_file(tmp_path: Path, stamps: list[str], name: str = "c.csv") -> Path:
    text = HEADER + "".join(f"{ts},{row}\n" for ts, row in zip(stamps, ROWS, strict=False))
    path = tmp_path / name
    if name.endswith(".gz"):
        with gzip.open(path, "wt") as handle:
            handle.write(text)
    else:
        path.write_text(text)
    return path


def raw_csv(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "c.csv"
    path.write_text(HEADER + body)
    return path


def stamps_of(path: Path) -> list[int]:
    return [int(v) for v in read_ohlcv(path).arrays.timestamps]


# ---------------------------------------------------------------- timestamp encodings


@pytest.mark.parametrize(
    ("stamps", "what"),
    [
        ([str(T0), str(T1), str(T2)], "epoch milliseconds"),
        ([str(T0 // 1000), str(T1 // 1000), str(T2 // 1000)], "epoch seconds"),
        ([str(T0 * 1000), str(T1 * 1000), str(T2 * 1000)], "epoch microseconds"),
        ([str(T0), str(T1 * 1000), str(T2 * 1000)], "ms then us (Binance's 2025 switch)"),
        (["2024-01-01 00:00:00", "2024-01-01T01:00:00", "2024-01-01 02:00"], "ISO, no offset"),
        (["2024-01-01T00:00:00Z", "2024-01-01T01:00:00Z", "2024-01-01T02:00:00Z"], "ISO, Z"),
        (
            ["2024-01-01T02:00:00+02:00", "2024-01-01T03:00:00+02:00", "2024-01-01T04:00+02:00"],
            "ISO, +02:00 converted to UTC",
        ),
        (
            ["2023-12-31T19:00:00-05:00", "2024-01-01T01:00:00+00:00", "2024-01-01T02:00:00Z"],
            "ISO, mixed offsets",
        ),
    ],
)
def test_read_ohlcv_when_timestamps_encoded_differently_reads_utc_milliseconds(
    tmp_path: Path, stamps: list[str], what: str
) -> None:
    path = csv_file(tmp_path, stamps)
    source = read_ohlcv(path)
    assert stamps_of(path) == [T0, T1, T2], what
    assert source.timeframe is Timeframe.H1
    assert str(pd.DatetimeIndex(source.frame.index).tz) == "UTC"


def test_read_ohlcv_when_csv_gzipped_reads_same_candles(tmp_path: Path) -> None:
    plain = read_ohlcv(csv_file(tmp_path, [str(T0), str(T1), str(T2)])).frame
    gzipped = read_ohlcv(csv_file(tmp_path, [str(T0), str(T1), str(T2)], "c.csv.gz")).frame
    pd.testing.assert_frame_equal(plain, gzipped)


def test_read_ohlcv_when_parquet_has_naive_or_aware_time_column_reads_utc(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "timestamp": pd.to_datetime([T0, T1, T2], unit="ms"),
            "open": [100.0, 100.5, 101.0],
            "high": [101.0, 102.0, 101.5],
            "low": [99.0, 100.0, 100.5],
            "close": [100.5, 101.0, 101.25],
            "volume": [10.0, 11.0, 12.0],
        }
    )
    naive, aware = tmp_path / "naive.parquet", tmp_path / "aware.parquet"
    frame.to_parquet(naive, index=False)
    aware_frame = frame.assign(
        timestamp=frame["timestamp"].dt.tz_localize("UTC").dt.tz_convert("Asia/Tokyo")
    )
    aware_frame.to_parquet(aware, index=False)
    assert stamps_of(naive) == [T0, T1, T2]
    assert stamps_of(aware) == [T0, T1, T2]


def test_read_ohlcv_when_real_binance_file_reports_known_gaps(shared_data: Path) -> None:
    source = read_ohlcv(shared_data / "binance_BTC-USDT_1h.csv.gz")
    # ../shared/data/README.md: 72,540 rows, 28 gaps, 128 missing hours, the largest 33 h.
    assert len(source.frame) == 72_540
    assert source.timeframe is Timeframe.H1
    assert len(source.gaps) == 28
    assert sum(g.missing for g in source.gaps) == 128
    assert max(g.missing for g in source.gaps) == 33


# ---------------------------------------------------------------- round trips


@pytest.mark.parametrize("name", ["out.csv", "out.csv.gz", "out.parquet"])
def test_write_ohlcv_when_read_back_is_bit_identical(tmp_path: Path, name: str) -> None:
    frame = random_frame(2_000, seed=7, step_ms=3_600_000)  # full-precision floats
    path = tmp_path / name
    write_ohlcv(frame, path)
    back = read_ohlcv(path).frame
    pd.testing.assert_frame_equal(back, frame, check_exact=True, check_freq=False)


@pytest.mark.parametrize("name", ["out.csv", "out.parquet"])
def test_write_ohlcv_when_real_file_rewritten_keeps_every_value(
    shared_data: Path, tmp_path: Path, name: str
) -> None:
    original = read_ohlcv(shared_data / "binance_BTC-USDT_4h.csv").frame
    write_ohlcv(original, tmp_path / name)
    back = read_ohlcv(tmp_path / name).frame
    pd.testing.assert_frame_equal(back, original, check_exact=True, check_freq=False)


def test_write_ohlcv_when_csv_writes_epoch_milliseconds(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    write_ohlcv(
        read_ohlcv(
            csv_file(tmp_path, ["2024-01-01T02:00+02:00", "2024-01-01T01:00Z", "2024-01-01T02:00Z"])
        ).frame,
        path,
    )
    first_line = path.read_text().splitlines()[1]
    assert first_line.startswith(f"{T0},")


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("body", "where", "why"),
    [
        (f"{T0},1,2,0.5,1.5,1\n{T2},1,2,0.5,1.5,1\n{T1},1,2,0.5,1.5,1\n", "line 4", "backwards"),
        (f"{T0},1,2,0.5,1.5,1\n{T0},1,2,0.5,1.5,1\n", "line 3", "duplicate timestamp"),
        (f"{T0},1,2,0.5,1.5,1\n{T1},1,1.2,0.5,1.5,1\n", "line 3", "high is below"),
        (f"{T0},1,2,0.5,1.5,1\n{T1},1,2,1.2,1.5,1\n", "line 3", "low is above"),
        (f"{T0},1,2,0.5,1.5,1\n{T1},1,2,0.5,1.5,-3\n", "line 3", "volume is negative"),
        (f"{T0},1,2,0.5,1.5,1\n{T1},1,2,0.5,abc,1\n", "line 3", "close is not a number"),
        (f"{T0},1,2,0.5,1.5,1\n{T1},1,2,0.5,,1\n", "line 3", "missing value"),
        (f"{T0},1,2,0.5,1.5,1\n{T1},0,2,0.5,1.5,1\n", "line 3", "prices must be positive"),
        (f"{T0},1,2,0.5,1.5,1\nyesterday,1,2,0.5,1.5,1\n", "line 3", "cannot read timestamp"),
    ],
)
def test_read_ohlcv_when_row_breaks_a_rule_names_file_and_line(
    tmp_path: Path, body: str, where: str, why: str
) -> None:
    path = raw_csv(tmp_path, body)
    with pytest.raises(DataValidationError) as error:
        read_ohlcv(path)
    message = str(error.value)
    assert str(path) in message
    assert f"{where}:" in message
    assert why in message


def test_read_ohlcv_when_parquet_row_bad_names_the_row(tmp_path: Path) -> None:
    frame = random_frame(5, step_ms=3_600_000)
    frame.loc[frame.index[3], "high"] = 1.0
    path = tmp_path / "bad.parquet"
    frame.reset_index().to_parquet(path, index=False)
    with pytest.raises(DataValidationError, match=r"bad\.parquet: row 4: high is below"):
        read_ohlcv(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("timestamp,open,high,low,close\n1,1,1,1,1\n", "missing column(s) volume"),
        ("when,open,high,low,close,volume\n1,1,1,1,1,1\n", "no timestamp column"),
        (HEADER, "no candles in the file"),
    ],
)
def test_read_ohlcv_when_file_shape_wrong_says_what(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "c.csv"
    path.write_text(text)
    with pytest.raises(DataValidationError, match=re.escape(message)):
        read_ohlcv(path)


def test_read_ohlcv_when_file_missing_or_unknown_type_raises_user_input_error(
    tmp_path: Path,
) -> None:
    with pytest.raises(UserInputError, match="no such file"):
        read_ohlcv(tmp_path / "absent.csv")
    (tmp_path / "c.json").write_text("{}")
    with pytest.raises(UserInputError, match="unsupported file type"):
        read_ohlcv(tmp_path / "c.json")


def test_read_ohlcv_when_candles_missing_reports_gaps_instead_of_refusing(tmp_path: Path) -> None:
    hour = 3_600_000
    body = "".join(f"{T0 + i * hour},1,2,0.5,1.5,1\n" for i in (0, 1, 2, 6, 7, 9))
    source = read_ohlcv(raw_csv(tmp_path, body))
    assert len(source.frame) == 6
    assert [(g.after_ms, g.before_ms, g.missing) for g in source.gaps] == [
        (T0 + 2 * hour, T0 + 6 * hour, 3),
        (T0 + 7 * hour, T0 + 9 * hour, 1),
    ]


# ---------------------------------------------------------------- atomic writes


def with_unstorable_column(frame: pd.DataFrame) -> pd.DataFrame:
    """Parquet cannot store arbitrary Python objects: writing this fails half-way."""
    frame = frame.copy()
    frame["note"] = pd.Series([object() for _ in range(len(frame))], index=frame.index)
    return frame


def test_write_frame_when_serialisation_fails_leaves_no_file(tmp_path: Path) -> None:
    frame = with_unstorable_column(random_frame(10))
    target = tmp_path / "out.parquet"
    with pytest.raises(pa.ArrowException):
        write_frame(frame, target)
    assert list(tmp_path.iterdir()) == []


def test_write_frame_when_serialisation_fails_keeps_previous_file(tmp_path: Path) -> None:
    target = tmp_path / "out.parquet"
    write_ohlcv(random_frame(10), target)
    before = target.read_bytes()
    with pytest.raises(pa.ArrowException):
        write_frame(with_unstorable_column(random_frame(20)), target)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["out.parquet"]


def test_atomic_path_when_block_raises_removes_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "x.csv"

    def write_half_then_fail() -> None:
        with atomic_path(target) as tmp:
            tmp.write_text("half a file")
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        write_half_then_fail()
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_read_ohlcv_when_timeframe_given_uses_it_for_gaps(tmp_path: Path) -> None:
    minute = 60_000
    body = "".join(f"{T0 + i * minute},1,2,0.5,1.5,1\n" for i in (0, 2, 4))
    source = read_ohlcv(raw_csv(tmp_path, body), Timeframe.M1)
    assert source.timeframe is Timeframe.M1
    assert [g.missing for g in source.gaps] == [1, 1]
    assert np.array_equal(source.arrays.timestamps, [T0, T0 + 2 * minute, T0 + 4 * minute])
