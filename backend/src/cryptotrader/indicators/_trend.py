"""Shared reading of a moving average: where the close stands relative to it."""

from __future__ import annotations

import numpy as np
from pydantic import Field

from cryptotrader.domain.market import CandleArrays, FloatArray
from cryptotrader.indicators._shared import atr
from cryptotrader.indicators.base import Indicator, IndicatorParams, Series, wilder_memory


class MovingAverageParams(IndicatorParams):
    """Window, and how far from the average, in ATRs, counts as neutral or as full strength.

    Distances are measured in ATRs so that one setting reads alike on 1m and 1d candles.
    """

    period: int = Field(ge=1, le=10_000)
    atr_period: int = Field(default=14, ge=1)
    neutral_band: float = Field(default=0.1, ge=0, description="|close - ma| / ATR below: 0")
    saturation: float = Field(default=3.0, gt=0, description="|close - ma| / ATR giving 1")


class MovingAverageIndicator(Indicator[MovingAverageParams]):
    """Trend reading of a moving average.

    With ``d = (close - ma) / ATR``, strength is ``clip(d / saturation, -1, 1)``, and 0 while
    ``|d| < neutral_band``. Labels: ``above``, ``below``, ``at`` (within the neutral band).
    """

    params_model = MovingAverageParams
    rows_strength = True

    @property
    def columns(self) -> tuple[str, ...]:
        """``<name>_<period>``."""
        return (f"{self.name}_{self.params.period}",)

    @property
    def warmup(self) -> int:
        """One full window (the strength also needs the ATR's)."""
        return self.params.period - 1

    @property
    def memory(self) -> int | None:
        """The average's window, and the ATR its strength is measured in."""
        return max(self.average_memory, wilder_memory(self.params.atr_period))

    @property
    def average_memory(self) -> int:
        """Candles before a candle that the average reads (its window by default)."""
        return self.params.period - 1

    def _deviation(self, values: Series, candles: CandleArrays, start: int) -> FloatArray:
        scale = atr(candles, self.params.atr_period)[start:]
        average = values[self.columns[0]][start:]
        with np.errstate(invalid="ignore", divide="ignore"):
            deviation: FloatArray = (candles.close[start:] - average) / scale
        deviation[scale == 0] = 0.0  # a market that does not move is at its average
        return deviation

    def strength(self, values: Series, candles: CandleArrays, start: int = 0) -> FloatArray:
        """See the class docstring."""
        deviation = self._deviation(values, candles, start)
        scaled = np.clip(deviation / self.params.saturation, -1.0, 1.0)
        result: FloatArray = np.where(np.abs(deviation) < self.params.neutral_band, 0.0, scaled)
        return result

    def label(self, values: Series, candles: CandleArrays, index: int, strength: float) -> str:
        """``above``, ``below`` or ``at`` the average."""
        return self._side(strength)

    def rows_labels(
        self, values: Series, candles: CandleArrays, strengths: list[float]
    ) -> list[str] | None:
        """``label`` of every pair's last row (its strength's sign)."""
        return [self._side(strength) for strength in strengths]

    @staticmethod
    def _side(strength: float) -> str:
        if strength > 0:
            return "above"
        if strength < 0:
            return "below"
        return "at"
