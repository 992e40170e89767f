"""Portfolio backtest: money conservation, reallocation, risk changes, sweeps."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cryptotrader.domain import BotKind, Timeframe
from cryptotrader.engines.backtest import BacktestConfig, BacktestEngine
from cryptotrader.engines.backtest.portfolio import PortfolioBacktest, parse_sweep
from cryptotrader.errors import UserInputError
from cryptotrader.risk import RiskReducer, RiskReducerConfig
from cryptotrader.strategies import create_strategy
from tests.support.builders import random_walk
from tests.support.scripted import ScriptedStrategy

SAFE = create_strategy("sma_cross", {"fast": 4, "slow": 12})
AGGRESSIVE = create_strategy("sma_cross", {"fast": 2, "slow": 6})


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(100, 800),
    ratio=st.sampled_from(["0.10", "0.25", "0.30", "0.50"]),
    pause=st.booleans(),
    fill=st.sampled_from(["open", "close"]),
)
def test_portfolio_when_run_total_capital_changes_only_by_net_pnl(
    seed: int, n: int, ratio: str, pause: bool, fill: str
) -> None:
    candles = random_walk(n, seed=seed, step_ms=3_600_000)
    config = BacktestConfig.model_validate(
        {"fill": fill, "stop_loss": Decimal("0.003"), "take_profit": Decimal("0.005")}
    )
    reducer = RiskReducer(RiskReducerConfig(on_deep_streak="pause" if pause else "quarter"))
    portfolio = PortfolioBacktest(engine=BacktestEngine(config=config), reducer=reducer)
    result = portfolio.run(
        candles, Timeframe.H1, safe=SAFE, aggressive=AGGRESSIVE, reallocation_ratio=Decimal(ratio)
    )
    trades = result.safe.trades + result.aggressive.trades
    net = sum((t.pnl or Decimal(0) for t in trades), Decimal(0))
    total = result.safe.final_capital + result.aggressive.final_capital
    # Each bot's final capital is rounded to 1e-8: the sum is exact to within two roundings.
    assert abs(total - (Decimal(1000) + net)) <= Decimal("1e-8")
    assert result.combined.final_capital == total
    moved = sum((r.amount for r in result.reallocations), Decimal(0))
    safe_pnl = sum((t.pnl or Decimal(0) for t in result.safe.trades), Decimal(0))
    assert result.safe.final_capital == (Decimal(700) + safe_pnl + moved).quantize(Decimal("1e-8"))
    winners = [t for t in result.aggressive.trades if (t.pnl or 0) > 0]
    assert len(result.reallocations) == len(winners)
    for move in result.reallocations:
        trade = result.aggressive.trades[move.trade_index]
        assert trade.pnl is not None
        expected = (trade.pnl * Decimal(ratio)).quantize(Decimal("1e-8"), rounding=ROUND_DOWN)
        assert move.amount == expected
        assert move.time == trade.exit_time


def test_portfolio_when_losing_streaks_happen_lists_each_risk_change() -> None:
    candles = random_walk(3000, seed=11, step_ms=3_600_000)
    config = BacktestConfig(stop_loss=Decimal("0.002"), take_profit=Decimal("0.02"))
    result = PortfolioBacktest(engine=BacktestEngine(config=config)).run(
        candles, Timeframe.H1, safe=SAFE, aggressive=AGGRESSIVE
    )
    assert result.risk_changes
    aggressive = [c for c in result.risk_changes if c.bot is BotKind.AGGRESSIVE]
    assert aggressive[0].before == Decimal("0.03")
    assert aggressive[0].after == Decimal("0.015")
    assert aggressive[0].reason == "3 consecutive losses"


def test_portfolio_when_aggressive_bot_alone_matches_a_single_bot_run() -> None:
    candles = random_walk(1500, seed=5, step_ms=3_600_000)
    config = BacktestConfig(
        stake=Decimal("0.5"), stop_loss=Decimal("0.003"), take_profit=Decimal("0.01")
    )
    engine = BacktestEngine(config=config)
    single = engine.run(candles, AGGRESSIVE, Decimal(300), Timeframe.H1, bot=BotKind.AGGRESSIVE)
    # The safe bot never trades here (a strategy that cannot fire), and stake sizing ignores risk.
    never = ScriptedStrategy()
    portfolio = PortfolioBacktest(engine=engine).run(
        candles, Timeframe.H1, safe=never, aggressive=AGGRESSIVE
    )
    assert [(t.entry_time, t.exit_time, t.exit_reason) for t in portfolio.aggressive.trades] == [
        (t.entry_time, t.exit_time, t.exit_reason) for t in single.trades
    ]
    assert portfolio.safe.trades == ()
    assert portfolio.safe.final_capital == Decimal(700) + sum(
        (r.amount for r in portfolio.reallocations), Decimal(0)
    )


def test_parse_sweep_when_well_formed_lists_every_ratio() -> None:
    assert parse_sweep("0.1:0.5:0.1") == [Decimal(x) for x in ("0.1", "0.2", "0.3", "0.4", "0.5")]


@pytest.mark.parametrize("text", ["0.1:0.9:0.1", "0.05:0.5:0.1", "a:b:c", "0.1:0.5", "0.5:0.1:0.1"])
def test_parse_sweep_when_malformed_or_out_of_range_refuses(text: str) -> None:
    with pytest.raises(UserInputError):
        parse_sweep(text)


def test_portfolio_when_ratio_out_of_range_refuses() -> None:
    with pytest.raises(UserInputError, match=r"0\.10 - 0\.50"):
        PortfolioBacktest(engine=BacktestEngine()).run(
            random_walk(200, step_ms=3_600_000),
            Timeframe.H1,
            safe=SAFE,
            aggressive=AGGRESSIVE,
            reallocation_ratio=Decimal("0.6"),
        )
