"""Metrics by hand on small equity curves and trade lists."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from decimal import Decimal

import numpy as np
import pytest

from cryptotrader.domain import BotKind, Pair, Timeframe, Trade
from cryptotrader.domain.enums import TradeStatus
from cryptotrader.engines.backtest.metrics import (
    buy_and_hold,
    compute_metrics,
    drawdown,
    periods_per_year,
)

HOUR = 3_600_000


def test_drawdown_when_equity_falls_and_recovers_gives_depth_and_dates() -> None:
    equity = np.array([100.0, 120.0, 90.0, 110.0, 125.0])
    times = HOUR * np.arange(1, 6, dtype=np.int64)
    dd = drawdown(equity, times)
    assert dd.depth == pytest.approx(0.25)
    assert dd.peak == datetime(1970, 1, 1, 2, tzinfo=UTC)
    assert dd.trough == datetime(1970, 1, 1, 3, tzinfo=UTC)
    assert dd.recovery == datetime(1970, 1, 1, 5, tzinfo=UTC)


def trade(entry: str, exit_: str, qty: str = "1") -> Trade:
    moment = datetime(2024, 1, 1, tzinfo=UTC)
    return Trade(
        bot=BotKind.SAFE,
        pair=Pair.parse("BTC/USDT"),
        quantity=Decimal(qty),
        entry_price=Decimal(entry),
        entry_time=moment,
        exit_price=Decimal(exit_),
        exit_time=moment,
        status=TradeStatus.CLOSED,
    )


def test_compute_metrics_when_known_curve_and_trades_match_the_formulas() -> None:
    equity = np.array([101.0, 99.0, 102.0, 103.0])
    trades = (trade("100", "110"), trade("100", "95"), trade("100", "90"))
    m = compute_metrics(
        equity=equity,
        times=HOUR * np.arange(1, 5, dtype=np.int64),
        timeframe=Timeframe.H1,
        initial_capital=Decimal(100),
        final_capital=Decimal(103),
        fees_paid=Decimal(0),
        trades=trades,
        exposure=0.5,
    )
    returns = np.diff(np.r_[100.0, equity]) / np.r_[100.0, equity][:-1]
    per_year = 365.25 * 24
    assert periods_per_year(Timeframe.H1) == per_year
    assert m.total_return == pytest.approx(0.03)
    assert m.sharpe_ratio == pytest.approx(
        returns.mean() / returns.std(ddof=1) * math.sqrt(per_year)
    )
    downside = math.sqrt(np.mean(np.minimum(returns, 0) ** 2))
    assert m.sortino_ratio == pytest.approx(returns.mean() / downside * math.sqrt(per_year))
    assert m.cagr == pytest.approx(1.03 ** (per_year / 4) - 1)
    assert m.win_rate == pytest.approx(1 / 3)
    assert m.profit_factor == pytest.approx(10 / 15)
    assert m.expectancy == Decimal("-1.66666667")
    assert m.best_trade == pytest.approx(0.10)
    assert m.worst_trade == pytest.approx(-0.10)
    assert m.total_trades == 3


def test_compute_metrics_when_no_trade_leaves_trade_ratios_undefined() -> None:
    m = compute_metrics(
        equity=np.full(5, 100.0),
        times=HOUR * np.arange(5, dtype=np.int64),
        timeframe=Timeframe.D1,
        initial_capital=Decimal(100),
        final_capital=Decimal(100),
        fees_paid=Decimal(0),
        trades=(),
        exposure=0.0,
    )
    assert (m.win_rate, m.profit_factor, m.expectancy, m.sharpe_ratio, m.best_trade) == (
        None,
        None,
        None,
        None,
        None,
    )
    assert m.max_drawdown.depth == 0.0


def test_buy_and_hold_buys_at_the_first_open_and_sells_at_the_last_close_paying_both_fees() -> None:
    closes = np.array([100.0, 200.0, 50.0, 150.0])
    times = HOUR * np.arange(1, 5, dtype=np.int64)
    held = buy_and_hold(
        opens=np.array([100.0, 100.0, 200.0, 50.0]),
        closes=closes,
        times=times,
        timeframe=Timeframe.H1,
        initial_capital=Decimal(1000),
        fee=Decimal("0.001"),
    )
    # 999 buys 9.99 units; marked at 999, 1998, 499.5, then 1498.5 less the 1.4985 exit fee
    assert held.final_capital == Decimal("1497.00150000")
    assert held.total_return == pytest.approx(0.4970015)
    assert held.fees_paid == Decimal("2.49850000")
    assert held.max_drawdown.depth == pytest.approx(0.75)
    assert held.max_drawdown.peak == datetime(1970, 1, 1, 2, tzinfo=UTC)
    assert held.max_drawdown.trough == datetime(1970, 1, 1, 3, tzinfo=UTC)
    assert held.max_drawdown.recovery is None
    assert held.exposure == 1.0
    assert held.total_trades == 0
    assert held.sharpe_ratio is not None
