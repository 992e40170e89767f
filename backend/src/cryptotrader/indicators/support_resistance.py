"""Support and resistance from confirmed swing pivots.

A pivot high at candle i is a high strictly above the ``pivot_window`` highs before it and not
below the ``pivot_window`` highs after it; it is only known (confirmed) ``pivot_window`` candles
later, so no value ever depends on a future candle. Pivot lows mirror this.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from pydantic import Field

from cryptotrader.domain.market import CandleArrays, FloatArray
from cryptotrader.indicators._across import kernel, matrices
from cryptotrader.indicators._kernels import pivot_levels
from cryptotrader.indicators.base import Indicator, IndicatorParams, Series, last_row
from cryptotrader.indicators.registry import register_indicator


class SupportResistanceParams(IndicatorParams):
    """Pivot size, memory, and how close to a level (fraction of price) counts as touching it."""

    pivot_window: int = Field(default=5, ge=1, le=100)
    lookback: int = Field(default=300, ge=2, description="pivots older than this are forgotten")
    max_levels: int = Field(default=12, ge=1, le=100, description="pivots remembered per side")
    tolerance: float = Field(default=0.01, gt=0, lt=1)
    breakout_strength: float = Field(default=0.5, ge=0, le=1)


@register_indicator("support_resistance")
class SupportResistance(Indicator[SupportResistanceParams]):
    """Nearest remembered pivot low at or below the close (support) and high at or above it.

    Strength: within ``tolerance`` of support ``+(1 - distance / tolerance)``, of resistance
    ``-(1 - distance / tolerance)`` (the nearer level wins); above every remembered pivot high
    ``+breakout_strength``, below every pivot low ``-breakout_strength``; else 0. Labels:
    ``near_support``, ``near_resistance``, ``breakout``, ``breakdown``, ``between_levels``,
    ``no_levels``.
    """

    params_model = SupportResistanceParams
    rows_strength = True

    @property
    def key(self) -> str:
        """``support_resistance``."""
        return "support_resistance"

    @property
    def columns(self) -> tuple[str, ...]:
        """``support``, ``resistance``, and flags for price beyond every remembered level."""
        return ("support", "resistance", "sr_above_all", "sr_below_all")

    @property
    def warmup(self) -> int:
        """The first pivot can be confirmed after two pivot windows."""
        return 2 * self.params.pivot_window

    @property
    def memory(self) -> int | None:
        """Pivots remembered ``lookback`` candles, each told by ``pivot_window`` before it."""
        p = self.params
        return p.lookback + p.pivot_window

    def compute(self, candles: CandleArrays) -> Series:
        """Levels from the compiled pivot kernel."""
        p = self.params
        support, resistance, above_all, below_all = pivot_levels(
            candles.high, candles.low, candles.close, p.pivot_window, p.max_levels, p.lookback
        )
        return {
            "support": support,
            "resistance": resistance,
            "sr_above_all": above_all,
            "sr_below_all": below_all,
        }

    @property
    def rows_pad(self) -> int:
        """The warm-up: the strength marks the rows before it unknown."""
        return self.warmup

    def compute_rows(
        self, windows: Sequence[CandleArrays], take: int, stacked: CandleArrays
    ) -> Series:
        """The levels of each window's last ``take`` candles, from its last ``memory + take``.

        The same values as over the whole window: a pivot is told by the highs and lows
        ``pivot_window`` either side of it (maxima and minima, no arithmetic), and a row reads
        the last ``max_levels`` pivots confirmed before it, of which those in its ``lookback``
        only; every such pivot of the rows taken lies in those candles, and so does every
        pivot confirmed after it. Every window in one compiled call (``_across``, on those
        candles only), or one call per window where they have a NaN.
        """
        p = self.params
        reach = p.lookback + p.pivot_window + take
        found = matrices(windows, stacked, ("high", "low", "close"), reach)  # the last ``reach``
        if found is None:  # a NaN in them
            return super().compute_rows(
                [w.slice(max(0, len(w) - reach), len(w)) for w in windows], take, stacked
            )
        (high, starts), (low, _), (close, _) = found
        levels = kernel("levels")(
            high, low, close, starts, p.pivot_window, p.max_levels, p.lookback, take
        )
        return dict(zip(self.columns, levels, strict=True))

    def strength(self, values: Series, candles: CandleArrays, start: int = 0) -> FloatArray:
        """See the class docstring."""
        p = self.params
        close = candles.close[start:]
        support, resistance = values["support"][start:], values["resistance"][start:]
        with np.errstate(invalid="ignore"):
            to_support = (close - support) / close
            to_resistance = (resistance - close) / close
        bull = np.nan_to_num(np.clip(1.0 - to_support / p.tolerance, 0.0, 1.0))
        bear = np.nan_to_num(np.clip(1.0 - to_resistance / p.tolerance, 0.0, 1.0))
        near = np.where(bull >= bear, bull, -bear)
        flags = values["sr_above_all"][start:] - values["sr_below_all"][start:]
        result: FloatArray = np.where(near != 0, near, p.breakout_strength * flags)
        result[: max(0, self.warmup - start)] = np.nan
        return result

    def label(self, values: Series, candles: CandleArrays, index: int, strength: float) -> str:
        """Which level the close is at, or what it broke."""
        above, below = values["sr_above_all"][index], values["sr_below_all"][index]
        support, resistance = values["support"][index], values["resistance"][index]
        return self._where(support, resistance, above, below, strength)

    def rows_labels(
        self, values: Series, candles: CandleArrays, strengths: list[float]
    ) -> list[str] | None:
        """``label`` of every pair's last row."""
        columns = ("support", "resistance", "sr_above_all", "sr_below_all")
        rows = zip(*(last_row(values[c]) for c in columns), strengths, strict=True)
        return [self._where(*row) for row in rows]

    @staticmethod
    def _where(
        support: float, resistance: float, above: float, below: float, strength: float
    ) -> str:
        if np.isnan(support) and np.isnan(resistance) and not (above or below):
            return "no_levels"
        if strength != 0 and not (above or below):
            return "near_support" if strength > 0 else "near_resistance"
        if above:
            return "breakout"
        if below:
            return "breakdown"
        return "between_levels"
