"""The plain-CSV path (Arrow, no pandas) reads exactly what the pandas path reads, or steps aside.

A cold backtest reads its file without importing pandas (docs/BENCHMARKS.md); these tests hold
it to the same arrays, bit for bit, and check that every other file still goes through pandas
and its messages.
"""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from cryptotrader.domain.market import CandleArrays
from cryptotrader.errors import DataValidationError
from cryptotrader.marketdata import io
from cryptotrader.marketdata.io import read_ohlcv

HEADER = "timestamp,open,high,low,close,volume\n"
ROWS = (
    "1704067200000,42283.58,42298.62,42261.02,42298.61,35.92724\n"
    "1704070800000,42298.62,42330.0,42200.1,42250.0,0\n"
    "1704074400000,42250,42400.5,42222.22,42399.99,1.5e2\n"
)


def _same(a: CandleArrays, b: CandleArrays) -> None:
    for name in ("timestamps", "open", "high", "low", "close", "volume"):
        left, right = getattr(a, name), getattr(b, name)
        assert left.dtype == right.dtype, name
        assert np.array_equal(left, right), name


def _pandas(path: Path) -> CandleArrays:
    return io._read_with_pandas(path, "csv", "line", 2)


@pytest.mark.parametrize(
    "name",
    [
        "binance_BTC-USDT_1h.csv.gz",
        "binance_BTC-USDT_1m.csv.gz",
        "binance_BTC-USDT_4h.csv",
        "binance_ETH-USDT_1h.csv.gz",
        "binance_BTC-USDT_1d.csv",
    ],
)
def test_real_files_read_without_pandas_give_the_same_arrays(shared_data: Path, name: str) -> None:
    path = shared_data / name
    plain = io._plain_csv(path)
    assert plain is not None
    _same(plain, _pandas(path))
    assert plain.close.flags.writeable
    assert plain.close.flags.c_contiguous


@pytest.mark.parametrize("suffix", [".csv", ".csv.gz"])
def test_small_plain_file_reads_the_same_both_ways(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"c{suffix}"
    data = (HEADER + ROWS).encode()
    path.write_bytes(gzip.compress(data) if suffix.endswith(".gz") else data)
    plain = io._plain_csv(path)
    assert plain is not None
    _same(plain, _pandas(path))
    assert plain.volume.tolist() == [35.92724, 0.0, 150.0]


@pytest.mark.parametrize(
    "text",
    [
        "time,open,high,low,close,volume\n" + ROWS,  # another time column name
        HEADER.replace("volume", "volume,trades") + ROWS.replace("\n", ",5\n"),  # extra column
        HEADER + ROWS.replace("1704070800000", "2024-01-01T01:00:00Z"),  # ISO time
        HEADER + ROWS.replace("42330.0", ""),  # empty cell
        HEADER + ROWS.replace("42330.0", "abc"),  # not a number
        HEADER,  # no candles
    ],
)
def test_any_other_file_is_left_to_pandas(tmp_path: Path, text: str) -> None:
    path = tmp_path / "c.csv"
    path.write_text(text)
    assert io._plain_csv(path) is None


def test_a_bad_cell_still_gets_the_pandas_message_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(HEADER + ROWS.replace("42330.0", "abc"))
    with pytest.raises(DataValidationError, match=r"line 3: high is not a number"):
        read_ohlcv(path)


def test_a_plain_file_breaking_a_rule_is_refused_like_any_other(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(HEADER + ROWS.replace("42200.1", "42500.0"))  # low above the open
    with pytest.raises(DataValidationError, match=r"line 3"):
        read_ohlcv(path)


def test_reading_a_plain_file_does_not_import_pandas(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(HEADER + ROWS)
    probe = (
        "import sys; from cryptotrader.marketdata import read_ohlcv; "
        f"f = read_ohlcv({str(path)!r}); "
        "print(len(f.arrays), 'pandas' in sys.modules)"
    )
    out = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=300
    )
    assert out.stdout.split() == ["3", "False"]
