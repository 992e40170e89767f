"""Running a study: samplers, the trial objective, workers, early stop, and the chosen trials.

One study is one strategy on one candle window with one search space and objectives. Running
the same command again resumes it (the finished trials count toward ``--trials``); the same
command on another machine against the same PostgreSQL storage joins it. With a seed and one
worker the study is reproducible.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import socket
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cryptotrader.errors import UserInputError
from cryptotrader.optimize.evaluate import TrialEvaluator, TrialMetrics
from cryptotrader.optimize.objectives import Objectives
from cryptotrader.optimize.space import SearchSpace

if TYPE_CHECKING:
    import optuna
    from optuna.storages import RDBStorage
    from optuna.trial import FrozenTrial

logger = logging.getLogger(__name__)

SAMPLERS = ("tpe", "nsga2", "grid", "random")
#: Which process ran a trial (``host:pid``), recorded on each trial.
WORKER = f"{socket.gethostname()}:{os.getpid()}"
#: Study attribute holding what the study was created for (a resumed study must match).
PLAN_ATTR = "cryptotrader_plan"

Progress = Callable[[int, int, "FrozenTrial | None"], None]


@dataclass(frozen=True, slots=True)
class StudyPlan:
    """Everything that defines a study, and how long to run it."""

    name: str
    storage: str
    space: SearchSpace
    objectives: Objectives
    sampler: str = "tpe"
    seed: int | None = None
    trials: int = 100
    timeout: float | None = None
    patience: int | None = None
    grid_points: int = 5
    window: tuple[int, int] | None = None
    context: dict[str, Any] = field(default_factory=dict)
    heartbeat_s: int = 5
    """Seconds between a running trial's heartbeats; silent for 4x that, it is failed."""

    def identity(self) -> dict[str, Any]:
        """What a resumed study must share with the stored one."""
        return {
            "space": self.space.as_dict(),
            "objectives": list(self.objectives.names),
            "min_trades": self.objectives.min_trades,
            "max_drawdown": self.objectives.max_drawdown,
            "window": list(self.window) if self.window else None,
            **self.context,
        }


def check_plan(plan: StudyPlan) -> None:
    """Refuse a plan that cannot run, before any study is written.

    Raises:
        UserInputError: unknown sampler, a sampler unfit for the objectives, bad counts.
    """
    if plan.sampler not in SAMPLERS:
        from cryptotrader.plugins import did_you_mean  # noqa: PLC0415

        raise UserInputError(
            f"unknown sampler {plan.sampler!r}{did_you_mean(plan.sampler, SAMPLERS)}; "
            f"choose from {', '.join(SAMPLERS)}"
        )
    if plan.trials < 1:
        raise UserInputError(f"--trials {plan.trials} must be at least 1")
    if plan.timeout is not None and plan.timeout <= 0:
        raise UserInputError(f"--timeout {plan.timeout} must be > 0 seconds")
    if plan.patience is not None and plan.patience < 1:
        raise UserInputError(f"--early-stop {plan.patience} must be at least 1 trial")
    if plan.patience is not None and len(plan.objectives.names) > 1:
        raise UserInputError("--early-stop needs a single objective")
    if plan.grid_points < 2:
        raise UserInputError(f"--grid-points {plan.grid_points} must be at least 2")


def make_sampler(plan: StudyPlan, worker: int = 0) -> optuna.samplers.BaseSampler:
    """The plan's sampler, seeded ``seed + worker`` (one worker: reproducible)."""
    import optuna  # noqa: PLC0415

    seed = None if plan.seed is None else plan.seed + worker
    several = len(plan.objectives.names) > 1
    name = "nsga2" if plan.sampler == "tpe" and several else plan.sampler
    if name == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if name == "grid":
        grid = {d.name: d.grid(plan.grid_points) for d in plan.space.dimensions}
        return optuna.samplers.GridSampler(grid, seed=seed)
    if name == "nsga2":
        return optuna.samplers.NSGAIISampler(seed=seed)
    return optuna.samplers.TPESampler(seed=seed, multivariate=True)


