"""Optimising the two-bot portfolio: the reallocation ratio and the risk reducer's steps.

The two strategies keep their parameters; a trial changes how profit moves from the aggressive
bot to the safe one and how fast each bot's risk is cut after losses and restored after wins.
Indicators and decisions of both strategies are computed once; each trial replays the portfolio
(``PortfolioBacktest.simulate``), whose figures are already exact. A walk-forward window
replays both bots on its candles only, flat at its first candle with the bots' starting capital,
on the decisions computed once over the whole series (indicators never look ahead).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal
from typing import Any

import numpy as np
from pydantic import ValidationError

from cryptotrader.config import TradingSettings
from cryptotrader.domain.market import CandleArrays, FloatArray
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.engines.backtest import BacktestConfig, BacktestEngine
from cryptotrader.engines.backtest.metrics import periods_per_year
from cryptotrader.engines.backtest.portfolio import (
    PortfolioBacktest,
    PortfolioResult,
    PortfolioSetup,
)
from cryptotrader.engines.backtest.simulation import Simulation
from cryptotrader.errors import UserInputError
from cryptotrader.optimize.evaluate import TrialMetrics, TrialRun
from cryptotrader.optimize.space import Dimension, SearchSpace, parse_range
from cryptotrader.plugins import did_you_mean
from cryptotrader.risk import RiskReducer, RiskReducerConfig
from cryptotrader.strategies import BaseStrategy, Decisions, create_strategy

PORTFOLIO = "portfolio"
#: name: (kind, low, high, lowest accepted, highest accepted)
KNOBS: dict[str, tuple[str, float, float, float, float]] = {
    "reallocation_ratio": ("float", 0.10, 0.50, 0.10, 0.50),
    "losses_to_halve": ("int", 1, 5, 1, 100),
    "losses_to_quarter": ("int", 2, 10, 1, 100),
    "wins_to_restore": ("int", 1, 5, 1, 100),
}


def build_portfolio_space(
    *, ranges: Mapping[str, str] | None = None, fixed: Mapping[str, str] | None = None
) -> SearchSpace:
    """The portfolio's search space, with command-line ranges and pinned values.

    Raises:
        UserInputError: unknown knob (with a hint), bad range, nothing to search.
    """
    ranges, fixed = dict(ranges or {}), dict(fixed or {})
    for name in [*ranges, *fixed]:
        if name not in KNOBS:
            raise UserInputError(
                f"unknown parameter {name!r} for the portfolio{did_you_mean(name, KNOBS)}"
            )
    dims = []
    typed: dict[str, Any] = {}
    for name, (kind, low, high, lowest, highest) in KNOBS.items():
        if name in fixed:
            try:
                value = float(fixed[name])
            except ValueError:
                raise UserInputError(f"--fix {name}={fixed[name]}: not a number") from None
            if not lowest <= value <= highest:
                raise UserInputError(f"--fix {name}={fixed[name]}: must be {lowest:g}..{highest:g}")
            typed[name] = int(value) if kind == "int" else value
            continue
        if name in ranges:
            dim = parse_range(name, ranges[name], "int" if kind == "int" else "float", False)
            if dim.low < lowest or dim.high > highest:
                raise UserInputError(
                    f"--range {name}={ranges[name]} leaves what {name} accepts: "
                    f"[{lowest:g}, {highest:g}]"
                )
            dims.append(replace(dim, accepted=(lowest, highest)))
        else:
            dims.append(
                Dimension(name, "int" if kind == "int" else "float", low, high,
                          accepted=(lowest, highest))
            )  # fmt: skip
    if not dims:
        raise UserInputError("nothing to search: every portfolio parameter is fixed")
    return SearchSpace(PORTFOLIO, tuple(dims), typed)


_Bot = tuple[BaseStrategy[Any], Simulation, Decimal]
"""A bot of a ``PortfolioSetup``: its strategy, its simulation, its starting capital."""


class PortfolioEvaluator:
    """Scores reallocation ratios and reducer steps of the two bots on one candle series."""

    def __init__(
        self,
        candles: CandleArrays,
        timeframe: Timeframe,
        *,
        safe: str = "conservative",
        aggressive: str = "aggressive",
        config: BacktestConfig | None = None,
        trading: TradingSettings | None = None,
        dependencies: Mapping[str, Any] | None = None,
        pair: Pair | None = None,
    ) -> None:
        self.strategy = PORTFOLIO
        self.candles = candles
        self.timeframe = timeframe
        self.config = config or BacktestConfig()
        self.trading = trading or TradingSettings()
        self.dependencies = dict(dependencies or {})
        self.per_year = periods_per_year(timeframe)
        self.capital = float(self.trading.safe.capital + self.trading.aggressive.capital)
        self.strategies = (create_strategy(safe), create_strategy(aggressive))
        self._engine = BacktestEngine(
            config=self.config, trading=self.trading, dependencies=self.dependencies, pair=pair
        )
        self._prepared: PortfolioSetup | None = None

    def __getstate__(self) -> dict[str, Any]:
        """Pickled for worker processes without the prepared decisions (they recompute)."""
        state = dict(self.__dict__)
        state["_prepared"] = None
        return state

    def warmup(self, params: Mapping[str, Any] | None = None) -> int:
        """Not used: the portfolio checks its candles when prepared."""
        return 0

    def _setup(self) -> PortfolioSetup:
        if self._prepared is None:
            safe, aggressive = self.strategies
            self._prepared = PortfolioBacktest(engine=self._engine).setup(
                self.candles, self.timeframe, safe=safe, aggressive=aggressive
            )
        return self._prepared

    def _window(self, start: int, stop: int) -> PortfolioSetup:
        """Both bots' simulations on candles ``[start, stop)`` only."""
        prepared = self._setup()
        if (start, stop) == (0, len(self.candles)):
            return prepared

        def cut(entry: _Bot) -> _Bot:
            strategy, sim, capital = entry
            d = sim.decisions
            window = replace(
                sim,
                candles=sim.candles.slice(start, stop),
                decisions=Decisions(d.score[start:stop], d.entries[start:stop],
                                    d.exits[start:stop], d.confidence[start:stop]),
                detail_start=sim.detail_start[start:stop],
                detail_stop=sim.detail_stop[start:stop],
            )  # fmt: skip
            return strategy, window, capital

        return PortfolioSetup(prepared.timeframe, cut(prepared.safe), cut(prepared.aggressive))

    def exact(self, params: Mapping[str, Any], protection: Mapping[str, Any] | None = None,
              *, pair: Pair | None = None, start: int = 0,
              stop: int | None = None) -> PortfolioResult:  # fmt: skip
        """The portfolio backtest of ``params`` on candles ``[start, stop)`` (money exact).

        Raises:
            UserInputError: steps out of order (``losses_to_quarter`` <= ``losses_to_halve``).
        """
        halve = int(params["losses_to_halve"])
        quarter = int(params["losses_to_quarter"])
        if quarter <= halve:
            raise UserInputError("losses_to_quarter must be above losses_to_halve")
        try:
            reducer = RiskReducer(
                RiskReducerConfig(
                    losses_to_halve=halve, losses_to_quarter=quarter,
                    wins_to_restore=int(params["wins_to_restore"]),
                )
            )  # fmt: skip
        except ValidationError as exc:
            raise UserInputError(str(exc.errors()[0]["msg"])) from None
        ratio = Decimal(repr(float(params["reallocation_ratio"]))).quantize(Decimal("0.0001"))
        portfolio = PortfolioBacktest(engine=self._engine, reducer=reducer)
        window = self._window(start, len(self.candles) if stop is None else stop)
        return portfolio.simulate(window, ratio)

    def run(
        self,
        params: Mapping[str, Any],
        protection: Mapping[str, Any] | None = None,
        *,
        start: int = 0,
        stop: int | None = None,
    ) -> TrialRun:
        """One trial on candles ``[start, stop)`` (the whole series by default).

        Raises:
            UserInputError: a window outside the candles, or steps out of order.
        """
        n = len(self.candles)
        stop = n if stop is None else stop
        if not 0 <= start < stop <= n:
            raise UserInputError(f"window [{start}, {stop}) is outside the {n} candles")
        result = self.exact(params, protection, start=start, stop=stop)
        m = result.combined
        depth = m.max_drawdown.depth
        metrics = TrialMetrics(
            total_return=m.total_return,
            max_drawdown=depth,
            sharpe=m.sharpe_ratio,
            sortino=m.sortino_ratio,
            calmar=m.cagr / depth if m.cagr is not None and depth > 0 else None,
            cagr=m.cagr,
            trades=m.total_trades,
            win_rate=m.win_rate,
            profit_factor=m.profit_factor,
            exposure=m.exposure,
        )
        equity = result.combined_equity
        return TrialRun(metrics, equity.values, _trade_returns(result, self.capital), start, stop)


def _trade_returns(result: PortfolioResult, capital: float) -> FloatArray:
    """Each trade of both bots, in exit order, as net P&L over the portfolio's equity before it.

    Read from the kernel's tables and exact outcomes: a trial builds no ``Trade``.
    """
    bots = (result.safe, result.aggressive)
    if not any(len(bot.outcomes.pnl_units) for bot in bots):
        return np.zeros(0)
    times = [bot.trade_times() for bot in bots]
    entries = np.concatenate([entry for entry, _ in times])
    exits = np.concatenate([exit_ for _, exit_ in times])
    order = np.lexsort((entries, exits))  # by exit, then entry
    # each P&L correctly rounded, as float(Decimal P&L)
    pnl = np.array([u / 10**b.outcomes.scale for b in bots for u in b.outcomes.pnl_units])[order]
    curve = result.combined_equity
    index = np.searchsorted(curve.times, entries[order], side="right") - 1
    before = np.where(index >= 0, curve.values[np.maximum(index, 0)], capital)
    returns: FloatArray = pnl / before
    return returns
