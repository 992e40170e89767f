"""Explicit indicator registry: ``@register_indicator("rsi")`` adds a class under a name.

Third-party packages can add theirs through the ``cryptotrader.indicators`` entry-point group;
nothing scans directories for classes.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from importlib.metadata import entry_points
from typing import Any, TypeVar

from cryptotrader.errors import UnknownNameError
from cryptotrader.indicators.base import Indicator

_REGISTRY: dict[str, type[Indicator[Any]]] = {}
_ENTRY_POINT_GROUP = "cryptotrader.indicators"
_entry_points_loaded = False

I = TypeVar("I", bound=type[Indicator[Any]])  # noqa: E741 - reads as "indicator class"


def register_indicator(name: str) -> Callable[[I], I]:
    """Class decorator registering an indicator under ``name``.

    Raises:
        ValueError: ``name`` is already registered by another class.
    """

    def decorate(cls: I) -> I:
        existing = _REGISTRY.get(name)
        if existing is not None and existing is not cls:
            raise ValueError(f"indicator {name!r} is already registered by {existing.__name__}")
        cls.name = name
        _REGISTRY[name] = cls
        return cls

    return decorate


def _load_entry_points() -> None:
    global _entry_points_loaded  # noqa: PLW0603 - one-time lazy load of plugins
    if _entry_points_loaded:
        return
    _entry_points_loaded = True
    for entry in entry_points(group=_ENTRY_POINT_GROUP):
        entry.load()  # importing the module runs its @register_indicator decorators


def indicator_class(name: str) -> type[Indicator[Any]]:
    """The class registered under ``name``.

    Raises:
        UnknownNameError: no indicator has that name; the message suggests the closest one.
    """
    _load_entry_points()
    try:
        return _REGISTRY[name]
    except KeyError:
        hint = difflib.get_close_matches(name, list(_REGISTRY), n=1)
        suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
        known = ", ".join(sorted(_REGISTRY))
        raise UnknownNameError(f"unknown indicator {name!r} (known: {known}){suggestion}") from None


def available_indicators() -> list[str]:
    """Names of every registered indicator, sorted."""
    _load_entry_points()
    return sorted(_REGISTRY)


def create_indicator(
    name: str,
    params: Mapping[str, Any] | None = None,
    *,
    weight: float | None = None,
    **dependencies: Any,
) -> Indicator[Any]:
    """Build the indicator registered under ``name`` with ``params`` and ``weight``.

    ``dependencies`` are passed to the constructor as keywords (e.g. ``history=`` for the
    sentiment indicators, which read an external series).
    """
    return indicator_class(name)(params, weight=weight, **dependencies)
