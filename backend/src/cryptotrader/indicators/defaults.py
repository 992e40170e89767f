"""The built-in indicator set the engines start from."""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from typing import Any

from cryptotrader.errors import UnknownNameError
from cryptotrader.indicators import Indicator, create_indicator, indicator_class

#: The full set, with the issue's column names: (registry name, parameters, weight or default).
DEFAULT_SET: tuple[tuple[str, dict[str, Any], float | None], ...] = (
    ("rsi", {"period": 14}, None),
    ("macd", {}, None),
    ("bollinger", {}, None),
    ("ema", {"period": 50}, None),
    ("sma", {"period": 200}, None),
    ("stoch_rsi", {}, None),
    ("volume", {}, 0.5),
    ("fibonacci", {}, 0.5),
    ("adi", {}, 0.5),
    ("support_resistance", {}, 0.5),
    ("choppiness", {"period": 14}, None),
    ("atr", {"period": 14}, None),
    ("fear_greed", {}, None),
    ("google_trends", {}, None),
)


def default_indicators(
    names: Iterable[str] | None = None, **dependencies: Any
) -> list[Indicator[Any]]:
    """Instances of the full built-in set, or of the registry names in ``names``.

    ``dependencies`` (e.g. ``fear_greed=...``) are passed to the indicators whose constructor
    accepts them.

    Raises:
        UnknownNameError: a name is not registered.
    """
    wanted = None if names is None else list(dict.fromkeys(names))
    known = {name for name, _, _ in DEFAULT_SET}
    chosen: list[tuple[str, dict[str, Any], float | None]] = []
    for name in wanted or []:
        indicator_class(name)  # raises UnknownNameError with a hint
        if name not in known:
            chosen.append((name, {}, None))
    chosen = [entry for entry in DEFAULT_SET if wanted is None or entry[0] in wanted] + chosen
    if wanted is not None and not chosen:
        raise UnknownNameError("no indicator selected")
    result: list[Indicator[Any]] = []
    for name, params, weight in chosen:
        cls = indicator_class(name)
        accepted = {k: v for k, v in dependencies.items() if k in _keywords(cls)}
        result.append(create_indicator(name, params, weight=weight, **accepted))
    return result


def _keywords(cls: type[Indicator[Any]]) -> set[str]:
    return set(inspect.signature(cls.__init__).parameters)
