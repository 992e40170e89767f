"""A strategy whose entries and exits are given as candle indexes, and hand-made candles."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from pydantic import Field

from cryptotrader.domain.market import CandleArrays, FloatArray
from cryptotrader.strategies import (
    BaseStrategy,
    BoolArray,
    IndicatorSpec,
    StrategyInputs,
    StrategyParams,
)


class ScriptedParams(StrategyParams):
    entries: tuple[int, ...] = ()
    exits: tuple[int, ...] = ()
    confidence: float = Field(default=1.0, ge=0, le=1)


class ScriptedStrategy(BaseStrategy[ScriptedParams]):
    """Buys at the closes listed in ``entries``, sells at those in ``exits`` (no indicator)."""

    name = "scripted"
    params_model = ScriptedParams

    @property
    def indicators(self) -> tuple[IndicatorSpec, ...]:
        return ()

    def _mask(self, rows: Sequence[int], n: int) -> BoolArray:
        mask = np.zeros(n, dtype=bool)
        mask[[r for r in rows if r < n]] = True
        return mask

    def score(self, inputs: StrategyInputs) -> FloatArray:
        return np.zeros(len(inputs))

    def should_buy(self, score: FloatArray, inputs: StrategyInputs) -> BoolArray:
        return self._mask(self.params.entries, len(inputs))

    def should_sell(self, score: FloatArray, inputs: StrategyInputs) -> BoolArray:
        return self._mask(self.params.exits, len(inputs))

    def confidence(self, score: FloatArray, inputs: StrategyInputs) -> FloatArray:
        return np.full(len(inputs), self.params.confidence)


def candles(
    rows: Sequence[tuple[float, float, float, float]], *, step_ms: int = 3_600_000
) -> CandleArrays:
    """Hourly candles from ``(open, high, low, close)`` rows, starting 2024-01-01 00:00 UTC."""
    array = np.asarray(rows, dtype=np.float64).reshape(-1, 4)
    n = array.shape[0]
    timestamps = 1_704_067_200_000 + step_ms * np.arange(n, dtype=np.int64)
    return CandleArrays(
        timestamps,
        np.ascontiguousarray(array[:, 0]),
        np.ascontiguousarray(array[:, 1]),
        np.ascontiguousarray(array[:, 2]),
        np.ascontiguousarray(array[:, 3]),
        np.full(n, 10.0),
    )


def flat(n: int, price: float = 100.0) -> list[tuple[float, float, float, float]]:
    """``n`` candles that do not move (open = high = low = close = ``price``)."""
    return [(price, price, price, price)] * n
