"""Lean trial metrics equal the exact backtest's; windows start flat and never look ahead."""

from __future__ import annotations

import pickle
from decimal import Decimal

import numpy as np
import pytest

from cryptotrader.domain.market import CandleArrays
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.engines.backtest import BacktestConfig, BacktestEngine
from cryptotrader.errors import UserInputError
from cryptotrader.optimize.evaluate import Evaluator
from cryptotrader.strategies import create_strategy


@pytest.mark.parametrize(
    ("strategy", "params", "protection"),
    [
        ("sma_cross", {"fast": 12, "slow": 60}, {"stop_loss": 0.03, "take_profit": 0.08}),
        ("aggressive", {"buy_threshold": 0.15}, {"risk_ratio": 0.02}),
    ],
)
def test_evaluator_when_whole_series_matches_the_exact_backtest(
    btc_hourly: CandleArrays, strategy: str, params: dict[str, float], protection: dict[str, float]
) -> None:
    config = BacktestConfig()
    run = Evaluator(strategy, btc_hourly, Timeframe.H1, config=config).run(params, protection)
    exact_config = config.model_copy(update={k: Decimal(repr(v)) for k, v in protection.items()})
    exact = BacktestEngine(config=exact_config).run(
        btc_hourly, create_strategy(strategy, params), Decimal(1000), Timeframe.H1
    )
    m, e = run.metrics, exact.metrics
    assert m.trades == e.total_trades > 5
    assert m.total_return == pytest.approx(e.total_return, rel=1e-9, abs=1e-9)
    assert m.max_drawdown == pytest.approx(e.max_drawdown.depth, rel=1e-9)
    assert m.sharpe == pytest.approx(e.sharpe_ratio, rel=1e-9)
    assert m.sortino == pytest.approx(e.sortino_ratio, rel=1e-9)
    assert m.win_rate == pytest.approx(e.win_rate)
    assert m.profit_factor == pytest.approx(e.profit_factor, rel=1e-6)
    assert m.exposure == pytest.approx(e.exposure)
    assert m.cagr == pytest.approx(e.cagr, rel=1e-6)


def test_evaluator_when_window_ignores_every_candle_after_it(btc_hourly: CandleArrays) -> None:
    evaluator = Evaluator("sma_cross", btc_hourly, Timeframe.H1)
    params = {"fast": 10, "slow": 40}
    window = evaluator.run(params, start=2_000, stop=5_000)
    # The same window on candles that end at the window's end: the future changed nothing.
    cut = Evaluator("sma_cross", btc_hourly.slice(0, 5_000), Timeframe.H1)
    assert cut.run(params, start=2_000, stop=5_000).metrics == window.metrics
    assert window.equity.shape == (3_000,)
    assert window.equity[0] == pytest.approx(1000.0, rel=0.02)  # starts flat with its capital


def test_evaluator_when_trades_are_compounded_gives_the_final_equity(
    btc_hourly: CandleArrays,
) -> None:
    run = Evaluator("sma_cross", btc_hourly, Timeframe.H1).run({"fast": 8, "slow": 30})
    compounded = 1000.0 * float(np.prod(1.0 + run.trade_returns))
    assert compounded == pytest.approx(float(run.equity[-1]), rel=1e-9)


def test_evaluator_when_params_or_window_are_bad_raises_user_input_error(
    btc_hourly: CandleArrays,
) -> None:
    evaluator = Evaluator("sma_cross", btc_hourly, Timeframe.H1)
    with pytest.raises(UserInputError, match="fast must be shorter than slow"):
        evaluator.run({"fast": 50, "slow": 20})
    with pytest.raises(UserInputError, match="outside"):
        evaluator.run({"fast": 5, "slow": 20}, start=10, stop=len(btc_hourly) + 1)


def test_evaluator_when_pickled_for_a_worker_leaves_its_cache_behind(
    btc_hourly: CandleArrays,
) -> None:
    evaluator = Evaluator("sma_cross", btc_hourly, Timeframe.H1)
    first = evaluator.run({"fast": 9, "slow": 33})
    copy = pickle.loads(pickle.dumps(evaluator))  # noqa: S301 - our own object
    assert not copy._inputs
    assert evaluator._inputs
    assert copy.run({"fast": 9, "slow": 33}).metrics == first.metrics
