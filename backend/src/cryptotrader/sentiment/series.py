"""A dated sentiment series (Fear & Greed, Google Trends) and its alignment onto candles.

Sentiment arrives at most once a day, candles much more often. ``align`` gives each candle the
value that was already known at the candle's open time and nothing later, so a backtest never
reads tomorrow's sentiment. A value that is too old (the upstream history has holes, e.g. Fear &
Greed 2018-04-14..16 and 2024-10-26) becomes NaN instead of being carried forward for ever.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import numpy.typing as npt

from cryptotrader.domain.market import FloatArray, IntArray

DEFAULT_MAX_AGE = timedelta(days=3)


def _frozen(array: npt.ArrayLike, dtype: type[np.generic]) -> npt.NDArray[np.generic]:
    copy = np.array(array, dtype=dtype, copy=True)
    copy.setflags(write=False)
    return copy


@dataclass(frozen=True, slots=True, eq=False)
class DailySeries:
    """Values stamped with the epoch-millisecond time from which each one is known.

    For Fear & Greed that is 00:00 UTC of the day the value is published for; for Google Trends
    it is the end of the week the value summarises (see ``sentiment.google_trends``). The arrays
    are copied and made read-only, so a series can be shared between indicators safely.

    Args:
        timestamps: int64 epoch milliseconds, strictly increasing.
        values: float64 values, one per timestamp.
        labels: optional text per value (Fear & Greed's classification).

    Raises:
        ValueError: lengths differ, arrays are not 1-D, or timestamps are not strictly increasing.

    Example:
        >>> series = DailySeries(np.array([0, 86_400_000]), np.array([20.0, 80.0]))
        >>> series.align(np.array([-1, 0, 86_399_999, 86_400_000])).tolist()
        [nan, 20.0, 20.0, 80.0]
    """

    timestamps: IntArray
    values: FloatArray
    labels: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        timestamps = _frozen(self.timestamps, np.int64)
        values = _frozen(self.values, np.float64)
        if timestamps.ndim != 1 or values.ndim != 1 or timestamps.shape != values.shape:
            raise ValueError(
                f"timestamps and values must be 1-D of one length, got "
                f"{timestamps.shape} and {values.shape}"
            )
        if timestamps.shape[0] > 1 and not bool(np.all(np.diff(timestamps) > 0)):
            raise ValueError("timestamps must be strictly increasing")
        if self.labels is not None and len(self.labels) != timestamps.shape[0]:
            raise ValueError(f"{len(self.labels)} labels for {timestamps.shape[0]} values")
        object.__setattr__(self, "timestamps", timestamps)
        object.__setattr__(self, "values", values)

    def __len__(self) -> int:
        return int(self.timestamps.shape[0])

    def align(
        self, candle_open_times_ms: IntArray, *, max_age: timedelta | None = DEFAULT_MAX_AGE
    ) -> FloatArray:
        """For each candle, the latest value stamped at or before its open time.

        Args:
            candle_open_times_ms: candle open times, epoch milliseconds (any order).
            max_age: a value older than this at the candle's open time is not used (NaN);
                None carries the last value forward without limit.

        Returns:
            float64 array, one value per candle; NaN before the first value and when stale.
        """
        times = np.asarray(candle_open_times_ms, dtype=np.int64)
        out: FloatArray = np.full(times.shape, np.nan)
        if len(self) == 0:
            return out
        positions = np.searchsorted(self.timestamps, times, side="right") - 1
        known = positions >= 0
        chosen = positions[known]
        picked = self.values[chosen].copy()
        if max_age is not None:
            limit_ms = int(max_age / timedelta(milliseconds=1))
            picked[times[known] - self.timestamps[chosen] > limit_ms] = np.nan
        out[known] = picked
        return out
