"""OHLCV validation: what makes a candle series trustworthy, and where it is not.

Hard errors (a ``DataValidationError`` naming the source and the first bad row): unsorted or
duplicate timestamps, missing values, non-positive prices, negative volume, and a high/low that
does not bracket the open and close. Gaps (missing candles) are reported, not refused: exchanges
have outages and we never invent candles.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cryptotrader.domain.market import CandleArrays, IntArray
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.domain.values import utc_from_ms
from cryptotrader.errors import DataValidationError

_FIXED = [tf for tf in Timeframe if not tf.is_calendar]
_MIN_MONTH_MS = 28 * 86_400_000
_MAX_MONTH_MS = 31 * 86_400_000


@dataclass(frozen=True, slots=True)
class Gap:
    """Candles missing between two present ones: ``missing`` bars after ``after_ms``."""

    after_ms: int
    before_ms: int
    missing: int

    def __str__(self) -> str:
        start, end = utc_from_ms(self.after_ms), utc_from_ms(self.before_ms)
        return f"{self.missing} missing between {start:%Y-%m-%d %H:%M} and {end:%Y-%m-%d %H:%M} UTC"


def infer_timeframe(timestamps: IntArray) -> Timeframe | None:
    """The timeframe whose width is the most common spacing, or None if none fits."""
    if timestamps.shape[0] < 2:
        return None
    diffs = np.diff(timestamps)
    values, counts = np.unique(diffs, return_counts=True)
    spacing = int(values[np.argmax(counts)])
    for tf in _FIXED:
        if tf.milliseconds == spacing:
            return tf
    if _MIN_MONTH_MS <= spacing <= _MAX_MONTH_MS:
        return Timeframe.MO1
    return None


def find_gaps(timestamps: IntArray, timeframe: Timeframe) -> list[Gap]:
    """Every place where consecutive candles are more than one bucket apart."""
    if timestamps.shape[0] < 2:
        return []
    expected_next = timeframe.bucket_end(timeframe.bucket_start(timestamps[:-1]))
    holes = np.flatnonzero(timestamps[1:] > expected_next)
    gaps: list[Gap] = []
    for i in holes:
        after, before = int(timestamps[i]), int(timestamps[i + 1])
        if timeframe.is_calendar:
            months = np.array([after, before]).astype("datetime64[ms]").astype("datetime64[M]")
            missing = int(months[1] - months[0]) - 1
        else:
            missing = (before - after) // timeframe.milliseconds - 1
        gaps.append(Gap(after, before, missing))
    return gaps


def _first(mask: np.ndarray) -> int | None:
    hits = np.flatnonzero(mask)
    return int(hits[0]) if hits.shape[0] else None


def validate_arrays(
    candles: CandleArrays, source: str, row_label: str = "row", first_row: int = 1
) -> None:
    """Raise ``DataValidationError`` at the first candle breaking an OHLCV rule.

    ``row_label`` and ``first_row`` make the reported position match the source (for a CSV with
    a header, ``("line", 2)`` gives the line number a text editor shows).
    """

    def fail(index: int, reason: str) -> DataValidationError:
        return DataValidationError(f"{source}: {row_label} {index + first_row}: {reason}")

    ts = candles.timestamps
    if ts.shape[0] > 1:
        steps = np.diff(ts)
        at = _first(steps <= 0)
        if at is not None:
            what = "duplicate timestamp" if steps[at] == 0 else "timestamp goes backwards"
            raise fail(at + 1, f"{what} ({utc_from_ms(int(ts[at + 1])):%Y-%m-%d %H:%M:%S} UTC)")
    o, h, low, c, v = candles.open, candles.high, candles.low, candles.close, candles.volume
    checks: list[tuple[np.ndarray, str]] = [
        (np.isnan(o) | np.isnan(h) | np.isnan(low) | np.isnan(c) | np.isnan(v), "missing value"),
        (~np.isfinite(o + h + low + c + v), "value is not a finite number"),
        ((o <= 0) | (h <= 0) | (low <= 0) | (c <= 0), "prices must be positive"),
        (v < 0, "volume is negative"),
        (h < np.maximum(np.maximum(o, c), low), "high is below open, close or low"),
        (low > np.minimum(o, c), "low is above open or close"),
    ]
    for mask, reason in checks:
        at = _first(mask)
        if at is not None:
            values = f"open={o[at]} high={h[at]} low={low[at]} close={c[at]} volume={v[at]}"
            raise fail(at, f"{reason} ({values})")


def validate_alignment(
    timestamps: IntArray,
    timeframe: Timeframe,
    source: str,
    row_label: str = "row",
    first_row: int = 1,
) -> None:
    """Raise ``DataValidationError`` at the first open time that does not start a bucket.

    Catches a series stored under the wrong timeframe (1m candles imported as 1h) before it
    poisons every computation made on it.
    """
    at = _first(timeframe.bucket_start(timestamps) != timestamps)
    if at is not None:
        when = utc_from_ms(int(timestamps[at]))
        raise DataValidationError(
            f"{source}: {row_label} {at + first_row}: {when:%Y-%m-%d %H:%M:%S} UTC does not start"
            f" a {timeframe} candle; is the timeframe right?"
        )
