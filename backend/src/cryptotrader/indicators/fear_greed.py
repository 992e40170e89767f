"""Crypto Fear & Greed Index (alternative.me), read as a contrarian signal."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import numpy as np
from pydantic import Field, model_validator

from cryptotrader.domain.market import CandleArrays, FloatArray, IntArray
from cryptotrader.indicators._sentiment import UNAVAILABLE, SentimentIndicator
from cryptotrader.indicators.base import IndicatorParams, Series, last_row, piecewise_extremes
from cryptotrader.indicators.registry import register_indicator
from cryptotrader.sentiment.series import DailySeries


class FearGreedParams(IndicatorParams):
    """Band edges (alternative.me's own: 0-25, 26-46, 47-54, 55-75, 76-100) and data freshness."""

    extreme_fear: float = Field(
        default=25.0, gt=0, lt=100, description="at or below: extreme fear; bullish below"
    )
    fear: float = Field(default=46.0, gt=0, lt=100, description="at or below: fear")
    greed: float = Field(default=55.0, gt=0, lt=100, description="at or above: greed")
    extreme_greed: float = Field(
        default=75.0, gt=0, lt=100, description="above: extreme greed; bearish above"
    )
    max_age_days: float = Field(
        default=3.0, gt=0, description="an older value is not used (upstream has missing days)"
    )

    @model_validator(mode="after")
    def _ordered(self) -> FearGreedParams:
        if not self.extreme_fear < self.fear < self.greed <= self.extreme_greed:
            raise ValueError("need extreme_fear < fear < greed <= extreme_greed")
        return self


@register_indicator("fear_greed")
class FearGreed(SentimentIndicator[FearGreedParams]):
    """The day's Fear & Greed value (0-100) on every candle, and a contrarian reading of it.

    Crowds sell in panic near bottoms and buy in euphoria near tops, so extreme fear is bullish
    and extreme greed bearish: strength is 0 from ``extreme_fear`` to ``extreme_greed``, rises
    linearly to +1 at 0 and falls linearly to -1 at 100 (defaults: 12.5 -> +0.5, 87.5 -> -0.5).
    A candle sees the value stamped at or before its open time (00:00 UTC of its day), never a
    later one. Labels: ``extreme_fear``, ``fear``, ``neutral``, ``greed``, ``extreme_greed``,
    and ``unavailable`` (no history, or none recent enough: weight 0).

    Args:
        params: see ``FearGreedParams``.
        weight: decision weight (forced to 0 without history).
        fear_greed: the index history (``cryptotrader.sentiment``); None when unavailable.
    """

    params_model = FearGreedParams
    rows_strength = True

    def __init__(
        self,
        params: Mapping[str, Any] | FearGreedParams | None = None,
        *,
        weight: float | None = None,
        fear_greed: DailySeries | None = None,
    ) -> None:
        super().__init__(params, weight=weight)
        self._attach(fear_greed)
        self._aligned: tuple[IntArray, FloatArray] | None = None
        """The last candle times aligned, and their values (read-only): the pairs of a live
        candle time share their times, and the engines share this instance across pairs."""

    @property
    def columns(self) -> tuple[str, ...]:
        """``fear_greed``."""
        return ("fear_greed",)

    def compute(self, candles: CandleArrays) -> Series:
        """The index value known at each candle's open (NaN where none is recent enough).

        Read-only, and the same array for the same candle times (another pair's, the last call).
        """
        if self.history is None:
            return self._no_history(candles)
        times = candles.timestamps
        last = self._aligned
        if last is not None and last[0].shape == times.shape and np.array_equal(last[0], times):
            return {"fear_greed": last[1]}  # the same times: the same values
        max_age = timedelta(days=self.params.max_age_days)
        aligned = self.history.align(times, max_age=max_age)
        aligned.flags.writeable = False
        self._aligned = (times.copy(), aligned)
        return {"fear_greed": aligned}

    def strength(self, values: Series, candles: CandleArrays, start: int = 0) -> FloatArray:
        """See the class docstring; 0 everywhere without history."""
        if self.history is None:
            return self._neutral(candles, start)
        p = self.params
        return piecewise_extremes(
            values["fear_greed"][start:], p.extreme_fear, p.extreme_greed, 0.0, 100.0
        )

    def label(self, values: Series, candles: CandleArrays, index: int, strength: float) -> str:
        """alternative.me's band of the value, in snake case."""
        return self._band(float(values["fear_greed"][index]))

    def rows_labels(
        self, values: Series, candles: CandleArrays, strengths: list[float]
    ) -> list[str] | None:
        """``label`` of every pair's last row."""
        return [self._band(value) for value in last_row(values["fear_greed"])]

    def _band(self, value: float) -> str:
        p = self.params
        if math.isnan(value):
            return UNAVAILABLE
        if value <= p.extreme_fear:
            return "extreme_fear"
        if value <= p.fear:
            return "fear"
        if value < p.greed:
            return "neutral"
        return "greed" if value <= p.extreme_greed else "extreme_greed"
