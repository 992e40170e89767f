"""What the sentiment indicators share: an external history, and a reading when it is missing.

A sentiment indicator is context, never a reason to stop: with no history it is neutral with
weight 0 and labelled ``unavailable``; on a candle its history does not cover (before the
first value, or the last value is too old) its strength is NaN, like a warm-up, and the signal
of that candle is ``unavailable`` with weight 0.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TypeVar

import numpy as np

from cryptotrader.domain.market import CandleArrays, FloatArray
from cryptotrader.domain.signals import Reading
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.indicators.base import Indicator, IndicatorParams, Series, last_row
from cryptotrader.sentiment.series import DailySeries

UNAVAILABLE = "unavailable"

P = TypeVar("P", bound=IndicatorParams)


class SentimentIndicator(Indicator[P]):
    """Base of indicators reading a ``DailySeries`` given to the constructor."""

    history: DailySeries | None = None

    def _attach(self, history: DailySeries | None) -> None:
        """Keep ``history``; without any value, nobody should listen (weight 0)."""
        self.history = history if history is not None and len(history) else None
        if self.history is None:
            self.weight = 0.0

    def identity(self) -> Hashable:
        """Parameters and the very history read."""
        return (type(self), self.params, id(self.history))

    @property
    def memory(self) -> int | None:
        """None before a candle: each reads the history's value at its own open time."""
        return 0

    def compute_rows(
        self, windows: Sequence[CandleArrays], take: int, stacked: CandleArrays
    ) -> Series:
        """The stacked rows' own times aligned (each candle reads the value at its open).

        The windows of a candle time's pairs start on their own grids (their times differ),
        but a row's value depends on its time alone: aligning the rows is aligning the windows.
        """
        if self.history is None:  # NaN everywhere, as over each window (``_no_history``)
            return {c: np.full(stacked.timestamps.shape, np.nan) for c in self.columns}
        values = self.compute(stacked)
        if all(v.shape == stacked.timestamps.shape for v in values.values()):
            return values
        return super().compute_rows(windows, take, stacked)

    def _no_history(self, candles: CandleArrays) -> Series:
        return {column: np.full(len(candles), np.nan) for column in self.columns}

    def _neutral(self, candles: CandleArrays, start: int) -> FloatArray:
        return np.zeros(candles.close[start:].shape)  # (rows, pairs) too: ``rows_strength``

    def reads_plainly(self) -> bool:
        """``rows_readings`` builds the readings (and marks those without sentiment)."""
        cls = type(self)
        return cls.interpret is Indicator.interpret and cls.reading is SentimentIndicator.reading

    def rows_readings(
        self,
        values: Series,
        candles: CandleArrays,
        tails: Sequence[CandleArrays],
        timeframe: Timeframe,
        strengths: FloatArray,
    ) -> list[Reading]:
        """As ``Indicator.rows_readings``; a row without sentiment is ``unavailable``, weight 0."""
        read = super().rows_readings(values, candles, tails, timeframe, strengths)
        if self.reads_plainly():  # else each pair went through ``reading``, which marks it
            for one, value in zip(read, last_row(values[self.columns[0]]), strict=True):
                if np.isnan(value):
                    one["label"] = UNAVAILABLE
                    one["weight"] = 0.0
        return read

    def reading(
        self,
        values: Series,
        candles: CandleArrays,
        index: int = -1,
        *,
        strengths: FloatArray | None = None,
    ) -> Reading:
        """As ``Indicator.reading``; a candle without sentiment is ``unavailable``, weight 0."""
        read = super().reading(values, candles, index, strengths=strengths)
        if np.isnan(values[self.columns[0]][index % len(candles)]):
            read["label"] = UNAVAILABLE
            read["weight"] = 0.0
        return read
