"""Per-candle rules in plain Python: compiled, and deciding exactly like the vectorised rule."""

from __future__ import annotations

import numpy as np

from cryptotrader.domain import MarketContext, Pair, Timeframe
from cryptotrader.engines.backtest import BacktestEngine
from cryptotrader.engines.decision import DecisionEngine
from cryptotrader.strategies import IndicatorSpec, PerBarStrategy, create_strategy
from cryptotrader.strategies.evaluation import build_indicator_engine, compute_inputs, evaluate_rule
from cryptotrader.strategies.sma_cross import SmaCrossParams
from tests.support.builders import random_walk


class PerBarCross(PerBarStrategy[SmaCrossParams]):
    name = "per_bar_cross"
    params_model = SmaCrossParams
    columns = ("sma_20", "sma_50")

    @property
    def indicators(self) -> tuple[IndicatorSpec, ...]:
        return (IndicatorSpec("sma", {"period": 20}), IndicatorSpec("sma", {"period": 50}))

    @staticmethod
    def on_bar(now, before):  # type: ignore[no-untyped-def] # plain Python, compiled by numba
        if now[0] > now[1] and before[0] <= before[1]:
            return 1
        if now[0] < now[1] and before[0] >= before[1]:
            return -1
        return 0


def test_per_bar_strategy_when_rule_is_sma_cross_decides_like_the_vectorised_one() -> None:
    candles = random_walk(3000, seed=12, step_ms=3_600_000)
    ours, reference = PerBarCross(), create_strategy("sma_cross")
    inputs = compute_inputs(ours, build_indicator_engine(ours), candles, Timeframe.H1)
    a, b = evaluate_rule(ours, inputs), evaluate_rule(reference, inputs)
    np.testing.assert_array_equal(a.entries, b.entries)
    np.testing.assert_array_equal(a.exits, b.exits)
    assert a.entries.sum() > 10
    one = BacktestEngine().run(candles, ours, 1000, Timeframe.H1)
    two = BacktestEngine().run(candles, reference, 1000, Timeframe.H1)
    assert [t.pnl for t in one.trades] == [t.pnl for t in two.trades]


def test_per_bar_strategy_when_live_reads_the_last_two_candles_agrees_with_backtest() -> None:
    candles = random_walk(800, seed=2, step_ms=3_600_000)
    strategy = PerBarCross()
    engine = build_indicator_engine(strategy)
    decisions = evaluate_rule(strategy, compute_inputs(strategy, engine, candles, Timeframe.H1))
    live = DecisionEngine(strategy=strategy, pair=Pair.parse("BTC/USDT"))
    for t in np.flatnonzero(decisions.entries | decisions.exits)[:10]:
        signal = live.evaluate(
            engine.compute(candles.slice(0, int(t) + 1), Timeframe.H1), MarketContext()
        )
        assert signal.action == ("sell" if decisions.exits[t] else "buy")
