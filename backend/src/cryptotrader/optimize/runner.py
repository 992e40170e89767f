"""A whole optimisation: the study, its chosen trials re-run exactly, and what the study says.

Trials are scored on float metrics (``optimize.evaluate``); the trials a study keeps (the best,
or the Pareto front) are then backtested again by ``BacktestEngine``, with exact ``Decimal``
money and the same report as ``cryptotrader backtest run``.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cryptotrader.domain.pairs import Pair
from cryptotrader.engines.backtest import BacktestResult
from cryptotrader.engines.backtest.portfolio import PortfolioResult
from cryptotrader.optimize.evaluate import TrialEvaluator, TrialMetrics
from cryptotrader.optimize.study import (
    Progress,
    StudyPlan,
    best_trials,
    run_study,
    trial_metrics,
)

if TYPE_CHECKING:
    import optuna

logger = logging.getLogger(__name__)

#: Chosen trials re-run exactly at most (a long Pareto front is cut).
MAX_CHOSEN = 10


@dataclass(frozen=True, slots=True)
class Chosen:
    """A kept trial: its parameters, objective values, float metrics and exact backtest."""

    number: int
    params: dict[str, Any]
    protection: dict[str, float]
    values: list[float]
    metrics: TrialMetrics
    exact: BacktestResult | PortfolioResult | None


@dataclass(frozen=True, slots=True)
class StudyCounts:
    """How the study's trials ended."""

    complete: int
    pruned: int
    failed: int
    running: int
    infeasible: int


@dataclass(frozen=True, slots=True)
class Optimisation:
    """The outcome of one study."""

    plan: StudyPlan
    counts: StudyCounts
    chosen: tuple[Chosen, ...]
    importance: dict[str, float]
    trials: tuple[optuna.trial.FrozenTrial, ...]


def counts(study: optuna.Study) -> StudyCounts:
    """Trial states of ``study``."""
    import optuna  # noqa: PLC0415

    state = optuna.trial.TrialState
    trials = study.get_trials(deepcopy=False)
    done = [t for t in trials if t.state == state.COMPLETE]
    return StudyCounts(
        complete=len(done),
        pruned=sum(t.state == state.PRUNED for t in trials),
        failed=sum(t.state == state.FAIL for t in trials),
        running=sum(t.state == state.RUNNING for t in trials),
        infeasible=sum(float(t.user_attrs.get("violation", 1.0)) > 0 for t in done),
    )


def importance(study: optuna.Study) -> dict[str, float]:
    """How much each parameter matters to the first objective (PED-ANOVA, sums to 1); {} if unknown.

    PED-ANOVA compares where the top trials sit in each parameter's range with the whole
    study, in linear time, and needs no extra library (fANOVA needs scikit-learn).
    """
    import optuna  # noqa: PLC0415

    done = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
    if len(done) < 4:
        return {}
    sign = -1.0 if study.directions[0] == optuna.study.StudyDirection.MAXIMIZE else 1.0
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # it reminds that it explains low values
            found = optuna.importance.get_param_importances(
                study,
                target=lambda t: sign * t.values[0],  # PED-ANOVA explains low values
                evaluator=optuna.importance.PedAnovaImportanceEvaluator(),
            )
    except (RuntimeError, ValueError) as exc:  # e.g. a single distinct value per parameter
        logger.info("no parameter importance: %s", exc)
        return {}
    return {k: float(v) for k, v in found.items()}


def optimise(
    plan: StudyPlan,
    evaluator: TrialEvaluator,
    *,
    workers: int = 1,
    progress: Progress | None = None,
    pair: Pair | None = None,
    exact: bool = True,
) -> Optimisation:
    """Run ``plan`` and re-run its chosen trials exactly (on the whole series: no window)."""
    study = run_study(plan, evaluator, workers=workers, progress=progress)
    return summarise(plan, study, evaluator, pair=pair, exact=exact and plan.window is None)


def summarise(
    plan: StudyPlan,
    study: optuna.Study,
    evaluator: TrialEvaluator,
    *,
    pair: Pair | None = None,
    exact: bool = True,
) -> Optimisation:
    """What a finished study chose, with exact re-runs when ``exact``."""
    chosen: list[Chosen] = []
    for trial in best_trials(study)[:MAX_CHOSEN]:
        params, protection = plan.space.split(trial.params)
        metrics = trial_metrics(trial)
        if metrics is None:
            continue
        result = evaluator.exact(params, protection, pair=pair) if exact else None
        chosen.append(
            Chosen(trial.number, params, {k: float(v) for k, v in protection.items()},
                   list(trial.values), metrics, result)
        )  # fmt: skip
    return Optimisation(
        plan=plan,
        counts=counts(study),
        chosen=tuple(chosen),
        importance=importance(study),
        trials=tuple(study.get_trials(deepcopy=False)),
    )


__all__ = ["Chosen", "Optimisation", "StudyCounts", "optimise"]
