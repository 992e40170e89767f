"""Orders as the engines see them, independent of any exchange or database row."""

from __future__ import annotations

from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from cryptotrader.domain.enums import BotKind, OrderStatus, OrderType, Side
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.values import Money, Price, Quantity, UtcDatetime


class Order(BaseModel):
    """An order request and its progress.

    ``client_order_id`` is ours and unique: it is sent with the order so that a retry or a restart
    can find the order on the exchange instead of sending it twice.
    """

    model_config = ConfigDict(frozen=True)

    client_order_id: str = Field(min_length=1, max_length=36, pattern=r"^[A-Za-z0-9_\-.]+$")
    bot: BotKind
    pair: Pair
    side: Side
    type: OrderType
    quantity: Quantity
    price: Price | None = None  # limit price, or trigger price for stop/take-profit orders
    stop_loss: Price | None = None
    take_profit: Price | None = None
    status: OrderStatus = OrderStatus.PENDING
    exchange_order_id: str | None = None
    filled_quantity: Quantity = Field(default_factory=lambda: Quantity(0))
    average_fill_price: Price | None = None
    fee: Money = Field(default_factory=lambda: Money(0))
    created_at: UtcDatetime

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.type is not OrderType.MARKET and self.price is None:
            raise ValueError(f"a {self.type} order needs a price")
        if self.filled_quantity > self.quantity:
            raise ValueError("filled quantity exceeds the order quantity")
        sl, tp = self.stop_loss, self.take_profit
        if self.side is Side.BUY and sl is not None and tp is not None and sl >= tp:
            raise ValueError("a long position's stop-loss must be below its take-profit")
        return self

    @property
    def remaining_quantity(self) -> Quantity:
        """Quantity still to fill."""
        return self.quantity - self.filled_quantity
