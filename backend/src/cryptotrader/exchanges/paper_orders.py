"""The paper exchange's orders and fills as data, and their JSON documents (exact decimals)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from cryptotrader.domain.enums import OrderStatus, OrderType, Side
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.reports import FillReport, OrderReport
from cryptotrader.domain.trusted import trusted
from cryptotrader.domain.values import utc_from_ms

_PAIRS: dict[str, Pair] = {}
_ZERO = Decimal(0)
_REPORT_FIELDS = frozenset(OrderReport.model_fields)


def pair_of(symbol: str) -> Pair:
    """The ``Pair`` of a symbol, parsed once (one frozen ``Pair`` serves every report)."""
    pair = _PAIRS.get(symbol)
    if pair is None:
        pair = _PAIRS[symbol] = Pair.parse(symbol)
    return pair


@dataclass(frozen=True, slots=True)
class PaperFill:
    """One execution: exact price, amount, fee (quote currency), market time."""

    fill_id: str
    price: Decimal
    amount: Decimal
    fee: Decimal
    at_ms: int


@dataclass(slots=True)
class PaperOrder:
    """An order as the paper exchange holds it; ``link`` is the other leg of an OCO pair."""

    client_order_id: str
    exchange_order_id: str
    symbol: str
    side: Side
    type: OrderType
    amount: Decimal
    price: Decimal | None
    status: OrderStatus
    created_ms: int
    updated_ms: int
    link: str | None = None
    fills: list[PaperFill] = field(default_factory=list)

    @property
    def filled(self) -> Decimal:
        """Amount executed so far."""
        return sum((f.amount for f in self.fills), Decimal(0))

    @property
    def is_open(self) -> bool:
        """True until filled, canceled or rejected."""
        return not self.status.is_final

    def report(self, quote: str) -> OrderReport:
        """The ``OrderReport`` engines see.

        Built without validating again (``domain.trusted``): every value is the book's own and
        of the field's type (exact ``Decimal`` amounts, prices and fees, a UTC time); the book
        refuses an order whose price is not positive (``PaperBook._new``) and fills at market
        prices. ``tests/unit/exchanges/test_paper_book.py`` checks it equals the validated
        report. Built for every order a candle or a send changes.
        """
        fills = self.fills
        if not fills:
            filled = fee = _ZERO
            average = None
        elif len(fills) == 1:
            only = fills[0]  # the sums' values and exponents, as ``_ZERO +`` leaves them
            filled, fee, average = _ZERO + only.amount, _ZERO + only.fee, only.price
        else:
            filled = sum((f.amount for f in fills), _ZERO)
            fee = sum((f.fee for f in fills), _ZERO)
            average = sum((f.price * f.amount for f in fills), _ZERO) / filled if filled else None
        values = {
            "client_order_id": self.client_order_id,
            "exchange_order_id": self.exchange_order_id,
            "pair": pair_of(self.symbol),
            "side": self.side,
            "type": self.type,
            "status": self.status,
            "amount": self.amount,
            "filled": filled,
            "price": self.price,
            "average_price": average,
            "fee": fee,
            "fee_currency": quote,
            "timestamp": utc_from_ms(self.updated_ms),
        }
        return trusted(OrderReport, values, _REPORT_FIELDS)

    def fill_reports(self, quote: str) -> list[FillReport]:
        """Each execution as a ``FillReport``."""
        pair = pair_of(self.symbol)
        return [
            FillReport(
                fill_id=f.fill_id,
                client_order_id=self.client_order_id,
                exchange_order_id=self.exchange_order_id,
                pair=pair,
                side=self.side,
                price=f.price,
                amount=f.amount,
                fee=f.fee,
                fee_currency=quote,
                timestamp=utc_from_ms(f.at_ms),
            )
            for f in self.fills
        ]

    def to_dict(self) -> dict[str, Any]:
        """JSON document (decimals as exact strings)."""
        return {
            "coid": self.client_order_id,
            "xid": self.exchange_order_id,
            "symbol": self.symbol,
            "side": self.side.value,
            "type": self.type.value,
            "amount": str(self.amount),
            "price": None if self.price is None else str(self.price),
            "status": self.status.value,
            "created_ms": self.created_ms,
            "updated_ms": self.updated_ms,
            "link": self.link,
            "fills": [
                [f.fill_id, str(f.price), str(f.amount), str(f.fee), f.at_ms] for f in self.fills
            ],
        }

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> PaperOrder:
        """The order a ``to_dict`` document describes."""
        return cls(
            client_order_id=doc["coid"],
            exchange_order_id=doc["xid"],
            symbol=doc["symbol"],
            side=Side(doc["side"]),
            type=OrderType(doc["type"]),
            amount=Decimal(doc["amount"]),
            price=None if doc["price"] is None else Decimal(doc["price"]),
            status=OrderStatus(doc["status"]),
            created_ms=doc["created_ms"],
            updated_ms=doc["updated_ms"],
            link=doc["link"],
            fills=[
                PaperFill(fid, Decimal(p), Decimal(a), Decimal(fee), at)
                for fid, p, a, fee, at in doc["fills"]
            ],
        )


@dataclass(slots=True)
class MarketState:
    """What the paper market knows of one pair: the last candle it saw and the last price."""

    last_candle_ms: int | None = None
    price: float | None = None
    price_ms: int | None = None
