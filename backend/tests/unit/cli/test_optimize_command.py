"""``cryptotrader optimize``: a study on real candles, its JSON, resume, one-line refusals."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from tests.unit.cli.test_indicators_command import run


@pytest.fixture
def candle_file(shared_data: Path, tmp_path: Path) -> Path:
    """5,000 real hourly BTC/USDT candles of 2022."""
    with gzip.open(shared_data / "binance_BTC-USDT_1h.csv.gz", "rt") as source:
        lines = source.read().splitlines()
    path = tmp_path / "binance_BTC-USDT_1h.csv"
    path.write_text("\n".join([lines[0], *lines[38_001:43_001]]) + "\n", encoding="utf-8")
    return path


def _args(candle_file: Path, tmp_path: Path, *extra: str) -> list[str]:
    return [
        "optimize", "--data", str(candle_file), "--strategy", "sma_cross",
        "--storage", f"sqlite:///{tmp_path / 'studies.db'}", "--seed", "1",
        "--range", "fast=5:20", "--range", "slow=25:90", "--min-trades", "3", *extra,
    ]  # fmt: skip


def test_optimize_when_json_reports_the_study_and_the_exact_best(
    candle_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(_args(candle_file, tmp_path, "--trials", "8", "--json"), capsys)
    assert code == 0, err
    report = json.loads(out)
    assert report["strategy"] == "sma_cross"
    assert report["objectives"] == ["sharpe"]
    counted = report["trials"]
    assert counted["complete"] + counted["pruned"] == 8
    best = report["chosen"][0]
    assert set(best["params"]) == {"fast", "slow"}
    assert set(best["protection"]) == {"stop_loss", "take_profit", "risk_ratio"}
    assert best["backtest"]["sharpe_ratio"] == pytest.approx(best["values"][0])
    assert report["top_trials"][0]["number"] == best["number"]
    assert sum(report["importance"].values()) == pytest.approx(1.0)


def test_optimize_when_run_again_resumes_the_same_study(
    candle_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(_args(candle_file, tmp_path, "--trials", "4"), capsys)
    assert code == 0, err
    first = err.split()[1]
    code, out, err = run(_args(candle_file, tmp_path, "--trials", "7"), capsys)
    assert code == 0, err
    assert err.split()[1] == first
    assert "7 complete" in out.replace("\n", " ") or "pruned" in out


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--range", "fats=1:3"], "unknown parameter 'fats' for 'sma_cross'; did you mean 'fast'?"),
        (["--range", "stop_loss=0.1:0.05"], "--range stop_loss=0.1:0.05 is inverted"),
        (["--objective", "sharp"], "unknown objective 'sharp'; did you mean 'sharpe'?"),
        (["--sampler", "tpee"], "unknown sampler 'tpee'; did you mean 'tpe'?"),
        (["--max-drawdown", "30"], "--max-drawdown 30.0 must be between 0 and 1"),
        (["--trials", "0"], "--trials 0 must be at least 1"),
    ],
)
def test_optimize_when_bad_input_is_one_line_exit_2_and_no_study(
    candle_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    extra: list[str],
    message: str,
) -> None:
    code, _, err = run(_args(candle_file, tmp_path, *extra), capsys)
    assert code == 2
    assert err.strip() == f"error: {message}" or message in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "studies.db").exists()


def test_optimize_when_storage_cannot_be_reached_is_one_line_exit_2(
    candle_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = _args(candle_file, tmp_path)
    args[args.index("--storage") + 1] = "postgresql://nobody@127.0.0.1:1/none"
    code, _, err = run(args, capsys)
    assert code == 2
    assert "cannot be reached" in err
    assert len(err.strip().splitlines()) == 1
