"""One trial's figures, straight from the compiled kernel: no ``Decimal`` trade list.

An optimiser runs thousands of backtests and reads a handful of numbers from each; building
every trade as exact money (the report's job) would cost far more than the simulation. So a
trial runs the same kernel as ``BacktestEngine`` and derives its metrics from the float trade
table and the float equity curve, in time linear in the candles. The trials a study keeps are
re-run by ``BacktestEngine`` and reported exactly (``optimize.runner``).

Windows (walk-forward) never look ahead: indicators and rules are causal (computed on the whole
series, row ``t`` reads rows ``<= t``), and the kernel starts flat at the window's first bar and
closes any open position at the window's last close.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any, Protocol

import numpy as np

from cryptotrader.config import TradingSettings
from cryptotrader.domain.enums import BotKind
from cryptotrader.domain.market import CandleArrays, FloatArray
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.engines.backtest import _kernel as k
from cryptotrader.engines.backtest.config import BacktestConfig
from cryptotrader.engines.backtest.engine import BacktestEngine
from cryptotrader.engines.backtest.ledger import equity_curve
from cryptotrader.engines.backtest.metrics import periods_per_year
from cryptotrader.engines.backtest.result import BacktestResult
from cryptotrader.engines.backtest.simulation import make_simulation
from cryptotrader.errors import UserInputError
from cryptotrader.strategies import BaseStrategy, Decisions, StrategyInputs, create_strategy
from cryptotrader.strategies.evaluation import (
    build_indicator_engine,
    compute_inputs,
    evaluate_rule,
    warmup,
)

#: Indicator sets kept between trials (each holds several arrays as long as the candles: about
#: 100 MB on 1M candles).
CACHED_INPUTS = 4


@dataclass(frozen=True, slots=True)
class TrialMetrics:
    """What a trial is scored on (floats; None when a ratio cannot be computed)."""

    total_return: float
    max_drawdown: float
    sharpe: float | None
    sortino: float | None
    calmar: float | None
    cagr: float | None
    trades: int
    win_rate: float | None
    profit_factor: float | None
    exposure: float

    def as_dict(self) -> dict[str, Any]:
        """JSON form (trial attributes, reports)."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class TrialRun:
    """A trial's metrics with its equity curve and per-trade returns on equity (Monte Carlo)."""

    metrics: TrialMetrics
    equity: FloatArray
    trade_returns: FloatArray
    start: int
    stop: int


def _ratios(returns: FloatArray, per_year: float) -> tuple[float | None, float | None]:
    if returns.shape[0] < 2:
        return None, None
    mean = float(returns.mean())
    std = float(returns.std(ddof=1))
    downside = math.sqrt(float(np.mean(np.minimum(returns, 0.0) ** 2)))
    scale = math.sqrt(per_year)
    return (
        mean / std * scale if std > 0 else None,
        mean / downside * scale if downside > 0 else None,
    )


def max_drawdown(equity: FloatArray) -> float:
    """Deepest fall from a running high, as a positive fraction (0 for an empty curve)."""
    if equity.shape[0] == 0:
        return 0.0
    peaks = np.maximum.accumulate(equity)
    with np.errstate(divide="ignore", invalid="ignore"):
        depth = np.where(peaks > 0, 1.0 - equity / peaks, 0.0)
    return float(depth.max())


