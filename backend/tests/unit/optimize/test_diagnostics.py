"""Overfitting warnings: an optimum at the edge of a range that could be widened, few trades."""

from __future__ import annotations

from cryptotrader.optimize.diagnostics import study_warnings
from cryptotrader.optimize.evaluate import TrialMetrics
from cryptotrader.optimize.objectives import parse_objectives
from cryptotrader.optimize.runner import Chosen, Optimisation, StudyCounts
from cryptotrader.optimize.space import Dimension, SearchSpace
from cryptotrader.optimize.study import StudyPlan


def _result(fast: int, slow: int, trades: int) -> Optimisation:
    space = SearchSpace("sma_cross", (
        Dimension("fast", "int", 5, 50, accepted=(1, 10_000)),
        Dimension("slow", "int", 2, 200, accepted=(2, 10_000)),
    ))  # fmt: skip
    metrics = TrialMetrics(0.1, 0.2, 1.0, 1.2, 0.5, 0.05, trades, 0.5, 1.3, 0.4)
    chosen = Chosen(3, {"fast": fast, "slow": slow}, {}, [1.0], metrics, None)
    plan = StudyPlan(name="s", storage="sqlite:///x", space=space,
                     objectives=parse_objectives(["sharpe"]))  # fmt: skip
    return Optimisation(plan, StudyCounts(10, 0, 0, 0, 0), (chosen,), {}, ())


def test_warnings_when_best_sits_at_a_range_edge_that_could_widen() -> None:
    found = study_warnings(_result(50, 100, 200))
    assert found == [
        "best fast=50 is at the edge of its range 5..50: widen it (--range) before trusting it"
    ]


def test_warnings_when_edge_is_what_the_parameter_accepts_or_trades_are_few() -> None:
    # slow=2 is the lowest value slow accepts: widening is impossible, so no edge warning.
    found = study_warnings(_result(20, 2, 12))
    assert found == ["the best trial made only 12 trades: its figures are mostly chance"]
