"""Google Trends search interest, read as a crowd-euphoria warning."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import numpy as np
from pydantic import Field, model_validator

from cryptotrader.domain.market import CandleArrays, FloatArray
from cryptotrader.indicators._sentiment import UNAVAILABLE, SentimentIndicator
from cryptotrader.indicators.base import IndicatorParams, Series, last_row
from cryptotrader.indicators.registry import register_indicator
from cryptotrader.sentiment.series import DailySeries


class GoogleTrendsParams(IndicatorParams):
    """Trailing window (in the series' own periods: weeks by default) and the ratio levels."""

    lookback: int = Field(default=26, ge=2, le=520, description="periods in the trailing mean")
    low: float = Field(default=0.75, gt=0, description="ratio at or below: low interest")
    elevated: float = Field(default=1.25, gt=0, description="ratio at or above: elevated")
    spike: float = Field(default=1.5, gt=0, description="ratio at or above: spike; bearish above")
    extreme: float = Field(default=3.0, gt=0, description="ratio giving strength -1")
    max_age_days: float = Field(
        default=10.0, gt=0, description="an older value is not used (weekly data, one day late)"
    )

    @model_validator(mode="after")
    def _ordered(self) -> GoogleTrendsParams:
        if not self.low < self.elevated <= self.spike < self.extreme:
            raise ValueError("need low < elevated <= spike < extreme")
        return self


def trailing_ratio(values: FloatArray, lookback: int) -> FloatArray:
    """Each value divided by the mean of the ``lookback`` values before it (NaN until then).

    A zero mean gives +inf for a positive value (a spike out of nothing) and 1 for zero.
    """
    v = np.asarray(values, dtype=np.float64)
    n = v.shape[0]
    mean = np.full(n, np.nan)
    if n > lookback:
        sums = np.concatenate(([0.0], np.cumsum(v)))
        mean[lookback:] = (sums[lookback:n] - sums[: n - lookback]) / lookback
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio: FloatArray = v / mean
    ratio[(mean == 0) & (v == 0)] = 1.0
    return ratio


@register_indicator("google_trends")
class GoogleTrends(SentimentIndicator[GoogleTrendsParams]):
    """Search interest (0-100) on every candle, and its ratio to its own trailing mean.

    Rule: retail attention peaks near market tops (Dec 2017, 2021), so interest well above its
    recent average warns of crowd euphoria. With ``ratio = interest / mean(previous lookback
    periods)``, strength is 0 up to ``spike`` and falls linearly to -1 at ``extreme``; low
    interest is not read as bullish (quiet markets can stay quiet). Only the ratio is scored:
    Google rescales every answer so that its window's maximum is 100, so in a backtest the raw
    level carries knowledge of later peaks while a ratio of values from one answer does not.

    Each value is used from the time it became known (the end of its week, see
    ``cryptotrader.sentiment.google_trends``), never earlier. Labels: ``spike``, ``elevated``,
    ``normal``, ``low``, and ``unavailable`` (no history, or none recent enough: weight 0).

    Args:
        params: see ``GoogleTrendsParams``.
        weight: decision weight (forced to 0 without history).
        google_trends: the interest history; None when Google was unreachable or disabled.
    """

    params_model = GoogleTrendsParams
    rows_strength = True
    default_weight = 0.5

    def __init__(
        self,
        params: Mapping[str, Any] | GoogleTrendsParams | None = None,
        *,
        weight: float | None = None,
        google_trends: DailySeries | None = None,
    ) -> None:
        super().__init__(params, weight=weight)
        self._attach(google_trends)
        self._ratio: DailySeries | None = None
        if self.history is not None:
            ratio = trailing_ratio(self.history.values, self.params.lookback)
            self._ratio = DailySeries(self.history.timestamps, ratio)

    @property
    def columns(self) -> tuple[str, ...]:
        """``google_trends`` (interest) and ``google_trends_ratio``."""
        return ("google_trends", "google_trends_ratio")

    def compute(self, candles: CandleArrays) -> Series:
        """Interest and ratio known at each candle's open (NaN where none is recent enough)."""
        if self.history is None or self._ratio is None:
            return self._no_history(candles)
        max_age = timedelta(days=self.params.max_age_days)
        return {
            "google_trends": self.history.align(candles.timestamps, max_age=max_age),
            "google_trends_ratio": self._ratio.align(candles.timestamps, max_age=max_age),
        }

    def strength(self, values: Series, candles: CandleArrays, start: int = 0) -> FloatArray:
        """See the class docstring; 0 everywhere without history."""
        if self.history is None:
            return self._neutral(candles, start)
        p = self.params
        ratio = values["google_trends_ratio"][start:]
        with np.errstate(invalid="ignore"):
            excess: FloatArray = np.clip((ratio - p.spike) / (p.extreme - p.spike), 0.0, 1.0)
        return 0.0 - excess

    def label(self, values: Series, candles: CandleArrays, index: int, strength: float) -> str:
        """Where the ratio stands."""
        return self._band(float(values["google_trends_ratio"][index]))

    def rows_labels(
        self, values: Series, candles: CandleArrays, strengths: list[float]
    ) -> list[str] | None:
        """``label`` of every pair's last row."""
        return [self._band(ratio) for ratio in last_row(values["google_trends_ratio"])]

    def _band(self, ratio: float) -> str:
        p = self.params
        if math.isnan(ratio):
            return UNAVAILABLE
        if ratio >= p.spike:
            return "spike"
        if ratio >= p.elevated:
            return "elevated"
        return "low" if ratio <= p.low else "normal"
