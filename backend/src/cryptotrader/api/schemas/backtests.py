"""Backtest jobs and their reports."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, Field, model_validator

from cryptotrader.api.schemas.common import Input, Schema
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.domain.values import CostRate, InputDecimal, RiskRatio, StopLoss, TakeProfit

Capital = Annotated[InputDecimal, Field(gt=0, le=Decimal(10) ** 12)]


class _Candles(Input):
    exchange: str = Field(default="binance", pattern=r"^[a-z0-9_]{2,32}$")
    pair: str = Field(min_length=3, max_length=25, examples=["BTC/USDT"])
    timeframe: Timeframe = Timeframe.H1
    start: AwareDatetime | None = None
    end: AwareDatetime | None = None
    fee: CostRate | None = None
    slippage: CostRate | None = None


class _BacktestBase(_Candles):
    initial_capital: Capital = Decimal(1000)
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


_SWEEP = r"^\d*\.?\d+:\d*\.?\d+:\d*\.?\d+$"


class PortfolioBacktestCreate(_Candles):
    """Both bots on the same candles with reallocation, as ``backtest portfolio`` takes them.

    ``reallocation`` runs one ratio; ``sweep`` (``START:STOP:STEP``, inclusive) runs each ratio
    of the range on the same indicators. None: the trading settings' value.
    """

    safe_strategy: str = Field(default="conservative", min_length=1, max_length=64)
    aggressive_strategy: str = Field(default="aggressive", min_length=1, max_length=64)
    safe_capital: Capital | None = None
    aggressive_capital: Capital | None = None
    reallocation: Annotated[InputDecimal, Field(ge=Decimal("0.1"), le=Decimal("0.5"))] | None = None
    sweep: str | None = Field(default=None, pattern=_SWEEP, examples=["0.1:0.5:0.1"])
    on_deep_streak: Literal["quarter", "pause"] = "quarter"
    fill: Literal["open", "close"] = "open"
    pairs: list[Annotated[str, Field(min_length=3, max_length=25)]] | None = Field(
        default=None,
        min_length=2,
        max_length=10,
        description="several stored pairs (of `exchange` and `timeframe`) traded together,"
        " as `backtest portfolio --stored PAIR` repeated; `pair` must be one of them."
        " The report is then in `multipair`, one entry per ratio, with each pair's share.",
        examples=[["BTC/USDT", "ETH/USDT"]],
    )

    @model_validator(mode="after")
    def _one_ratio_or_a_sweep(self) -> PortfolioBacktestCreate:
        if self.pairs is not None:
            if len(set(self.pairs)) != len(self.pairs):
                raise ValueError("pairs: each pair once")
            if self.pair not in self.pairs:
                raise ValueError("pair must be one of pairs")
        if self.sweep is not None:
            if self.reallocation is not None:
                raise ValueError("give reallocation or sweep, not both")
            start, stop, step = (Decimal(part) for part in self.sweep.split(":"))
            if step <= 0 or stop < start:
                raise ValueError("sweep: need STEP > 0 and STOP >= START")
            if (stop - start) / step >= 20:
                raise ValueError("sweep: at most 20 ratios")
        return self


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


class MetricsPublic(Schema):
    """Every metric of a run (docs/backtesting.md); money as strings."""

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


class BacktestReportPublic(MetricsPublic):
    """One strategy's report: metrics (docs/backtesting.md), trades and equity curve."""

    strategy: str
    bot: str
    pair: str
    timeframe: str
    start: str | None
    end: str | None
    candles: int
    settings: BacktestSettingsPublic
    refused_entries: int
    trades: list[BacktestTradePublic]
    equity_curve: list[EquityPointPublic]


class PortfolioBotsPublic(Schema):
    """Each bot's own report in a portfolio run."""

    safe: BacktestReportPublic
    aggressive: BacktestReportPublic


class BacktestReallocationPublic(Schema):
    """Profit moved from the aggressive bot to the safe bot after a winning trade, in a backtest.

    Named apart from the live ``ReallocationPublic``: one name, one schema in the OpenAPI file.
    """

    time: str | None
    amount: str
    profit: str
    aggressive_trade: int


class RiskChangePublic(Schema):
    """A bot's risk ratio changed after a losing or winning streak."""

    time: str | None
    bot: str
    risk_before: str
    risk_after: str
    reason: str


class PortfolioRunPublic(MetricsPublic):
    """Both bots at one reallocation ratio: combined metrics and equity, each bot, the moves."""

    reallocation_ratio: str
    buy_and_hold: MetricsPublic
    equity_curve: list[EquityPointPublic]
    bots: PortfolioBotsPublic
    reallocations: list[BacktestReallocationPublic]
    risk_changes: list[RiskChangePublic]


class PairSharePublic(Schema):
    """One bot's trading on one pair of a multi-pair run."""

    total_trades: int
    win_rate: float | None
    net_pnl: str
    fees_paid: str
    refused_entries: int


class PairTradePublic(BacktestTradePublic):
    """A simulated trade of a multi-pair run, with its pair."""

    pair: str


class MultiPairBotPublic(MetricsPublic):
    """One bot over every pair: metrics on its merged equity, each pair's share, its trades."""

    strategy: str
    refused_entries: int
    pairs: dict[str, PairSharePublic]
    trades: list[PairTradePublic]
    equity_curve: list[EquityPointPublic]


class MultiPairBotsPublic(Schema):
    """Each bot of a multi-pair run."""

    safe: MultiPairBotPublic
    aggressive: MultiPairBotPublic


class PairReallocationPublic(BacktestReallocationPublic):
    """A reallocation of a multi-pair run, with the pair of the winning trade."""

    pair: str | None


class PairRiskChangePublic(RiskChangePublic):
    """A risk change of a multi-pair run, with the pair of the trade that caused it."""

    pair: str | None


class MultiPairRunPublic(MetricsPublic):
    """Both bots over several pairs at one ratio (``backtest portfolio --stored ... --json``)."""

    reallocation_ratio: str
    pairs: list[str]
    timeframe: str
    start: str | None
    end: str | None
    buy_and_hold: dict[str, MetricsPublic]
    equity_curve: list[EquityPointPublic]
    bots: MultiPairBotsPublic
    reallocations: list[PairReallocationPublic]
    risk_changes: list[PairRiskChangePublic]


class BacktestResultPublic(Schema):
    """A finished job and its reports: one per strategy, or (portfolio) one per ratio."""

    job: BacktestJobPublic
    results: list[BacktestReportPublic]
    portfolio: list[PortfolioRunPublic] = Field(default_factory=list)
    multipair: list[MultiPairRunPublic] = Field(default_factory=list)