def metrics_of(
    table: FloatArray,
    equity: FloatArray,
    held_fraction: float,
    *,
    capital: float,
    per_year: float,
    fee: float,
    step: float,
) -> TrialMetrics:
    """Metrics of a kernel trade table and its equity curve (formulas: docs/backtesting.md)."""
    full = np.concatenate(([capital], equity))
    with np.errstate(divide="ignore", invalid="ignore"):
        returns = full[1:] / full[:-1] - 1.0
    returns = returns[np.isfinite(returns)]
    sharpe, sortino = _ratios(returns, per_year)
    final = float(equity[-1]) if equity.shape[0] else capital
    growth = final / capital
    years = equity.shape[0] / per_year
    cagr = growth ** (1.0 / years) - 1.0 if years > 0 and growth > 0 else None
    depth = max_drawdown(equity)
    calmar = cagr / depth if cagr is not None and depth > 0 else None
    n = table.shape[0]
    win_rate = profit_factor = None
    if n:
        quantity = table[:, k.COL_STEPS] * step
        pnl = table[:, k.COL_EXIT_PRICE] * (1.0 - fee) - table[:, k.COL_ENTRY_PRICE] * (1.0 + fee)
        pnl = pnl * quantity
        gross_loss = float(-pnl[pnl <= 0].sum())
        win_rate = float((pnl > 0).mean())
        profit_factor = float(pnl[pnl > 0].sum()) / gross_loss if gross_loss > 0 else None
    return TrialMetrics(
        total_return=growth - 1.0,
        max_drawdown=depth,
        sharpe=sharpe,
        sortino=sortino,
        calmar=calmar,
        cagr=cagr,
        trades=n,
        win_rate=win_rate,
        profit_factor=profit_factor,
        exposure=held_fraction,
    )


class TrialEvaluator(Protocol):
    """What a study needs to score trials: ``Evaluator`` (one strategy) or the portfolio's."""

    strategy: str
    candles: CandleArrays
    timeframe: Timeframe
    config: BacktestConfig
    capital: float
    per_year: float

    def run(
        self,
        params: Mapping[str, Any],
        protection: Mapping[str, Any] | None = None,
        *,
        start: int = 0,
        stop: int | None = None,
    ) -> TrialRun:
        """Simulate a window and measure it (UserInputError: invalid parameters)."""

    def exact(
        self, params: Mapping[str, Any], protection: Mapping[str, Any] | None = None, *,
        pair: Pair | None = None,
    ) -> Any:  # fmt: skip
        """The chosen values backtested with exact money (a report's result)."""

    def warmup(self, params: Mapping[str, Any] | None = None) -> int:
        """Candles needed before trading."""


