"""Average True Range (Wilder), computed by TA-Lib: volatility for stops and market context."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import talib
from pydantic import Field, model_validator

from cryptotrader.domain.market import CandleArrays, FloatArray
from cryptotrader.indicators._shared import atr
from cryptotrader.indicators.base import (
    Indicator,
    IndicatorParams,
    Series,
    last_row,
    wilder_memory,
)
from cryptotrader.indicators.registry import register_indicator


class AtrParams(IndicatorParams):
    """ATR period and the ATR-to-price ratios that count as calm or wild."""

    period: int = Field(default=14, ge=1)
    low_volatility: float = Field(default=0.005, gt=0, description="ATR/close below: calm")
    high_volatility: float = Field(default=0.03, gt=0, description="ATR/close above: wild")

    @model_validator(mode="after")
    def _ordered(self) -> AtrParams:
        if self.low_volatility >= self.high_volatility:
            raise ValueError("low_volatility must be below high_volatility")
        return self


@register_indicator("atr")
class Atr(Indicator[AtrParams]):
    """ATR and ATR as a fraction of the close.

    Volatility has no direction: strength is always 0 (default weight 0). Labels:
    ``low_volatility``, ``normal_volatility``, ``high_volatility``.
    """

    params_model = AtrParams
    rows_strength = True
    default_weight = 0.0

    @property
    def columns(self) -> tuple[str, ...]:
        """``atr_<period>``, ``atr_<period>_pct`` (a fraction, not a percentage)."""
        name = f"atr_{self.params.period}"
        return (name, f"{name}_pct")

    @property
    def warmup(self) -> int:
        """TA-Lib's ATR needs ``period`` true ranges after the first candle."""
        return self.params.period

    @property
    def memory(self) -> int | None:
        """Wilder's smoothing of the true range (``wilder_memory``)."""
        return wilder_memory(self.params.period)

    def compute(self, candles: CandleArrays) -> Series:
        """TA-Lib ATR, and ATR / close."""
        values = atr(candles, self.params.period)  # shared, read-only
        return {self.columns[0]: values, self.columns[1]: values / candles.close}

    def compute_rows(
        self, windows: Sequence[CandleArrays], take: int, stacked: CandleArrays
    ) -> Series:
        """Each window's ATR rows (``atr`` of the stacked rows: streamed), over their closes."""
        values = atr(stacked, self.params.period)  # shared, read-only
        return {self.columns[0]: values, self.columns[1]: values / stacked.close}

    def strength(self, values: Series, candles: CandleArrays, start: int = 0) -> FloatArray:
        """0 once defined (NaN during warm-up)."""
        result: FloatArray = values[self.columns[0]][start:] * 0.0
        return result

    def label(self, values: Series, candles: CandleArrays, index: int, strength: float) -> str:
        """Volatility zone."""
        return self._band(values[self.columns[1]][index])

    def rows_labels(
        self, values: Series, candles: CandleArrays, strengths: list[float]
    ) -> list[str] | None:
        """``label`` of every pair's last row."""
        return [self._band(ratio) for ratio in last_row(values[self.columns[1]])]

    def _band(self, ratio: float) -> str:
        if ratio < self.params.low_volatility:
            return "low_volatility"
        if ratio > self.params.high_volatility:
            return "high_volatility"
        return "normal_volatility"


def true_range(candles: CandleArrays) -> FloatArray:
    """TA-Lib TRANGE (the first candle's range is undefined there; we use high - low)."""
    tr: FloatArray = talib.TRANGE(candles.high, candles.low, candles.close)
    if tr.shape[0]:
        tr[0] = candles.high[0] - candles.low[0]
    return np.asarray(tr, dtype=np.float64)
