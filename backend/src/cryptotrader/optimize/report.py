"""Optimisation results as JSON-ready dicts and rich tables (HTML: ``optimize.html``)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich import box
from rich.table import Table

from cryptotrader.engines.backtest.report import result_dict
from cryptotrader.optimize.runner import Optimisation
from cryptotrader.optimize.study import trial_metrics

if TYPE_CHECKING:
    from optuna.trial import FrozenTrial

JsonDict = dict[str, Any]
#: Trials listed in reports, best first.
TOP = 20


def _number(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


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
        "metrics": None if metrics is None else {k: _number(v) if isinstance(v, float) else v
                                                 for k, v in metrics.as_dict().items()},
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
                "backtest": None
                if ch.exact is None
                else result_dict(ch.exact, curve_limit=curve_limit),
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


def trials_table(result: Optimisation, *, top: int = 10) -> Table:
    """The best trials: parameters, objective values and the main metrics."""
    plan = result.plan
    names = list(plan.space.names)
    c = result.counts
    table = Table(
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        title=(
            f"study {plan.name} - {plan.space.strategy} - {c.complete} complete, {c.pruned} "
            f"pruned, {c.infeasible} infeasible, {c.failed} failed"
        ),
    )
    table.add_column("#", justify="right")
    for name in names:
        table.add_column(SHORT.get(name, name), justify="right")
    for name in plan.objectives.names:
        table.add_column(name, justify="right", style="bold")
    for label in ("return", "max DD", "trades"):
        table.add_column(label, justify="right", no_wrap=True, min_width=6)
    for trial in ranked(result)[:top]:
        metrics = trial_metrics(trial)
        assert metrics is not None  # a complete trial recorded its metrics
        table.add_row(
            str(trial.number),
            *(_fmt(trial.params.get(n)) for n in names),
            *(_fmt(v) for v in trial.values),
            _pct(metrics.total_return),
            _pct(-metrics.max_drawdown),
            str(metrics.trades),
        )
    return table


def importance_table(importance: dict[str, float]) -> Table:
    """Parameter importance, most important first."""
    table = Table(title="parameter importance (PED-ANOVA, first objective)")
    table.add_column("parameter")
    table.add_column("share", justify="right")
    for name, value in sorted(importance.items(), key=lambda kv: -kv[1]):
        table.add_row(name, f"{value:.1%}")
    return table


def chosen_columns(result: Optimisation) -> Sequence[tuple[str, Any]]:
    """``(label, exact metrics)`` of the chosen trials, for ``metrics_table``."""
    return [(f"trial {ch.number}", ch.exact.metrics) for ch in result.chosen if ch.exact]
