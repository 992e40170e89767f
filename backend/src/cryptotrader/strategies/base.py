"""The strategy contract: one decision rule, evaluated on arrays, for backtests and live bots.

A strategy reads per-candle arrays (indicator series, strengths in [-1, 1], their weights and the
market context) and returns per-candle arrays: ``score``, ``should_buy``, ``should_sell`` and a
``confidence``. A backtest evaluates the rule once over every candle; a live bot evaluates the
*same* rule on the last ``lookback`` candles and reads the last row (``DecisionEngine``), so both
take identical decisions by construction (proven by ``tests/unit/strategies``).

Rules for rule writers: read row ``t`` of the context only (never shift it), and read indicator
arrays at most ``lookback - 1`` rows back (``previous``); NaN means "not known yet".
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar, cast

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict

from cryptotrader.domain.enums import BotKind
from cryptotrader.domain.market import FloatArray
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.indicators.base import IndicatorParams, parse_params
from cryptotrader.strategies.context import ContextArrays, nan_to_zero

BoolArray = npt.NDArray[np.bool_]


class StrategyParams(BaseModel):
    """Base of every strategy's parameters: frozen, and unknown names are errors."""

    model_config = ConfigDict(frozen=True, extra="forbid")


P = TypeVar("P", bound=StrategyParams)


def search_range(
    low: float, high: float, *, step: float | None = None, log: bool = False
) -> dict[str, Any]:
    """``json_schema_extra`` of a parameter the optimiser may tune, and over which range.

    The range is where searching makes sense (narrower than what the field accepts); the
    command line can override it (``cryptotrader optimize --range NAME=LOW:HIGH``).

    Example:
        >>> fast: int = Field(default=20, ge=1, json_schema_extra=search_range(5, 50))
    """
    spec: dict[str, Any] = {"low": low, "high": high, "log": log}
    if step is not None:
        spec["step"] = step
    return {"search": spec}


@dataclass(frozen=True, slots=True)
class IndicatorSpec:
    """One indicator a strategy needs: registry name, parameters, and decision weight."""

    name: str
    params: Mapping[str, Any] = field(default_factory=dict)
    weight: float | None = None


@dataclass(frozen=True, slots=True)
class StrategyInputs:
    """What a rule reads: arrays of one length, one row per candle (oldest first)."""

    series: Mapping[str, FloatArray]
    strengths: Mapping[str, FloatArray]
    weights: Mapping[str, float]
    context: ContextArrays

    def __len__(self) -> int:
        return len(self.context)

    def window(self, start: int, stop: int) -> StrategyInputs:
        """Rows ``start:stop`` of every array (views)."""
        return StrategyInputs(
            series={k: v[start:stop] for k, v in self.series.items()},
            strengths={k: v[start:stop] for k, v in self.strengths.items()},
            weights=self.weights,
            context=self.context.slice(start, stop),
        )


@dataclass(frozen=True, slots=True)
class Decisions:
    """The rule's output for every row: score, entries, exits and confidence in [0, 1]."""

    score: FloatArray
    entries: BoolArray
    exits: BoolArray
    confidence: FloatArray

    def __len__(self) -> int:
        return int(self.score.shape[0])


def previous(values: FloatArray) -> FloatArray:
    """``values`` shifted one row later (NaN first): the previous candle's value at each row."""
    out = np.empty_like(values)
    out[:1] = np.nan
    out[1:] = values[:-1]
    return out


def weighted_score(
    strengths: Mapping[str, FloatArray], weights: Mapping[str, float], keys: tuple[str, ...]
) -> FloatArray:
    """``sum(w_i * s_i) / sum(w_i)`` over ``keys`` with weight > 0, row by row (NaN if any is).

    Summed in ``keys`` order, element-wise, so that any window gives bit-identical rows.
    """
    used = [k for k in keys if weights.get(k, 0.0) > 0 and k in strengths]
    total = sum(weights[k] for k in used)
    length = len(next(iter(strengths.values()))) if strengths else 0
    if total <= 0:
        return np.full(length, np.nan)
    acc = np.zeros(length)
    for key in used:
        acc = acc + weights[key] * strengths[key]
    result: FloatArray = acc / total
    return result


class BaseStrategy(ABC, Generic[P]):
    """Base class of strategies: subclass it, declare ``params_model`` and ``indicators``.

    Implement ``score``, ``should_buy`` and ``should_sell`` on arrays; register the class with
    ``@register_strategy("name")``. See docs/strategies.md for a worked example.

    Args:
        params: parameter values (mapping or ``params_model`` instance); defaults otherwise.

    Raises:
        UserInputError: unknown parameter (with a "did you mean" hint) or invalid value.

    Example:
        >>> from cryptotrader.strategies import create_strategy
        >>> create_strategy("sma_cross", {"fast": 10}).params.fast
        10
    """

    name: ClassVar[str]
    params_model: ClassVar[type[StrategyParams]]
    target_bot: ClassVar[BotKind] = BotKind.AGGRESSIVE
    lookback: ClassVar[int] = 1
    """Rows the rule reads: 1 = the current candle only, 2 = also the previous one, ..."""
    reads_strengths: ClassVar[bool] = True
    """False when the rule reads indicator series only: backtests then skip scoring them."""

    def __init__(self, params: Mapping[str, Any] | P | None = None) -> None:
        # parse_params is typed for indicator parameters; any frozen pydantic model works alike.
        model = cast("type[IndicatorParams]", self.params_model)
        parsed = parse_params(model, params, f"strategy {self.name!r}")  # type: ignore[arg-type]
        self.params: P = cast("P", parsed)

    @property
    @abstractmethod
    def indicators(self) -> tuple[IndicatorSpec, ...]:
        """Every indicator the rule reads, declared once."""

    def series_read(self) -> tuple[str, ...] | None:
        """The indicator series the rule reads (None: any of them).

        The live engines pass a rule only these (and the strengths when ``reads_strengths``),
        so that a run of candles travels light; a rule reading an undeclared series fails
        loudly (``StrategyError``), never silently.
        """
        return None

    def higher_timeframe(self, base: Timeframe) -> Timeframe | None:
        """Timeframe whose trend the context reports as ``higher_trend`` (None: not needed)."""
        return None

    @abstractmethod
    def score(self, inputs: StrategyInputs) -> FloatArray:
        """Score in [-1, 1] of every row (NaN while not computable); > 0 is bullish."""

    @abstractmethod
    def should_buy(self, score: FloatArray, inputs: StrategyInputs) -> BoolArray:
        """Rows whose close asks to open a long position."""

    @abstractmethod
    def should_sell(self, score: FloatArray, inputs: StrategyInputs) -> BoolArray:
        """Rows whose close asks to close the long position."""

    def confidence(self, score: FloatArray, inputs: StrategyInputs) -> FloatArray:
        """Confidence in [0, 1] of every row; ``|score|`` by default (0 where NaN)."""
        return nan_to_zero(np.clip(np.abs(score), 0.0, 1.0))

    def describe(self) -> str:
        """``name(param=value, ...)`` for reports."""
        shown = ", ".join(f"{k}={v}" for k, v in self.params.model_dump().items())
        return f"{self.name}({shown})"
