"""``cryptotrader data import`` and ``data info``: storing files, describing them, bad input.

Bad input must end as one line on stderr with exit code 2, and leave nothing behind.
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pandas as pd
import pytest

from cryptotrader.cli import main
from cryptotrader.config import load_settings
from cryptotrader.marketdata import read_ohlcv, write_ohlcv
from cryptotrader.marketdata.store import StoredSeries
from cryptotrader.persistence.candles import open_candle_store
from tests.support.builders import random_frame


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    out, err = capsys.readouterr()
    code = exit_info.value.code
    return (code if isinstance(code, int) else 1), out, err


def assert_one_line_error(code: int, err: str, *fragments: str) -> None:
    assert code == 2
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    for fragment in fragments:
        assert fragment in lines[0]


def stored() -> list[tuple[str, str, str, int]]:
    """What the configured database holds: (exchange, pair, timeframe, candle count)."""

    async def series() -> list[StoredSeries]:
        async with open_candle_store(load_settings()) as store:
            return await store.series()

    return [(s.exchange, s.pair.symbol, s.timeframe.value, s.count) for s in asyncio.run(series())]


@pytest.fixture
def hourly_file(tmp_path: Path) -> Path:
    path = tmp_path / "candles.csv"
    write_ohlcv(random_frame(300, step_ms=3_600_000), path)
    return path


def test_data_import_when_name_is_conventional_infers_exchange_pair_and_timeframe(
    shared_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["data", "import", str(shared_data / "binance_BTC-USDT_4h.csv")], capsys)
    assert code == 0
    assert "imported 11,271 candles" in out
    assert "binance BTC/USDT 4h" in out
    code, out, _ = run(["data", "info"], capsys)
    assert code == 0
    assert "binance" in out
    assert "BTC/USDT" in out
    assert "11,271" in out
    assert "2017-08-17 04:00" in out


def test_data_import_when_options_given_uses_them_and_spacing_gives_timeframe(
    hourly_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        ["data", "import", str(hourly_file), "--exchange", "Kraken", "--pair", "eth-usdt"], capsys
    )
    assert code == 0
    assert "kraken ETH/USDT 1h" in out
    assert stored() == [("kraken", "ETH/USDT", "1h", 300)]


def test_data_import_when_run_twice_stores_each_candle_once(
    hourly_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["data", "import", str(hourly_file), "-e", "binance", "-p", "BTC/USDT"]
    assert run(args, capsys)[0] == 0
    code, out, _ = run(args, capsys)
    assert code == 0
    assert "the store holds 300 " in out


def test_data_import_when_file_has_gaps_stores_it_and_reports_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frame = random_frame(100, step_ms=3_600_000)
    path = tmp_path / "binance_BTC-USDT_1h.csv"
    write_ohlcv(frame.drop(frame.index[40:45]), path)
    code, _, err = run(["data", "import", str(path)], capsys)
    assert code == 0
    assert "1 gaps, 5 candles missing" in err


def test_data_import_when_exchange_and_pair_unknown_says_what_to_pass(
    hourly_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["data", "import", str(hourly_file)], capsys)
    assert_one_line_error(code, err, "candles.csv", "pass --exchange --pair")
    assert stored() == []


def test_data_import_when_file_invalid_names_file_and_line_and_stores_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "binance_BTC-USDT_1h.csv"
    write_ohlcv(random_frame(10, step_ms=3_600_000), path)
    lines = path.read_text().splitlines()
    fields = lines[4].split(",")
    fields[2] = "1.0"  # high far below open and close
    lines[4] = ",".join(fields)
    path.write_text("\n".join(lines) + "\n")
    code, _, err = run(["data", "import", str(path)], capsys)
    assert_one_line_error(code, err, str(path), "line 5", "high is below")
    assert stored() == []


@pytest.mark.parametrize(
    ("timeframe", "fragment"),
    [("1m", "candles are 1h apart, not 1m"), ("4h", "candles are 1h apart, not 4h")],
)
def test_data_import_when_timeframe_contradicts_candles_refuses(
    hourly_file: Path, capsys: pytest.CaptureFixture[str], timeframe: str, fragment: str
) -> None:
    code, _, err = run(
        ["data", "import", str(hourly_file), "-e", "binance", "-p", "BTC/USDT", "-t", timeframe],
        capsys,
    )
    assert_one_line_error(code, err, fragment)
    assert stored() == []


def test_data_import_when_candles_off_the_hour_refuses_them_as_hourly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frame = random_frame(10, step_ms=3_600_000)
    frame.index = frame.index + pd.Timedelta(minutes=30)  # 00:30, 01:30 ...: not hourly candles
    path = tmp_path / "binance_BTC-USDT_1h.csv"
    write_ohlcv(frame, path)
    code, _, err = run(["data", "import", str(path)], capsys)
    assert_one_line_error(code, err, "line 2", "00:30:00 UTC does not start a 1h candle")
    assert stored() == []


def test_data_import_when_timeframe_unknown_suggests_one(
    hourly_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["data", "import", str(hourly_file), "-t", "1hr"], capsys)
    assert_one_line_error(code, err, "unknown timeframe '1hr'", "did you mean '1h'")


def test_data_info_when_file_given_shows_rows_span_gaps_and_prices(
    shared_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["data", "info", str(shared_data / "binance_BTC-USDT_1h.csv.gz")], capsys)
    assert code == 0
    text = " ".join(out.split())
    assert "rows │ 72,540" in text
    assert "timeframe │ 1h" in text
    assert "first candle │ 2017-08-17 04:00 UTC" in text
    assert "last candle │ 2025-11-30 23:00 UTC" in text
    assert "28 gaps, 128 candles missing" in text
    assert "largest gaps (of 28)" in text
    assert "│ 33 │ 2018-02-08" in text  # the longest outage first


def test_data_info_when_store_empty_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["data", "info"], capsys)
    assert code == 0
    assert "is empty" in out


@pytest.mark.parametrize(
    ("name", "fragment"),
    [("absent.csv", "no such file"), ("notes.json", "unsupported file type")],
)
def test_data_info_when_file_unusable_fails_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, fragment: str
) -> None:
    (tmp_path / "notes.json").write_text("{}")
    code, _, err = run(["data", "info", str(tmp_path / name)], capsys)
    assert_one_line_error(code, err, fragment)


def test_data_info_when_file_copied_from_shared_data_reads_gzip(
    shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "eth.csv.gz"
    shutil.copy(shared_data / "binance_ETH-USDT_1h.csv.gz", copy)
    code, out, _ = run(["data", "info", str(copy)], capsys)
    assert code == 0
    assert "45,024" in out


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_data_export_when_series_imported_writes_it_back_unchanged(
    hourly_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    base = ["--exchange", "binance", "--pair", "BTC/USDT", "--timeframe", "1h"]
    assert run(["data", "import", str(hourly_file), *base], capsys)[0] == 0
    out = tmp_path / f"exported.{suffix}"
    code, stdout, _ = run(["data", "export", *base, "--out", str(out)], capsys)
    assert code == 0
    assert "exported 300 binance BTC/USDT 1h candles" in stdout
    pd.testing.assert_frame_equal(read_ohlcv(out).frame, read_ohlcv(hourly_file).frame)


def test_data_export_when_nothing_stored_exits_2_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "exported.csv"
    code, _, err = run(["data", "export", "-p", "ETH/USDT", "-t", "1d", "--out", str(out)], capsys)
    assert_one_line_error(code, err, "no ETH/USDT 1d candles")
    assert not out.exists()
