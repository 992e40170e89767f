"""The strategy surface: indicators declared as typed fields, read through lookback-bound windows.

A rule names what it reads as class fields (``fast: Window = indicator("sma", period=...)``) and
writes ``rate`` (how bullish each candle is, in [-1, 1]), ``buy`` and ``sell``. Each field is a
``Window``: the indicator's value on every candle the rule decides, and ``.ago(k)`` for ``k``
candles earlier, allowed only for ``k < lookback``. Indexing, slicing, iterating, reductions and
any numpy function that mixes candles (``roll``, ``diff``, ``convolve``, ``cumsum`` ...) raise
``LookbackError``: a rule cannot read further back than the live engine gives it, so a backtest
and a live bot take the same decisions by construction, not by a documented promise.

Parameters are declared inline (``period = Param(20, ge=1)``, a pydantic field) or by a
``params_model``; an indicator's parameter refers to one with the ``Param`` itself or
``param("name")``.

Example (the classic moving-average cross, complete):
    >>> import numpy as np
    >>> from cryptotrader.strategies import Param, Strategy, Window, indicator
    >>> class SmaCross(Strategy):
    ...     fast_period = Param(20, ge=1)
    ...     slow_period = Param(50, ge=2)
    ...     lookback = 2
    ...     fast: Window = indicator("sma", period=fast_period)
    ...     slow: Window = indicator("sma", period=slow_period)
    ...
    ...     def rate(self):
    ...         return np.sign(self.fast - self.slow)
    ...
    ...     def buy(self, rating):
    ...         return (rating > 0) & (rating.ago(1) <= 0)
    ...
    ...     def sell(self, rating):
    ...         return (rating < 0) & (rating.ago(1) >= 0)
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

import numpy as np
from pydantic import Field, create_model

from cryptotrader.domain.market import FloatArray
from cryptotrader.errors import StrategyError
from cryptotrader.indicators import create_indicator
from cryptotrader.strategies.base import (
    BaseStrategy,
    BoolArray,
    IndicatorSpec,
    StrategyInputs,
    StrategyParams,
    weighted_score,
)
from cryptotrader.strategies.context import ContextArrays

P = TypeVar("P", bound=StrategyParams)


class LookbackError(StrategyError):
    """A rule read a candle further back than its ``lookback``, or across every candle."""


# Functions that work candle by candle (row t of the result reads row t of the inputs only).
_PER_CANDLE: frozenset[Any] = frozenset(
    {
        np.where,
        np.clip,
        np.nan_to_num,
        np.isposinf,
        np.isneginf,
        np.copyto,
        np.full_like,
        np.zeros_like,
        np.ones_like,
        np.empty_like,
        np.round,
        np.around,
        np.isclose,
        np.select,
        np.result_type,
        np.shape,
        np.ndim,
    }
)


class Window(np.ndarray[Any, np.dtype[Any]]):
    """An indicator (or derived) value on every candle a rule decides, readable ``lookback`` deep.

    Arithmetic and comparisons work candle by candle and give windows again; ``ago(k)`` is the
    value ``k`` candles earlier (NaN, or False, before the first), for ``0 <= k < lookback``.
    """

    lookback: int

    def __array_finalize__(self, obj: Any) -> None:
        self.lookback = getattr(obj, "lookback", 1)

    def ago(self, candles: int) -> Window:
        """The value ``candles`` candles before each candle.

        Raises:
            LookbackError: ``candles`` is negative or not below ``lookback``.
        """
        if not 0 <= candles < self.lookback:
            raise LookbackError(
                f"ago({candles}) reads further back than lookback={self.lookback} allows "
                f"(0 to {self.lookback - 1}); raise the strategy's lookback to read it"
            )
        base = self.view(np.ndarray)
        if candles == 0:
            return self
        shifted = np.zeros_like(base) if base.dtype == np.bool_ else np.full(base.shape, np.nan)
        shifted[candles:] = base[:-candles]
        return window(shifted, self.lookback)

    def __getitem__(self, key: Any) -> Any:
        raise LookbackError(
            "a strategy reads a series as a whole (this candle) and with .ago(k); "
            "indexing or slicing it could read beyond the lookback"
        )

    def __iter__(self) -> Iterator[Any]:
        raise LookbackError("a strategy cannot loop over a series' candles; use .ago(k)")

    def __repr__(self) -> str:
        return f"Window({self.view(np.ndarray)!r}, lookback={self.lookback})"

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        if method != "__call__":
            raise LookbackError(f"{ufunc.__name__}.{method} combines candles; it is not allowed")
        lookback = min(i.lookback for i in (*inputs, *kwargs.get("out", ())) if _is(i))
        plain = [i.view(np.ndarray) if _is(i) else i for i in inputs]
        if "out" in kwargs:
            kwargs["out"] = tuple(o.view(np.ndarray) if _is(o) else o for o in kwargs["out"])
        result = getattr(ufunc, method)(*plain, **kwargs)
        if isinstance(result, tuple):
            return tuple(_wrap(r, lookback) for r in result)
        return _wrap(result, lookback)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        if func not in _PER_CANDLE:
            raise LookbackError(
                f"numpy.{func.__name__} may read across candles; a strategy reads this candle "
                "and .ago(k) only"
            )
        given = (*args, *kwargs.values())
        nested = [b for a in given if isinstance(a, list | tuple) for b in a]
        found = [a for a in (*given, *nested) if _is(a)]
        result = super().__array_function__(func, types, args, kwargs)
        return _wrap(result, min(a.lookback for a in found)) if found else result


def _is(value: Any) -> bool:
    return isinstance(value, Window)


def _wrap(value: Any, lookback: int) -> Any:
    return window(value, lookback) if isinstance(value, np.ndarray) and value.ndim == 1 else value


def window(values: Any, lookback: int) -> Window:
    """``values`` (one per candle) as a ``Window`` readable ``lookback`` candles deep."""
    view = np.asarray(values).view(Window)
    view.lookback = lookback
    return view


# --- declarations ------------------------------------------------------------------------------


class ParamRef:
    """A reference to a strategy parameter by name, for an indicator's parameters."""

    def __init__(self, name: str | None = None) -> None:
        self.name = name


