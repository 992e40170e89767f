"""A strategy for latency benchmarks only: it trades on almost every candle, on purpose.

``bench_flip`` declares the full indicator set of the real bots (so every candle costs what it
costs them) and buys when the close rose, sells when it fell. It has no edge and is never used
outside ``bench/runtime.py``; importing this module registers it.
"""

from __future__ import annotations

import numpy as np

from cryptotrader.domain.market import FloatArray
from cryptotrader.strategies import (
    BoolArray,
    IndicatorSpec,
    StrategyInputs,
    previous,
    register_strategy,
)
from cryptotrader.strategies.aggressive import AggressiveStrategy

CLOSE = "sma_1"


@register_strategy("bench_flip")
class FlipStrategy(AggressiveStrategy):
    """Buys when the close rose, sells when it fell (no edge: a benchmark load)."""

    lookback = 2

    @property
    def indicators(self) -> tuple[IndicatorSpec, ...]:
        """The real bots' set, and the close (SMA of 1)."""
        return (*super().indicators, IndicatorSpec("sma", {"period": 1}, weight=0.0))

    def series_read(self) -> tuple[str, ...]:
        """The close."""
        return (CLOSE,)

    def should_buy(self, score: FloatArray, inputs: StrategyInputs) -> BoolArray:
        """The close rose."""
        close = inputs.series[CLOSE]
        result: BoolArray = close > previous(close)
        return result

    def should_sell(self, score: FloatArray, inputs: StrategyInputs) -> BoolArray:
        """The close fell."""
        close = inputs.series[CLOSE]
        result: BoolArray = close < previous(close)
        return result

    def confidence(self, score: FloatArray, inputs: StrategyInputs) -> FloatArray:
        """Always 1."""
        return np.ones(score.shape[0])
