"""``cryptotrader indicators`` with sentiment: a history file, or the sources (offline here)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cryptotrader.cli import main
from cryptotrader.marketdata import write_ohlcv
from cryptotrader.sentiment import reset_notices
from tests.support.builders import random_frame

pytestmark = pytest.mark.timeout(900)

DAY_S = 86_400
START_S = 1_704_067_200  # 2024-01-01, where random_frame starts


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    reset_notices()  # one CLI run is one process
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    out, err = capsys.readouterr()
    code = exit_info.value.code
    return (code if isinstance(code, int) else 1), out, err


@pytest.fixture
def candle_file(tmp_path: Path) -> Path:
    path = tmp_path / "candles.csv"
    write_ohlcv(random_frame(24 * 10, step_ms=3_600_000), path)  # ten days of hourly candles
    return path


@pytest.fixture
def fear_greed_file(tmp_path: Path) -> Path:
    path = tmp_path / "fear_greed.csv"
    rows = [
        f"{np.datetime64(START_S + d * DAY_S, 's').astype('datetime64[D]')},"
        f"{START_S + d * DAY_S},{10 + 5 * d},Fear"
        for d in range(10)
    ]
    path.write_text("date,timestamp,value,classification\n" + "\n".join(rows) + "\n")
    return path


def test_indicators_when_offline_succeeds_with_one_notice_per_source(
    candle_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, stdout, err = run(["indicators", "--data", str(candle_file)], capsys)
    assert code == 0
    lines = err.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("notice: Fear & Greed API unreachable: 127.0.0.1:1 ")
    assert "fear_greed is neutral with weight 0" in lines[0]
    assert "--fear-greed FILE" in lines[0]
    assert lines[1].startswith("notice: Google Trends unreachable: 127.0.0.1:1 ")
    assert "fear_greed" in stdout
    assert "unavailable" in stdout


def test_indicators_when_fear_greed_file_given_aligns_it_on_the_candles(
    candle_file: Path, fear_greed_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.csv"
    args = ["indicators", "--data", str(candle_file), "--fear-greed", str(fear_greed_file)]
    code, _, err = run([*args, "--indicators", "fear_greed", "--out", str(out)], capsys)
    assert code == 0
    assert "Fear & Greed" not in err  # the file was used, not the API
    frame = pd.read_csv(out)
    day = np.arange(len(frame)) // 24
    np.testing.assert_array_equal(frame["fear_greed"].to_numpy(), 10 + 5 * day)


def test_indicators_when_only_classic_indicators_wanted_prints_no_notice(
    candle_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["indicators", "--data", str(candle_file), "--indicators", "rsi"], capsys)
    assert code == 0
    assert err == ""


def test_indicators_when_fear_greed_file_missing_prints_one_line_and_exits_2(
    candle_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    absent = tmp_path / "absent.csv"
    args = ["indicators", "--data", str(candle_file), "--fear-greed", str(absent)]
    code, _, err = run([*args, "--indicators", "fear_greed"], capsys)
    assert code == 2
    assert err == f"error: {absent}: no such Fear & Greed file\n"
