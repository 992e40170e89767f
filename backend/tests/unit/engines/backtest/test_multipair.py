"""Multi-pair portfolio backtest: the one-pair engine's trades, merged order, cross-pair limits."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cryptotrader.config import RuntimeSettings
from cryptotrader.domain import BotKind, Timeframe
from cryptotrader.domain.pairs import Pair
from cryptotrader.engines.backtest import BacktestConfig, BacktestEngine
from cryptotrader.engines.backtest.multipair import (
    MultiPairResult,
    PairSeries,
    PortfolioRequest,
    realised_since,
    run_portfolio,
)
from cryptotrader.engines.backtest.portfolio import PortfolioBacktest
from cryptotrader.errors import UserInputError
from cryptotrader.marketdata import read_ohlcv
from cryptotrader.risk import RiskReducer, RiskReducerConfig
from cryptotrader.strategies import create_strategy
from tests.support.builders import random_walk
from tests.support.scripted import ScriptedStrategy, candles

SAFE = create_strategy("sma_cross", {"fast": 4, "slow": 12})
AGGRESSIVE = create_strategy("sma_cross", {"fast": 2, "slow": 6})
BTC, ETH, SOL = Pair.parse("BTC/USDT"), Pair.parse("ETH/USDT"), Pair.parse("SOL/USDT")
HOUR = 3_600_000


def _dumps(result: MultiPairResult, bot: BotKind) -> list[dict[str, object]]:
    outcome = result.safe if bot is BotKind.SAFE else result.aggressive
    return [t.model_dump() for t in outcome.trades]


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(100, 800),
    ratio=st.sampled_from(["0.10", "0.30", "0.50"]),
    pause=st.booleans(),
    fill=st.sampled_from(["open", "close"]),
)
def test_run_portfolio_when_given_one_pair_makes_the_one_pair_engines_trades(
    seed: int, n: int, ratio: str, pause: bool, fill: str
) -> None:
    series = random_walk(n, seed=seed, step_ms=HOUR)
    config = BacktestConfig.model_validate(
        {"fill": fill, "stop_loss": Decimal("0.003"), "take_profit": Decimal("0.005")}
    )
    deep = "pause" if pause else "quarter"
    old = PortfolioBacktest(
        engine=BacktestEngine(config=config),
        reducer=RiskReducer(RiskReducerConfig(on_deep_streak=deep)),
    ).run(series, Timeframe.H1, safe=SAFE, aggressive=AGGRESSIVE, reallocation_ratio=Decimal(ratio))
    # the daily loss limit off: the one-pair engine never applied it
    runtime = RuntimeSettings(daily_loss_limit=Decimal(1))
    new = run_portfolio(
        PortfolioRequest(
            series=(PairSeries(BTC, series),),
            timeframe=Timeframe.H1,
            safe=SAFE,
            aggressive=AGGRESSIVE,
            reallocation_ratio=Decimal(ratio),
            config=config,
            runtime=runtime,
            on_deep_streak=deep,
        )
    )
    for bot, before in ((BotKind.SAFE, old.safe), (BotKind.AGGRESSIVE, old.aggressive)):
        assert _dumps(new, bot) == [t.model_dump() for t in before.trades]
        after = new.safe if bot is BotKind.SAFE else new.aggressive
        assert after.metrics.final_capital == before.metrics.final_capital
        assert after.refused_entries == before.refused_entries
    assert [(r.time, r.amount, r.profit, r.trade_index) for r in new.reallocations] == [
        (r.time, r.amount, r.profit, r.trade_index) for r in old.reallocations
    ]
    assert [(c.time, c.bot, c.before, c.after) for c in new.risk_changes] == [
        (c.time, c.bot, c.before, c.after) for c in old.risk_changes
    ]
    np.testing.assert_allclose(new.combined_equity.values, old.combined_equity.values, rtol=1e-12)


@pytest.mark.shared_data
def test_run_portfolio_when_given_btc_4h_alone_makes_the_one_pair_engines_trades(
    shared_data: Path,
) -> None:
    read = read_ohlcv(shared_data / "binance_BTC-USDT_4h.csv")
    safe, aggressive = create_strategy("conservative"), create_strategy("aggressive")
    old = PortfolioBacktest(engine=BacktestEngine()).run(
        read.arrays, Timeframe.H4, safe=safe, aggressive=aggressive
    )
    new = run_portfolio(
        PortfolioRequest(
            series=(PairSeries(BTC, read.arrays),),
            timeframe=Timeframe.H4,
            safe=safe,
            aggressive=aggressive,
        )
    )
    assert len(old.aggressive.trades) > 200
    assert _dumps(new, BotKind.SAFE) == [t.model_dump() for t in old.safe.trades]
    assert _dumps(new, BotKind.AGGRESSIVE) == [t.model_dump() for t in old.aggressive.trades]


def _open_at_once(result: MultiPairResult, bot: BotKind | None = None) -> int:
    """The most positions open at the same moment, from the trades' entry and exit times."""
    moments = []
    for trade in result.trades:
        if bot is not None and trade.bot is not bot:
            continue
        assert trade.exit_time is not None
        moments += [(trade.entry_time, 1), (trade.exit_time, -1)]
    # at one instant exits fill before entries: sort -1 first
    most = held = 0
    for _, change in sorted(moments):
        held += change
        most = max(most, held)
    return most


