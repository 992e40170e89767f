"""Backtest jobs and their reports."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AwareDatetime, Field

from cryptotrader.api.schemas.common import Input, Schema
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.domain.values import CostRate, InputDecimal, RiskRatio, StopLoss, TakeProfit


class _BacktestBase(Input):
    exchange: str = Field(default="binance", pattern=r"^[a-z0-9_]{2,32}$")
    pair: str = Field(min_length=3, max_length=25, examples=["BTC/USDT"])
    timeframe: Timeframe = Timeframe.H1
    initial_capital: Annotated[InputDecimal, Field(gt=0, le=Decimal(10) ** 12)] = Decimal(1000)
    start: AwareDatetime | None = None
    end: AwareDatetime | None = None
    fee: CostRate | None = None
    slippage: CostRate | None = None
    stop_loss: StopLoss | None = None
    take_profit: TakeProfit | None = None
    risk_ratio: RiskRatio | None = None
    stake: RiskRatio | None = None


class BacktestCreate(_BacktestBase):
    """One strategy over stored candles (``start`` <= open time < ``end``)."""

    strategy: str = Field(min_length=1, max_length=64, examples=["conservative"])
    params: dict[str, Any] = Field(default_factory=dict)


class BacktestCompareCreate(_BacktestBase):
    """Several strategies (default parameters) on the same candles."""

    strategies: list[str] = Field(min_length=2, max_length=5)


class BacktestRename(Input):
    """A run's new name ("" clears it)."""

    name: str = Field(max_length=100)


class BacktestJobPublic(Schema):
    """A job: ``queued``, ``running``, ``succeeded`` or ``failed`` (with ``error``)."""

    id: int
    name: str | None = None
    kind: str
    status: str
    request: dict[str, Any]
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class BacktestJobsPublic(Schema):
    """One page of the caller's jobs."""

    data: list[BacktestJobPublic]
    count: int


class BacktestSettingsPublic(Schema):
    """Costs and protection the backtest used."""

    fee: str
    slippage: str
    stop_loss: str
    take_profit: str
    risk_ratio: str
    stake: str | None
    fill: str
    amount_step: str
    min_notional: str


class BacktestTradePublic(Schema):
    """A simulated trade."""

    entry_time: str | None
    entry_price: str
    exit_time: str | None
    exit_price: str | None
    quantity: str
    fees: str
    pnl: str | None
    pnl_percent: float | None
    reason: str | None
    stop_loss: str | None
    take_profit: str | None
    confidence: float | None


class EquityPointPublic(Schema):
    """Equity at one candle close."""

    time: str
    equity: str


class BacktestReportPublic(Schema):
    """One strategy's report: metrics (docs/backtesting.md), trades and equity curve."""

    strategy: str
    bot: str
    pair: str
    timeframe: str
    start: str | None
    end: str | None
    candles: int
    settings: BacktestSettingsPublic
    initial_capital: str
    final_capital: str
    net_profit: str
    total_return: float | None
    cagr: float | None
    max_drawdown: float | None
    max_drawdown_peak: str | None
    max_drawdown_trough: str | None
    max_drawdown_recovery: str | None
    sharpe_ratio: float | None
    sortino_ratio: float | None
    win_rate: float | None
    profit_factor: float | None
    expectancy: str | None
    exposure: float | None
    fees_paid: str
    total_trades: int
    best_trade: float | None
    worst_trade: float | None
    average_trade: float | None
    refused_entries: int
    trades: list[BacktestTradePublic]
    equity_curve: list[EquityPointPublic]


class BacktestResultPublic(Schema):
    """A finished job and its reports (one per strategy)."""

    job: BacktestJobPublic
    results: list[BacktestReportPublic]
