"""A single-value option given twice is refused in one line, never the last value kept silently.

Click keeps the last value: ``backtest run --pair BTC/USDT --pair ETH/USDT`` ran on ETH/USDT
alone. Whether an option may repeat is declared on it (``multiple``: a ``list`` in typer, such
as ``--param``; or ``count``); every command is a ``cli._common.OnceCommand``, which refuses any
other option given more than once before the command runs.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer._click import Command

from cryptotrader.cli import app
from cryptotrader.cli._common import OnceCommand
from cryptotrader.marketdata import write_ohlcv
from tests.support.builders import random_frame
from tests.unit.cli.test_indicators_command import run


@pytest.fixture
def candle_file(tmp_path: Path) -> Path:
    path = tmp_path / "binance_ETH-USDT_1h.csv"
    write_ohlcv(random_frame(400, seed=4, step_ms=3_600_000), path)
    return path


def _leaves(command: Command, path: str) -> list[tuple[str, Command]]:
    children = getattr(command, "commands", None)
    if children is None:
        return [(path, command)]
    return [leaf for name, sub in children.items() for leaf in _leaves(sub, f"{path} {name}")]


def test_every_command_refuses_repeats_so_a_new_one_cannot_forget_to() -> None:
    leaves = _leaves(typer.main.get_command(app), "cryptotrader")
    assert len(leaves) > 15
    assert [path for path, command in leaves if not isinstance(command, OnceCommand)] == []


BACKTEST = ["backtest", "run", "--strategy", "sma_cross"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([*BACKTEST, "--pair", "BTC/USDT", "--pair", "ETH/USDT"], "--pair takes one value"),
        ([*BACKTEST, "--timeframe", "4h", "-t", "1d"], "--timeframe takes one value"),
        ([*BACKTEST, "--capital", "1000", "--capital=5000"], "--capital takes one value"),
        ([*BACKTEST, "--json", "--json"], "--json is a switch"),
        (["backtest", "run", "--strategy", "sma_cross", "--strategy", "rsi"], "--strategy"),
        (
            ["backtest", "compare", "--strategies", "sma_cross", "--fee", "0", "--fee", "0.01"],
            "--fee takes one value",
        ),
        (
            ["backtest", "portfolio", "--safe-capital", "700", "--safe-capital", "800"],
            "--safe-capital takes one value",
        ),
        (
            ["optimize", "--strategy", "sma_cross", "--trials", "1", "--trials", "5"],
            "--trials takes one value",
        ),
        (["indicators", "--timeframe", "1h", "--timeframe", "4h"], "--timeframe takes one value"),
        (
            ["data", "export", "--pair", "BTC/USDT", "--pair", "ETH/USDT", "--timeframe", "1h"],
            "--pair takes one value",
        ),
        (["run", "--replay", "--pair", "BTC/USDT", "--pair", "ETH/USDT"], "--pair"),
    ],
)
def test_a_repeated_single_value_option_is_one_line_exit_2_and_nothing_written(
    args: list[str],
    message: str,
    *,
    candle_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    report = tmp_path / "report.html"
    if args[0] in {"backtest", "optimize", "indicators"}:
        args = [*args, "--data", str(candle_file)]
    if args[0] == "backtest":
        args = [*args, "--html", str(report)]
    if args[:2] == ["run", "--replay"]:
        args = [args[0], args[1], str(candle_file), *args[2:]]
    code, out, err = run(args, capsys)
    assert code == 2
    assert err.count("\n") == 1
    assert message in err
    assert "(given 2 times): give it once" in err
    assert out == ""
    assert not report.exists()


def test_options_declared_repeatable_still_repeat_and_one_of_each_is_unchanged(
    candle_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [*BACKTEST, "--data", str(candle_file), "--json", "--pair", "SOL/USDT",
            "--param", "fast=5", "--param", "slow=30"]  # fmt: skip
    code, out, err = run(args, capsys)
    assert (code, err) == (0, "")
    report = json.loads(out)
    assert report["pair"] == "SOL/USDT"
    assert "fast=5" in report["strategy"]
    assert "slow=30" in report["strategy"]
