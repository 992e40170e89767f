"""``cryptotrader indicators``: the report, the output file, and one-line errors with exit 2."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cryptotrader.cli import main
from cryptotrader.marketdata import write_ohlcv
from tests.support.builders import random_frame
from tests.unit.indicators.test_engine import REQUIRED_COLUMNS


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    out, err = capsys.readouterr()
    code = exit_info.value.code
    return (code if isinstance(code, int) else 1), out, err


@pytest.fixture
def candle_file(tmp_path: Path) -> Path:
    path = tmp_path / "candles.csv"
    write_ohlcv(random_frame(1_500, step_ms=3_600_000), path)
    return path


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_indicators_when_out_given_writes_every_required_series(
    candle_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    out = tmp_path / f"indicators.{suffix}"
    code, stdout, _ = run(["indicators", "--data", str(candle_file), "--out", str(out)], capsys)
    assert code == 0
    frame = pd.read_csv(out) if suffix == "csv" else pd.read_parquet(out)
    assert set(REQUIRED_COLUMNS) <= set(frame.columns)
    assert len(frame) == 1_500
    assert "rsi_14" in stdout


def test_indicators_when_timeframe_given_resamples_before_computing(
    candle_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "four_hours.csv"
    code, _, _ = run(
        ["indicators", "--data", str(candle_file), "-t", "4h", "--out", str(out)], capsys
    )
    assert code == 0
    stamps = pd.read_csv(out)["timestamp"].to_numpy()
    assert len(stamps) == 1_500 // 4
    assert np.all(np.diff(stamps) == 4 * 3_600_000)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--indicators", "rsi,mcad"], "unknown indicator 'mcad'"),
        (["--timeframe", "3h"], "unknown timeframe '3h'"),
        (["--out", "{tmp}/report.xlsx"], "unsupported file type"),
    ],
)
def test_indicators_when_bad_option_prints_one_line_and_exits_2(
    candle_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    extra: list[str],
    message: str,
) -> None:
    args = ["indicators", "--data", str(candle_file), *[a.format(tmp=tmp_path) for a in extra]]
    code, _, err = run(args, capsys)
    assert code == 2
    assert err.count("\n") == 1
    assert message in err
    assert not (tmp_path / "report.xlsx").exists()


def test_indicators_when_file_malformed_names_the_line_and_leaves_no_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "timestamp,open,high,low,close,volume\n"
        "1704067200000,100,101,99,100.5,3\n"
        "1704070800000,100.5,100.6,99,101,2\n"  # high below close
    )
    out = tmp_path / "out.csv"
    code, _, err = run(["indicators", "--data", str(bad), "--out", str(out)], capsys)
    assert code == 2
    assert err.strip() == (
        f"error: {bad}: line 3: high is below open, close or low "
        "(open=100.5 high=100.6 low=99.0 close=101.0 volume=2.0)"
    )
    assert list(tmp_path.iterdir()) == [bad]


def test_indicators_when_missing_option_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run(["indicators"], capsys)
    assert code == 2
    assert err.count("\n") == 1
    assert "--data" in err


def test_indicators_when_real_daily_btc_reports_every_indicator(
    shared_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, stdout, _ = run(
        ["indicators", "--data", str(shared_data / "binance_BTC-USDT_1d.csv")], capsys
    )
    assert code == 0
    for key in (
        "rsi_14",
        "macd",
        "bb",
        "ema_50",
        "sma_200",
        "stochrsi",
        "volume",
        "fibonacci",
        "adi",
        "support_resi",
        "chop_14",
        "atr_14",
    ):
        assert key in stdout
