"""Market data: stored series, candles, indicator readings, signals."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from cryptotrader.api.schemas.common import Amount, Schema
from cryptotrader.domain.enums import Bias, BotKind, Side, SignalAction
from cryptotrader.domain.timeframes import Timeframe

Source = Literal["engine", "computed"]


class SeriesPublic(Schema):
    """A stored candle series."""

    exchange: str
    pair: str
    timeframe: Timeframe
    first: datetime
    last: datetime
    count: int


class SeriesListPublic(Schema):
    """Stored candle series."""

    data: list[SeriesPublic]
    count: int


class SeriesImportPublic(Schema):
    """What an uploaded candle file stored, and what the file held.

    ``series`` is the series as it is now: earlier candles kept, the file's replacing those at
    the same times.
    """

    series: SeriesPublic
    imported: int
    gaps: int
    missing: int


class CandlePublic(Schema):
    """One candle; ``time`` is its open time."""

    time: datetime
    open: float
    high: float
    low: float
    close: float
    volume: float


class CandlesPublic(Schema):
    """Candles of one series, oldest first."""

    exchange: str
    pair: str
    timeframe: Timeframe
    data: list[CandlePublic]
    count: int


class IndicatorReadingPublic(Schema):
    """One indicator's reading of the latest candle."""

    name: str
    values: dict[str, float | None]
    signal: Bias
    label: str
    strength: float
    weight: float


class IndicatorsPublic(Schema):
    """Every indicator's reading; ``source`` says whether the engine or this request made it."""

    exchange: str
    pair: str
    timeframe: Timeframe
    candle_time: datetime
    source: Source
    data: list[IndicatorReadingPublic]
    count: int


class SignalPublic(Schema):
    """A bot's latest trading signal, with each indicator's share of the score."""

    bot: BotKind
    strategy: str
    action: SignalAction
    confidence: float
    score: float
    timestamp: datetime
    source: Source
    contributions: dict[str, float]


class SignalsPublic(Schema):
    """The latest signal of each bot on a market."""

    exchange: str
    pair: str
    timeframe: Timeframe
    data: list[SignalPublic]
    count: int


class ChartMarkerPublic(Schema):
    """A trade's entry or exit; ``candle_time`` is the open time of the candle it happened in."""

    trade_id: int
    bot: BotKind
    kind: Literal["entry", "exit"]
    side: Side
    at: datetime
    candle_time: datetime
    price: Amount
    pnl: Amount | None


class ChartPublic(Schema):
    """What a chart draws: candles, indicator series and trade markers.

    Each series in ``series`` has one value per candle (``null`` before the indicator has
    enough history): ``sma_200``, ``ema_50``, ``bb_upper``/``bb_middle``/``bb_lower`` over the
    candles; ``rsi_14`` and ``macd``/``macd_signal``/``macd_hist`` in panes.
    """

    exchange: str
    pair: str
    timeframe: Timeframe
    candles: list[CandlePublic]
    series: dict[str, list[float | None]]
    markers: list[ChartMarkerPublic]
