"""Market context as arrays (one row per candle), and its one-candle form ``MarketContext``.

Backtests build the arrays from indicator results; a live bot passes a ``MarketContext`` that
``ContextArrays.broadcast`` turns back into rows. Every field round-trips exactly between the two
forms (trends are signs: -1, 0, +1; the base trend is 0 while unknown, as ``MarketContext.trend``
is then ``neutral``; the higher-timeframe trend is NaN while unknown, as its ``MarketContext``
field is then None), so a rule reads the same values either way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from cryptotrader.domain.enums import Bias
from cryptotrader.domain.market import FloatArray
from cryptotrader.domain.signals import IndicatorResult, MarketContext
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.indicators.engine import MultiTimeframeResult

#: Indicator key read as "the trend" on each timeframe.
TREND_KEY = "ema_50"
_BIAS_SIGN = {Bias.BULLISH: 1.0, Bias.BEARISH: -1.0, Bias.NEUTRAL: 0.0}


def _bias(sign: float) -> Bias:
    if sign > 0:
        return Bias.BULLISH
    if sign < 0:
        return Bias.BEARISH
    return Bias.NEUTRAL


def _optional(value: float) -> float | None:
    return None if math.isnan(value) else value


@dataclass(frozen=True, slots=True)
class ContextArrays:
    """Fear & Greed (0-100), ATR/close, relative volume, choppiness (0-100), trend signs."""

    fear_greed: FloatArray
    volatility: FloatArray
    relative_volume: FloatArray
    choppiness: FloatArray
    trend: FloatArray
    higher_trend: FloatArray

    def __len__(self) -> int:
        return int(self.trend.shape[0])

    def slice(self, start: int, stop: int) -> ContextArrays:
        """Rows ``start:stop`` (views)."""
        return ContextArrays(
            self.fear_greed[start:stop],
            self.volatility[start:stop],
            self.relative_volume[start:stop],
            self.choppiness[start:stop],
            self.trend[start:stop],
            self.higher_trend[start:stop],
        )

    @classmethod
    def unknown(cls, length: int) -> ContextArrays:
        """Every value unknown (NaN)."""
        return cls(*(np.full(length, np.nan) for _ in range(6)))

    @classmethod
    def broadcast(cls, context: MarketContext, length: int) -> ContextArrays:
        """``context`` repeated on ``length`` rows (a live bot's window)."""

        def column(value: float | None) -> FloatArray:
            return np.full(length, np.nan if value is None else float(value))

        higher = context.higher_timeframe_trend
        return cls(
            column(context.fear_greed),
            column(context.volatility),
            column(context.relative_volume),
            column(context.choppiness),
            column(_BIAS_SIGN[context.trend]),
            column(None if higher is None else _BIAS_SIGN[higher]),
        )

    def at(self, index: int) -> MarketContext:
        """The context of row ``index`` as a ``MarketContext``."""
        fear_greed = _optional(float(self.fear_greed[index]))
        higher = float(self.higher_trend[index])
        return MarketContext(
            fear_greed=None if fear_greed is None else round(fear_greed),
            volatility=_optional(float(self.volatility[index])),
            relative_volume=_optional(float(self.relative_volume[index])),
            choppiness=_optional(float(self.choppiness[index])),
            trend=_bias(float(self.trend[index])),
            higher_timeframe_trend=None if math.isnan(higher) else _bias(higher),
        )


def nan_to_zero(values: FloatArray) -> FloatArray:
    """``values`` with NaN as 0, for values that are finite or NaN.

    What ``np.nan_to_num(values, nan=0.0)`` gives there, at a tenth of its cost on the short
    arrays of a live candle (it looks the float type's limits up on every call).
    """
    plain = np.asarray(values)
    result: FloatArray = np.where(np.isnan(plain), 0.0, plain)
    return result


def _column(result: IndicatorResult, prefix: str, suffix: str, unknown: FloatArray) -> FloatArray:
    for name, values in result.series.items():
        if name.startswith(prefix) and name.endswith(suffix):
            return values
    return unknown


def context_arrays(
    result: IndicatorResult | MultiTimeframeResult, higher: Timeframe | None = None
) -> ContextArrays:
    """The context of every base candle, read from the indicators already computed.

    ``higher`` names the timeframe of ``higher_trend`` (the sign of its ``ema_50`` strength seen
    without look-ahead); unknown (NaN) when not given or not computed. The unknown columns share
    one read-only NaN array: a million-candle backtest would otherwise fill several.
    """
    base = result.results[result.base] if isinstance(result, MultiTimeframeResult) else result
    n = len(base)
    unknown = np.full(n, np.nan)
    unknown.flags.writeable = False
    trend = base.strengths.get(TREND_KEY)
    higher_trend = unknown
    if isinstance(result, MultiTimeframeResult) and higher is not None and higher in result.results:
        higher_trend = np.sign(result.aligned_strength(higher, TREND_KEY))
    fear_greed = base.series.get("fear_greed")
    chop = _column(base, "chop_", "", unknown)
    return ContextArrays(
        fear_greed=np.round(fear_greed) if fear_greed is not None else unknown,
        volatility=_column(base, "atr_", "_pct", unknown),
        relative_volume=base.series.get("volume_rel", unknown),
        choppiness=unknown if chop is unknown else np.clip(chop, 0.0, 100.0),
        trend=nan_to_zero(np.sign(trend)) if trend is not None else np.zeros(n),
        higher_trend=higher_trend,
    )
