"""What indicators say, and what the decision engine concludes from them."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypedDict

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator

from cryptotrader.domain.enums import Bias, BotKind, SignalAction
from cryptotrader.domain.market import FloatArray, IntArray
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.domain.values import UtcDatetime

if TYPE_CHECKING:  # pandas loads in ``to_frame``: a backtest reads arrays and never needs it
    import pandas as pd


class Reading(TypedDict):
    """An indicator's reading of one candle as plain values: ``IndicatorSignal``'s own fields.

    What the live engines put on the bus (``IndicatorsComputed`` validates it once there).
    """

    values: dict[str, float | None]
    signal: Bias
    label: str
    strength: float
    weight: float


class IndicatorSignal(BaseModel):
    """One indicator's reading of the latest candle.

    ``signal`` is the direction (``bullish`` when ``strength > 0``, ``bearish`` when ``< 0``);
    ``label`` says why in one word (``oversold``, ``above_upper_band``, ``choppy`` ...);
    ``weight`` is how much the decision engine should listen to it (0 = ignore).
    """

    model_config = ConfigDict(frozen=True)

    name: str
    values: dict[str, float | None]
    signal: Bias
    label: str
    strength: float = Field(ge=-1, le=1)
    weight: float = Field(ge=0)
    timeframe: Timeframe
    timestamp: UtcDatetime

    @field_validator("values")
    @classmethod
    def _finite_or_none(cls, values: dict[str, float | None]) -> dict[str, float | None]:
        # NaN is not valid JSON: an undefined value (warm-up) travels as null.
        return {k: (None if v is None or math.isnan(v) else v) for k, v in values.items()}

    @property
    def weighted_strength(self) -> float:
        """The indicator's contribution before normalisation by the total weight."""
        return self.strength * self.weight


@dataclass(frozen=True, slots=True)
class IndicatorResult:
    """Every indicator series of one timeframe, and each indicator's reading of the last candle.

    ``series`` maps column names (``rsi_14``, ``macd_hist`` ...) to float64 arrays aligned with
    ``timestamps`` (epoch-ms candle open times). ``strengths`` maps each indicator key to its
    strength in [-1, 1] for every candle (NaN during warm-up), computed by the same rules as
    ``signals`` so that a backtest and a live bot read the indicators identically.
    """

    timeframe: Timeframe
    timestamps: IntArray
    series: Mapping[str, FloatArray]
    signals: Mapping[str, IndicatorSignal]
    strengths: Mapping[str, FloatArray] = field(default_factory=dict)
    weights: Mapping[str, float] = field(default_factory=dict)
    readings: Mapping[str, Reading] = field(default_factory=dict)
    """The last candle's readings as plain values, when asked for instead of ``signals``."""

    def __len__(self) -> int:
        return int(self.timestamps.shape[0])

    def to_frame(self) -> pd.DataFrame:
        """The series as a DataFrame on a UTC DatetimeIndex named ``timestamp``."""
        import pandas as pd  # noqa: PLC0415

        index = pd.DatetimeIndex(
            pd.to_datetime(self.timestamps, unit="ms", utc=True), name="timestamp"
        )
        return pd.DataFrame(dict(self.series), index=index)

    def latest(self, column: str) -> float:
        """Last value of one series (NaN when empty or still warming up)."""
        values = self.series[column]
        return float(values[-1]) if values.shape[0] else float(np.nan)


class MarketContext(BaseModel):
    """Market conditions a strategy weighs besides the indicator score."""

    model_config = ConfigDict(frozen=True)

    fear_greed: int | None = Field(default=None, ge=0, le=100)
    volatility: float | None = Field(default=None, ge=0, description="ATR as a fraction of price")
    relative_volume: float | None = Field(default=None, ge=0)
    trend: Bias = Bias.NEUTRAL
    higher_timeframe_trend: Bias | None = None
    choppiness: float | None = Field(default=None, ge=0, le=100)


class TradingSignal(BaseModel):
    """The decision engine's output for one pair and one bot, with the reasons behind it."""

    model_config = ConfigDict(frozen=True)

    timestamp: UtcDatetime
    pair: Pair
    timeframe: Timeframe
    action: SignalAction
    confidence: float = Field(ge=0, le=1)
    score: float = Field(ge=-1, le=1)
    strategy: str
    target_bot: BotKind
    contributions: dict[str, float] = Field(
        default_factory=dict, description="each indicator's weighted share of the score"
    )
    indicators: dict[str, IndicatorSignal] = Field(default_factory=dict)