def load_study(plan: StudyPlan, storage: RDBStorage, worker: int = 0) -> optuna.Study:
    """Create the study, or load it and check it was made for the same plan.

    Raises:
        UserInputError: a study of that name exists with another space, objectives or window.
    """
    import optuna  # noqa: PLC0415

    identity = plan.identity()
    try:
        existing = optuna.load_study(study_name=plan.name, storage=storage)
    except KeyError:
        existing = None
    if existing is not None:
        stored = existing.user_attrs.get(PLAN_ATTR)
        if stored is not None and stored != identity:
            raise UserInputError(
                f"study {plan.name!r} already exists with another search space, objectives or "
                "data; pick another --study name"
            )
        existing.sampler = make_sampler(plan, worker)
        return existing
    study = optuna.create_study(
        study_name=plan.name,
        storage=storage,
        sampler=make_sampler(plan, worker),
        directions=plan.objectives.directions,
        load_if_exists=True,
    )
    study.set_user_attr(PLAN_ATTR, identity)
    return study


def make_objective(
    plan: StudyPlan, evaluator: TrialEvaluator
) -> Callable[[optuna.Trial], list[float]]:
    """The function Optuna calls per trial: suggest, simulate, score, record the metrics."""
    import optuna  # noqa: PLC0415

    start, stop = plan.window or (0, len(evaluator.candles))

    def objective(trial: optuna.Trial) -> list[float]:
        trial.set_user_attr("worker", WORKER)
        values = {d.name: d.suggest(trial) for d in plan.space.dimensions}
        params, protection = plan.space.split(values)
        try:
            run = evaluator.run(params, protection, start=start, stop=stop)
        except UserInputError as exc:  # e.g. fast >= slow: not a strategy, not a failure
            trial.set_user_attr("invalid", str(exc))
            raise optuna.TrialPruned(str(exc)) from None
        metrics = run.metrics
        trial.set_user_attr("metrics", metrics.as_dict())
        violation = plan.objectives.violation(metrics)
        trial.set_user_attr("violation", violation)
        trial.set_constraint("limits", violation)
        why = plan.objectives.why_infeasible(metrics)
        if why:
            trial.set_user_attr("infeasible", why)
        return plan.objectives.values(metrics)

    return objective


FINISHED_STATES = ("COMPLETE", "PRUNED")


def finished_count(study: optuna.Study) -> int:
    """Trials finished (complete or pruned); failed ones are retried, so they do not count."""
    import optuna  # noqa: PLC0415

    states = (optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.PRUNED)
    return len(study.get_trials(deepcopy=False, states=states))


def feasible(trial: FrozenTrial) -> bool:
    """A complete trial within the plan's limits."""
    return trial.values is not None and float(trial.user_attrs.get("violation", 1.0)) <= 0


def best_trials(study: optuna.Study) -> list[FrozenTrial]:
    """The best feasible trial (one objective) or the feasible Pareto front (several)."""
    import optuna  # noqa: PLC0415

    done = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
    ok = [t for t in done if feasible(t)]
    if not ok:
        return []
    signs = [1.0 if d == optuna.study.StudyDirection.MAXIMIZE else -1.0 for d in study.directions]
    if len(signs) == 1:
        return [max(ok, key=lambda t: (signs[0] * t.values[0], -t.number))]
    scored = [(t, [s * v for s, v in zip(signs, t.values, strict=True)]) for t in ok]
    front = [
        t
        for t, a in scored
        if not any(all(x >= y for x, y in zip(b, a, strict=True)) and b != a for _, b in scored)
    ]
    return sorted(front, key=lambda t: t.number)


class _Stopper:
    """Stops the study at the trial budget, and early when the best stops improving."""

    def __init__(self, plan: StudyPlan, progress: Progress | None) -> None:
        self.plan = plan
        self.progress = progress
        self.best: float | None = None
        self.since = 0
        self.early = False

    def __call__(self, study: optuna.Study, trial: FrozenTrial) -> None:
        done = finished_count(study)
        if self.progress is not None:
            chosen = best_trials(study) if trial.values is not None else []
            self.progress(done, self.plan.trials, chosen[0] if chosen else None)
        if done >= self.plan.trials:
            study.stop()
            return
        if self.plan.patience is None or not feasible(trial):
            return
        sign = 1.0 if self.plan.objectives.directions[0] == "maximize" else -1.0
        value = sign * trial.values[0]
        if self.best is None or value > self.best:
            self.best, self.since = value, 0
        else:
            self.since += 1
            if self.since >= self.plan.patience:
                logger.info(
                    "study %s: no better trial in %d trials, stopping", self.plan.name, self.since
                )
                study.stop()


