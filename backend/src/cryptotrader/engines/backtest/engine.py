"""BacktestEngine: a strategy over candles -> trades, equity curve and metrics.

The strategy's indicators are computed once over the whole series (they never look ahead:
``indicators.engine``), its rule is evaluated once over every candle (``strategies``), and the
compiled kernel (``_kernel``) walks the bars with the fill conventions of docs/backtesting.md.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import numpy as np

from cryptotrader.config import TradingSettings
from cryptotrader.domain.enums import BotKind
from cryptotrader.domain.market import CandleArrays
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.domain.values import to_decimal
from cryptotrader.engines.backtest.config import BacktestConfig, check_capital
from cryptotrader.engines.backtest.ledger import (
    FillTimes,
    TradeBook,
    build_ledger,
    equity_curve,
)
from cryptotrader.engines.backtest.metrics import compute_metrics
from cryptotrader.engines.backtest.result import BacktestResult, EquityCurve
from cryptotrader.engines.backtest.simulation import (
    Detail,
    KernelRun,
    Simulation,
    make_simulation,
)
from cryptotrader.errors import UserInputError
from cryptotrader.indicators.engine import CandleInput, as_arrays
from cryptotrader.strategies.base import BaseStrategy, Decisions, StrategyInputs
from cryptotrader.strategies.evaluation import (
    build_indicator_engine,
    compute_inputs,
    evaluate_rule,
    warmup,
)

DEFAULT_PAIR = Pair(base="BTC", quote="USDT")


class BacktestEngine:
    """Runs strategies over historical candles.

    Args:
        config: costs, protection, sizing and fill convention (``BacktestConfig``).
        trading: the bots' settings; protection defaults come from the strategy's target bot.
        dependencies: keyword dependencies of indicators (``fear_greed=DailySeries``).
        pair: the market, for the trades.

    Example:
        >>> engine = BacktestEngine()
        >>> strategy = create_strategy("sma_cross")
        >>> result = engine.run(frame, strategy, 1000, Timeframe.H1)  # doctest: +SKIP
        >>> result.metrics.total_trades  # doctest: +SKIP
        412
    """

    def __init__(
        self,
        *,
        config: BacktestConfig | None = None,
        trading: TradingSettings | None = None,
        dependencies: Mapping[str, Any] | None = None,
        pair: Pair | None = None,
    ) -> None:
        self.config = config or BacktestConfig()
        self.trading = trading or TradingSettings()
        self.dependencies = dict(dependencies or {})
        self.pair = pair or DEFAULT_PAIR
        self._cache: dict[tuple[object, ...], StrategyInputs] = {}
        self._cached_candles: CandleArrays | None = None

    def inputs(
        self, strategy: BaseStrategy[Any], candles: CandleArrays, timeframe: Timeframe
    ) -> StrategyInputs:
        """The strategy's indicators over ``candles`` (shared by strategies declaring the same).

        Raises:
            UserInputError: fewer candles than the warm-up needs.
        """
        engine = build_indicator_engine(strategy, **self.dependencies)
        needed = warmup(strategy, engine) + 1
        if len(candles) < needed:
            raise UserInputError(
                f"{len(candles)} candles are too few for {strategy.name!r}: its warm-up needs "
                f"at least {needed}"
            )
        if candles is not self._cached_candles:
            self._cache.clear()
            self._cached_candles = candles
        key = (repr(strategy.indicators), timeframe, strategy.higher_timeframe(timeframe))
        cached = self._cache.get(key)
        if cached is None:
            cached = compute_inputs(strategy, engine, candles, timeframe)
            self._cache[key] = cached
        return cached

    def decisions(
        self, strategy: BaseStrategy[Any], candles: CandleArrays, timeframe: Timeframe
    ) -> Decisions:
        """The strategy's entries, exits and confidence on every candle."""
        return evaluate_rule(strategy, self.inputs(strategy, candles, timeframe))

    def protection(self, bot: BotKind) -> tuple[Decimal, Decimal, Decimal]:
        """``(stop_loss, take_profit, risk_ratio)`` for ``bot``: the config's, else the bot's."""
        settings = self.trading.safe if bot is BotKind.SAFE else self.trading.aggressive
        return self.config.protection(settings)

    def simulation(
        self,
        strategy: BaseStrategy[Any],
        candles: CandleArrays,
        timeframe: Timeframe,
        *,
        bot: BotKind,
        detail: Detail | None = None,
    ) -> Simulation:
        """A ready-to-run kernel simulation of ``strategy`` for ``bot``."""
        stop_loss, take_profit, _ = self.protection(bot)
        decisions = self.decisions(strategy, candles, timeframe)
        return make_simulation(
            candles=candles,
            timeframe=timeframe,
            decisions=decisions,
            config=self.config,
            stops=(stop_loss, take_profit),
            detail=detail,
        )

    def run(
        self,
        data: CandleInput,
        strategy: BaseStrategy[Any],
        initial_capital: Decimal | float | str,
        timeframe: Timeframe,
        *,
        detail: Detail | None = None,
        bot: BotKind | None = None,
        progress: Progress | None = None,
    ) -> BacktestResult:
        """Backtest ``strategy`` on ``data`` (candles of ``timeframe``) with one bot's capital.

        ``progress(done, total)`` is told the candles simulated so far, now and then.

        Raises:
            UserInputError: capital out of range, too few candles, or a bad detail timeframe.
            StrategyError: the strategy raised or returned malformed arrays.
        """
        capital = check_capital(to_decimal(initial_capital))
        candles = as_arrays(data)
        target = bot or strategy.target_bot
        sim = self.simulation(strategy, candles, timeframe, bot=target, detail=detail)
        _, _, risk_ratio = self.protection(target)
        if progress is None:
            out = sim.run(start=0, cash=float(capital), risk_ratio=float(risk_ratio), max_events=-1)
        else:
            out = _run_reporting(sim, float(capital), float(risk_ratio), progress)
        return self.result(
            strategy=strategy,
            candles=candles,
            timeframe=timeframe,
            bot=target,
            capital=capital,
            table=out.table,
            refused=len(out.refused),
        )

    def result(
        self,
        *,
        strategy: BaseStrategy[Any],
        candles: CandleArrays,
        timeframe: Timeframe,
        bot: BotKind,
        capital: Decimal,
        table: Any,
        refused: int,
        transfers: Sequence[tuple[int, float, Decimal]] = (),
    ) -> BacktestResult:
        """Money, equity curve and metrics of a kernel trade table.

        ``transfers`` are ``(bar, float amount, Decimal amount)`` cash movements (reallocations).
        """
        stop_loss, take_profit, risk_ratio = self.protection(bot)
        step = self.config.market.amount_step
        book = TradeBook(
            table,
            fee_rate=self.config.fee,
            amount_step=step,
            stops=(stop_loss, take_profit),
            times=FillTimes(candles.timestamps, timeframe),
            bot=bot,
            pair=self.pair,
        )
        ledger = build_ledger(book, initial_capital=capital)
        values, held = equity_curve(
            table,
            candles.close,
            initial_capital=float(capital),
            fee=float(self.config.fee),
            step=float(step),
            transfers=[(bar, amount) for bar, amount, _ in transfers],
        )
        final = ledger.final_capital + sum((exact for _, _, exact in transfers), Decimal(0))
        times = timeframe.bucket_end(candles.timestamps)
        metrics = compute_metrics(
            equity=values,
            times=times,
            timeframe=timeframe,
            initial_capital=capital,
            final_capital=final,
            fees_paid=ledger.fees_paid,
            trades=ledger.outcomes,
            exposure=float(held.mean()) if held.shape[0] else 0.0,
        )
        return BacktestResult(
            strategy=strategy.describe(),
            strategy_name=strategy.name,
            bot=bot,
            pair=self.pair,
            timeframe=timeframe,
            config=self.config,
            stop_loss=stop_loss,
            take_profit=take_profit,
            risk_ratio=risk_ratio,
            candles=candles,
            book=book,
            equity=EquityCurve(times, values, held),
            metrics=metrics,
            refused_entries=refused,
            table=table,
            outcomes=ledger.outcomes,
        )

    def run_multi_timeframe(
        self,
        datasets: Mapping[Timeframe, CandleInput],
        strategy: BaseStrategy[Any],
        initial_capital: Decimal | float | str,
    ) -> dict[Timeframe, BacktestResult]:
        """The same strategy and capital on each timeframe's candles, lowest timeframe first.

        Raises:
            UserInputError: no dataset, or one of them is too short.
        """
        if not datasets:
            raise UserInputError("run_multi_timeframe needs at least one dataset")
        order = [tf for tf in Timeframe if tf in datasets]
        return {tf: self.run(datasets[tf], strategy, initial_capital, tf) for tf in order}

    def compare_strategies(
        self,
        data: CandleInput,
        strategies: Sequence[BaseStrategy[Any]],
        initial_capital: Decimal | float | str,
        timeframe: Timeframe,
        *,
        progress: Progress | None = None,
    ) -> list[BacktestResult]:
        """Each strategy on the same candles and capital, in the given order.

        ``progress(done, total)`` counts the candles of every strategy's run.

        Raises:
            UserInputError: no strategy given.
        """
        if not strategies:
            raise UserInputError("compare needs at least one strategy")
        candles = as_arrays(data)
        n, count = len(candles), len(strategies)
        results = []
        for index, strategy in enumerate(strategies):
            each = None if progress is None else offset_progress(progress, index * n, n * count)
            results.append(self.run(candles, strategy, initial_capital, timeframe, progress=each))
        return results


Progress = Callable[[int, int], None]
"""``(candles done, candles in all)``."""

PROGRESS_EVENTS = 32
"""Trades (or refused entries) simulated between two progress reports."""


def offset_progress(progress: Progress, before: int, total: int) -> Progress:
    """One run's progress as part of several runs' (``before`` candles done already)."""

    def report(done: int, _total: int) -> None:
        progress(before + done, total)

    return report


def _run_reporting(sim: Simulation, cash: float, risk_ratio: float, progress: Progress) -> Any:
    """The kernel run in slices of events, resumed where each stopped (flat, with its cash).

    The same trades as one call: the kernel stops only between events, when no position is
    open, and resumes from that bar with the cash left.
    """
    total = len(sim.candles)
    progress(0, total)
    tables, refused, start = [], [], 0
    while True:
        out = sim.run(start=start, cash=cash, risk_ratio=risk_ratio, max_events=PROGRESS_EVENTS)
        tables.append(out.table)
        refused.append(out.refused)
        cash, start = out.cash, out.next_start
        progress(min(start, total), total)
        if start >= total or (len(out.table) + len(out.refused)) < PROGRESS_EVENTS:
            break
    return KernelRun(np.concatenate(tables), np.concatenate(refused), cash, start)
