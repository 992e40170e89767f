"""A SYNTHETIC market for ``cryptotrader demo``: generated prices, never real ones.

A seeded random walk with trending regimes (so that the strategies have something to trade),
shaped like real candles (open = previous close, high/low around them, gamma volumes). It is
only ever shown as what it is: the demo says so on screen, and its trades go to a database of
their own.
"""

from __future__ import annotations

import numpy as np

from cryptotrader.domain.market import CandleArrays
from cryptotrader.domain.timeframes import Timeframe

SYNTHETIC_START_MS = 1_704_067_200_000
"""2024-01-01 00:00 UTC: where a synthetic series starts."""


def synthetic_market(
    candles: int, *, seed: int = 0, timeframe: Timeframe = Timeframe.H1
) -> CandleArrays:
    """``candles`` synthetic candles of ``timeframe`` (deterministic for a given ``seed``).

    Example:
        >>> len(synthetic_market(10, seed=1))
        10
    """
    rng = np.random.default_rng(seed)
    regimes = np.repeat(rng.normal(0.0, 0.0012, candles // 200 + 1), 200)[:candles]
    returns = regimes + rng.normal(0.0, 0.006, candles)
    close = 40_000.0 * np.exp(np.cumsum(returns))
    open_ = np.concatenate(([40_000.0], close[:-1]))
    spread = np.abs(rng.normal(0.0, 0.003, candles)) * close
    high = np.maximum(open_, close) + spread
    low = np.minimum(open_, close) - spread * rng.uniform(0.2, 1.0, candles)
    volume = rng.gamma(2.0, 50.0, candles)
    times = SYNTHETIC_START_MS + timeframe.milliseconds * np.arange(candles, dtype=np.int64)
    return CandleArrays(
        times,
        np.round(open_, 2).astype(np.float64),
        np.round(high, 2).astype(np.float64),
        np.round(low, 2).astype(np.float64),
        np.round(close, 2).astype(np.float64),
        np.round(volume, 5).astype(np.float64),
    )
