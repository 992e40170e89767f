"""Builders for domain objects and candle series used across tests."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd

from cryptotrader.domain.market import CandleArrays
from cryptotrader.marketdata.frames import candle_frame


def random_walk(
    n: int, *, seed: int = 0, start_ms: int = 1_704_067_200_000, step_ms: int = 60_000
) -> CandleArrays:
    """A seeded synthetic candle series (for property tests only, never presented as real)."""
    rng = np.random.default_rng(seed)
    close = 40_000.0 * np.exp(np.cumsum(rng.normal(0.0, 0.002, n)))
    open_ = np.r_[close[0], close[:-1]]
    spread = np.abs(rng.normal(0.0, 0.0015, n)) * close
    high = np.maximum(open_, close) + spread
    low = np.minimum(open_, close) - spread * rng.uniform(0.2, 1.0, n)
    volume = rng.gamma(2.0, 5.0, n)
    timestamps = start_ms + step_ms * np.arange(n, dtype=np.int64)
    return CandleArrays(timestamps, open_, high, low, close, volume)


def random_frame(n: int, *, seed: int = 0, step_ms: int = 60_000) -> pd.DataFrame:
    """``random_walk`` as a canonical candle frame."""
    return candle_frame(random_walk(n, seed=seed, step_ms=step_ms))


def read_shared_csv(path: Path, rows: int | None = None) -> pd.DataFrame:
    """First ``rows`` rows of a ../shared/data CSV (gzipped or not), raw."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt") as handle:
        return pd.read_csv(handle, nrows=rows)
