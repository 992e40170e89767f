"""What runs in the worker process for an optimisation job: a request in, the report out.

The study lives in the Optuna storage the API was configured with (never the application's
database); its progress is read from there by ``services.optimizations``.
"""

from __future__ import annotations

from typing import Any

from cryptotrader.config import TradingSettings
from cryptotrader.domain.market import CandleArrays
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.engines.backtest import BacktestConfig
from cryptotrader.errors import UserInputError
from cryptotrader.optimize.evaluate import Evaluator
from cryptotrader.optimize.objectives import parse_objectives
from cryptotrader.optimize.pipeline import WalkForwardSpec, check_walk_forward, run_optimisation
from cryptotrader.optimize.report import report_dict
from cryptotrader.optimize.space import build_space
from cryptotrader.optimize.study import StudyPlan, check_plan
from cryptotrader.optimize.walkforward import bars, windows


def _config(request: dict[str, Any]) -> BacktestConfig:
    return BacktestConfig.parse(
        fee=request.get("fee"), slippage=request.get("slippage"), stake=request.get("stake")
    )


def plan_of(request: dict[str, Any], storage: str) -> StudyPlan:
    """The study plan a request describes.

    Raises:
        UserInputError: bad range, parameter, objective, sampler or count.
    """
    space = build_space(
        request["strategy"],
        ranges=request.get("ranges") or {},
        fixed={k: str(v) for k, v in (request.get("fixed") or {}).items()},
        protection=bool(request.get("protection", True)),
        sizing=request.get("stake") is None,
    )
    goals = parse_objectives(
        request.get("objectives") or [],
        min_trades=int(request.get("min_trades", 10)),
        max_drawdown=request.get("max_drawdown"),
    )
    plan = StudyPlan(
        name=str(request.get("study") or "check"),
        storage=storage,
        space=space,
        objectives=goals,
        sampler=request.get("sampler", "tpe"),
        seed=request.get("seed"),
        trials=int(request.get("trials", 100)),
        patience=request.get("early_stop"),
        grid_points=int(request.get("grid_points", 5)),
    )
    check_plan(plan)
    return plan


def walk_of(request: dict[str, Any]) -> WalkForwardSpec | None:
    """The walk-forward lengths of a request, in candles (None: a single study)."""
    raw = request.get("walk_forward")
    if not raw:
        return None
    timeframe = Timeframe(request["timeframe"])
    step = raw.get("step")
    return WalkForwardSpec(
        train=bars(str(raw["train"]), timeframe, "walk_forward.train"),
        test=bars(str(raw["test"]), timeframe, "walk_forward.test"),
        step=None if step is None else bars(str(step), timeframe, "walk_forward.step"),
        anchored=bool(raw.get("anchored", False)),
    )


def check(request: dict[str, Any], candles: CandleArrays) -> None:
    """Refuse a request its candles cannot serve; records the walk-forward window count.

    Raises:
        UserInputError: bad plan, windows that do not fit, or too few candles.
    """
    plan_of(request, "sqlite:///unused")
    _config(request)
    walk = walk_of(request)
    if walk is None:
        request["windows"] = None
        evaluator = Evaluator(request["strategy"], candles, Timeframe(request["timeframe"]))
        if len(candles) <= evaluator.warmup():
            raise UserInputError(f"{len(candles)} candles are too few for {request['strategy']!r}")
        return
    check_walk_forward(walk, len(candles))
    request["windows"] = len(
        windows(len(candles), train=walk.train, test=walk.test, step=walk.step,
                anchored=walk.anchored)
    )  # fmt: skip


def study_names(request: dict[str, Any]) -> list[str]:
    """The studies a job writes: one, or one per walk-forward window."""
    study = str(request["study"])
    count = request.get("windows")
    return [f"{study}-wf{i}" for i in range(count)] if count else [study]


def run_optimize(
    request: dict[str, Any], candles: CandleArrays, trading: TradingSettings, *, storage: str
) -> dict[str, Any]:
    """Run the optimisation a request describes; returns the report (``report_dict``).

    Raises:
        UserInputError: bad request, or no feasible trial in a walk-forward window.
    """
    timeframe = Timeframe(request["timeframe"])
    evaluator = Evaluator(
        request["strategy"], candles, timeframe, config=_config(request), trading=trading,
        capital=float(request["initial_capital"]),
    )  # fmt: skip
    pair = Pair.parse(request["pair"])
    report = run_optimisation(
        plan_of(request, storage),
        evaluator,
        title=f"Optimisation of {request['strategy']} - {pair} {timeframe}",
        walk=walk_of(request),
        monte_carlo_runs=int(request.get("monte_carlo", 1000)),
        pair=pair,
    )
    return report_dict(report, candles.timestamps)
