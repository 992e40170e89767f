"""Explicit indicator registry: ``@register_indicator("rsi")`` adds a class under a name.

Third-party packages can add theirs through the ``cryptotrader.indicators`` entry-point group.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from cryptotrader.indicators.base import Indicator
from cryptotrader.plugins import Registry

IndicatorClass = type[Indicator[Any]]

_REGISTRY: Registry[IndicatorClass] = Registry("indicator", "cryptotrader.indicators")


def register_indicator(name: str) -> Callable[[IndicatorClass], IndicatorClass]:
    """Class decorator registering an indicator under ``name``.

    Raises:
        ValueError: ``name`` is already registered by another class.
    """
    return _REGISTRY.register(name)


def indicator_class(name: str) -> IndicatorClass:
    """The class registered under ``name``.

    Raises:
        UnknownNameError: no indicator has that name; the message suggests the closest one.
    """
    return _REGISTRY.get(name)


def available_indicators() -> list[str]:
    """Names of every registered indicator, sorted."""
    return _REGISTRY.names()


def create_indicator(
    name: str,
    params: Mapping[str, Any] | None = None,
    *,
    weight: float | None = None,
    **dependencies: Any,
) -> Indicator[Any]:
    """Build the indicator registered under ``name`` with ``params`` and ``weight``.

    ``dependencies`` are passed to the constructor as keywords (e.g. ``fear_greed=`` for the
    sentiment indicators, which read an external series).
    """
    return indicator_class(name)(params, weight=weight, **dependencies)
