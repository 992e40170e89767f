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
    whole = json.loads(out)
    assert whole["walk_forward"] is None
    assert whole["monte_carlo"]["reshuffled"]["runs"] == 1000
    report = whole["study"]
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


def test_optimize_when_walk_forward_reports_windows_monte_carlo_html_and_png(
    candle_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    html, png = tmp_path / "report.html", tmp_path / "report.png"
    extra = ["--trials", "5", "--sampler", "random", "--walk-forward", "--wf-train", "2000",
             "--wf-test", "1000", "--monte-carlo", "200", "--json", "--html", str(html),
             "--png", str(png)]  # fmt: skip
    code, out, err = run(_args(candle_file, tmp_path, *extra), capsys)
    assert code == 0, err
    report = json.loads(out)
    wf = report["walk_forward"]
    assert len(wf["windows"]) == 3
    first = wf["windows"][0]
    assert first["train_start"] < first["train_end"] < first["test_start"] < first["test_end"]
    assert {"in_sample", "out_of_sample", "params", "protection"} <= set(first)
    assert wf["out_of_sample"]["trades"] == sum(w["out_of_sample"]["trades"] for w in wf["windows"])
    assert wf["equity_curve"][0]["equity"] == pytest.approx(1000, rel=0.05)
    assert report["monte_carlo"]["resampled"]["runs"] == 200
    assert isinstance(report["warnings"], list)
    page = html.read_text(encoding="utf-8")
    for section in ("Walk-forward (rolling)", "Stitched out-of-sample equity", "Monte Carlo of"):
        assert section in page
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_optimize_when_html_of_a_study_has_importance_and_parallel_coordinates(
    candle_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    html = tmp_path / "report.html"
    extra = ["--trials", "8", "--objective", "profit,drawdown", "--html", str(html)]
    code, out, err = run(_args(candle_file, tmp_path, *extra), capsys)
    assert code == 0, err
    page = html.read_text(encoding="utf-8")
    for section in ("Best trials", "Parallel coordinates", "Pareto front", "<polyline"):
        assert section in page
    assert "Monte Carlo" in out


def test_optimize_when_walk_forward_windows_do_not_fit_is_one_line_exit_2(
    candle_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    extra = ["--walk-forward", "--wf-train", "365d", "--wf-test", "30d"]
    code, _, err = run(_args(candle_file, tmp_path, *extra), capsys)
    assert code == 2
    assert err.strip() == (
        "error: walk-forward windows do not fit the data: train 8760 + test 720 candles > "
        "5000 candles"
    )
    assert not (tmp_path / "studies.db").exists()


def test_optimize_when_portfolio_tunes_reallocation_and_reducer_steps(
    candle_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    storage = f"sqlite:///{tmp_path / 'studies.db'}"
    args = ["optimize", "--data", str(candle_file), "--portfolio", "--trials", "4", "--seed", "1",
            "--storage", storage, "--min-trades", "1", "--json"]  # fmt: skip
    code, out, err = run(args, capsys)
    assert code == 0, err
    study = json.loads(out)["study"]
    assert study["strategy"] == "portfolio"
    best = study["chosen"][0]
    assert set(best["params"]) >= {"reallocation_ratio", "losses_to_halve"}
    assert best["backtest"]["reallocation_ratio"] == f"{best['params']['reallocation_ratio']:.4f}"


def test_optimize_when_portfolio_walks_forward_it_scores_each_test_window(
    candle_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["optimize", "--data", str(candle_file), "--portfolio", "--trials", "3", "--seed", "1",
            "--sampler", "random", "--storage", f"sqlite:///{tmp_path / 'p.db'}",
            "--walk-forward", "--wf-train", "2000", "--wf-test", "1000", "--monte-carlo", "0",
            "--json"]  # fmt: skip
    code, out, err = run(args, capsys)
    assert code == 0, err
    wf = json.loads(out)["walk_forward"]
    assert len(wf["windows"]) == 3
    assert {"reallocation_ratio", "losses_to_halve"} <= set(wf["windows"][0]["params"])
    assert wf["out_of_sample"]["trades"] == sum(w["out_of_sample"]["trades"] for w in wf["windows"])
    assert len(wf["equity_curve"]) > 0


def test_optimize_when_neither_or_both_strategy_and_portfolio_is_one_line(
    candle_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["optimize", "--data", str(candle_file), "--portfolio", "--strategy", "sma_cross"]
    code, _, err = run(args, capsys)
    assert code == 2
    assert err.strip() == "error: give --strategy NAME (one strategy) or --portfolio (both bots)"


@pytest.mark.parametrize("width", [80, 120])
def test_optimize_table_at_the_terminals_width_cuts_no_header_and_no_value(
    width: int,
    candle_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from cryptotrader.cli._common import console

    monkeypatch.setattr(console, "width", width)
    objectives = ("-o", "sharpe", "-o", "sortino", "-o", "calmar")
    code, out, err = run(_args(candle_file, tmp_path, "--trials", "6", *objectives), capsys)
    assert code == 0, err
    lines = out.splitlines()
    header = next(line for line in lines if "sharpe" in line)
    shown = set(header.split())
    assert {"fast", "slow", "SL", "TP", "risk", "sharpe", "sortino", "calmar"} <= shown
    assert "…" not in out
    assert all(len(line) <= width for line in lines)
    rows = lines[lines.index(header) + 2 : lines.index(header) + 8]
    # one line per trial, a value under each header ("max DD" is two words)
    assert all(len(row.split()) == len(header.split()) - 1 for row in rows), "\n".join(rows)
    if width >= 120:
        assert header.split()[0] == "#"
        assert header.split()[-1] == "trades"
