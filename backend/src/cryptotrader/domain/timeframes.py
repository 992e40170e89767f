"""Candle timeframes, with their pandas and ccxt spellings and UTC bucket arithmetic.

Buckets follow the exchanges: fixed-width timeframes are aligned on the Unix epoch, weeks start on
Monday 00:00 UTC (Binance's ``1w``) and months on the 1st at 00:00 UTC.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from cryptotrader.errors import UnknownNameError
from cryptotrader.plugins import did_you_mean

if TYPE_CHECKING:  # numpy loads with the first bucketing, not with every command's --help
    import numpy as np
    import numpy.typing as npt

MINUTE_MS = 60_000
HOUR_MS = 60 * MINUTE_MS
DAY_MS = 24 * HOUR_MS
WEEK_MS = 7 * DAY_MS
# The Unix epoch (1970-01-01) is a Thursday; the first Monday is four days later.
_FIRST_MONDAY_MS = 4 * DAY_MS


class Timeframe(StrEnum):
    """A candle duration, spelled as exchanges and ccxt spell it (``1m`` ... ``1M``)."""

    M1 = "1m"
    M5 = "5m"
    M15 = "15m"
    M30 = "30m"
    H1 = "1h"
    H4 = "4h"
    D1 = "1d"
    W1 = "1w"
    MO1 = "1M"

    @classmethod
    def parse(cls, text: str) -> Timeframe:
        """Return the timeframe spelled ``text`` (ours, ccxt's or a common pandas alias).

        Raises:
            UnknownNameError: ``text`` names no supported timeframe; the message suggests one.
        """
        value = _ALIASES.get(text.strip(), text.strip())
        try:
            return cls(value)
        except ValueError:
            choices = [tf.value for tf in cls]
            raise UnknownNameError(
                f"unknown timeframe {text!r} (expected one of {', '.join(choices)})"
                f"{did_you_mean(text, choices)}"
            ) from None

    @property
    def ccxt(self) -> str:
        """The ccxt spelling (identical to ours)."""
        return self.value

    @property
    def pandas_freq(self) -> str:
        """The pandas offset alias whose buckets match this timeframe's."""
        return _PANDAS_FREQ[self]

    @property
    def is_calendar(self) -> bool:
        """True when buckets have no fixed width (months)."""
        return self is Timeframe.MO1

    @property
    def milliseconds(self) -> int:
        """Nominal width in milliseconds (a month counts as 30 days; see ``bucket_end``)."""
        return _WIDTH_MS[self]

    def bucket_start(self, timestamps_ms: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """Open time of the bucket each epoch-millisecond timestamp falls in (vectorised)."""
        import numpy as np  # noqa: PLC0415 - see the TYPE_CHECKING import

        ts = np.asarray(timestamps_ms, dtype=np.int64)
        if self is Timeframe.MO1:
            months = ts.astype("datetime64[ms]").astype("datetime64[M]")
            return months.astype("datetime64[ms]").astype(np.int64)
        width = _WIDTH_MS[self]
        offset = _FIRST_MONDAY_MS if self is Timeframe.W1 else 0
        return ((ts - offset) // width) * width + offset

    def bucket_end(self, bucket_starts_ms: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """Close time (exclusive) of buckets given by their open time (vectorised)."""
        import numpy as np  # noqa: PLC0415 - see the TYPE_CHECKING import

        starts = np.asarray(bucket_starts_ms, dtype=np.int64)
        if self is Timeframe.MO1:
            months = starts.astype("datetime64[ms]").astype("datetime64[M]") + 1
            return months.astype("datetime64[ms]").astype(np.int64)
        return starts + _WIDTH_MS[self]

    def divides(self, higher: Timeframe) -> bool:
        """True when every bucket of ``higher`` is a whole number of buckets of this timeframe."""
        if higher is self:
            return True
        if self.is_calendar:
            return False
        if higher is Timeframe.MO1:
            return DAY_MS % self.milliseconds == 0
        if higher is Timeframe.W1:
            return DAY_MS % self.milliseconds == 0 or self is Timeframe.D1
        return (
            higher.milliseconds % self.milliseconds == 0 and higher.milliseconds > self.milliseconds
        )


_WIDTH_MS: dict[Timeframe, int] = {
    Timeframe.M1: MINUTE_MS,
    Timeframe.M5: 5 * MINUTE_MS,
    Timeframe.M15: 15 * MINUTE_MS,
    Timeframe.M30: 30 * MINUTE_MS,
    Timeframe.H1: HOUR_MS,
    Timeframe.H4: 4 * HOUR_MS,
    Timeframe.D1: DAY_MS,
    Timeframe.W1: WEEK_MS,
    Timeframe.MO1: 30 * DAY_MS,
}

_PANDAS_FREQ: dict[Timeframe, str] = {
    Timeframe.M1: "1min",
    Timeframe.M5: "5min",
    Timeframe.M15: "15min",
    Timeframe.M30: "30min",
    Timeframe.H1: "1h",
    Timeframe.H4: "4h",
    Timeframe.D1: "1D",
    Timeframe.W1: "W-MON",
    Timeframe.MO1: "MS",
}

_ALIASES: dict[str, str] = {
    "1min": "1m",
    "5min": "5m",
    "15min": "15m",
    "30min": "30m",
    "60m": "1h",
    "1H": "1h",
    "4H": "4h",
    "1D": "1d",
    "D": "1d",
    "1W": "1w",
    "W": "1w",
    "1mo": "1M",
    "1MO": "1M",
}
