"""Rules written for one candle in plain Python, compiled by numba and run over every candle.

Some rules read best as "look at this candle and the previous one, then decide". Subclass
``PerBarStrategy``, list the series the rule reads in ``columns``, and write
``on_bar(now, before)``: a plain function of two float arrays (this candle's values of
``columns`` and the previous candle's, NaN before the first) returning 1 (buy), -1 (sell) or 0.
It is compiled once per class with numba (numbers, arrays, ``math`` and ``numpy`` calls only, no
Python objects), and a compiled loop calls it for every candle: millions of candles a second.
``lookback`` is 2, so the live ``DecisionEngine`` gives it the same two rows a backtest does.

Example:
    >>> class Cross(PerBarStrategy[CrossParams]):  # doctest: +SKIP
    ...     params_model = CrossParams
    ...     columns = ("sma_20", "sma_50")
    ...     indicators = (IndicatorSpec("sma", {"period": 20}),
    ...                   IndicatorSpec("sma", {"period": 50}))
    ...
    ...     @staticmethod
    ...     def on_bar(now, before):
    ...         if now[0] > now[1] and before[0] <= before[1]:
    ...             return 1
    ...         return -1 if now[0] < now[1] and before[0] >= before[1] else 0
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

import numpy as np

from cryptotrader.domain.market import FloatArray
from cryptotrader.strategies.base import BaseStrategy, BoolArray, StrategyInputs, StrategyParams

P = TypeVar("P", bound=StrategyParams)
_LOOPS: dict[type[Any], Callable[[FloatArray], FloatArray]] = {}


def _compile(rule: Callable[[Any, Any], int]) -> Callable[[FloatArray], FloatArray]:
    import numba  # noqa: PLC0415 - deferred: only per-bar strategies need it here

    compiled_rule = numba.njit(rule)

    @numba.njit
    def every_bar(matrix: Any) -> Any:  # pragma: no cover - runs compiled
        n, k = matrix.shape
        out = np.zeros(n)
        before = np.full(k, np.nan)
        for i in range(n):
            out[i] = compiled_rule(matrix[i], before)
            before = matrix[i]
        return out

    loop: Callable[[FloatArray], FloatArray] = every_bar
    return loop


class PerBarStrategy(BaseStrategy[P]):
    """Base of per-candle rules; see the module docstring."""

    columns: ClassVar[tuple[str, ...]]
    lookback = 2
    reads_strengths = False

    @staticmethod
    def on_bar(now: Any, before: Any) -> int:
        """1 to buy, -1 to sell, 0 to hold, from this candle's ``columns`` and the previous's."""
        raise NotImplementedError

    def series_read(self) -> tuple[str, ...]:
        """The ``columns`` the rule reads."""
        return self.columns

    def score(self, inputs: StrategyInputs) -> FloatArray:
        """The rule's answer on every candle (1, -1 or 0)."""
        cls = type(self)
        loop = _LOOPS.get(cls)
        if loop is None:
            loop = _LOOPS[cls] = _compile(cls.on_bar)
        matrix = np.column_stack([inputs.series[c] for c in self.columns]).astype(np.float64)
        return loop(np.ascontiguousarray(matrix))

    def should_buy(self, score: FloatArray, inputs: StrategyInputs) -> BoolArray:
        """Where the rule said 1."""
        result: BoolArray = score > 0
        return result

    def should_sell(self, score: FloatArray, inputs: StrategyInputs) -> BoolArray:
        """Where the rule said -1."""
        result: BoolArray = score < 0
        return result

    def confidence(self, score: FloatArray, inputs: StrategyInputs) -> FloatArray:
        """1 where the rule buys, else 0."""
        result: FloatArray = (score > 0).astype(np.float64)
        return result
