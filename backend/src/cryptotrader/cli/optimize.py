"""``cryptotrader optimize``: tune a strategy on a candle file with Optuna.

Only typer and the CLI's helpers are imported here: Optuna, numpy and the backtester are
imported when the command runs, so that ``cryptotrader --help`` stays fast.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from cryptotrader.cli._common import file_option

ListOpt = list[str] | None


def _pairs(option: str, items: list[str] | None) -> dict[str, str]:
    from cryptotrader.errors import UserInputError  # noqa: PLC0415

    out: dict[str, str] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise UserInputError(f"{option} {item!r}: write it NAME=VALUE")
        out[name.strip()] = value.strip()
    return out


def optimize_command(  # noqa: PLR0915, PLR0917 - typer maps each option to a parameter
    data: Annotated[
        list[Path], file_option("--data", help="candle file (.csv, .csv.gz, .parquet)")
    ],
    strategy: Annotated[
        str | None, typer.Option("--strategy", help="sma_cross, conservative, ...")
    ] = None,
    portfolio: Annotated[
        bool,
        typer.Option("--portfolio", help="tune both bots' reallocation ratio and risk reducer"),
    ] = False,
    safe_strategy: Annotated[str, typer.Option("--safe-strategy")] = "conservative",
    aggressive_strategy: Annotated[str, typer.Option("--aggressive-strategy")] = "aggressive",
    timeframe: Annotated[
        str | None, typer.Option("--timeframe", "-t", help="optimise on this timeframe")
    ] = None,
    objective: Annotated[
        ListOpt,
        typer.Option(
            "--objective",
            "-o",
            help="sharpe (default), sortino, calmar, profit, drawdown, win_rate; several: Pareto",
        ),
    ] = None,
    sampler: Annotated[str, typer.Option("--sampler", help="tpe, nsga2, grid, random")] = "tpe",
    trials: Annotated[int, typer.Option("--trials", "-n", help="trials in the study in all")] = 100,
    timeout: Annotated[
        float | None, typer.Option("--timeout", help="stop this run after so many seconds")
    ] = None,
    early_stop: Annotated[
        int | None, typer.Option("--early-stop", help="stop after N trials without a better one")
    ] = None,
    min_trades: Annotated[int, typer.Option("--min-trades", help="fewer trades: infeasible")] = 10,
    max_drawdown: Annotated[
        float | None, typer.Option("--max-drawdown", help="deeper drawdown: infeasible (0.3)")
    ] = None,
    ranges: Annotated[
        ListOpt, typer.Option("--range", help="search NAME over LOW:HIGH[:STEP]")
    ] = None,
    fix: Annotated[ListOpt, typer.Option("--fix", help="pin NAME=VALUE (not searched)")] = None,
    no_protection: Annotated[
        bool, typer.Option("--no-protection", help="do not search stop-loss and take-profit")
    ] = False,
    grid_points: Annotated[
        int, typer.Option("--grid-points", help="grid values of a range without step")
    ] = 5,
    seed: Annotated[int | None, typer.Option("--seed", help="sampler seed (reproducible)")] = None,
    storage: Annotated[
        str | None,
        typer.Option("--storage", help="postgresql://... or sqlite:///file; default: data dir"),
    ] = None,
    study: Annotated[
        str | None, typer.Option("--study", help="study name; default: from strategy and data")
    ] = None,
    workers: Annotated[int, typer.Option("--workers", "-w", help="worker processes")] = 1,
    heartbeat: Annotated[
        int,
        typer.Option("--heartbeat", help="seconds between a trial's heartbeats (dead: 4x silent)"),
    ] = 5,
    capital: Annotated[str, typer.Option("--capital", help="initial capital")] = "1000",
    fee: Annotated[str, typer.Option("--fee", help="fee per fill")] = "0.001",
    slippage: Annotated[str, typer.Option("--slippage", help="slippage per fill")] = "0.0005",
    stake: Annotated[
        str | None, typer.Option("--stake", help="fraction of cash per trade (no risk sizing)")
    ] = None,
    fill: Annotated[str, typer.Option("--fill", help="open (default) or close")] = "open",
    pair: Annotated[str | None, typer.Option("--pair", help="market; default: file name")] = None,
    fear_greed: Annotated[
        list[Path] | None, file_option("--fear-greed", help="Fear & Greed history CSV")
    ] = None,
    walk: Annotated[
        bool, typer.Option("--walk-forward", help="optimise each train window, score its test")
    ] = False,
    wf_train: Annotated[
        str, typer.Option("--wf-train", help="train window: candles, or 72h, 90d, 12w")
    ] = "180d",
    wf_test: Annotated[str, typer.Option("--wf-test", help="test window after it")] = "30d",
    wf_step: Annotated[
        str | None, typer.Option("--wf-step", help="move windows by; default: --wf-test")
    ] = None,
    anchored: Annotated[
        bool, typer.Option("--anchored", help="train windows all start at the first candle")
    ] = False,
    mc_runs: Annotated[
        int, typer.Option("--monte-carlo", help="Monte Carlo runs of the trades (0: none)")
    ] = 1000,
    top: Annotated[int, typer.Option("--top", help="trials shown")] = 10,
    html: Annotated[list[Path] | None, file_option("--html", help="write an HTML report")] = None,
    png: Annotated[list[Path] | None, file_option("--png", help="write a PNG chart")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """Tune a strategy's parameters (and stop-loss, take-profit, risk) with Optuna.

    Running the same command again resumes the study; the same --storage and --study on
    several machines share it.
    """
    from decimal import Decimal  # noqa: PLC0415 - heavy imports only when the command runs

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn  # noqa: PLC0415

    from cryptotrader.cli._backtest_input import (  # noqa: PLC0415
        decimal_option,
        load_candles,
        sentiment_for,
    )
    from cryptotrader.cli._common import (  # noqa: PLC0415
        SEVERAL_PAIRS,
        console,
        err_console,
        one_file,
        optional_file,
    )
    from cryptotrader.config import load_settings  # noqa: PLC0415
    from cryptotrader.engines.backtest import BacktestConfig  # noqa: PLC0415
    from cryptotrader.errors import UserInputError  # noqa: PLC0415
    from cryptotrader.optimize.pipeline import WalkForwardSpec, run_optimisation  # noqa: PLC0415
    from cryptotrader.optimize.portfolio import PORTFOLIO  # noqa: PLC0415
    from cryptotrader.optimize.report import report_dict  # noqa: PLC0415
    from cryptotrader.optimize.request import OptimizationRequest  # noqa: PLC0415
    from cryptotrader.optimize.storage import default_storage, open_storage, shown  # noqa: PLC0415

    file = one_file("--data", data, SEVERAL_PAIRS)
    fear_greed_file = optional_file("--fear-greed", fear_greed)
    html_file, png_file = optional_file("--html", html), optional_file("--png", png)
    settings = load_settings()
    if fill not in ("open", "close"):
        raise UserInputError(f"--fill {fill!r}: expected open or close")
    config = BacktestConfig.parse(
        fee=decimal_option("--fee", fee),
        slippage=decimal_option("--slippage", slippage),
        stake=decimal_option("--stake", stake),
        fill=fill,
    )
    if portfolio == (strategy is not None):
        raise UserInputError("give --strategy NAME (one strategy) or --portfolio (both bots)")
    if workers < 1:
        raise UserInputError(f"--workers {workers} must be at least 1")
    if not 1 <= heartbeat <= 300:
        raise UserInputError(f"--heartbeat {heartbeat} must be between 1 and 300 seconds")
    candles = load_candles(file, timeframe, pair)
    lengths = (wf_train, wf_test, wf_step)
    labels = ("--wf-train", "--wf-test", "--wf-step")
    walk_forward = (
        WalkForwardSpec.of_lengths(
            *lengths, anchored=anchored, timeframe=candles.timeframe, labels=labels
        )
        if walk
        else None
    )
    asked = OptimizationRequest.parse(
        strategy=strategy or PORTFOLIO, pair=candles.pair, timeframe=candles.timeframe,
        capital=decimal_option("--capital", capital) or Decimal(0), config=config,
        ranges=_pairs("--range", ranges), fixed=_pairs("--fix", fix),
        protection=not no_protection, objectives=tuple(objective or ()), min_trades=min_trades,
        max_drawdown=max_drawdown, sampler=sampler, trials=trials, seed=seed,
        early_stop=early_stop, grid_points=grid_points, timeout=timeout,
        walk_forward=walk_forward, monte_carlo=mc_runs,
        bots=(safe_strategy, aggressive_strategy) if portfolio else None, study=study or "",
    )  # fmt: skip
    asked.check(candles.arrays)
    url = storage or default_storage(settings.data_dir)
    plan = asked.plan(url, candles=candles.arrays, heartbeat_s=heartbeat)
    evaluator = asked.evaluator(
        candles.arrays, settings.trading, sentiment_for(asked.strategies(), fear_greed_file)
    )
    ts = candles.arrays.timestamps
    open_storage(url, app_database_url=settings.database_url)  # refused before any write
    err_console.print(f"study {plan.name} on {shown(url)}", soft_wrap=True)
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("{task.fields[best]}"), console=err_console, transient=True,
        disable=as_json or not sys.stderr.isatty(),
    ) as bar:  # fmt: skip
        task = bar.add_task("trials", total=trials, best="")

        def progress(done: int, total: int, best: Any) -> None:
            shown = "" if best is None else f"best #{best.number}: {best.values[0]:.4g}"
            bar.update(task, completed=min(done, total), best=shown)

        def on_window(index: int, count: int) -> None:
            bar.update(task, description=f"window {index + 1}/{count}", completed=0)

        report = run_optimisation(
            plan, evaluator, title=asked.title(len(ts)), workers=workers,
            walk=asked.walk_forward, monte_carlo_runs=mc_runs, progress=progress,
            on_window=on_window, pair=candles.pair,
        )  # fmt: skip
    if html_file is not None:
        from cryptotrader.optimize.html import optimisation_html  # noqa: PLC0415 - charts

        html_file.write_text(optimisation_html(report), encoding="utf-8")
        err_console.print(f"wrote {html_file}")
    if png_file is not None:
        from cryptotrader.optimize.plot import plot_report  # noqa: PLC0415 - matplotlib

        plot_report(report, png_file)
        err_console.print(f"wrote {png_file}")
    if as_json:
        json.dump(report_dict(report, ts, top=top), sys.stdout, separators=(",", ":"))
        sys.stdout.write("\n")
        return
    _print(report, top, console)


def _print(report: Any, top: int, console: Any) -> None:
    from cryptotrader.engines.backtest.report import metrics_table  # noqa: PLC0415
    from cryptotrader.optimize.report import (  # noqa: PLC0415
        chosen_columns,
        importance_table,
        monte_carlo_table,
        trials_table,
        windows_table,
    )

    result = report.study
    if result is not None:
        console.print(trials_table(result, top=top, width=console.width))
        if result.importance:
            console.print(importance_table(result.importance))
        columns = chosen_columns(result)
        if columns:
            console.print(metrics_table("chosen trials, backtested again exactly", columns))
    if report.walk_forward is not None:
        console.print(windows_table(report.walk_forward))
    if report.monte_carlo is not None:
        console.print(monte_carlo_table(report.monte_carlo))
    for warning in report.warnings:
        console.print(f"[yellow]warning:[/yellow] {warning}")
