"""Reports: what an exchange says about our orders, fills and balances (nouns, past facts).

Exchange adapters translate their venue's answers into these; engines never see a ccxt dict.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from cryptotrader.domain.enums import OrderStatus, OrderType, Side
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.values import Money, Price, Quantity, UtcDatetime


class OrderReport(BaseModel):
    """The exchange's view of one order at one moment."""

    model_config = ConfigDict(frozen=True)

    client_order_id: str
    exchange_order_id: str | None = None
    pair: Pair
    side: Side
    type: OrderType
    status: OrderStatus
    amount: Quantity
    filled: Quantity = Decimal(0)
    price: Price | None = Field(default=None, description="limit price, or trigger price")
    average_price: Price | None = None
    fee: Money = Decimal(0)
    fee_currency: str | None = None
    timestamp: UtcDatetime

    @property
    def remaining(self) -> Quantity:
        """Amount not filled yet."""
        return self.amount - self.filled


class FillReport(BaseModel):
    """One execution (a trade, in exchange parlance) of one of our orders."""

    model_config = ConfigDict(frozen=True)

    fill_id: str
    client_order_id: str | None = None
    exchange_order_id: str | None = None
    pair: Pair
    side: Side
    price: Price
    amount: Quantity
    fee: Money = Decimal(0)
    fee_currency: str | None = None
    timestamp: UtcDatetime


class ProtectionReport(BaseModel):
    """The stop-loss and take-profit protecting one position (one OCO pair, or two orders)."""

    model_config = ConfigDict(frozen=True)

    stop_loss: OrderReport
    take_profit: OrderReport | None = None
    native_oco: bool = Field(description="True when the exchange itself links the two orders")


class BracketReport(BaseModel):
    """An entry placed with its stop-loss and take-profit as one order list (Binance OTOCO).

    The legs exist at the exchange from the start (pending until the entry fills, then active
    without any further request), so no moment leaves the bought amount unprotected.
    """

    model_config = ConfigDict(frozen=True)

    entry: OrderReport
    protection: ProtectionReport


class ReplaceReport(BaseModel):
    """A protective order canceled and a market sale placed in one request (Binance cancelReplace).

    ``canceled`` is the order named in the request (the rest of its order list is canceled with
    it); ``sale`` the new order. Nothing lies between the two: a crash either finds the stop in
    place and nothing sold, or the stop gone and the coin sold.
    """

    model_config = ConfigDict(frozen=True)

    canceled: OrderReport
    sale: OrderReport


class Balance(BaseModel):
    """Free (available), used (in open orders) and total amount of one asset."""

    model_config = ConfigDict(frozen=True)

    asset: str
    free: Money
    used: Money = Decimal(0)

    @property
    def total(self) -> Money:
        """Free plus used."""
        return self.free + self.used


class Ticker(BaseModel):
    """Best bid/ask and last price of a market."""

    model_config = ConfigDict(frozen=True)

    pair: Pair
    bid: Price | None = None
    ask: Price | None = None
    last: Price
    timestamp: UtcDatetime