class Evaluator:
    """Scores parameter sets of one strategy on one candle series, fast and look-ahead free.

    Args:
        strategy: registered strategy name.
        candles: the whole series; trials may use a window of it.
        timeframe: the candles' timeframe.
        config: costs, sizing and fill convention; protection comes from each trial.
        trading: the bots' settings (protection not searched defaults to the target bot's).
        capital: initial capital of every trial.
        dependencies: indicator dependencies (``fear_greed=...``).
    """

    def __init__(
        self,
        strategy: str,
        candles: CandleArrays,
        timeframe: Timeframe,
        *,
        config: BacktestConfig | None = None,
        trading: TradingSettings | None = None,
        capital: float = 1000.0,
        dependencies: Mapping[str, Any] | None = None,
    ) -> None:
        self.strategy = strategy
        self.candles = candles
        self.timeframe = timeframe
        self.config = config or BacktestConfig()
        self.trading = trading or TradingSettings()
        self.capital = capital
        self.dependencies = dict(dependencies or {})
        self.per_year = periods_per_year(timeframe)
        self._inputs: OrderedDict[tuple[object, ...], StrategyInputs] = OrderedDict()

    def __getstate__(self) -> dict[str, Any]:
        """Pickled for worker processes without the cached indicator sets (they recompute)."""
        state = dict(self.__dict__)
        state["_inputs"] = OrderedDict()
        return state

    def build(self, params: Mapping[str, Any]) -> BaseStrategy[Any]:
        """The strategy with ``params`` (raises UserInputError when they are invalid)."""
        return create_strategy(self.strategy, params)

    def warmup(self, params: Mapping[str, Any] | None = None) -> int:
        """Candles the strategy needs before it can trade with ``params`` (default parameters)."""
        strategy = self.build(params or {})
        return warmup(strategy, build_indicator_engine(strategy, **self.dependencies))

    def decisions(self, strategy: BaseStrategy[Any]) -> Decisions:
        """The rule's decisions over every candle (indicator sets cached, least recent evicted)."""
        key = (repr(strategy.indicators), strategy.higher_timeframe(self.timeframe))
        inputs = self._inputs.get(key)
        if inputs is None:
            engine = build_indicator_engine(strategy, **self.dependencies)
            if len(self.candles) < warmup(strategy, engine) + 1:
                raise UserInputError(
                    f"{len(self.candles)} candles are too few for {strategy.name!r}"
                )
            inputs = compute_inputs(strategy, engine, self.candles, self.timeframe)
            self._inputs[key] = inputs
            while len(self._inputs) > CACHED_INPUTS:
                self._inputs.popitem(last=False)
        else:
            self._inputs.move_to_end(key)
        return evaluate_rule(strategy, inputs)

    def exact(
        self,
        params: Mapping[str, Any],
        protection: Mapping[str, Any] | None = None,
        *,
        pair: Pair | None = None,
    ) -> BacktestResult:
        """``params`` backtested by ``BacktestEngine`` on the whole series, money exact."""
        overrides = {k: Decimal(repr(float(v))) for k, v in (protection or {}).items()}
        config = self.config.model_copy(update=overrides) if overrides else self.config
        engine = BacktestEngine(
            config=config, trading=self.trading, dependencies=self.dependencies, pair=pair
        )
        return engine.run(
            self.candles, self.build(params), Decimal(repr(self.capital)), self.timeframe
        )

    def protection(
        self, strategy: BaseStrategy[Any], values: Mapping[str, Any]
    ) -> tuple[float, float, float]:
        """``(stop_loss, take_profit, risk_ratio)``: the trial's, else the config's or the bot's."""
        bot = self.trading.safe if strategy.target_bot is BotKind.SAFE else self.trading.aggressive
        sl, tp, risk = self.config.protection(bot)
        return (
            float(values.get("stop_loss", sl)),
            float(values.get("take_profit", tp)),
            float(values.get("risk_ratio", risk)),
        )

    def run(
        self,
        params: Mapping[str, Any],
        protection: Mapping[str, Any] | None = None,
        *,
        start: int = 0,
        stop: int | None = None,
    ) -> TrialRun:
        """Simulate candles ``[start, stop)`` flat at ``start`` and measure the run.

        Raises:
            UserInputError: invalid parameters or an empty window.
        """
        stop = len(self.candles) if stop is None else stop
        if not 0 <= start < stop <= len(self.candles):
            raise UserInputError(
                f"window [{start}, {stop}) is outside the {len(self.candles)} candles"
            )
        strategy = self.build(params)
        decisions = self.decisions(strategy)
        sl, tp, risk = self.protection(strategy, protection or {})
        candles = self.candles.slice(0, stop) if stop < len(self.candles) else self.candles
        if stop < len(self.candles):
            decisions = Decisions(
                decisions.score[:stop], decisions.entries[:stop], decisions.exits[:stop],
                decisions.confidence[:stop],
            )  # fmt: skip
        sim = make_simulation(
            candles=candles,
            timeframe=self.timeframe,
            decisions=decisions,
            config=self.config,
            stops=(Decimal(repr(sl)), Decimal(repr(tp))),
        )
        out = sim.run(start=start, cash=self.capital, risk_ratio=risk, max_events=-1)
        fee, step = float(self.config.fee), float(self.config.market.amount_step)
        table = out.table
        curve, held = equity_curve(
            table, candles.close, initial_capital=self.capital, fee=fee, step=step
        )
        window, held = curve[start:], held[start:]
        metrics = metrics_of(
            table, window, float(held.mean()) if held.shape[0] else 0.0,
            capital=self.capital, per_year=self.per_year, fee=fee, step=step,
        )  # fmt: skip
        return TrialRun(metrics, window, self._trade_returns(table, curve, start), start, stop)

    def _trade_returns(self, table: FloatArray, curve: FloatArray, start: int) -> FloatArray:
        """Each trade's net P&L as a fraction of the equity before it (Monte Carlo input)."""
        if table.shape[0] == 0:
            return np.zeros(0)
        fee, step = float(self.config.fee), float(self.config.market.amount_step)
        quantity = table[:, k.COL_STEPS] * step
        pnl = quantity * (
            table[:, k.COL_EXIT_PRICE] * (1.0 - fee) - table[:, k.COL_ENTRY_PRICE] * (1.0 + fee)
        )
        entry = table[:, k.COL_ENTRY_BAR].astype(np.int64)
        before = np.where(entry > start, curve[np.maximum(entry - 1, 0)], self.capital)
        result: FloatArray = pnl / before
        return result
