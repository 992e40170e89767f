"""A file option given twice is refused in one line, never the last file taken silently.

Click keeps the last value of a single-value option: ``backtest run --data a.csv --data b.csv``
ran on b only, and ``--html a.html --html b.html`` wrote b only. Every file option of the CLI
now refuses a repeat (``cli._common.one_file``) before any work; and a backtest of a file whose
name does not tell the pair says that BTC/USDT was assumed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cryptotrader.marketdata import write_ohlcv
from tests.support.builders import random_frame
from tests.unit.cli.test_indicators_command import run


@pytest.fixture
def candle_file(tmp_path: Path) -> Path:
    path = tmp_path / "binance_ETH-USDT_1h.csv"
    write_ohlcv(random_frame(400, seed=4, step_ms=3_600_000), path)
    return path


@pytest.mark.parametrize(
    ("command", "option", "why"),
    [
        (["backtest", "run", "--strategy", "sma_cross"], "--data", "not supported yet"),
        (["backtest", "run", "--strategy", "sma_cross"], "--html", "give it once"),
        (["backtest", "run", "--strategy", "sma_cross"], "--plot", "give it once"),
        (["backtest", "run", "--strategy", "sma_cross"], "--detail-data", "give it once"),
        (["backtest", "run", "--strategy", "sma_cross"], "--fear-greed", "give it once"),
        (["backtest", "compare", "--strategies", "sma_cross"], "--data", "not supported yet"),
        (["backtest", "compare", "--strategies", "sma_cross"], "--html", "give it once"),
        (["backtest", "portfolio"], "--fear-greed", "give it once"),
        (["optimize", "--strategy", "sma_cross", "--trials", "1"], "--data", "not supported"),
        (["optimize", "--strategy", "sma_cross", "--trials", "1"], "--png", "give it once"),
        (["indicators"], "--data", "not supported yet"),
        (["indicators"], "--out", "give it once"),
        (["data", "export", "--pair", "BTC/USDT", "--timeframe", "1h"], "--out", "give it once"),
        (["data", "download", "--pair", "BTC/USDT", "--timeframe", "1h"], "--out", "give it"),
        (["api"], "--openapi", "give it once"),
        (["run", "--replay"], "--fear-greed", "give it once"),
    ],
)
def test_a_repeated_file_option_is_one_line_exit_2_and_nothing_written(
    command: list[str],
    option: str,
    why: str,
    *,
    candle_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    first, second = tmp_path / "first.html", tmp_path / "second.html"
    if option == "--data":
        first, second = candle_file, tmp_path / "binance_SOL-USDT_1h.csv"
        write_ohlcv(random_frame(400, seed=5, step_ms=3_600_000), second)
    elif command[0] in {"backtest", "optimize", "indicators"}:
        command = [*command, "--data", str(candle_file)]
    if command[-1] == "--replay":
        command = [*command, str(candle_file)]
    args = [*command, option, str(first), option, str(second)]
    code, out, err = run(args, capsys)
    assert code == 2
    assert err.count("\n") == 1
    assert f"{option} takes one file (2 given: {first.name}, {second.name})" in err
    assert why in err
    assert out == ""
    if option != "--data":  # no report, chart or schema written to either path
        assert not first.exists()
        assert not second.exists()


def test_backtest_of_a_file_not_naming_its_pair_says_btc_usdt_was_assumed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "candles.csv"
    write_ohlcv(random_frame(400, seed=4, step_ms=3_600_000), path)
    base = ["--data", str(path), "--json"]
    for command in (["backtest", "run", "--strategy", "sma_cross"], ["backtest", "compare",
                    "--strategies", "sma_cross"]):  # fmt: skip
        code, out, err = run([*command, *base], capsys)
        assert code == 0
        assert err == "candles.csv: pair not in the file name: assumed BTC/USDT (use --pair)\n"
        report = json.loads(out)
        assert (report["results"][0] if "results" in report else report)["pair"] == "BTC/USDT"

    code, out, err = run(["backtest", "run", "--strategy", "sma_cross", *base,
                          "--pair", "SOL/USDT"], capsys)  # fmt: skip
    assert code == 0
    assert err == ""
    assert json.loads(out)["pair"] == "SOL/USDT"


def test_backtest_of_a_file_naming_its_pair_prints_no_notice(
    candle_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["backtest", "run", "--strategy", "sma_cross", "--data", str(candle_file), "--json"]
    code, out, err = run(args, capsys)
    assert code == 0
    assert err == ""
    assert json.loads(out)["pair"] == "ETH/USDT"