def run_worker(
    plan: StudyPlan,
    evaluator: TrialEvaluator,
    *,
    worker: int = 0,
    progress: Progress | None = None,
) -> None:
    """Run trials of ``plan`` in this process until the budget, the timeout or the early stop."""
    import optuna  # noqa: PLC0415

    from cryptotrader.optimize.storage import open_storage  # noqa: PLC0415

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    storage = open_storage(plan.storage, heartbeat_s=plan.heartbeat_s)
    study = load_study(plan, storage, worker)
    objective = make_objective(plan, evaluator)
    stopper = _Stopper(plan, progress)
    started = time.monotonic()
    if finished_count(study) < plan.trials:
        study.optimize(
            objective, n_trials=None, timeout=plan.timeout, callbacks=[stopper],
            gc_after_trial=False, catch=(),
        )  # fmt: skip
    if not stopper.early:
        _drain(study, plan, objective, stopper, started)


def _drain(
    study: optuna.Study,
    plan: StudyPlan,
    objective: Callable[[optuna.Trial], list[float]],
    stopper: _Stopper,
    started: float,
) -> None:
    """Wait for the trials other workers are running; fail and rerun those of dead workers.

    A worker killed mid-trial stops beating; once its trial has been silent past the grace
    period it is failed and queued again with the same parameters, and run here. So a study
    is complete when every worker has returned: no trial is left running or queued.
    """
    import optuna  # noqa: PLC0415

    state = optuna.trial.TrialState
    while plan.timeout is None or time.monotonic() - started < plan.timeout:
        with warnings.catch_warnings():  # marked experimental since Optuna 2.9
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            optuna.storages.fail_stale_trials(study)
        waiting = study.get_trials(deepcopy=False, states=(state.WAITING,))
        if waiting:
            study.optimize(objective, n_trials=len(waiting), callbacks=[stopper], catch=())
            continue
        if not study.get_trials(deepcopy=False, states=(state.RUNNING,)):
            return
        time.sleep(plan.heartbeat_s)


def _worker_main(plan: StudyPlan, evaluator: TrialEvaluator, worker: int) -> None:
    run_worker(plan, evaluator, worker=worker)


def run_study(
    plan: StudyPlan,
    evaluator: TrialEvaluator,
    *,
    workers: int = 1,
    progress: Progress | None = None,
) -> optuna.Study:
    """Run ``plan`` with ``workers`` processes (this one included) and return the study.

    Raises:
        UserInputError: bad plan or storage (before anything is written).
    """
    import optuna  # noqa: PLC0415

    from cryptotrader.optimize.storage import open_storage  # noqa: PLC0415

    check_plan(plan)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    if workers < 1:
        raise UserInputError(f"--workers {workers} must be at least 1")
    storage = open_storage(plan.storage)
    load_study(plan, storage)  # created once here, so that workers only load it
    context = multiprocessing.get_context("spawn")
    others = [
        context.Process(target=_worker_main, args=(plan, evaluator, w), daemon=True)
        for w in range(1, workers)
    ]
    for process in others:
        process.start()
    try:
        run_worker(plan, evaluator, worker=0, progress=progress)
    finally:
        for process in others:
            process.join()
    return optuna.load_study(study_name=plan.name, storage=storage)


def trial_values(trial: FrozenTrial, space: SearchSpace) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(strategy parameters, protection)`` of a stored trial."""
    return space.split(trial.params)


def trial_metrics(trial: FrozenTrial) -> TrialMetrics | None:
    """The metrics a trial recorded (None for pruned or failed trials)."""
    raw = trial.user_attrs.get("metrics")
    return TrialMetrics(**raw) if isinstance(raw, dict) else None


@dataclass(frozen=True, slots=True)
class StudyProgress:
    """Trials finished over a run's studies, the best value so far, the current window."""

    trials_done: int
    best_value: float | None
    window: int


def progress_of(storage: RDBStorage, names: list[str]) -> StudyProgress:
    """Progress of the studies ``names`` (walk-forward windows in order) read from ``storage``.

    A study not created yet counts as no trial; the best value is the current study's best
    feasible value on its first objective.
    """
    import optuna  # noqa: PLC0415

    done, best, window = 0, None, 0
    finished = (optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.PRUNED)
    for index, name in enumerate(names):
        try:
            study_id = storage.get_study_id_from_name(name)
        except KeyError:
            break
        trials = storage.get_all_trials(study_id, deepcopy=False, states=finished)
        done += len(trials)
        window = index + 1
        maximize = storage.get_study_directions(study_id)[0] == optuna.study.StudyDirection.MAXIMIZE
        values = [t.values[0] for t in trials if feasible(t)]
        best = (max(values) if maximize else min(values)) if values else None
    return StudyProgress(done, best, window)
