"""Walk-forward validation: optimise on a train window, score on the unseen test window after it.

Windows are ``rolling`` (the train window slides by ``step``) or ``anchored`` (it always starts
at the first candle and grows). Each window is its own study; its best trial is then run on the
test window only, flat at the test window's first candle, so the out-of-sample figures never
saw the candles they are measured on. The test windows' equity curves, chained, give the
stitched out-of-sample curve; how far the chosen parameters move between windows says how
stable they are.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from cryptotrader.domain.market import FloatArray
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.errors import UserInputError
from cryptotrader.optimize.evaluate import TrialEvaluator, TrialMetrics, metrics_of
from cryptotrader.optimize.study import StudyPlan, best_trials, run_study, trial_metrics

_DURATION = re.compile(r"^\s*(\d+)\s*([hdw]?)\s*$")
_UNIT_MS = {"h": 3_600_000, "d": 86_400_000, "w": 7 * 86_400_000}


@dataclass(frozen=True, slots=True)
class Window:
    """Bar ranges ``[train_start, train_stop)`` then ``[train_stop, test_stop)``."""

    index: int
    train_start: int
    train_stop: int
    test_stop: int

    @property
    def test_start(self) -> int:
        """First bar of the test window (the bar after the train window)."""
        return self.train_stop


def bars(text: str, timeframe: Timeframe, option: str) -> int:
    """A length as bars: ``500`` (candles), ``72h``, ``90d`` or ``12w``.

    Raises:
        UserInputError: not such a length, or shorter than one candle.
    """
    match = _DURATION.match(text)
    if not match:
        raise UserInputError(f"{option} {text!r}: write a number of candles or 72h, 90d, 12w")
    amount, unit = int(match.group(1)), match.group(2)
    count = amount if not unit else amount * _UNIT_MS[unit] // timeframe.milliseconds
    if count < 1:
        raise UserInputError(f"{option} {text!r} is shorter than one {timeframe} candle")
    return count


def windows(
    candles: int, *, train: int, test: int, step: int | None = None, anchored: bool = False
) -> list[Window]:
    """The walk-forward windows over ``candles`` bars (the last partial test window dropped).

    Raises:
        UserInputError: the windows do not fit the data, or fewer than 2 fit.
    """
    step = step or test
    if step < 1 or train < 1 or test < 1:
        raise UserInputError("walk-forward lengths must be at least one candle")
    if train + test > candles:
        raise UserInputError(
            f"walk-forward windows do not fit the data: train {train} + test {test} candles "
            f"> {candles} candles"
        )
    found: list[Window] = []
    start = 0
    while start + train + test <= candles:
        first = 0 if anchored else start
        found.append(Window(len(found), first, start + train, start + train + test))
        start += step
    if len(found) < 2:
        raise UserInputError(
            f"walk-forward needs at least 2 windows: {candles} candles fit only one of train "
            f"{train} + test {test} (shorten them or the --wf-step)"
        )
    return found


@dataclass(frozen=True, slots=True)
class WindowResult:
    """One window: the chosen parameters, in-sample and out-of-sample figures."""

    window: Window
    trial: int
    params: dict[str, Any]
    protection: dict[str, float]
    in_sample: TrialMetrics
    out_of_sample: TrialMetrics
    equity: FloatArray
    trade_returns: FloatArray


@dataclass(frozen=True, slots=True)
class WalkForward:
    """Every window, the stitched out-of-sample run, and the parameters' stability."""

    anchored: bool
    results: tuple[WindowResult, ...]
    times: Any
    stitched: FloatArray
    stitched_metrics: TrialMetrics
    trade_returns: FloatArray
    stability: dict[str, dict[str, float]]
    efficiency: float | None

    @property
    def latest(self) -> WindowResult:
        """The last window: its parameters are the ones trained on the most recent data."""
        return self.results[-1]


def _annualised(metrics: TrialMetrics, candles: int, per_year: float) -> float:
    growth = 1.0 + metrics.total_return
    years = candles / per_year
    return growth ** (1.0 / years) - 1.0 if growth > 0 and years > 0 else -1.0


