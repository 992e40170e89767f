"""Portfolio studies: the reallocation ratio and reducer steps, scored by the exact portfolio."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from cryptotrader.domain.market import CandleArrays, FloatArray
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.engines.backtest import BacktestEngine
from cryptotrader.engines.backtest.metrics import compute_metrics
from cryptotrader.engines.backtest.portfolio import PortfolioBacktest, PortfolioResult
from cryptotrader.errors import UserInputError
from cryptotrader.optimize.evaluate import TrialMetrics
from cryptotrader.optimize.objectives import parse_objectives
from cryptotrader.optimize.portfolio import PortfolioEvaluator, build_portfolio_space
from cryptotrader.optimize.runner import optimise
from cryptotrader.optimize.study import StudyPlan
from cryptotrader.risk import RiskReducer, RiskReducerConfig
from cryptotrader.strategies import create_strategy

KNOBS = {"reallocation_ratio": 0.2, "losses_to_halve": 2, "losses_to_quarter": 4,
         "wins_to_restore": 3}  # fmt: skip


def test_portfolio_trial_when_run_equals_the_portfolio_backtest(btc_hourly: CandleArrays) -> None:
    run = PortfolioEvaluator(btc_hourly, Timeframe.H1).run(KNOBS)
    reducer = RiskReducer(RiskReducerConfig(losses_to_halve=2, losses_to_quarter=4,
                                            wins_to_restore=3))  # fmt: skip
    exact = PortfolioBacktest(engine=BacktestEngine(), reducer=reducer).run(
        btc_hourly, Timeframe.H1, safe=create_strategy("conservative"),
        aggressive=create_strategy("aggressive"), reallocation_ratio=Decimal("0.2"),
    )  # fmt: skip
    assert run.metrics.total_return == exact.combined.total_return
    assert run.metrics.trades == exact.combined.total_trades > 0
    assert run.metrics.max_drawdown == exact.combined.max_drawdown.depth
    assert run.trade_returns.shape == (run.metrics.trades,)


def _figures_of_built_trades(result: PortfolioResult) -> tuple[TrialMetrics, FloatArray]:
    """A trial's metrics and trade returns the way they were computed before: from ``Trade``s."""
    safe, aggressive = result.safe, result.aggressive
    trades = tuple(sorted(safe.trades + aggressive.trades, key=lambda t: t.exit_time or 0))
    equity = result.combined_equity
    m = compute_metrics(
        equity=equity.values, times=equity.times, timeframe=Timeframe.H1,
        initial_capital=safe.metrics.initial_capital + aggressive.metrics.initial_capital,
        final_capital=safe.final_capital + aggressive.final_capital,
        fees_paid=safe.metrics.fees_paid + aggressive.metrics.fees_paid,
        trades=trades, exposure=float(equity.held.mean()),
    )  # fmt: skip
    assert m == result.combined
    depth = m.max_drawdown.depth
    metrics = TrialMetrics(
        total_return=m.total_return, max_drawdown=depth, sharpe=m.sharpe_ratio,
        sortino=m.sortino_ratio, calmar=m.cagr / depth if m.cagr is not None and depth else None,
        cagr=m.cagr, trades=m.total_trades, win_rate=m.win_rate, profit_factor=m.profit_factor,
        exposure=m.exposure,
    )  # fmt: skip
    closed = sorted(trades, key=lambda t: (t.exit_time, t.entry_time))
    entries = np.array([int(t.entry_time.timestamp() * 1000) for t in closed], dtype=np.int64)
    index = np.searchsorted(equity.times, entries, side="right") - 1
    capital = float(m.initial_capital)
    before = np.where(index >= 0, equity.values[np.maximum(index, 0)], capital)
    returns: FloatArray = np.array([float(t.pnl or 0) for t in closed]) / before
    return metrics, returns


