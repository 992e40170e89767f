"""``cryptotrader backtest``: JSON shape, report files, and one-line errors with exit code 2."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from cryptotrader.marketdata import write_ohlcv
from tests.support.builders import random_frame
from tests.unit.cli.test_indicators_command import run


@pytest.fixture
def candle_file(tmp_path: Path) -> Path:
    path = tmp_path / "binance_ETH-USDT_1h.csv"
    write_ohlcv(random_frame(1_200, seed=2, step_ms=3_600_000), path)
    return path


@pytest.fixture
def fear_greed_file(tmp_path: Path) -> Path:
    path = tmp_path / "fng.csv"
    rows = ["date,timestamp,value,classification"]
    for day in range(60):
        moment = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(days=day)
        rows.append(f"{moment:%Y-%m-%d},{int(moment.timestamp())},{40 + day % 50},Neutral")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_backtest_run_when_json_prints_one_object_with_the_report(
    candle_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        [
            "backtest",
            "run",
            "--data",
            str(candle_file),
            "--strategy",
            "sma_cross",
            "--param",
            "fast=5",
            "--param",
            "slow=15",
            "--json",
        ],
        capsys,
    )
    assert code == 0
    report = json.loads(out)
    for key in (
        "total_return",
        "max_drawdown",
        "sharpe_ratio",
        "win_rate",
        "total_trades",
        "profit_factor",
        "trades",
        "equity_curve",
        "cagr",
        "sortino_ratio",
        "expectancy",
        "exposure",
        "fees_paid",
    ):
        assert key in report
    held = report["buy_and_hold"]  # the benchmark: the same market bought and held
    assert held["total_trades"] == 0  # a number in JSON (the API's schema); tables say n/a
    assert held["exposure"] == 1.0
    assert held["initial_capital"] == report["initial_capital"]
    assert {"total_return", "max_drawdown", "sharpe_ratio", "max_drawdown_peak"} <= set(held)
    assert report["pair"] == "ETH/USDT"
    assert report["timeframe"] == "1h"
    assert report["strategy"] == "sma_cross(fast=5, slow=15)"
    assert report["total_trades"] == len(report["trades"]) > 0
    trade = report["trades"][0]
    for key in (
        "entry_time",
        "entry_price",
        "exit_time",
        "exit_price",
        "quantity",
        "pnl",
        "reason",
    ):
        assert isinstance(trade[key], str)
    assert trade["entry_time"].endswith("Z")
    assert len(report["equity_curve"]) == 1_200
    assert set(report["equity_curve"][0]) == {"time", "equity"}
    assert isinstance(report["final_capital"], str)


def test_backtest_run_when_html_and_plot_asked_writes_both(
    candle_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    html, png = tmp_path / "report.html", tmp_path / "chart.png"
    code, out, _ = run(
        [
            "backtest",
            "run",
            "--data",
            str(candle_file),
            "--strategy",
            "sma_cross",
            "--html",
            str(html),
            "--plot",
            str(png),
        ],
        capsys,
    )
    assert code == 0
    assert "total return" in out
    page = html.read_text(encoding="utf-8")
    assert page.count("<svg") >= 3
    assert "<script" not in page
    assert "http" not in page.replace("http://www.w3.org/2000/svg", "")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_backtest_run_when_report_folder_is_missing_creates_it(
    candle_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    html = tmp_path / "missing" / "dir" / "report.html"
    args = ["backtest", "run", "--data", str(candle_file), "--strategy", "sma_cross"]
    code, _, _ = run([*args, "--html", str(html)], capsys)
    assert code == 0
    assert "<svg" in html.read_text(encoding="utf-8")
    assert "buy &amp; hold" in html.read_text(encoding="utf-8")  # the benchmark beside it


def test_backtest_run_when_detail_given_resolves_on_the_file_minutes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "minutes.csv"
    write_ohlcv(random_frame(6_000, seed=9), path)
    code, out, _ = run(
        [
            "backtest",
            "run",
            "--data",
            str(path),
            "--strategy",
            "sma_cross",
            "--timeframe",
            "15m",
            "--detail",
            "1m",
            "--stop-loss",
            "0.002",
            "--take-profit",
            "0.003",
            "--json",
        ],
        capsys,
    )
    assert code == 0
    assert json.loads(out)["timeframe"] == "15m"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--strategy", "sma_crss"], "unknown strategy 'sma_crss'"),
        (["--strategy", "sma_cross", "--param", "fats=3"], "did you mean 'fast'"),
        (["--strategy", "sma_cross", "--param", "fast"], "write it NAME=VALUE"),
        (["--strategy", "sma_cross", "--capital", "0"], "capital 0 is out of range"),
        (["--strategy", "sma_cross", "--capital", "lots"], "--capital 'lots' is not a number"),
        (["--strategy", "sma_cross", "--fee", "0.5"], "fee 0.5 is out of range"),
        (["--strategy", "sma_cross", "--fill", "later"], "--fill 'later'"),
        (["--strategy", "sma_cross", "--stake", "1.5"], "stake 1.5 is out of range"),
        (["--strategy", "sma_cross", "--detail", "1h"], "--detail 1h must be a finer timeframe"),
        (["--strategy", "sma_cross", "--html", "/dev/null/r.html"], "/dev/null is a file"),
        (["--strategy", "sma_cross", "--plot", "."], "--plot .: is a folder"),
    ],
)
def test_backtest_run_when_input_is_bad_prints_one_line_and_exits_2(
    candle_file: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    code, out, err = run(["backtest", "run", "--data", str(candle_file), *extra], capsys)
    assert code == 2
    assert err.count("\n") == 1
    assert message in err
    assert out == ""


def test_backtest_run_when_data_shorter_than_warmup_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "short.csv"
    write_ohlcv(random_frame(40, step_ms=3_600_000), path)
    code, _, err = run(["backtest", "run", "--data", str(path), "--strategy", "sma_cross"], capsys)
    assert code == 2
    assert "40 candles are too few for 'sma_cross'" in err


def test_backtest_compare_when_json_lists_each_strategy(
    candle_file: Path, fear_greed_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    html = tmp_path / "compare.html"
    code, out, _ = run(
        [
            "backtest",
            "compare",
            "--data",
            str(candle_file),
            "--strategies",
            "sma_cross,aggressive,conservative",
            "--param",
            "sma_cross.fast=10",
            "--fear-greed",
            str(fear_greed_file),
            "--json",
            "--html",
            str(html),
        ],
        capsys,
    )
    assert code == 0
    results = json.loads(out)["results"]
    assert [r["strategy"].split("(")[0] for r in results] == [
        "sma_cross",
        "aggressive",
        "conservative",
    ]
    assert results[0]["strategy"].startswith("sma_cross(fast=10")
    assert "conservative" in html.read_text(encoding="utf-8")


def test_backtest_compare_when_param_names_another_strategy_exits_2(
    candle_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        [
            "backtest",
            "compare",
            "--data",
            str(candle_file),
            "--strategies",
            "sma_cross",
            "--param",
            "conservative.buy_threshold=0.2",
        ],
        capsys,
    )
    assert code == 2
    assert "names no strategy being run" in err


def test_backtest_portfolio_when_json_lists_bots_reallocations_and_risk_changes(
    candle_file: Path, fear_greed_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        [
            "backtest",
            "portfolio",
            "--data",
            str(candle_file),
            "--fear-greed",
            str(fear_greed_file),
            "--aggressive-strategy",
            "sma_cross",
            "--json",
        ],
        capsys,
    )
    assert code == 0
    report = json.loads(out)
    assert report["reallocation_ratio"] == "0.30"
    assert set(report["bots"]) == {"safe", "aggressive"}
    assert report["bots"]["safe"]["initial_capital"] == "700"
    assert isinstance(report["reallocations"], list)
    assert isinstance(report["risk_changes"], list)
    assert (
        report["total_trades"]
        == report["bots"]["safe"]["total_trades"] + report["bots"]["aggressive"]["total_trades"]
    )


def test_backtest_portfolio_when_sweep_given_reports_each_ratio(
    candle_file: Path, fear_greed_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    html = tmp_path / "sweep.html"
    code, out, _ = run(
        [
            "backtest",
            "portfolio",
            "--data",
            str(candle_file),
            "--fear-greed",
            str(fear_greed_file),
            "--sweep-reallocation",
            "0.1:0.3:0.1",
            "--curve-points",
            "50",
            "--json",
            "--html",
            str(html),
        ],
        capsys,
    )
    assert code == 0
    sweep = json.loads(out)["sweep"]
    assert [s["reallocation_ratio"] for s in sweep] == ["0.1", "0.2", "0.3"]
    assert len(sweep[0]["equity_curve"]) <= 50
    assert html.exists()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--reallocation", "0.9"], "0.10 - 0.50"),
        (["--sweep-reallocation", "0.1-0.5"], "START:STOP:STEP"),
        (["--on-deep-streak", "stop"], "--on-deep-streak 'stop'"),
        (["--safe-capital", "0"], "capital 0 is out of range"),
    ],
)
def test_backtest_portfolio_when_input_is_bad_exits_2(
    candle_file: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    code, _, err = run(["backtest", "portfolio", "--data", str(candle_file), *extra], capsys)
    assert code == 2
    assert message in err


def test_backtest_portfolio_table_shows_buy_and_hold_and_each_bots_trading_apart_from_reallocation(
    candle_file: Path, fear_greed_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["backtest", "portfolio", "--data", str(candle_file)]
    code, out, err = run([*args, "--fear-greed", str(fear_greed_file)], capsys)
    assert code == 0, err
    assert "buy & hold" in out
    assert "drawdown recovery" in out
    sources = out[out.index("where each bot's capital change came from") :]
    rows = {}
    for line in sources.splitlines():
        cells = [c.strip().replace(",", "") for c in line.strip("│ ").split("│")]
        if len(cells) == 5 and cells[0] in ("safe", "aggressive"):
            rows[cells[0]] = [Decimal(c) for c in cells[1:]]
    assert set(rows) == {"safe", "aggressive"}
    for initial, traded, moved, final in rows.values():
        assert initial + traded + moved == final  # nothing else changes a bot's capital
    assert rows["safe"][2] == -rows["aggressive"][2]  # what one bot hands over, the other gets


def test_backtest_plot_aggregates_trades_per_period_when_there_are_many(
    candle_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from cryptotrader.engines.backtest import plot

    monkeypatch.setattr(plot, "MAX_MARKERS", 0)  # every run counts as long: one dot per period
    png = tmp_path / "many.png"
    args = ["backtest", "run", "--data", str(candle_file), "--strategy", "sma_cross"]
    code, _, err = run([*args, "--plot", str(png)], capsys)
    assert code == 0, err
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_backtest_html_of_a_long_run_shows_trades_per_period_to_its_end_and_buy_and_hold(
    candle_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from cryptotrader.engines.backtest import html as report

    monkeypatch.setattr(report, "MAX_TRADES", 0)  # every run counts as long: one dot per period
    page_file = tmp_path / "long.html"
    args = ["backtest", "run", "--data", str(candle_file), "--strategy", "sma_cross"]
    code, out, err = run([*args, "--json", "--html", str(page_file)], capsys)
    assert code == 0, err
    trades = json.loads(out)["trades"]
    page = page_file.read_text(encoding="utf-8")
    assert f"{len(trades):,} trades: one dot per period" in page
    dots = [float(x) for x in re.findall(r'<circle cx="([0-9.]+)"', page)]
    assert 0 < len(dots) <= min(len(trades), report.PERIODS)
    left, width = report.PAD, report.WIDTH - 2 * report.PAD
    assert max(dots) > left + 0.75 * width  # to the last trades (the first 500 alone were drawn)
    # the equity chart draws buy-and-hold beside the strategy, with a legend
    assert "&#9632; buy &amp; hold</span>" in page


def test_backtest_compare_table_heads_columns_with_short_names_and_lists_parameters_below(
    candle_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["backtest", "compare", "--data", str(candle_file)]
    code, out, err = run([*args, "--strategies", "sma_cross,conservative"], capsys)
    assert code == 0, err
    header = next(line for line in out.splitlines() if "metric" in line)
    assert "sma_cross" in header
    assert "conservative" in header
    assert "buy & hold" in header
    assert "(" not in header  # parameters do not wrap the headers over several lines
    # buy & hold bought once and held: its trade count reads n/a, not 0 (its fees are real)
    cells = {line.split("│")[1].strip(): line.split("│")[2:-1] for line in out.splitlines()
             if line.count("│") == 5}  # fmt: skip
    assert [c.strip() for c in cells["trades"]][-1] == "n/a"
    assert cells["trades"][0].strip().isdigit()
    assert cells["fees paid"][-1].strip() not in ("n/a", "0.00")
    assert "conservative: conservative(buy_threshold=" in out


def _pair_files(tmp_path: Path) -> tuple[Path, Path]:
    btc, eth = tmp_path / "binance_BTC-USDT_1h.csv", tmp_path / "binance_ETH-USDT_1h.csv"
    write_ohlcv(random_frame(1_200, seed=3, step_ms=3_600_000), btc)
    write_ohlcv(random_frame(1_100, seed=4, step_ms=3_600_000), eth)
    return btc, eth


def test_backtest_portfolio_when_given_two_files_reports_per_bot_per_pair_and_combined(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    btc, eth = _pair_files(tmp_path)
    html = tmp_path / "pairs.html"
    args = ["backtest", "portfolio", "--data", str(eth), "--data", str(btc)]
    args += ["--aggressive-strategy", "sma_cross", "--safe-strategy", "sma_cross"]
    code, out, err = run([*args, "--json", "--html", str(html)], capsys)
    assert code == 0, err
    report = json.loads(out)
    assert report["pairs"] == ["BTC/USDT", "ETH/USDT"]
    bots = report["bots"]
    assert set(bots) == {"safe", "aggressive"}
    for bot in bots.values():
        assert set(bot["pairs"]) == {"BTC/USDT", "ETH/USDT"}
        assert bot["total_trades"] == sum(p["total_trades"] for p in bot["pairs"].values())
        assert {t["pair"] for t in bot["trades"]} <= {"BTC/USDT", "ETH/USDT"}
    assert report["total_trades"] == sum(b["total_trades"] for b in bots.values())
    assert set(report["buy_and_hold"]) == {"BTC/USDT", "ETH/USDT"}
    assert "ETH/USDT" in html.read_text(encoding="utf-8")
    code, out, err = run(args, capsys)
    assert code == 0, err
    assert "per pair" in out
    assert "combined" in out


@pytest.mark.parametrize(
    ("names", "pairs", "message"),
    [
        (("prices.csv", "binance_ETH-USDT_1h.csv"), [], "prices.csv: cannot tell its pair"),
        (("a.csv", "b.csv"), ["BTC/USDT"], "--pair given 1 times for 2 --data files"),
        (("a.csv", "b.csv"), ["BTC/USDT", "BTC/USDT"], "BTC/USDT is given twice"),
    ],
)
def test_backtest_portfolio_when_the_pairs_cannot_be_told_exits_2_with_one_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    names: tuple[str, str],
    pairs: list[str],
    message: str,
) -> None:
    args = ["backtest", "portfolio"]
    for index, name in enumerate(names):
        path = tmp_path / name
        write_ohlcv(random_frame(300, seed=index, step_ms=3_600_000), path)
        args += ["--data", str(path)]
    for pair in pairs:
        args += ["--pair", pair]
    code, _, err = run(args, capsys)
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_backtest_portfolio_when_a_pair_is_too_short_for_the_warm_up_names_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    btc, _ = _pair_files(tmp_path)
    short = tmp_path / "binance_SOL-USDT_1h.csv"
    write_ohlcv(random_frame(20, seed=5, step_ms=3_600_000), short)
    code, _, err = run(["backtest", "portfolio", "--data", str(btc), "--data", str(short)], capsys)
    assert code == 2
    assert "SOL/USDT: 20 candles are too few" in err
    assert len(err.strip().splitlines()) == 1


def test_backtest_portfolio_when_given_stored_pairs_trades_as_with_their_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    btc, eth = _pair_files(tmp_path)
    for path in (btc, eth):
        code, _, err = run(["data", "import", str(path)], capsys)
        assert code == 0, err
    strategies = ["--aggressive-strategy", "sma_cross", "--safe-strategy", "sma_cross", "--json"]
    code, out, err = run(
        ["backtest", "portfolio", "--stored", "ETH/USDT", "--stored", "BTC/USDT", "--timeframe",
         "1h", *strategies],
        capsys,
    )  # fmt: skip
    assert code == 0, err
    stored = json.loads(out)
    code, out, err = run(
        ["backtest", "portfolio", "--data", str(btc), "--data", str(eth), *strategies], capsys
    )
    assert code == 0, err
    files = json.loads(out)
    assert stored["pairs"] == ["BTC/USDT", "ETH/USDT"]
    assert stored["total_trades"] > 0
    assert stored["bots"] == files["bots"]
    code, _, err = run(
        ["backtest", "portfolio", "--stored", "SOL/USDT", "--timeframe", "1h"], capsys
    )
    assert code == 2
    assert "no stored candles for binance SOL/USDT 1h" in err