def param(name: str) -> Any:
    """The strategy parameter ``name``, as an indicator's parameter value."""
    return ParamRef(name)


class Param(ParamRef):
    """A parameter declared on the strategy itself: a pydantic ``Field`` with its default.

    Reading it on an instance gives the value the strategy was built with.
    """

    def __init__(self, default: Any, **field: Any) -> None:
        super().__init__()
        self.default = default
        self.field = field

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self.name = name

    def __get__(self, instance: Any, owner: type[Any] | None = None) -> Any:
        if instance is None:
            return self
        return getattr(instance.params, str(self.name))


@dataclass(frozen=True, slots=True)
class _Reading:
    inputs: StrategyInputs
    lookback: int


_READING: contextvars.ContextVar[_Reading] = contextvars.ContextVar("strategy_reading")


def _reading() -> _Reading:
    try:
        return _READING.get()
    except LookupError:
        raise StrategyError(
            "indicator fields are read inside the rule (rate, buy, sell, confidence_of)"
        ) from None


class IndicatorField:
    """One indicator the rule reads: its values (or its strength in [-1, 1]) as a ``Window``."""

    def __init__(
        self, name: str, params: Mapping[str, Any], *, weight: float | None, strength: bool
    ) -> None:
        self.indicator = name
        self.params = dict(params)
        self.weight = weight
        self.strength = strength
        self.attribute = ""

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self.attribute = name

    def resolved(self, params: StrategyParams) -> dict[str, Any]:
        """The indicator's parameters, references replaced by the strategy's values."""
        return {
            k: getattr(params, str(v.name)) if isinstance(v, ParamRef) else v
            for k, v in self.params.items()
        }

    def __get__(self, instance: Any, owner: type[Any] | None = None) -> Any:
        if instance is None:
            return self
        reading = _reading()
        key = instance.field_keys[self.attribute]
        source = reading.inputs.strengths if self.strength else reading.inputs.series
        if key not in source:
            raise StrategyError(f"strategy {instance.name!r}: {key!r} was not computed")
        return window(source[key], reading.lookback)


def indicator(
    name: str, *, weight: float | None = None, strength: bool = False, **params: Any
) -> Any:
    """Declare an indicator field: registry ``name`` with ``params`` (values or ``Param``s).

    ``strength=True`` reads the indicator's strength in [-1, 1] instead of its values;
    ``weight`` is its weight in the decision (the indicator's default when None).
    """
    return IndicatorField(name, params, weight=weight, strength=strength)


class VotesField:
    """The weighted vote of a set of indicators: ``sum(w_i x strength_i) / sum(w_i)``."""

    def __init__(self, specs: tuple[IndicatorSpec, ...]) -> None:
        self.specs = specs

    def __get__(self, instance: Any, owner: type[Any] | None = None) -> Any:
        if instance is None:
            return self
        reading = _reading()
        strengths = reading.inputs.strengths
        score = weighted_score(strengths, reading.inputs.weights, tuple(strengths))
        return window(score, reading.lookback)


