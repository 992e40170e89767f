"""Pure domain types: no I/O. Engines, API schemas and ORM rows convert to and from these."""

from cryptotrader.domain.enums import (
    Bias,
    BotKind,
    BotStatus,
    ExitReason,
    OrderStatus,
    OrderType,
    RiskLevel,
    Side,
    SignalAction,
    TradeStatus,
    TradingMode,
)
from cryptotrader.domain.market import OHLCV_COLUMNS, Candle, CandleArrays
from cryptotrader.domain.markets import MarketRules
from cryptotrader.domain.orders import Order
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.signals import (
    IndicatorResult,
    IndicatorSignal,
    MarketContext,
    TradingSignal,
)
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.domain.trades import Trade
from cryptotrader.domain.values import Money, Price, Quantity, Ratio, UtcDatetime

__all__ = [
    "OHLCV_COLUMNS",
    "Bias",
    "BotKind",
    "BotStatus",
    "Candle",
    "CandleArrays",
    "ExitReason",
    "IndicatorResult",
    "IndicatorSignal",
    "MarketContext",
    "MarketRules",
    "Money",
    "Order",
    "OrderStatus",
    "OrderType",
    "Pair",
    "Price",
    "Quantity",
    "Ratio",
    "RiskLevel",
    "Side",
    "SignalAction",
    "Timeframe",
    "Trade",
    "TradeStatus",
    "TradingMode",
    "TradingSignal",
    "UtcDatetime",
]
