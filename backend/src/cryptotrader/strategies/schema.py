"""The parameter schema of each registered strategy, for forms (the app's backtest form).

Read from the strategy's ``params_model`` (types, bounds, choices, search ranges) and from a
default instance (the defaults the strategy really applies, which may differ from the model's:
``conservative`` and ``aggressive`` share a model with their own defaults).
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from typing import Any, Literal

from cryptotrader.strategies.registry import available_strategies, create_strategy, strategy_class

ParameterKind = Literal["integer", "number", "boolean", "choice", "string"]


@dataclass(frozen=True, slots=True)
class ParameterSpec:
    """One parameter: its type, default, bounds (JSON-schema meaning) and allowed choices."""

    name: str
    kind: ParameterKind
    default: Any
    nullable: bool
    description: str | None
    minimum: float | None
    maximum: float | None
    exclusive_minimum: float | None
    exclusive_maximum: float | None
    choices: list[str] | None
    search: dict[str, Any] | None
    """The range the optimiser searches (``low``, ``high``, ``step``, ``log``), when tunable."""


@dataclass(frozen=True, slots=True)
class StrategySpec:
    """A registered strategy: its name, what it is for, and its parameters."""

    name: str
    description: str
    target_bot: str | None
    parameters: list[ParameterSpec]


def _resolve(node: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if isinstance(ref, str):
        return dict(defs.get(ref.rsplit("/", 1)[-1], {}))
    return node


def _parameter(
    name: str, node: dict[str, Any], defs: dict[str, Any], default: Any
) -> ParameterSpec:
    variants = [_resolve(v, defs) for v in node.get("anyOf", [node])]
    nullable = any(v.get("type") == "null" for v in variants)
    main = next((v for v in variants if v.get("type") != "null"), {})
    merged = {**main, **{k: v for k, v in node.items() if k != "anyOf"}}
    choices = merged.get("enum")
    kind: ParameterKind
    if choices is not None:
        kind = "choice"
    elif merged.get("type") in ("integer", "number", "boolean"):
        kind = merged["type"]
    else:
        kind = "string"
    return ParameterSpec(
        name=name,
        kind=kind,
        default=default,
        nullable=nullable,
        description=merged.get("description"),
        minimum=merged.get("minimum"),
        maximum=merged.get("maximum"),
        exclusive_minimum=merged.get("exclusiveMinimum"),
        exclusive_maximum=merged.get("exclusiveMaximum"),
        choices=None if choices is None else [str(c) for c in choices],
        search=merged.get("search"),
    )


def strategy_spec(name: str) -> StrategySpec:
    """The schema of the strategy registered under ``name``.

    Raises:
        UnknownNameError: no strategy has that name.
    """
    cls = strategy_class(name)
    schema = cls.params_model.model_json_schema()
    defs = schema.get("$defs", {})
    defaults = create_strategy(name).params.model_dump(mode="json")
    doc = inspect.getdoc(cls) or ""
    target = getattr(cls, "target_bot", None)
    return StrategySpec(
        name=name,
        description=plain_summary(doc),
        target_bot=None if target is None else str(target),
        parameters=[
            _parameter(field, node, defs, defaults.get(field))
            for field, node in schema.get("properties", {}).items()
        ],
    )


def strategy_specs() -> list[StrategySpec]:
    """Every registered strategy's schema, by name."""
    return [strategy_spec(name) for name in available_strategies()]


_SEE = re.compile(r"\s*\(see ``[^`]+``\)")


def plain_summary(doc: str) -> str:
    """A docstring's first paragraph as the app and the CLI show it to a trader.

    Docstrings are written for developers: a "(see ``module``)" pointer is dropped and
    ``literal`` markup unwrapped, so no reStructuredText reaches a screen.
    """
    first = doc.split("\n\n", 1)[0].replace("\n", " ")
    return _SEE.sub("", first).replace("``", "")