@settings(max_examples=15, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    limit=st.integers(1, 5),
    per_bot=st.integers(1, 3),
    fill=st.sampled_from(["open", "close"]),
)
def test_run_portfolio_when_given_three_pairs_conserves_money_and_holds_the_position_limits(
    seed: int, limit: int, per_bot: int, fill: str
) -> None:
    config = BacktestConfig.model_validate(
        {"fill": fill, "stop_loss": Decimal("0.003"), "take_profit": Decimal("0.005")}
    )
    series = tuple(
        PairSeries(pair, random_walk(400 + 50 * i, seed=seed + i, step_ms=HOUR))
        for i, pair in enumerate((SOL, BTC, ETH))
    )
    result = run_portfolio(
        PortfolioRequest(
            series=series,
            timeframe=Timeframe.H1,
            safe=SAFE,
            aggressive=AGGRESSIVE,
            config=config,
            runtime=RuntimeSettings(
                max_open_positions=limit, max_positions_per_bot=per_bot, daily_loss_limit=Decimal(1)
            ),
        )
    )
    assert result.pairs == (BTC, ETH, SOL)
    net = sum((t.pnl or Decimal(0) for t in result.trades), Decimal(0))
    total = result.safe.metrics.final_capital + result.aggressive.metrics.final_capital
    assert abs(total - (Decimal(1000) + net)) <= Decimal("2e-8")
    assert result.combined.final_capital == total
    assert _open_at_once(result) <= limit
    assert _open_at_once(result, BotKind.SAFE) <= per_bot
    assert _open_at_once(result, BotKind.AGGRESSIVE) <= per_bot
    for outcome in (result.safe, result.aggressive):
        assert [p.pair for p in outcome.pairs] == [BTC, ETH, SOL]
        assert sum(len(p.trades) for p in outcome.pairs) == len(outcome.trades)
        for share in outcome.pairs:
            assert all(t.pair == share.pair for t in share.trades)
            assert share.net_pnl == sum((t.pnl or Decimal(0) for t in share.trades), Decimal(0))
    moved = sum((r.amount for r in result.reallocations), Decimal(0))
    safe_pnl = sum((t.pnl or Decimal(0) for t in result.safe.trades), Decimal(0))
    assert result.safe.metrics.final_capital == (Decimal(700) + safe_pnl + moved).quantize(
        Decimal("1e-8")
    )
    # the equity ends at the final capital (every position is closed at the end)
    assert result.combined_equity.values[-1] == pytest.approx(float(total), rel=1e-9)


def _flat(n: int) -> list[tuple[float, float, float, float]]:
    return [(100.0, 100.5, 99.5, 100.0)] * n


def _scripted(entries: tuple[int, ...], exits: tuple[int, ...] = ()) -> ScriptedStrategy:
    return ScriptedStrategy(ScriptedStrategy.params_model(entries=entries, exits=exits))


