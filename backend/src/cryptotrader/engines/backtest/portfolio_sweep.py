"""A portfolio backtest as it is asked for: by ``backtest portfolio`` and by the API's job.

Both read the same request (strategies by name, the bots' capitals, one ratio or a sweep, the
deep-streak rule) through ``PortfolioSweep.parse`` and run it with ``PortfolioSweep.run``: the
indicators once, then ``PortfolioBacktest.simulate`` per ratio (engines/backtest/portfolio.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from cryptotrader.config import TradingSettings
from cryptotrader.domain.market import CandleArrays
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.domain.values import to_decimal
from cryptotrader.engines.backtest.config import check_capital
from cryptotrader.engines.backtest.engine import BacktestEngine, Progress, offset_progress
from cryptotrader.engines.backtest.portfolio import PortfolioBacktest, PortfolioResult, parse_sweep
from cryptotrader.errors import UserInputError
from cryptotrader.risk.allocation import check_ratio
from cryptotrader.risk.reducer import RiskReducer, RiskReducerConfig
from cryptotrader.strategies import create_strategy
from cryptotrader.strategies.base import BaseStrategy

__all__ = ["PortfolioSweep"]


@dataclass(frozen=True, slots=True)
class PortfolioSweep:
    """Both bots' strategies and capitals, the reallocation ratios to run, the streak rule."""

    safe_strategy: str
    aggressive_strategy: str
    capital: tuple[Decimal, Decimal]
    ratios: tuple[Decimal, ...]
    on_deep_streak: Literal["quarter", "pause"]
    swept: bool

    @classmethod
    def parse(
        cls,
        trading: TradingSettings,
        *,
        safe_strategy: str = "conservative",
        aggressive_strategy: str = "aggressive",
        safe_capital: Any = None,
        aggressive_capital: Any = None,
        reallocation: Any = None,
        sweep: str | None = None,
        on_deep_streak: str = "quarter",
    ) -> PortfolioSweep:
        """Check a request; None takes the trading settings' value (700 / 300, ratio 0.30).

        Raises:
            UserInputError: unknown strategy, capital or ratio out of range, malformed sweep,
                unknown deep-streak rule.
        """
        if on_deep_streak not in ("quarter", "pause"):
            raise UserInputError(f"--on-deep-streak {on_deep_streak!r}: expected quarter or pause")
        for name in (safe_strategy, aggressive_strategy):
            create_strategy(name)
        capital = (
            check_capital(trading.safe.capital if safe_capital is None else _decimal(safe_capital)),
            check_capital(
                trading.aggressive.capital
                if aggressive_capital is None
                else _decimal(aggressive_capital)
            ),
        )
        chosen = trading.reallocation_ratio if reallocation is None else _decimal(reallocation)
        ratios = parse_sweep(sweep) if sweep else [check_ratio(chosen)]
        return cls(
            safe_strategy,
            aggressive_strategy,
            capital,
            tuple(ratios),
            "pause" if on_deep_streak == "pause" else "quarter",
            bool(sweep),
        )

    def strategies(self) -> tuple[BaseStrategy[Any], BaseStrategy[Any]]:
        """``(safe, aggressive)`` strategy instances (default parameters)."""
        return create_strategy(self.safe_strategy), create_strategy(self.aggressive_strategy)

    def run(
        self,
        engine: BacktestEngine,
        candles: CandleArrays,
        timeframe: Timeframe,
        *,
        strategies: tuple[BaseStrategy[Any], BaseStrategy[Any]] | None = None,
        progress: Progress | None = None,
    ) -> list[PortfolioResult]:
        """One result per ratio, in order; ``progress(done, total)`` counts every ratio's candles.

        Raises:
            UserInputError: too few candles for a strategy's warm-up.
        """
        safe, aggressive = strategies or self.strategies()
        portfolio = PortfolioBacktest(
            engine=engine,
            reducer=RiskReducer(RiskReducerConfig(on_deep_streak=self.on_deep_streak)),
        )
        prepared = portfolio.setup(
            candles, timeframe, safe=safe, aggressive=aggressive, capital=self.capital
        )
        n = len(candles)
        total = n * len(self.ratios)
        results = []
        for i, ratio in enumerate(self.ratios):
            each = None if progress is None else offset_progress(progress, n * i, total)
            results.append(portfolio.simulate(prepared, ratio, progress=each))
        return results


def _decimal(value: Any) -> Decimal:
    try:
        return to_decimal(value)
    except (ValueError, ArithmeticError):
        raise UserInputError(f"{value!r} is not a number") from None
