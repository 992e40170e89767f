"""Shared reading of a moving average: where the close stands relative to it."""

from __future__ import annotations

import numpy as np
from pydantic import Field

from cryptotrader.domain.market import CandleArrays, FloatArray
from cryptotrader.indicators.base import Indicator, IndicatorParams, Series


class MovingAverageParams(IndicatorParams):
    """Window, and how far from the average (fraction of it) counts as neutral or full strength."""

    period: int = Field(ge=1, le=10_000)
    neutral_band: float = Field(default=0.001, ge=0, description="|close/ma - 1| below this: 0")
    saturation: float = Field(default=0.05, gt=0, description="|close/ma - 1| giving strength 1")


class MovingAverageIndicator(Indicator[MovingAverageParams]):
    """Trend reading of a moving average.

    Strength is ``clip((close / ma - 1) / saturation, -1, 1)``, and 0 within ``neutral_band``.
    Labels: ``above``, ``below``, ``at`` (within the neutral band).
    """

    params_model = MovingAverageParams

    @property
    def columns(self) -> tuple[str, ...]:
        """``<name>_<period>``."""
        return (f"{self.name}_{self.params.period}",)

    @property
    def warmup(self) -> int:
        """One full window."""
        return self.params.period - 1

    def _deviation(self, values: Series, candles: CandleArrays) -> FloatArray:
        with np.errstate(invalid="ignore", divide="ignore"):
            deviation: FloatArray = candles.close / values[self.columns[0]] - 1.0
        return deviation

    def strength(self, values: Series, candles: CandleArrays) -> FloatArray:
        """See the class docstring."""
        deviation = self._deviation(values, candles)
        scaled = np.clip(deviation / self.params.saturation, -1.0, 1.0)
        result: FloatArray = np.where(np.abs(deviation) < self.params.neutral_band, 0.0, scaled)
        return result

    def label(self, values: Series, candles: CandleArrays, index: int, strength: float) -> str:
        """``above``, ``below`` or ``at`` the average."""
        if strength > 0:
            return "above"
        if strength < 0:
            return "below"
        return "at"
