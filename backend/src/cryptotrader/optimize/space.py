"""The search space: which parameters a study tunes, over which ranges.

A strategy declares the ranges worth searching on its parameters (``search_range`` in the
field's ``json_schema_extra``); the backtest adds stop-loss, take-profit and risk ratio. The
command line narrows or widens a range (``--range NAME=LOW:HIGH[:STEP]``) within what the
parameter accepts, or pins a parameter to one value (``--fix NAME=VALUE``). Every mistake is
caught here, before a study is created, so that bad input never leaves a half-written study.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

from annotated_types import Ge, Gt, Le, Lt

from cryptotrader.errors import UserInputError
from cryptotrader.plugins import did_you_mean
from cryptotrader.strategies import strategy_class

if TYPE_CHECKING:
    import optuna

Kind = Literal["int", "float"]
#: Backtest settings searched besides the strategy's parameters, with their default ranges.
PROTECTION: dict[str, tuple[float, float, float, float, bool]] = {
    # name: (low, high, lowest accepted, highest accepted (both inclusive), log); the lowest is
    # the bots' MIN_PROTECTION, so a chosen trial can always be applied to a bot
    "stop_loss": (0.005, 0.1, 0.0001, 0.99, True),
    "take_profit": (0.01, 0.3, 0.0001, 100.0, True),
    "risk_ratio": (0.005, 0.05, 0.0001, 1.0, True),
}


@dataclass(frozen=True, slots=True)
class Dimension:
    """One tuned parameter: integer or float range, optional step, log scale."""

    name: str
    kind: Kind
    low: float
    high: float
    step: float | None = None
    log: bool = False
    accepted: tuple[float, float] = (-math.inf, math.inf)
    """What the parameter accepts: a range ending there cannot be widened on that side."""

    def suggest(self, trial: optuna.Trial) -> int | float:
        """The trial's value of this parameter."""
        if self.kind == "int":
            step = int(self.step or 1)
            return trial.suggest_int(
                self.name, int(self.low), int(self.high), step=step, log=self.log
            )
        return trial.suggest_float(self.name, self.low, self.high, step=self.step, log=self.log)

    def grid(self, points: int) -> list[int | float]:
        """Values of a grid search: every step, or ``points`` values spread over the range."""
        if self.kind == "int":
            step = int(self.step or 1)
            values = list(range(int(self.low), int(self.high) + 1, step))
            if len(values) <= points or self.step is not None:
                return list(values)
            spread = {
                round(self.low + i * (self.high - self.low) / (points - 1)) for i in range(points)
            }
            return sorted(spread)
        if self.step is not None:
            count = math.floor((self.high - self.low) / self.step + 1e-9) + 1
            return [round(self.low + i * self.step, 12) for i in range(count)]
        return [self.low + i * (self.high - self.low) / (points - 1) for i in range(points)]

    def describe(self) -> str:
        """``low..high`` with step and scale, for tables."""
        text = f"{_fmt(self.low)}..{_fmt(self.high)}"
        if self.step is not None:
            text += f" step {_fmt(self.step)}"
        return text + (" log" if self.log else "")


