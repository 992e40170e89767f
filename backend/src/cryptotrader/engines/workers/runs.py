"""Runs of candles on the bus: arrays to ``CandleRun`` columns and back."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from cryptotrader.bus.messages import CandleRun
from cryptotrader.domain.market import CandleArrays, FloatArray


def candle_run(candles: CandleArrays) -> CandleRun:
    """The columns of ``candles`` (at least one)."""
    return CandleRun(
        open_times=candles.timestamps.tolist(),
        open=candles.open.tolist(),
        high=candles.high.tolist(),
        low=candles.low.tolist(),
        close=candles.close.tolist(),
        volume=candles.volume.tolist(),
    )


def run_arrays(run: CandleRun) -> CandleArrays:
    """The candles of a run as arrays."""
    return CandleArrays(
        timestamps=np.asarray(run.open_times, dtype=np.int64),
        open=np.asarray(run.open, dtype=np.float64),
        high=np.asarray(run.high, dtype=np.float64),
        low=np.asarray(run.low, dtype=np.float64),
        close=np.asarray(run.close, dtype=np.float64),
        volume=np.asarray(run.volume, dtype=np.float64),
    )


def column(values: Sequence[float | None]) -> FloatArray:
    """A float column from the wire (null: NaN).

    ``fromiter`` first: about half ``asarray``'s time on a list of floats (the in-process bus
    hands the producer's floats, NaN included); a null (JSON's, from Redis) makes it fail, and
    ``asarray`` turns it into NaN.
    """
    try:
        return np.fromiter(values, np.float64, len(values))
    except TypeError:
        return np.asarray(values, dtype=np.float64)


def concat(first: CandleArrays, second: CandleArrays) -> CandleArrays:
    """``first`` then ``second``."""
    return CandleArrays(
        *(
            np.concatenate([getattr(first, name), getattr(second, name)])
            for name in ("timestamps", "open", "high", "low", "close", "volume")
        )
    )
