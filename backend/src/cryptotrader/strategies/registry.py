"""Explicit strategy registry: ``@register_strategy("sma_cross")`` adds a class under a name.

Third-party packages can add theirs through the ``cryptotrader.strategies`` entry-point group;
nothing scans directories for classes.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from importlib.metadata import entry_points
from typing import Any, TypeVar

from cryptotrader.errors import UnknownNameError
from cryptotrader.strategies.base import BaseStrategy

_REGISTRY: dict[str, type[BaseStrategy[Any]]] = {}
_ENTRY_POINT_GROUP = "cryptotrader.strategies"
_entry_points_loaded = False

S = TypeVar("S", bound=type[BaseStrategy[Any]])


def register_strategy(name: str) -> Callable[[S], S]:
    """Class decorator registering a strategy under ``name``.

    Raises:
        ValueError: ``name`` is already registered by another class.
    """

    def decorate(cls: S) -> S:
        existing = _REGISTRY.get(name)
        if existing is not None and existing is not cls:
            raise ValueError(f"strategy {name!r} is already registered by {existing.__name__}")
        cls.name = name
        _REGISTRY[name] = cls
        return cls

    return decorate


def unregister_strategy(name: str) -> None:
    """Remove ``name`` from the registry (tests, plugin reloads); unknown names are ignored."""
    _REGISTRY.pop(name, None)


def _load_entry_points() -> None:
    global _entry_points_loaded  # noqa: PLW0603 - one-time lazy load of plugins
    if _entry_points_loaded:
        return
    _entry_points_loaded = True
    for entry in entry_points(group=_ENTRY_POINT_GROUP):
        entry.load()  # importing the module runs its @register_strategy decorators


def strategy_class(name: str) -> type[BaseStrategy[Any]]:
    """The class registered under ``name``.

    Raises:
        UnknownNameError: no strategy has that name; the message suggests the closest one.
    """
    _load_entry_points()
    try:
        return _REGISTRY[name]
    except KeyError:
        hint = difflib.get_close_matches(name, list(_REGISTRY), n=1)
        suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
        known = ", ".join(sorted(_REGISTRY))
        raise UnknownNameError(f"unknown strategy {name!r} (known: {known}){suggestion}") from None


def available_strategies() -> list[str]:
    """Names of every registered strategy, sorted."""
    _load_entry_points()
    return sorted(_REGISTRY)


def create_strategy(name: str, params: Mapping[str, Any] | None = None) -> BaseStrategy[Any]:
    """Build the strategy registered under ``name`` with ``params``.

    Raises:
        UnknownNameError: unknown strategy.
        UserInputError: unknown or invalid parameter.
    """
    return strategy_class(name)(params)
