"""BacktestEngine: several timeframes and several strategies on the same data."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cryptotrader.domain import Timeframe
from cryptotrader.engines.backtest import BacktestEngine
from cryptotrader.errors import UserInputError
from cryptotrader.marketdata import resample
from cryptotrader.strategies import create_strategy
from tests.support.builders import random_walk


def test_run_multi_timeframe_when_given_each_timeframe_runs_it_on_its_candles() -> None:
    hours = random_walk(2_000, seed=8, step_ms=3_600_000)
    datasets = {Timeframe.H4: resample(hours, Timeframe.H1, Timeframe.H4), Timeframe.H1: hours}
    strategy = create_strategy("sma_cross", {"fast": 5, "slow": 20})
    results = BacktestEngine().run_multi_timeframe(datasets, strategy, Decimal(1000))
    assert list(results) == [Timeframe.H1, Timeframe.H4]
    assert len(results[Timeframe.H1].equity) == 2_000
    assert len(results[Timeframe.H4].equity) == 500
    assert results[Timeframe.H4].timeframe is Timeframe.H4
    assert results[Timeframe.H1].trades != results[Timeframe.H4].trades


def test_run_multi_timeframe_when_no_dataset_refuses() -> None:
    with pytest.raises(UserInputError, match="at least one dataset"):
        BacktestEngine().run_multi_timeframe({}, create_strategy("sma_cross"), 1000)


def test_compare_strategies_when_given_several_runs_each_on_the_same_candles() -> None:
    candles = random_walk(1_500, seed=3, step_ms=3_600_000)
    strategies = [create_strategy("sma_cross"), create_strategy("aggressive")]
    results = BacktestEngine().compare_strategies(candles, strategies, 1000, Timeframe.H1)
    assert [r.strategy_name for r in results] == ["sma_cross", "aggressive"]
    assert all(r.candles is results[0].candles for r in results)
    assert results[1].bot == "aggressive"
