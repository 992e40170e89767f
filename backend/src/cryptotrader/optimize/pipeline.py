"""One optimisation run end to end, shared by the command line and the API.

Either a study on the whole series (its chosen trials re-run exactly) or a walk-forward; then a
Monte Carlo of the resulting trades (the best trial's, or the stitched out-of-sample ones) and
the overfitting warnings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.optimize.diagnostics import (
    monte_carlo_warnings,
    study_warnings,
    walk_forward_warnings,
)
from cryptotrader.optimize.evaluate import TrialEvaluator
from cryptotrader.optimize.montecarlo import MonteCarlo, monte_carlo
from cryptotrader.optimize.report import OptimisationReport
from cryptotrader.optimize.runner import optimise
from cryptotrader.optimize.study import Progress, StudyPlan
from cryptotrader.optimize.walkforward import bars, walk_forward, windows


@dataclass(frozen=True, slots=True)
class WalkForwardSpec:
    """Walk-forward lengths in candles."""

    train: int
    test: int
    step: int | None = None
    anchored: bool = False

    @classmethod
    def of_lengths(
        cls,
        train: str,
        test: str,
        step: str | None = None,
        *,
        anchored: bool = False,
        timeframe: Timeframe,
        labels: tuple[str, str, str],
    ) -> WalkForwardSpec:
        """Lengths as asked, candles (``"2000"``) or durations (``"90d"``), in candles.

        ``labels`` name the three lengths in errors.

        Raises:
            UserInputError: not a length, or shorter than one candle.
        """
        return cls(
            train=bars(train, timeframe, labels[0]),
            test=bars(test, timeframe, labels[1]),
            step=None if step is None else bars(step, timeframe, labels[2]),
            anchored=anchored,
        )


def check_walk_forward(spec: WalkForwardSpec, candles: int) -> None:
    """Refuse windows that do not fit the data, before anything runs (UserInputError)."""
    windows(candles, train=spec.train, test=spec.test, step=spec.step, anchored=spec.anchored)


def run_optimisation(
    plan: StudyPlan,
    evaluator: TrialEvaluator,
    *,
    title: str,
    workers: int = 1,
    walk: WalkForwardSpec | None = None,
    monte_carlo_runs: int = 1000,
    progress: Progress | None = None,
    on_window: Callable[[int, int], None] | None = None,
    pair: Pair | None = None,
) -> OptimisationReport:
    """Run the study or the walk-forward, the Monte Carlo, and gather the warnings."""
    warnings: list[str] = []
    seed = plan.seed or 0
    mc: MonteCarlo | None = None
    if walk is None:
        study = optimise(plan, evaluator, workers=workers, progress=progress, pair=pair)
        warnings += study_warnings(study)
        if study.chosen and monte_carlo_runs:
            best = study.chosen[0]
            run = evaluator.run(best.params, best.protection)
            if run.trade_returns.shape[0] >= 2:
                mc = monte_carlo(run.trade_returns, runs=monte_carlo_runs, seed=seed)
                warnings += monte_carlo_warnings(mc, run.metrics.max_drawdown)
        return OptimisationReport(title, study, None, mc, tuple(warnings))
    spans = windows(
        len(evaluator.candles), train=walk.train, test=walk.test, step=walk.step,
        anchored=walk.anchored,
    )  # fmt: skip
    wf = walk_forward(
        plan, evaluator, spans, anchored=walk.anchored, workers=workers, on_window=on_window,
        progress=progress,
    )  # fmt: skip
    warnings += walk_forward_warnings(wf)
    if monte_carlo_runs and wf.trade_returns.shape[0] >= 2:
        mc = monte_carlo(wf.trade_returns, runs=monte_carlo_runs, seed=seed)
        warnings += monte_carlo_warnings(mc, wf.stitched_metrics.max_drawdown)
    return OptimisationReport(title, None, wf, mc, tuple(warnings))