def votes(specs: tuple[IndicatorSpec, ...]) -> Any:
    """Declare a weighted vote of ``specs`` (those with weight 0 are computed as context)."""
    return VotesField(specs)


# --- the strategy ----------------------------------------------------------------------------


class Strategy(BaseStrategy[P]):
    """Base of strategies written on declared fields; see the module docstring.

    Subclasses write ``rate`` (optional: 0 everywhere), ``buy`` and ``sell``, and may override
    ``confidence_of`` (1 everywhere: every entry is a full-size one). ``self.context`` is the
    market context of each candle (``ContextArrays`` of windows, readable this candle only).
    """

    params_model: ClassVar[type[StrategyParams]] = StrategyParams
    _fields: ClassVar[tuple[IndicatorField | VotesField, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        declared = [v for v in vars(cls).values() if isinstance(v, IndicatorField | VotesField)]
        cls._fields = (*cls._fields, *declared)
        inline = {k: v for k, v in vars(cls).items() if isinstance(v, Param)}
        if inline and "params_model" not in vars(cls):
            cls.params_model = create_model(  # type: ignore[call-overload]
                f"{cls.__name__}Params",
                __base__=cls.params_model,
                **{k: (type(p.default), Field(p.default, **p.field)) for k, p in inline.items()},
            )
        if "name" not in vars(cls):
            cls.name = cls.__name__.lower()
        if "reads_strengths" not in vars(cls):
            cls.reads_strengths = any(isinstance(f, VotesField) or f.strength for f in cls._fields)

    def __init__(self, params: Mapping[str, Any] | P | None = None) -> None:
        super().__init__(params)
        self.field_keys = {
            f.attribute: create_indicator(f.indicator, f.resolved(self.params)).key
            for f in self._fields
            if isinstance(f, IndicatorField)
        }

    @property
    def indicators(self) -> tuple[IndicatorSpec, ...]:
        """Every declared field's indicator, in declaration order."""
        specs: list[IndicatorSpec] = []
        for f in self._fields:
            if isinstance(f, VotesField):
                specs.extend(f.specs)
            else:
                specs.append(IndicatorSpec(f.indicator, f.resolved(self.params), f.weight))
        return tuple(specs)

    def series_read(self) -> tuple[str, ...]:
        """The value fields' series (strength fields and votes read strengths)."""
        return tuple(
            self.field_keys[f.attribute]
            for f in self._fields
            if isinstance(f, IndicatorField) and not f.strength
        )

    @property
    def context(self) -> ContextArrays:
        """The market context of every candle; each field readable this candle only."""
        context = _reading().inputs.context
        return ContextArrays(*(window(getattr(context, f), 1) for f in context.__slots__))

    # --- what a strategy writes ------------------------------------------------------------

    def rate(self) -> FloatArray:
        """How bullish each candle is, in [-1, 1] (NaN while unknown); 0 by default."""
        return np.zeros(len(_reading().inputs))

    def buy(self, rating: Window) -> BoolArray:
        """Candles whose close asks to open a long position."""
        raise NotImplementedError

    def sell(self, rating: Window) -> BoolArray:
        """Candles whose close asks to close the long position."""
        raise NotImplementedError

    def confidence_of(self, rating: Window) -> FloatArray:
        """Confidence in [0, 1] of each candle, which scales the position; 1 by default."""
        return np.ones(len(_reading().inputs))

    # --- the engine's contract (``BaseStrategy``) ------------------------------------------

    def _evaluate(self, inputs: StrategyInputs, rule: Callable[[], Any]) -> Any:
        """``rule()`` with the fields reading ``inputs``, ``lookback`` deep."""
        token = _READING.set(_Reading(inputs, self.lookback))
        try:
            return rule()
        finally:
            _READING.reset(token)

    def score(self, inputs: StrategyInputs) -> FloatArray:
        """``rate`` over ``inputs``."""
        return np.asarray(self._evaluate(inputs, self.rate), dtype=np.float64)

    def should_buy(self, score: FloatArray, inputs: StrategyInputs) -> BoolArray:
        """``buy`` over ``inputs``."""
        return np.asarray(self._evaluate(inputs, lambda: self.buy(window(score, self.lookback))))

    def should_sell(self, score: FloatArray, inputs: StrategyInputs) -> BoolArray:
        """``sell`` over ``inputs``."""
        return np.asarray(self._evaluate(inputs, lambda: self.sell(window(score, self.lookback))))

    def confidence(self, score: FloatArray, inputs: StrategyInputs) -> FloatArray:
        """``confidence_of`` over ``inputs``."""
        rated = window(score, self.lookback)
        return np.asarray(
            self._evaluate(inputs, lambda: self.confidence_of(rated)), dtype=np.float64
        )
