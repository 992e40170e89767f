"""Explicit strategy registry: ``@register_strategy("sma_cross")`` adds a class under a name.

Third-party packages can add theirs through the ``cryptotrader.strategies`` entry-point group;
nothing scans directories for classes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from cryptotrader.plugins import Registry
from cryptotrader.strategies.base import BaseStrategy

StrategyClass = type[BaseStrategy[Any]]

_REGISTRY: Registry[StrategyClass] = Registry("strategy", "cryptotrader.strategies")


def register_strategy(name: str) -> Callable[[StrategyClass], StrategyClass]:
    """Class decorator registering a strategy under ``name``.

    Raises:
        ValueError: ``name`` is already registered by another class.
    """
    return _REGISTRY.register(name)


def unregister_strategy(name: str) -> None:
    """Remove ``name`` from the registry (tests, plugin reloads); unknown names are ignored."""
    _REGISTRY.unregister(name)


def strategy_class(name: str) -> StrategyClass:
    """The class registered under ``name``.

    Raises:
        UnknownNameError: no strategy has that name; the message suggests the closest one.
    """
    return _REGISTRY.get(name)


def available_strategies() -> list[str]:
    """Names of every registered strategy, sorted."""
    return _REGISTRY.names()


def create_strategy(name: str, params: Mapping[str, Any] | None = None) -> BaseStrategy[Any]:
    """Build the strategy registered under ``name`` with ``params``.

    Raises:
        UnknownNameError: unknown strategy.
        UserInputError: unknown or invalid parameter.
    """
    return strategy_class(name)(params)
