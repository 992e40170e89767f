"""SQLAlchemy 2 tables; importing this package registers every table on ``Base.metadata``."""

from cryptotrader.persistence.tables.accounts import (
    ApiKeyRow,
    AuditLogRow,
    RefreshTokenRow,
    ServiceTokenRow,
    UserRow,
)
from cryptotrader.persistence.tables.backtests import BacktestRow
from cryptotrader.persistence.tables.base import Base
from cryptotrader.persistence.tables.market import OhlcvRow
from cryptotrader.persistence.tables.notifications import (
    NotificationDeliveryRow,
    NotificationDeviceRow,
    NotificationSettingsRow,
)
from cryptotrader.persistence.tables.runtime import (
    EngineCheckpointRow,
    OutboxRow,
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
    "BacktestRow",
    "Base",
    "BotRow",
    "EngineCheckpointRow",
    "NotificationDeliveryRow",
    "NotificationDeviceRow",
    "NotificationSettingsRow",
    "OhlcvRow",
    "OrderFillRow",
    "OrderRow",
    "OutboxRow",
    "ProcessedMessageRow",
    "ReallocationRow",
    "RefreshTokenRow",
    "ServiceTokenRow",
    "SettingRow",
    "TradeRow",
    "TradingPairRow",
    "UserRow",
]
