"""Optimisation results as JSON-ready dicts and rich tables (HTML: ``optimize.html``)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich import box
from rich.table import Table

from cryptotrader.engines.backtest import BacktestResult, Metrics
from cryptotrader.engines.backtest.portfolio import PortfolioResult
from cryptotrader.engines.backtest.report import portfolio_dict, result_dict
from cryptotrader.engines.backtest.tables import Column, fitted_table
from cryptotrader.optimize.evaluate import TrialMetrics
from cryptotrader.optimize.montecarlo import MonteCarlo
from cryptotrader.optimize.runner import Optimisation
from cryptotrader.optimize.study import trial_metrics
from cryptotrader.optimize.walkforward import WalkForward

if TYPE_CHECKING:
    from optuna.trial import FrozenTrial

JsonDict = dict[str, Any]
#: Trials listed in reports, best first.
TOP = 20


@dataclass(frozen=True, slots=True)
class OptimisationReport:
    """What an optimisation run reports: the study or walk-forward, Monte Carlo, warnings."""

    title: str
    study: Optimisation | None
    walk_forward: WalkForward | None
    monte_carlo: MonteCarlo | None
    warnings: tuple[str, ...]


def _number(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def _metrics(metrics: TrialMetrics) -> JsonDict:
    return {k: _number(v) if isinstance(v, float) else v for k, v in metrics.as_dict().items()}


def walk_forward_dict(wf: WalkForward, timestamps: Any, *, curve_limit: int = 500) -> JsonDict:
    """Windows (dates, parameters, in/out-of-sample metrics), stitched curve, stability."""
    from cryptotrader.engines.backtest.html import iso_ms  # noqa: PLC0415

    def when(bar: int) -> str | None:
        return iso_ms(int(timestamps[min(bar, len(timestamps) - 1)]))

    step = max(1, wf.stitched.shape[0] // curve_limit) if curve_limit else 1
    return {
        "anchored": wf.anchored,
        "efficiency": _number(wf.efficiency),
        "windows": [
            {
                "index": r.window.index,
                "train_start": when(r.window.train_start),
                "train_end": when(r.window.train_stop - 1),
                "test_start": when(r.window.test_start),
                "test_end": when(r.window.test_stop - 1),
                "trial": r.trial,
                "params": r.params,
                "protection": r.protection,
                "in_sample": _metrics(r.in_sample),
                "out_of_sample": _metrics(r.out_of_sample),
            }
            for r in wf.results
        ],
        "out_of_sample": _metrics(wf.stitched_metrics),
        "stability": {k: {n: _number(v) for n, v in f.items()} for k, f in wf.stability.items()},
        "equity_curve": [
            {"time": iso_ms(int(t)), "equity": float(v)}
            for t, v in zip(wf.times[::step].tolist(), wf.stitched[::step].tolist(), strict=True)
        ],
    }


def report_dict(report: OptimisationReport, timestamps: Any, *, top: int = TOP) -> JsonDict:
    """The ``--json`` object (and the API's result) of an optimisation run."""
    return {
        "title": report.title,
        "study": None if report.study is None else optimisation_dict(report.study, top=top),
        "walk_forward": None
        if report.walk_forward is None
        else walk_forward_dict(report.walk_forward, timestamps),
        "monte_carlo": None if report.monte_carlo is None else report.monte_carlo.as_dict(),
        "warnings": list(report.warnings),
    }


def ranked(result: Optimisation) -> list[FrozenTrial]:
    """Complete, feasible trials, best first on the first objective."""
    sign = 1.0 if result.plan.objectives.directions[0] == "maximize" else -1.0
    done = [
        t
        for t in result.trials
        if t.values is not None and float(t.user_attrs.get("violation", 1.0)) <= 0
    ]
    return sorted(done, key=lambda t: (-sign * t.values[0], t.number))


def trial_dict(trial: FrozenTrial) -> JsonDict:
    """One trial: number, state, parameters, objective values, metrics."""
    metrics = trial_metrics(trial)
    return {
        "number": trial.number,
        "state": trial.state.name.lower(),
        "params": dict(trial.params),
        "values": None if trial.values is None else [_number(v) for v in trial.values],
        "metrics": None if metrics is None else _metrics(metrics),
        "infeasible": trial.user_attrs.get("infeasible"),
        "invalid": trial.user_attrs.get("invalid"),
    }  # fmt: skip


def optimisation_dict(result: Optimisation, *, top: int = TOP, curve_limit: int = 500) -> JsonDict:
    """The whole result: plan, counts, importance, chosen trials (exact reports), top trials."""
    plan = result.plan
    c = result.counts
    return {
        "study": plan.name,
        "strategy": plan.space.strategy,
        "objectives": list(plan.objectives.names),
        "directions": plan.objectives.directions,
        "sampler": plan.sampler,
        "seed": plan.seed,
        "min_trades": plan.objectives.min_trades,
        "max_drawdown": plan.objectives.max_drawdown,
        "space": plan.space.as_dict(),
        "trials": {
            "complete": c.complete,
            "pruned": c.pruned,
            "failed": c.failed,
            "running": c.running,
            "infeasible": c.infeasible,
        },
        "importance": {k: _number(v) for k, v in result.importance.items()},
        "chosen": [
            {
                "number": ch.number,
                "params": ch.params,
                "protection": ch.protection,
                "values": [_number(v) for v in ch.values],
                "backtest": exact_dict(ch.exact, curve_limit),
            }
            for ch in result.chosen
        ],
        "top_trials": [trial_dict(t) for t in ranked(result)[:top]],
    }


#: Short column labels of the protection settings in terminal tables.
SHORT = {"stop_loss": "SL", "take_profit": "TP", "risk_ratio": "risk"}


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


def _pct(value: float | None) -> str:
    return "n/a" if value is None or not math.isfinite(value) else f"{value * 100:+.1f}%"


def trials_table(result: Optimisation, *, top: int = 10, width: int = 200) -> Table:
    """The best trials: parameters, objective values and the main metrics, ``width`` at most.

    At 80 columns a wide study drops its number column, then the trade count, then the last
    parameters (named in the caption) rather than cut a header or a value.
    """
    plan = result.plan
    names = list(plan.space.names)
    c = result.counts
    trials = ranked(result)[:top]
    figures = [trial_metrics(t) for t in trials]
    metrics = [m for m in figures if m is not None]  # a complete trial recorded its metrics
    assert len(metrics) == len(trials)
    columns = [
        Column("#", [str(t.number) for t in trials], keep=2, justify="right"),
        *(
            Column(SHORT.get(n, n), [_fmt(t.params.get(n)) for t in trials], keep=5,
                   justify="right")
            for n in names
        ),
        *(
            Column(n, [_fmt(t.values[i]) for t in trials], keep=9, justify="right", style="bold")
            for i, n in enumerate(plan.objectives.names)
        ),
        Column("return", [_pct(m.total_return) for m in metrics], keep=8, justify="right"),
        Column("max DD", [_pct(-m.max_drawdown) for m in metrics], keep=7, justify="right"),
        Column("trades", [str(m.trades) for m in metrics], keep=3, justify="right"),
    ]  # fmt: skip
    title = (
        f"study {plan.name} - {plan.space.strategy} - {c.complete} complete, {c.pruned} "
        f"pruned, {c.infeasible} infeasible, {c.failed} failed"
    )
    return fitted_table(title, columns, width)


def importance_table(importance: dict[str, float]) -> Table:
    """Parameter importance, most important first."""
    title = "parameter importance (PED-ANOVA, first objective)"
    table = Table(title=title, min_width=len(title))  # a title wider than its table wraps
    table.add_column("parameter")
    table.add_column("share", justify="right")
    for name, value in sorted(importance.items(), key=lambda kv: -kv[1]):
        table.add_row(name, f"{value:.1%}")
    return table


def windows_table(wf: WalkForward) -> Table:
    """Walk-forward windows: parameters and in-sample vs out-of-sample figures."""
    names = sorted({k for r in wf.results for k in (*r.params, *r.protection)})
    kind = "anchored" if wf.anchored else "rolling"
    eff = "n/a" if wf.efficiency is None else f"{wf.efficiency:.0%}"
    table = Table(
        box=box.SIMPLE_HEAD, pad_edge=False, title=f"walk-forward ({kind}), efficiency {eff}"
    )
    table.add_column("win", justify="right", no_wrap=True, min_width=3)
    for name in names:
        table.add_column(SHORT.get(name, name), justify="right")
    for label in ("IS ret", "OOS ret", "IS Sharpe", "OOS Sharpe", "OOS DD", "OOS tr"):
        table.add_column(label, justify="right", no_wrap=True)
    for r in wf.results:
        values = {**r.params, **r.protection}
        table.add_row(
            str(r.window.index + 1),
            *(_fmt(values.get(n)) for n in names),
            _pct(r.in_sample.total_return),
            _pct(r.out_of_sample.total_return),
            _fmt(r.in_sample.sharpe),
            _fmt(r.out_of_sample.sharpe),
            _pct(-r.out_of_sample.max_drawdown),
            str(r.out_of_sample.trades),
        )
    m = wf.stitched_metrics
    table.caption = (
        f"stitched out of sample: return {_pct(m.total_return)}, max DD {_pct(-m.max_drawdown)}, "
        f"Sharpe {_fmt(m.sharpe)}, {m.trades} trades"
    )
    return table


def monte_carlo_table(mc: MonteCarlo) -> Table:
    """Percentiles of return and drawdown, reshuffled and resampled."""
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, title=f"Monte Carlo of {mc.trades} trades")
    table.add_column("")
    for p in (5, 50, 95):
        table.add_column(f"p{p}", justify="right")
    table.add_column("P(loss)", justify="right")
    for label, dist in (("reshuffled", mc.reshuffled), ("resampled", mc.resampled)):
        table.add_row(
            f"{label} return",
            *(_pct(dist.total_return[p]) for p in (5, 50, 95)),
            f"{dist.probability_of_loss:.0%}",
        )
        table.add_row(f"{label} max DD", *(_pct(-dist.max_drawdown[p]) for p in (5, 50, 95)), "")
    return table


def exact_dict(exact: BacktestResult | PortfolioResult | None, curve_limit: int) -> JsonDict | None:
    """A chosen trial's exact backtest, as ``backtest run`` or ``backtest portfolio`` report it."""
    if exact is None:
        return None
    if isinstance(exact, PortfolioResult):
        return portfolio_dict(exact, curve_limit=curve_limit)
    return result_dict(exact, curve_limit=curve_limit)


def exact_metrics(exact: BacktestResult | PortfolioResult) -> Metrics:
    """The exact figures of a chosen trial (the portfolio's combined ones)."""
    return exact.combined if isinstance(exact, PortfolioResult) else exact.metrics


def chosen_columns(result: Optimisation) -> Sequence[tuple[str, Any]]:
    """``(label, exact metrics)`` of the chosen trials, for ``metrics_table``."""
    return [(f"trial {ch.number}", exact_metrics(ch.exact)) for ch in result.chosen if ch.exact]
