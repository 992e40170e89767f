"""The backtester: strategies over historical candles with realistic fills, fast.

``BacktestEngine.run`` for one strategy, ``run_multi_timeframe`` and ``compare_strategies`` for
several, ``run_portfolio`` for both bots with reallocation and risk reduction. Conventions and
metric formulas: docs/backtesting.md.
"""

from cryptotrader.engines.backtest.config import BacktestConfig
from cryptotrader.engines.backtest.engine import BacktestEngine
from cryptotrader.engines.backtest.metrics import Drawdown, Metrics
from cryptotrader.engines.backtest.result import BacktestResult, EquityCurve
from cryptotrader.engines.backtest.simulation import Detail

__all__ = [
    "BacktestConfig",
    "BacktestEngine",
    "BacktestResult",
    "Detail",
    "Drawdown",
    "EquityCurve",
    "Metrics",
]
