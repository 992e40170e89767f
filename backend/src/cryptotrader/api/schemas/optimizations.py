"""Optimisation jobs: what to search, their progress, the report, applying a result to a bot."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, Field, FiniteFloat

from cryptotrader.api.schemas.backtests import BacktestJobPublic
from cryptotrader.api.schemas.common import Input, Schema
from cryptotrader.domain.enums import BotKind
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.domain.values import CostRate, InputDecimal, RiskRatio

Length = str | int


class WalkForwardCreate(Input):
    """Walk-forward windows: candles, or durations such as ``90d``, ``72h``, ``12w``."""

    train: Length = Field(examples=["180d"])
    test: Length = Field(examples=["30d"])
    step: Length | None = Field(default=None, description="default: the test length")
    anchored: bool = False


class OptimizationCreate(Input):
    """A study of one strategy on stored candles (``start`` <= open time < ``end``)."""

    exchange: str = Field(default="binance", pattern=r"^[a-z0-9_]{2,32}$")
    pair: str = Field(min_length=3, max_length=25, examples=["BTC/USDT"])
    timeframe: Timeframe = Timeframe.H1
    start: AwareDatetime | None = None
    end: AwareDatetime | None = None
    initial_capital: Annotated[InputDecimal, Field(gt=0, le=Decimal(10) ** 12)] = Decimal(1000)
    fee: CostRate | None = None
    slippage: CostRate | None = None
    stake: RiskRatio | None = None
    strategy: str = Field(min_length=1, max_length=64, examples=["sma_cross"])
    ranges: dict[str, str] = Field(
        default_factory=dict, description="NAME -> LOW:HIGH[:STEP]", examples=[{"fast": "5:50"}]
    )
    fixed: dict[str, str | FiniteFloat | bool] = Field(
        default_factory=dict, description="not searched"
    )
    protection: bool = Field(default=True, description="search stop-loss and take-profit")
    objectives: list[str] = Field(default_factory=lambda: ["sharpe"], min_length=1, max_length=4)
    sampler: Literal["tpe", "nsga2", "grid", "random"] = "tpe"
    trials: int = Field(default=100, ge=1, le=5000, description="per study (per window)")
    seed: int | None = Field(default=None, ge=0, le=2**31 - 1)
    min_trades: int = Field(default=10, ge=0, le=100_000)
    max_drawdown: float | None = Field(default=None, gt=0, lt=1)
    early_stop: int | None = Field(default=None, ge=1, le=5000)
    grid_points: int = Field(default=5, ge=2, le=50)
    walk_forward: WalkForwardCreate | None = None
    monte_carlo: int = Field(default=1000, ge=0, le=20_000, description="runs; 0: none")


class OptimizationProgressPublic(Schema):
    """Trials finished of all (windows x trials), best value so far, walk-forward window."""

    trials_done: int
    trials_total: int
    best_value: float | None
    window: int | None
    windows: int | None


class OptimizationJobPublic(Schema):
    """A job and where it stands."""

    job: BacktestJobPublic
    progress: OptimizationProgressPublic


class OptimizationJobsPublic(Schema):
    """One page of the caller's optimisation jobs."""

    data: list[BacktestJobPublic]
    count: int


class OptimizationResultPublic(Schema):
    """A finished job and its report.

    The study (chosen trials backtested again exactly, importance, top trials) or the
    walk-forward windows, then the Monte Carlo and the warnings.
    """

    job: BacktestJobPublic
    title: str
    study: dict[str, Any] | None
    walk_forward: dict[str, Any] | None
    monte_carlo: dict[str, Any] | None
    warnings: list[str]


class OptimizationApply(Input):
    """Which bot gets the result, and which chosen trial (default: the best)."""

    bot: BotKind
    trial: int | None = Field(default=None, ge=0)
