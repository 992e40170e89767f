"""The rule inputs of a candle time's pairs, built without validating, equal the validated ones.

``_rule_inputs_rows`` builds each pair's ``RuleInputs`` from values already of their fields'
types (``trusted``); they must be the model validation gives: the same fields set, the same
values of the same types (JSON), for strategies that read series, strengths or neither; and a
column that is not of floats (validation turns its numbers into floats) is validated.
"""

from __future__ import annotations

import bench.runtime_flip  # noqa: F401 - registers bench_flip
import numpy as np
import pytest

from cryptotrader.bus.messages import RuleInputs
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.engines.workers.indicators import _rule_inputs, _rule_inputs_rows
from cryptotrader.indicators.engine import IndicatorEngine
from cryptotrader.strategies import create_strategy
from cryptotrader.strategies.base import StrategyInputs
from cryptotrader.strategies.context import context_arrays
from cryptotrader.strategies.evaluation import context_rows
from tests.unit.indicators.test_streaming import candles


def together(rows: int, pairs: int) -> StrategyInputs:
    engine = IndicatorEngine.with_default_set()
    windows = [candles(k, 260 + k, 0, 0, 1.0) for k in range(pairs)]
    result = engine.compute_rows(windows, Timeframe.M1, rows)
    trends = [np.array([1.0, np.nan, -1.0][:rows]) if p % 2 else None for p in range(pairs)]
    return StrategyInputs(
        series=result.series,
        strengths=result.strengths,
        weights=result.weights,
        context=context_rows(result, trends),
    )


def assert_as_validated(made: list[RuleInputs]) -> None:
    for inputs in made:
        validated = RuleInputs.model_validate(inputs.__dict__)
        assert inputs.model_fields_set == validated.model_fields_set
        assert list(inputs.__dict__) == list(validated.__dict__)
        assert inputs.model_dump_json() == validated.model_dump_json()
        for column in (*inputs.series.values(), *inputs.context.values()):
            assert all(type(v) is float for v in column)


@pytest.mark.parametrize("name", ["bench_flip", "conservative", "aggressive"])
@pytest.mark.parametrize(("lead", "skip"), [(0, 0), (1, 0), (1, 1)])
def test_rule_inputs_of_the_rows_equal_the_validated_model(name: str, lead: int, skip: int) -> None:
    strategy = create_strategy(name)
    made = _rule_inputs_rows(strategy, together(3, 4), lead, skip, 4)
    assert len(made) == 4
    assert all(len(c) == 3 - skip for m in made for c in m.context.values())
    assert_as_validated(made)


def test_a_column_not_of_floats_is_validated_into_floats() -> None:
    rows = together(2, 3)
    series = dict(rows.series)
    series["sma_1"] = np.ones((2, 3), dtype=np.int64)  # an integer column (a plugin's)
    odd = StrategyInputs(series, rows.strengths, rows.weights, rows.context)
    made = _rule_inputs_rows(create_strategy("bench_flip"), odd, 0, 0, 3)
    assert made[0].series["sma_1"] == [1.0, 1.0]
    assert type(made[0].series["sma_1"][0]) is float
    assert_as_validated(made)


def alone(length: int) -> StrategyInputs:
    """One window's inputs computed alone, as a replay's run of ``length`` candles is."""
    result = IndicatorEngine.with_default_set().compute(
        candles(7, 300 + length, 0, 0, 1.0), Timeframe.M1, start=300
    )
    return StrategyInputs(
        series=result.series,
        strengths=result.strengths,
        weights=result.weights,
        context=context_arrays(result),
    )


@pytest.mark.parametrize("name", ["bench_flip", "conservative", "aggressive"])
@pytest.mark.parametrize("lead", [0, 3])
def test_rule_inputs_of_a_run_computed_alone_equal_the_validated_model(
    name: str, lead: int
) -> None:
    """``_rule_inputs`` (a replay's long runs) builds them without validating too."""
    made = _rule_inputs(create_strategy(name), alone(50), lead)
    assert len(made.context["volatility"]) == 50
    assert_as_validated([made])


def test_a_run_with_a_column_not_of_floats_is_validated_into_floats() -> None:
    rows = alone(4)
    series = dict(rows.series)
    series["sma_1"] = np.ones(4, dtype=np.int64)
    odd = StrategyInputs(series, rows.strengths, rows.weights, rows.context)
    made = _rule_inputs(create_strategy("bench_flip"), odd, 0)
    assert made.series["sma_1"] == [1.0] * 4
    assert type(made.series["sma_1"][0]) is float
    assert_as_validated([made])