@dataclass(frozen=True, slots=True)
class SearchSpace:
    """What a study searches: strategy and protection dimensions, and pinned values."""

    strategy: str
    dimensions: tuple[Dimension, ...]
    fixed: Mapping[str, Any] = field(default_factory=dict)

    @property
    def names(self) -> tuple[str, ...]:
        """Names of the tuned parameters."""
        return tuple(d.name for d in self.dimensions)

    def split(self, values: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """``(strategy parameters, protection settings)`` of one trial's values plus the fixed."""
        merged = {**self.fixed, **values}
        protection = {k: v for k, v in merged.items() if k in PROTECTION}
        params = {k: v for k, v in merged.items() if k not in PROTECTION}
        return params, protection

    def as_dict(self) -> dict[str, Any]:
        """JSON form, stored with the study so that a resumed study checks it is the same one."""
        return {
            "strategy": self.strategy,
            "dimensions": [
                {
                    "name": d.name,
                    "kind": d.kind,
                    "low": d.low,
                    "high": d.high,
                    "step": d.step,
                    "log": d.log,
                }
                for d in self.dimensions
            ],
            "fixed": dict(sorted(self.fixed.items())),
        }


def _fmt(value: float) -> str:
    return f"{value:g}"


def _bounds(info: Any) -> tuple[float, float, bool, bool]:
    """``(lowest, highest, low inclusive, high inclusive)`` a pydantic field accepts."""
    low, high, low_in, high_in = -math.inf, math.inf, True, True
    for item in info.metadata:
        if isinstance(item, Ge):
            low, low_in = float(item.ge), True  # type: ignore[arg-type]
        elif isinstance(item, Gt):
            low, low_in = float(item.gt), False  # type: ignore[arg-type]
        elif isinstance(item, Le):
            high, high_in = float(item.le), True  # type: ignore[arg-type]
        elif isinstance(item, Lt):
            high, high_in = float(item.lt), False  # type: ignore[arg-type]
    return low, high, low_in, high_in


def _number(name: str, text: str, kind: Kind) -> float:
    try:
        value = float(text)
    except ValueError:
        raise UserInputError(f"--range {name}: {text!r} is not a number") from None
    if not math.isfinite(value):
        raise UserInputError(f"--range {name}: {text!r} is not a finite number")
    if kind == "int" and value != int(value):
        raise UserInputError(f"--range {name}: {text!r} must be a whole number")
    return value


def parse_range(name: str, text: str, kind: Kind, log: bool) -> Dimension:
    """``LOW:HIGH[:STEP]`` as a dimension.

    Raises:
        UserInputError: not numbers, an empty or inverted range, a step that is not > 0.
    """
    parts = text.split(":")
    if len(parts) not in (2, 3):
        raise UserInputError(f"--range {name}={text}: write it LOW:HIGH or LOW:HIGH:STEP")
    low, high = _number(name, parts[0], kind), _number(name, parts[1], kind)
    step = _number(name, parts[2], kind) if len(parts) == 3 else None
    if low == high:
        raise UserInputError(f"--range {name}={text} is empty: use --fix {name}={parts[0]}")
    if low > high:
        raise UserInputError(f"--range {name}={text} is inverted: LOW must be below HIGH")
    if step is not None and step <= 0:
        raise UserInputError(f"--range {name}={text}: the step must be > 0")
    if step is not None and step > high - low:
        raise UserInputError(f"--range {name}={text}: the step is wider than the range")
    return Dimension(name, kind, low, high, step, log and step is None and low > 0)


def _check_inside(dim: Dimension, bounds: tuple[float, float, bool, bool]) -> None:
    low, high, low_in, high_in = bounds
    too_low = dim.low < low or (dim.low == low and not low_in)
    too_high = dim.high > high or (dim.high == high and not high_in)
    if too_low or too_high:
        accepted = f"{'[' if low_in else '('}{_fmt(low)}, {_fmt(high)}{']' if high_in else ')'}"
        raise UserInputError(
            f"--range {dim.name}={_fmt(dim.low)}:{_fmt(dim.high)} leaves what {dim.name} "
            f"accepts: {accepted}"
        )


def _declared(name: str, info: Any, given: str | None) -> Dimension | None:
    """A strategy parameter's dimension: the command line's range, else the declared one."""
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    declared = extra.get("search")
    kind: Kind = "int" if info.annotation is int else "float"
    if given is not None:
        if info.annotation not in (int, float):
            raise UserInputError(f"--range {name}: only numeric parameters have a range")
        log = bool(declared.get("log")) if isinstance(declared, dict) else False
        dim = parse_range(name, given, kind, log)
        _check_inside(dim, _bounds(info))
        return replace(dim, accepted=_bounds(info)[:2])
    if not isinstance(declared, dict):
        return None
    step = declared.get("step")
    return Dimension(
        name,
        kind,
        float(declared["low"]),
        float(declared["high"]),
        None if step is None else float(step),
        bool(declared.get("log")),
        _bounds(info)[:2],
    )


def _protection(name: str, given: str | None, searched: bool) -> Dimension | None:
    low, high, lowest, highest, log = PROTECTION[name]
    if given is not None:
        dim = parse_range(name, given, "float", log)
        _check_inside(dim, (lowest, highest, True, True))
        return replace(dim, accepted=(lowest, highest))
    return Dimension(name, "float", low, high, None, log, (lowest, highest)) if searched else None


def build_space(
    strategy: str,
    *,
    ranges: Mapping[str, str] | None = None,
    fixed: Mapping[str, str] | None = None,
    protection: bool = True,
    sizing: bool = True,
) -> SearchSpace:
    """The search space of ``strategy``: its declared ranges, ``ranges`` and ``fixed`` applied.

    ``protection`` adds stop-loss and take-profit; ``sizing`` adds the risk ratio (off with a
    fixed stake).

    Raises:
        UnknownNameError: unknown strategy.
        UserInputError: unknown parameter (with a hint), bad or empty range, nothing to search.
    """
    fields = strategy_class(strategy).params_model.model_fields
    ranges, fixed = dict(ranges or {}), dict(fixed or {})
    known = [*fields, *PROTECTION]
    for name in [*ranges, *fixed]:
        if name not in known:
            raise UserInputError(
                f"unknown parameter {name!r} for {strategy!r}{did_you_mean(name, known)}"
            )
    both = sorted(set(ranges) & set(fixed))
    if both:
        raise UserInputError(f"{both[0]!r} is given both --range and --fix")
    found = [_declared(n, info, ranges.get(n)) for n, info in fields.items() if n not in fixed]
    found += [
        _protection(n, ranges.get(n), protection and (n != "risk_ratio" or sizing))
        for n in PROTECTION
        if n not in fixed
    ]
    dims = tuple(d for d in found if d is not None)
    if not dims:
        raise UserInputError(f"nothing to search: every parameter of {strategy!r} is fixed")
    return SearchSpace(strategy, dims, _typed_fixed(strategy, fixed))


def _typed_fixed(strategy: str, fixed: Mapping[str, str]) -> dict[str, Any]:
    fields = strategy_class(strategy).params_model.model_fields
    typed: dict[str, Any] = {}
    for name, text in fixed.items():
        annotation = fields[name].annotation if name in fields else float
        if annotation is bool:
            lowered = text.strip().lower()
            if lowered not in ("true", "false", "1", "0", "yes", "no"):
                raise UserInputError(f"--fix {name}={text}: expected true or false")
            typed[name] = lowered in ("true", "1", "yes")
        elif annotation in (int, float):
            typed[name] = _number(name, text, "int" if annotation is int else "float")
            if annotation is int:
                typed[name] = int(typed[name])
        else:
            typed[name] = text
    return typed
