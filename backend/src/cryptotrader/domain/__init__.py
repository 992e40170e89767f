"""Pure domain types: no I/O. Engines, API schemas and ORM rows convert to and from these."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

# Names load on first use (PEP 562): `from cryptotrader.X.enums import ...` or a CLI's --help must
# not pay for pandas, SQLAlchemy or Alembic that other modules of the package pull in.
_WHERE = {
    "Bias": "cryptotrader.domain.enums",
    "BotKind": "cryptotrader.domain.enums",
    "BotStatus": "cryptotrader.domain.enums",
    "ExitReason": "cryptotrader.domain.enums",
    "OrderStatus": "cryptotrader.domain.enums",
    "OrderType": "cryptotrader.domain.enums",
    "RiskLevel": "cryptotrader.domain.enums",
    "Side": "cryptotrader.domain.enums",
    "SignalAction": "cryptotrader.domain.enums",
    "TradeStatus": "cryptotrader.domain.enums",
    "TradingMode": "cryptotrader.domain.enums",
    "OHLCV_COLUMNS": "cryptotrader.domain.market",
    "Candle": "cryptotrader.domain.market",
    "CandleArrays": "cryptotrader.domain.market",
    "MarketRules": "cryptotrader.domain.markets",
    "Order": "cryptotrader.domain.orders",
    "Pair": "cryptotrader.domain.pairs",
    "IndicatorResult": "cryptotrader.domain.signals",
    "IndicatorSignal": "cryptotrader.domain.signals",
    "MarketContext": "cryptotrader.domain.signals",
    "TradingSignal": "cryptotrader.domain.signals",
    "Timeframe": "cryptotrader.domain.timeframes",
    "Trade": "cryptotrader.domain.trades",
    "Money": "cryptotrader.domain.values",
    "Price": "cryptotrader.domain.values",
    "Quantity": "cryptotrader.domain.values",
    "Ratio": "cryptotrader.domain.values",
    "UtcDatetime": "cryptotrader.domain.values",
}

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


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
