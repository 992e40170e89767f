"""SQLAlchemy 2 tables; importing this package registers every table on ``Base.metadata``."""

from cryptotrader.persistence.tables.accounts import (
    ApiKeyRow,
    AuditLogRow,
    RefreshTokenRow,
    UserRow,
)
from cryptotrader.persistence.tables.base import Base
from cryptotrader.persistence.tables.market import OhlcvRow
from cryptotrader.persistence.tables.runtime import (
    EngineCheckpointRow,
    ProcessedMessageRow,
    SettingRow,
)
from cryptotrader.persistence.tables.trading import (
    BotRow,
    OrderFillRow,
    OrderRow,
    ReallocationRow,
    TradeRow,
    TradingPairRow,
)

__all__ = [
    "ApiKeyRow",
    "AuditLogRow",
    "Base",
    "BotRow",
    "EngineCheckpointRow",
    "OhlcvRow",
    "OrderFillRow",
    "OrderRow",
    "ProcessedMessageRow",
    "ReallocationRow",
    "RefreshTokenRow",
    "SettingRow",
    "TradeRow",
    "TradingPairRow",
    "UserRow",
]
