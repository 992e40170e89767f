"""Small closed vocabularies shared by every engine, the API and the bus."""

from enum import StrEnum


class Side(StrEnum):
    """Direction of an order or a trade."""

    BUY = "buy"
    SELL = "sell"

    @property
    def opposite(self) -> "Side":
        """The side that closes a position opened on this side."""
        return Side.SELL if self is Side.BUY else Side.BUY


class OrderType(StrEnum):
    """How an order is priced on the exchange."""

    MARKET = "market"
    LIMIT = "limit"
    STOP_LOSS = "stop_loss"
    STOP_LOSS_LIMIT = "stop_loss_limit"
    TAKE_PROFIT = "take_profit"
    TAKE_PROFIT_LIMIT = "take_profit_limit"


class OrderStatus(StrEnum):
    """Lifecycle of an order, from our database record to its end on the exchange."""

    PENDING = "pending"  # written locally, not yet acknowledged by the exchange
    OPEN = "open"
    PARTIALLY_FILLED = "partially_filled"
    FILLED = "filled"
    CANCELED = "canceled"
    REJECTED = "rejected"
    EXPIRED = "expired"

    @property
    def is_final(self) -> bool:
        """True once the order can no longer change."""
        return self in {
            OrderStatus.FILLED,
            OrderStatus.CANCELED,
            OrderStatus.REJECTED,
            OrderStatus.EXPIRED,
        }


class TradeStatus(StrEnum):
    """A trade is a position from entry to exit."""

    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class Bias(StrEnum):
    """Direction an indicator points to."""

    BULLISH = "bullish"
    BEARISH = "bearish"
    NEUTRAL = "neutral"


class SignalAction(StrEnum):
    """What the decision engine asks the order engine to do."""

    BUY = "buy"
    SELL = "sell"
    HOLD = "hold"


class BotKind(StrEnum):
    """The two bots of the portfolio."""

    SAFE = "safe"
    AGGRESSIVE = "aggressive"


class BotStatus(StrEnum):
    """Run state of a bot."""

    RUNNING = "running"
    STOPPED = "stopped"
    PAUSED = "paused"


class RiskLevel(StrEnum):
    """Risk appetite of a bot, as shown to people (the ratio itself is a number)."""

    LOW = "low"
    MID = "mid"
    MAX = "max"


class TradingMode(StrEnum):
    """Paper trading simulates fills; live sends real orders (explicit switch only)."""

    PAPER = "paper"
    LIVE = "live"


class ExitReason(StrEnum):
    """Why a position was closed."""

    SIGNAL = "signal"
    STOP_LOSS = "stop_loss"
    TAKE_PROFIT = "take_profit"
    END_OF_DATA = "end_of_data"
    MANUAL = "manual"
    PROTECTION_FAILED = "protection_failed"
