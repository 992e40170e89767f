"""Indicator plugins: one module per indicator, registered by name.

Importing this package registers the built-in set. ``create_indicator(name, params, weight=...)``
builds one; ``available_indicators()`` lists them.
"""

from cryptotrader.indicators import (  # noqa: F401 - imported to register the built-in plugins
    _talib,  # first: TA-Lib without pandas
    adi,
    atr,
    bollinger,
    choppiness,
    ema,
    fear_greed,
    fibonacci,
    google_trends,
    macd,
    rsi,
    sma,
    stoch_rsi,
    support_resistance,
    volume,
)
from cryptotrader.indicators.base import Indicator, IndicatorParams, Series
from cryptotrader.indicators.registry import (
    available_indicators,
    create_indicator,
    indicator_class,
    register_indicator,
)

__all__ = [
    "Indicator",
    "IndicatorParams",
    "Series",
    "available_indicators",
    "create_indicator",
    "indicator_class",
    "register_indicator",
]
