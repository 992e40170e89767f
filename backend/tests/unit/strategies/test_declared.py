"""The declared strategy surface: typed indicator fields, inline parameters, enforced lookback."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from cryptotrader.domain import Timeframe
from cryptotrader.errors import StrategyError, UserInputError
from cryptotrader.strategies import (
    LookbackError,
    Strategy,
    Window,
    create_strategy,
    indicator,
    register_strategy,
    unregister_strategy,
)
from cryptotrader.strategies.declared import window
from cryptotrader.strategies.evaluation import build_indicator_engine, compute_inputs, evaluate_rule
from tests.conftest import REPO_ROOT
from tests.support.builders import random_walk

DOC = REPO_ROOT / "docs" / "strategies.md"
CANDLES = random_walk(2000, seed=11, step_ms=3_600_000)


def doc_block(heading: str) -> str:
    """The first python block after ``heading`` in docs/strategies.md."""
    text = DOC.read_text(encoding="utf-8")
    found = re.search(rf"{re.escape(heading)}.*?```python\n(.*?)```", text, re.DOTALL)
    assert found is not None, heading
    return found.group(1)


@pytest.fixture
def documented_sma_cross() -> Iterator[type[Strategy[Any]]]:
    namespace: dict[str, Any] = {"__name__": "user_strategies"}
    exec(compile(doc_block("## SmaCross in 15 lines"), str(DOC), "exec"), namespace)  # noqa: S102 - the doc's own example
    yield namespace["SmaCross"]
    unregister_strategy("my_sma_cross")


def decisions(strategy: Any) -> Any:
    engine = build_indicator_engine(strategy)
    return evaluate_rule(strategy, compute_inputs(strategy, engine, CANDLES, Timeframe.H1))


def test_documented_sma_cross_fits_in_15_lines() -> None:
    code = [line for line in doc_block("## SmaCross in 15 lines").splitlines() if line.strip()]
    assert len(code) <= 15


def test_documented_sma_cross_decides_like_the_built_in(
    documented_sma_cross: type[Strategy[Any]],
) -> None:
    mine = create_strategy("my_sma_cross", {"fast_period": 10, "slow_period": 30})
    built_in = create_strategy("sma_cross", {"fast": 10, "slow": 30})
    ours, theirs = decisions(mine), decisions(built_in)
    assert ours.entries.any()
    assert np.array_equal(ours.entries, theirs.entries)
    assert np.array_equal(ours.exits, theirs.exits)
    assert np.array_equal(ours.score, theirs.score, equal_nan=True)
    assert mine.series_read() == ("sma_10", "sma_30")
    assert not mine.reads_strengths


def test_inline_parameters_are_typed_and_checked(
    documented_sma_cross: type[Strategy[Any]],
) -> None:
    strategy = create_strategy("my_sma_cross", {"fast_period": "12"})
    assert strategy.fast_period == 12  # type: ignore[attr-defined]
    assert strategy.describe() == "my_sma_cross(fast_period=12, slow_period=50)"
    with pytest.raises(UserInputError, match="did you mean 'slow_period'"):
        create_strategy("my_sma_cross", {"slow_perod": 20})


class _ReadsTooFar(Strategy[Any]):
    lookback = 2
    fast: Window = indicator("sma", period=5)

    def buy(self, rating: Window) -> Any:
        return self.fast > self.fast.ago(2)

    def sell(self, rating: Window) -> Any:
        return self.fast < 0


@pytest.fixture
def reads_too_far() -> Iterator[None]:
    register_strategy("reads_too_far")(_ReadsTooFar)
    yield
    unregister_strategy("reads_too_far")


@pytest.mark.usefixtures("reads_too_far")
def test_a_rule_reading_beyond_its_lookback_fails_in_backtest_and_live_alike() -> None:
    with pytest.raises(StrategyError, match=r"ago\(2\) reads further back than lookback=2"):
        decisions(create_strategy("reads_too_far"))


@pytest.mark.parametrize(
    "escape",
    [
        lambda w: w[-3],
        lambda w: w[:-1],
        list,
        lambda w: np.roll(w, 1),
        np.diff,
        lambda w: np.convolve(w, np.ones(3)),
        lambda w: w.sum(),
        np.add.accumulate,
        lambda w: np.where(w > 0, w, 0)[:-1],
        lambda w: w.ago(-1),
    ],
)
def test_a_window_refuses_every_way_of_reading_other_candles(escape: Any) -> None:
    values = window(np.arange(6, dtype=np.float64), 2)
    with pytest.raises(LookbackError):
        escape(values)


def test_a_window_computes_candle_by_candle() -> None:
    values = window(np.array([1.0, 3.0, 2.0]), 2)
    before = values.ago(1)
    assert np.array_equal(np.asarray(before), [np.nan, 1.0, 3.0], equal_nan=True)
    rising = values > before
    assert isinstance(rising, Window)
    assert rising.lookback == 2
    assert np.asarray(rising).tolist() == [False, True, False]
    assert np.asarray(np.clip(values, 0, 2)).tolist() == [1.0, 2.0, 2.0]
    mixed = values + window(np.ones(3), 1)  # mixed with the context: this candle only
    assert isinstance(mixed, Window)
    assert mixed.lookback == 1


def test_fields_are_read_inside_the_rule_only(documented_sma_cross: type[Strategy[Any]]) -> None:
    strategy = create_strategy("my_sma_cross")
    with pytest.raises(StrategyError, match="read inside the rule"):
        _ = strategy.fast  # type: ignore[attr-defined]