def stability(results: tuple[WindowResult, ...]) -> dict[str, dict[str, float]]:
    """Per parameter: mean, standard deviation and coefficient of variation across windows."""
    names = sorted({k for r in results for k in (*r.params, *r.protection)})
    out: dict[str, dict[str, float]] = {}
    for name in names:
        values = np.array(
            [float({**r.params, **r.protection}[name]) for r in results
             if name in r.params or name in r.protection]
        )  # fmt: skip
        if values.shape[0] == 0:
            continue
        mean = float(values.mean())
        std = float(values.std())
        out[name] = {
            "mean": mean,
            "std": std,
            "cv": std / abs(mean) if mean else (0.0 if std == 0 else math.inf),
        }
    return out


def walk_forward(
    plan: StudyPlan,
    evaluator: TrialEvaluator,
    spans: list[Window],
    *,
    anchored: bool = False,
    workers: int = 1,
    on_window: Callable[[int, int], None] | None = None,
    progress: Any = None,
) -> WalkForward:
    """Optimise every train window, score its best trial on its test window, stitch the tests."""
    results: list[WindowResult] = []
    for span in spans:
        if on_window is not None:
            on_window(span.index, len(spans))
        window_plan = replace(
            plan, name=f"{plan.name}-wf{span.index}", window=(span.train_start, span.train_stop)
        )
        study = run_study(window_plan, evaluator, workers=workers, progress=progress)
        chosen = best_trials(study)
        if not chosen:
            raise UserInputError(
                f"walk-forward window {span.index + 1}: no feasible trial in its train window "
                "(relax --min-trades or --max-drawdown, or lengthen --wf-train)"
            )
        best = max(chosen, key=lambda t: t.values[0]) if len(chosen) > 1 else chosen[0]
        params, protection = plan.space.split(best.params)
        in_sample = trial_metrics(best)
        assert in_sample is not None  # a complete trial recorded its metrics
        run = evaluator.run(params, protection, start=span.test_start, stop=span.test_stop)
        results.append(
            WindowResult(span, best.number, params, {k: float(v) for k, v in protection.items()},
                         in_sample, run.metrics, run.equity, run.trade_returns)
        )  # fmt: skip
    return _stitch(evaluator, tuple(results), anchored)


def _stitch(
    evaluator: TrialEvaluator, results: tuple[WindowResult, ...], anchored: bool
) -> WalkForward:
    capital = evaluator.capital
    parts, level = [], capital
    for result in results:
        parts.append(result.equity / capital * level)
        level = float(parts[-1][-1]) if parts[-1].shape[0] else level
    stitched = np.concatenate(parts)
    first, last = results[0].window.test_start, results[-1].window.test_stop
    times = evaluator.timeframe.bucket_end(evaluator.candles.timestamps[first:last])
    trade_returns = np.concatenate([r.trade_returns for r in results])
    fee, step = float(evaluator.config.fee), float(evaluator.config.market.amount_step)
    held = sum(r.out_of_sample.exposure * r.equity.shape[0] for r in results)
    overall = metrics_of(
        np.zeros((0, 9)), stitched, held / max(stitched.shape[0], 1),
        capital=capital, per_year=evaluator.per_year, fee=fee, step=step,
    )  # fmt: skip
    overall = replace(  # the trades of every test window (profit factor: per window)
        overall,
        trades=int(trade_returns.shape[0]),
        win_rate=float((trade_returns > 0).mean()) if trade_returns.shape[0] else None,
        profit_factor=None,
    )
    per_year = evaluator.per_year
    ratios = []
    for r in results:
        train = r.window.train_stop - r.window.train_start
        test = r.window.test_stop - r.window.test_start
        is_rate = _annualised(r.in_sample, train, per_year)
        if is_rate > 0:
            ratios.append(_annualised(r.out_of_sample, test, per_year) / is_rate)
    return WalkForward(
        anchored=anchored,
        results=results,
        times=times,
        stitched=stitched,
        stitched_metrics=overall,
        trade_returns=trade_returns,
        stability=stability(results),
        efficiency=float(np.median(ratios)) if ratios else None,
    )