def _same_signal_run(limit: int, stake: str | None = None) -> MultiPairResult:
    """Both pairs signal an entry at the same close; only the aggressive bot trades."""
    rows = candles(_flat(30))
    config = BacktestConfig.model_validate({"fill": "open", "stake": stake})
    return run_portfolio(
        PortfolioRequest(
            series=(PairSeries(ETH, rows), PairSeries(BTC, rows)),
            timeframe=Timeframe.H1,
            safe=_scripted(()),
            aggressive=_scripted((5,), (20,)),
            config=config,
            runtime=RuntimeSettings(max_open_positions=limit),
        )
    )


def test_run_portfolio_when_two_pairs_signal_together_the_first_symbol_enters_first() -> None:
    result = _same_signal_run(limit=1)
    trades = result.aggressive.trades
    assert [t.pair for t in trades] == [BTC]  # BTC/USDT sorts before ETH/USDT
    eth = next(p for p in result.aggressive.pairs if p.pair == ETH)
    assert eth.refused_entries == 1


def test_run_portfolio_when_the_first_entry_takes_the_cash_the_next_is_sized_on_what_is_left() -> (
    None
):
    result = _same_signal_run(limit=2, stake="0.5")
    btc, eth = (next(t for t in result.aggressive.trades if t.pair == pair) for pair in (BTC, ETH))
    # half of 300, then half of what the first left (fees included)
    assert btc.entry_time == eth.entry_time
    assert float(btc.quantity * btc.entry_price) == pytest.approx(150 / 1.001, rel=1e-4)
    assert float(eth.quantity * eth.entry_price) == pytest.approx((300 - 150) / 2 / 1.001, rel=1e-4)


def test_run_portfolio_when_a_pair_is_too_short_for_the_warm_up_names_the_pair() -> None:
    short = random_walk(8, seed=1, step_ms=HOUR)
    long = random_walk(200, seed=2, step_ms=HOUR)
    with pytest.raises(UserInputError, match=r"^ETH/USDT: 8 candles are too few"):
        run_portfolio(
            PortfolioRequest(
                series=(PairSeries(BTC, long), PairSeries(ETH, short)),
                timeframe=Timeframe.H1,
                safe=SAFE,
                aggressive=AGGRESSIVE,
            )
        )


def test_run_portfolio_when_a_pair_is_given_twice_refuses() -> None:
    rows = random_walk(200, seed=2, step_ms=HOUR)
    with pytest.raises(UserInputError, match="BTC/USDT is given twice"):
        run_portfolio(
            PortfolioRequest(
                series=(PairSeries(BTC, rows), PairSeries(BTC, rows)),
                timeframe=Timeframe.H1,
                safe=SAFE,
                aggressive=AGGRESSIVE,
            )
        )


def test_realised_since_sums_the_trades_closed_from_that_moment() -> None:
    day = 86_400_000
    closed = [(0, Decimal(-5)), (day, Decimal(2)), (day + 5, Decimal(-7))]
    assert realised_since(closed, day) == Decimal(-5)
    assert realised_since(closed, 0) == Decimal(-10)
    assert realised_since(closed, 2 * day) == Decimal(0)


def test_run_portfolio_when_a_bot_is_narrowed_to_some_pairs_trades_only_those() -> None:
    series = tuple(
        PairSeries(pair, random_walk(400, seed=7 + i, step_ms=HOUR))
        for i, pair in enumerate((BTC, ETH, SOL))
    )
    narrowed = run_portfolio(
        PortfolioRequest(
            series=series,
            timeframe=Timeframe.H1,
            safe=SAFE,
            aggressive=AGGRESSIVE,
            runtime=RuntimeSettings.model_validate({"bot_pairs": {"safe": ["BTC/USDT"]}}),
        )
    )
    assert narrowed.safe.trades
    assert {t.pair for t in narrowed.safe.trades} == {BTC}
    assert {t.pair for t in narrowed.aggressive.trades} == {BTC, ETH, SOL}
