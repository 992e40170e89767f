"""Time as an injected collaborator.

Engines never call ``datetime.now()``: they receive a ``Clock``. Production uses
``LiveClock``; tests and the backtester use ``TestClock``, which only moves when told to.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    """Source of the current UTC time."""

    def now(self) -> datetime:
        """Return the current time, timezone-aware UTC."""
        ...

    def timestamp_ms(self) -> int:
        """Return the current time as epoch milliseconds."""
        ...


class LiveClock:
    """Wall-clock time."""

    def now(self) -> datetime:
        """Return the current wall-clock time in UTC."""
        return datetime.now(UTC)

    def timestamp_ms(self) -> int:
        """Return the current wall-clock time as epoch milliseconds."""
        return time.time_ns() // 1_000_000


class TestClock:
    """A clock that only moves when ``advance``/``set`` is called.

    Example:
        >>> clock = TestClock(0)
        >>> clock.advance(60_000)
        >>> clock.timestamp_ms()
        60000
    """

    __test__ = False  # not a pytest test class

    def __init__(self, start_ms: int = 0) -> None:
        self._ms = start_ms
        self._now = (start_ms, datetime.fromtimestamp(start_ms / 1000, tz=UTC))
        """The last time ``now`` made, and its milliseconds (a datetime is immutable)."""

    def now(self) -> datetime:
        """Return the clock's current time in UTC.

        The same object while the clock has not moved: a replay asks the time of one candle
        about twenty thousand times (every order update, alert and save of a trade), and
        ``fromtimestamp`` with a timezone costs about a microsecond.
        """
        ms, at = self._now
        if ms != self._ms:
            ms = self._ms
            at = datetime.fromtimestamp(ms / 1000, tz=UTC)
            self._now = (ms, at)
        return at

    def timestamp_ms(self) -> int:
        """Return the clock's current time as epoch milliseconds."""
        return self._ms

    def set(self, timestamp_ms: int) -> None:
        """Move the clock to ``timestamp_ms``; time never goes backwards."""
        if timestamp_ms < self._ms:
            raise ValueError(f"TestClock cannot go back from {self._ms} to {timestamp_ms}")
        self._ms = timestamp_ms

    def advance(self, milliseconds: int) -> None:
        """Move the clock forward by ``milliseconds``."""
        self.set(self._ms + milliseconds)


class MarketClock(TestClock):
    """Time as the market data says it is: a replay's clock, moved by the candles it replays.

    Engines read it like any ``Clock``; whoever processes market data calls ``observe`` with the
    time the data speaks of (a candle's close). It never goes backwards, so a candle seen twice
    after a restart leaves it where it was.

    Example:
        >>> clock = MarketClock()
        >>> clock.observe(3_600_000); clock.observe(60_000)
        >>> clock.timestamp_ms()
        3600000
    """

    def observe(self, timestamp_ms: int) -> None:
        """Move to ``timestamp_ms`` if it is later than now."""
        if timestamp_ms > self.timestamp_ms():
            self.set(timestamp_ms)
