"""One strategy's backtest, or several compared, as they are asked for: by the CLI and the API job.

``backtest run`` / ``backtest compare`` read their options, and the API's ``single`` / ``compare``
jobs read their stored request (``services.backtest_worker``), into the same ``SingleBacktest``
or ``CompareBacktest``: checked once by ``parse``, run by ``run``. The portfolio job's request is
``PortfolioSweep`` (portfolio_sweep.py), made the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from cryptotrader.domain.market import CandleArrays
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.domain.values import to_decimal
from cryptotrader.engines.backtest.config import check_capital
from cryptotrader.engines.backtest.engine import BacktestEngine
from cryptotrader.engines.backtest.result import BacktestResult
from cryptotrader.engines.backtest.simulation import Detail
from cryptotrader.errors import UserInputError
from cryptotrader.strategies import create_strategy
from cryptotrader.strategies.base import BaseStrategy

__all__ = ["CompareBacktest", "SingleBacktest", "check_initial_capital", "split_params"]

Progress = Callable[[int, int], None]


def check_initial_capital(value: Any) -> Decimal:
    """A starting capital given as a number or numeric text, in (0, 10^12].

    Raises:
        UserInputError: not a number, or out of range.
    """
    try:
        capital = to_decimal(value)
    except (ValueError, ArithmeticError):
        raise UserInputError(f"capital {value!r} is not a number") from None
    return check_capital(capital)


def split_params(names: Sequence[str], params: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Each strategy's own parameters: ``STRATEGY.NAME`` keys, or ``NAME`` when one is named.

    Raises:
        UserInputError: a ``STRATEGY.NAME`` key naming no strategy being run.
    """
    single = len(names) == 1
    split: list[dict[str, Any]] = []
    for name in names:
        own: dict[str, Any] = {}
        for key, value in params.items():
            owner, dot, param = key.rpartition(".")
            if dot and owner == name:
                own[param] = value
            elif not dot and single:
                own[key] = value
        split.append(own)
    foreign = [k for k in params if "." in k and k.rpartition(".")[0] not in names]
    if foreign:
        raise UserInputError(f"--param {foreign[0]!r} names no strategy being run")
    return split


@dataclass(frozen=True, slots=True)
class SingleBacktest:
    """One strategy, its parameters and its starting capital (kind ``single``)."""

    strategy: str
    capital: Decimal
    params: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def parse(
        cls, *, strategy: str, capital: Any, params: Mapping[str, Any] | None = None
    ) -> SingleBacktest:
        """Check a request: the strategy exists and takes these parameters, the capital fits.

        Raises:
            UnknownNameError: unknown strategy.
            UserInputError: unknown or invalid parameter, capital not a number or out of range.
        """
        asked = cls(strategy, check_initial_capital(capital), dict(params or {}))
        asked.build()
        return asked

    def build(self) -> BaseStrategy[Any]:
        """The strategy instance, with its parameters."""
        return create_strategy(self.strategy, dict(self.params))

    def run(
        self,
        engine: BacktestEngine,
        candles: CandleArrays,
        timeframe: Timeframe,
        *,
        strategy: BaseStrategy[Any] | None = None,
        detail: Detail | None = None,
        progress: Progress | None = None,
    ) -> BacktestResult:
        """Backtest the strategy (``strategy``: one already built from this request).

        Raises:
            UserInputError: too few candles for the strategy's warm-up.
            StrategyError: the strategy failed.
        """
        return engine.run(
            candles,
            strategy or self.build(),
            self.capital,
            timeframe,
            detail=detail,
            progress=progress,
        )


@dataclass(frozen=True, slots=True)
class CompareBacktest:
    """Several strategies on the same candles and capital (kind ``compare``).

    ``params`` are keyed ``STRATEGY.NAME`` (``NAME`` alone when one strategy is named); the API's
    comparison sends none (default parameters).
    """

    strategies: tuple[str, ...]
    capital: Decimal
    params: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def parse(
        cls, *, strategies: Sequence[str], capital: Any, params: Mapping[str, Any] | None = None
    ) -> CompareBacktest:
        """Check a request: every strategy exists, every parameter names one of them.

        Raises:
            UnknownNameError: unknown strategy.
            UserInputError: no strategy, a parameter naming no strategy being run, an invalid
                parameter, capital not a number or out of range.
        """
        names = tuple(strategies)
        if not names:
            raise UserInputError("name at least one strategy to compare")
        asked = cls(names, check_initial_capital(capital), dict(params or {}))
        asked.build()
        return asked

    def build(self) -> list[BaseStrategy[Any]]:
        """The strategy instances, in order, each with its own parameters."""
        own = split_params(self.strategies, self.params)
        return [create_strategy(n, p) for n, p in zip(self.strategies, own, strict=True)]

    def run(
        self,
        engine: BacktestEngine,
        candles: CandleArrays,
        timeframe: Timeframe,
        *,
        strategies: Sequence[BaseStrategy[Any]] | None = None,
        progress: Progress | None = None,
    ) -> list[BacktestResult]:
        """Each strategy on the candles, in order (``strategies``: built from this request).

        Raises:
            UserInputError: too few candles for a strategy's warm-up.
            StrategyError: a strategy failed.
        """
        chosen = list(strategies) if strategies is not None else self.build()
        return engine.compare_strategies(
            candles, chosen, self.capital, timeframe, progress=progress
        )