@pytest.mark.parametrize(
    ("knobs", "window"),
    [
        (KNOBS, (0, 8000)),
        ({**KNOBS, "reallocation_ratio": 0.5, "losses_to_halve": 1}, (0, 8000)),
        ({**KNOBS, "reallocation_ratio": 0.1, "wins_to_restore": 1}, (2500, 7000)),
    ],
)
def test_portfolio_trial_when_computed_without_trades_equals_the_figures_of_built_trades(
    btc_hourly: CandleArrays, knobs: dict[str, float], window: tuple[int, int]
) -> None:
    evaluator = PortfolioEvaluator(btc_hourly, Timeframe.H1)
    run = evaluator.run(knobs, start=window[0], stop=window[1])
    result = evaluator.exact(knobs, start=window[0], stop=window[1])
    assert result.safe.book._built is None  # the trial built no ``Trade``
    assert result.aggressive.book._built is None
    metrics, returns = _figures_of_built_trades(result)
    assert run.metrics == metrics
    assert run.metrics.trades > 50
    assert result.reallocations  # money moved between the bots: both paths saw it
    assert run.trade_returns.tobytes() == returns.tobytes()


def test_portfolio_trial_when_steps_are_out_of_order_or_window_outside_is_refused(
    btc_hourly: CandleArrays,
) -> None:
    evaluator = PortfolioEvaluator(btc_hourly, Timeframe.H1)
    with pytest.raises(UserInputError, match="losses_to_quarter must be above losses_to_halve"):
        evaluator.run({**KNOBS, "losses_to_quarter": 2})
    with pytest.raises(UserInputError, match=r"window \[100, 9000\) is outside the 8000 candles"):
        evaluator.run(KNOBS, start=100, stop=9000)


def test_portfolio_trial_when_windowed_trades_only_its_candles_and_never_sees_later_ones(
    btc_hourly: CandleArrays,
) -> None:
    whole = PortfolioEvaluator(btc_hourly, Timeframe.H1)
    run = whole.run(KNOBS, start=3000, stop=6000)
    assert (run.start, run.stop, run.equity.shape) == (3000, 6000, (3000,))
    assert run.equity[0] == whole.capital  # flat at the window's first candle
    assert run.metrics.trades == run.trade_returns.shape[0] > 0
    result = whole.exact(KNOBS, start=3000, stop=6000)
    first, last = (int(t) for t in btc_hourly.timestamps[[3000, 5999]])
    for trade in (*result.safe.trades, *result.aggressive.trades):
        assert first <= trade.entry_time.timestamp() * 1000 <= last
    # candles after the window change nothing: a series that ends with it gives the same run
    shorter = PortfolioEvaluator(btc_hourly.slice(0, 6000), Timeframe.H1).run(
        KNOBS, start=3000, stop=6000
    )
    assert shorter.metrics == run.metrics
    assert shorter.equity.tobytes() == run.equity.tobytes()
    assert whole.run(KNOBS, start=0, stop=8000).metrics == whole.run(KNOBS).metrics


def test_portfolio_space_when_overridden_or_wrong_is_checked() -> None:
    space = build_portfolio_space(ranges={"reallocation_ratio": "0.2:0.4"},
                                  fixed={"wins_to_restore": "2"})  # fmt: skip
    assert [d.name for d in space.dimensions] == [
        "reallocation_ratio", "losses_to_halve", "losses_to_quarter",
    ]  # fmt: skip
    assert space.fixed == {"wins_to_restore": 2}
    with pytest.raises(UserInputError, match="did you mean 'reallocation_ratio'"):
        build_portfolio_space(ranges={"realocation_ratio": "0.2:0.3"})
    with pytest.raises(
        UserInputError, match=r"leaves what reallocation_ratio accepts: \[0.1, 0.5\]"
    ):
        build_portfolio_space(ranges={"reallocation_ratio": "0.05:0.3"})


def test_portfolio_study_when_run_keeps_an_exact_portfolio_result(
    tmp_path: Path, btc_hourly: CandleArrays
) -> None:
    plan = StudyPlan(
        name="p", storage=f"sqlite:///{tmp_path / 's.db'}", space=build_portfolio_space(),
        objectives=parse_objectives(["calmar"], min_trades=1), seed=1, trials=6,
        sampler="random",
    )  # fmt: skip
    result = optimise(plan, PortfolioEvaluator(btc_hourly, Timeframe.H1))
    best = result.chosen[0]
    assert isinstance(best.exact, PortfolioResult)
    assert best.exact.combined.total_return == best.metrics.total_return
