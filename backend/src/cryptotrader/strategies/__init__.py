"""Strategies: one decision rule per class, the same objects in backtests, paper and live.

Importing this package registers the built-ins (``sma_cross``, ``conservative``,
``aggressive``). ``create_strategy(name, params)`` builds one; a user strategy subclasses
``BaseStrategy`` and registers with ``@register_strategy`` (docs/strategies.md).
"""

from cryptotrader.strategies import (  # noqa: F401 - imported to register the built-ins
    aggressive,
    conservative,
    sma_cross,
)
from cryptotrader.strategies.base import (
    BaseStrategy,
    BoolArray,
    Decisions,
    IndicatorSpec,
    StrategyInputs,
    StrategyParams,
    previous,
    weighted_score,
)
from cryptotrader.strategies.context import ContextArrays, context_arrays
from cryptotrader.strategies.declared import (
    LookbackError,
    Param,
    Strategy,
    Window,
    indicator,
    param,
    votes,
)
from cryptotrader.strategies.per_bar import PerBarStrategy
from cryptotrader.strategies.registry import (
    available_strategies,
    create_strategy,
    register_strategy,
    strategy_class,
    unregister_strategy,
)

__all__ = [
    "BaseStrategy",
    "BoolArray",
    "ContextArrays",
    "Decisions",
    "IndicatorSpec",
    "LookbackError",
    "Param",
    "PerBarStrategy",
    "Strategy",
    "StrategyInputs",
    "StrategyParams",
    "Window",
    "available_strategies",
    "context_arrays",
    "create_strategy",
    "indicator",
    "param",
    "previous",
    "register_strategy",
    "strategy_class",
    "unregister_strategy",
    "votes",
    "weighted_score",
]
