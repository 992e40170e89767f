"""``--png FILE``: the optimisation at a glance, drawn by matplotlib (Agg).

Panels: parameter importance, parallel coordinates of the trials (or the Pareto front with
several objectives), the stitched out-of-sample equity of a walk-forward (or the best trial's
exact equity), and the Monte Carlo distribution of drawdowns.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from cryptotrader.engines.backtest.portfolio import PortfolioResult
from cryptotrader.optimize.report import OptimisationReport, ranked
from cryptotrader.optimize.runner import Optimisation
from cryptotrader.optimize.walkforward import WalkForward


def _importance(ax: Any, importance: dict[str, float]) -> None:
    items = sorted(importance.items(), key=lambda kv: kv[1])
    ax.barh([k for k, _ in items], [v * 100 for _, v in items], color="#2563eb")
    ax.set_xlabel("importance %")
    ax.set_title("parameter importance (PED-ANOVA)")


def _parallel(ax: Any, result: Optimisation) -> None:
    dims = result.plan.space.dimensions
    trials = ranked(result)[:400]
    if not trials:
        ax.set_title("no complete trial")
        return
    objective = np.array([t.values[0] for t in trials])
    lows = np.array([d.low for d in dims] + [objective.min()])
    highs = np.array([d.high for d in dims] + [objective.max()])
    span = np.where(highs > lows, highs - lows, 1.0)
    x = np.arange(len(dims) + 1)
    for rank, trial in reversed(list(enumerate(trials))):
        row = np.array([float(trial.params[d.name]) for d in dims] + [trial.values[0]])
        alpha = 0.1 + 0.9 * (1 - rank / max(len(trials) - 1, 1))
        colour = "#dc2626" if rank == 0 else "#2563eb"
        ax.plot(
            x, (row - lows) / span, color=colour, alpha=alpha, linewidth=2 if rank == 0 else 0.6
        )
    ax.set_xticks(x, [d.name for d in dims] + [result.plan.objectives.names[0]], fontsize=8)
    ax.set_yticks([])
    ax.set_title("parallel coordinates (each axis scaled to its range; best in red)")


def _pareto(ax: Any, result: Optimisation) -> None:
    names = result.plan.objectives.names
    trials = ranked(result)
    front = {c.number for c in result.chosen}
    xs = [t.values[0] for t in trials]
    ys = [t.values[1] for t in trials]
    colours = ["#dc2626" if t.number in front else "#93c5fd" for t in trials]
    ax.scatter(xs, ys, c=colours, s=12)
    ax.set_xlabel(names[0])
    ax.set_ylabel(names[1])
    ax.set_title("Pareto front (red)")


def _stability(ax: Any, wf: WalkForward) -> None:
    index = np.arange(1, len(wf.results) + 1)
    for name in sorted(wf.stability):
        values = np.array([float({**r.params, **r.protection}[name]) for r in wf.results])
        mean = values.mean()
        ax.plot(index, values / mean if mean else values, marker="o", markersize=3, label=name)
    ax.axhline(1.0, color="#999", linewidth=0.8)
    ax.set_xlabel("window")
    ax.set_ylabel("value / mean across windows")
    ax.legend(fontsize=8)
    ax.set_title("chosen parameters per window (stability)")


def plot_report(report: OptimisationReport, path: Path) -> None:
    """Write the report's PNG to ``path``."""
    import matplotlib as mpl  # noqa: PLC0415 - deferred: only --png needs matplotlib

    mpl.use("Agg")
    from matplotlib import pyplot as plt  # noqa: PLC0415

    figure, axes = plt.subplots(2, 2, figsize=(14, 9))
    (a, b), (c, d) = axes
    study = report.study
    if study is not None and study.importance:
        _importance(a, study.importance)
    elif report.walk_forward is not None:
        wf = report.walk_forward
        index = np.arange(1, len(wf.results) + 1)
        a.bar(index - 0.2, [r.in_sample.total_return * 100 for r in wf.results], 0.4, label="IS")
        a.bar(
            index + 0.2, [r.out_of_sample.total_return * 100 for r in wf.results], 0.4, label="OOS"
        )
        a.set_xlabel("window")
        a.set_ylabel("return %")
        a.legend()
        a.set_title("in-sample vs out-of-sample return per window")
    if study is not None and len(study.plan.objectives.names) > 1:
        _pareto(b, study)
    elif study is not None:
        _parallel(b, study)
    elif report.walk_forward is not None:
        _stability(b, report.walk_forward)
    else:
        b.set_axis_off()
    if report.walk_forward is not None:
        wf = report.walk_forward
        c.plot(wf.times.astype("datetime64[ms]"), wf.stitched, color="#2563eb", linewidth=0.9)
        c.set_title("stitched out-of-sample equity")
    elif study is not None and study.chosen and study.chosen[0].exact is not None:
        exact = study.chosen[0].exact
        curve = exact.combined_equity if isinstance(exact, PortfolioResult) else exact.equity
        c.plot(curve.times.astype("datetime64[ms]"), curve.values, color="#2563eb")
        c.set_title(f"best trial #{study.chosen[0].number}: equity (exact backtest)")
    else:
        c.set_axis_off()
    mc = report.monte_carlo
    if mc is not None:
        d.hist(mc.samples[1] * 100, bins=40, color="#d97706")
        d.axvline(mc.reshuffled.max_drawdown[95] * 100, color="#dc2626", linestyle="--",
                  label="p95 reshuffled")  # fmt: skip
        d.set_xlabel("max drawdown % (resampled trades)")
        d.legend()
        d.set_title(f"Monte Carlo, {mc.resampled.runs} runs of {mc.trades} trades")
    else:
        d.set_axis_off()
    figure.suptitle(report.title)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
