"""ccxt's unified structures (orders, trades, balances, tickers, markets) as our domain reports.

ccxt hands numbers over as floats; they reach ``Decimal`` through their shortest ``repr``
(``values.to_decimal``), so ``0.1`` stays ``0.1``. Engines never see a ccxt dict.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import numpy as np

from cryptotrader.domain.enums import OrderStatus, OrderType, Side
from cryptotrader.domain.market import CandleArrays
from cryptotrader.domain.markets import MarketRules
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.reports import Balance, FillReport, OrderReport, Ticker
from cryptotrader.domain.values import to_decimal, utc_from_ms
from cryptotrader.errors import TemporaryError

Raw = Mapping[str, Any]

_DECIMAL_PLACES, _SIGNIFICANT_DIGITS, _TICK_SIZE = 0, 1, 2  # ccxt's precisionMode values
_NEUTRAL_STEP = Decimal("0.00000001")  # significant-digit markets: ccxt's rounding decides

_STATUSES: dict[str, OrderStatus] = {
    "open": OrderStatus.OPEN,
    "closed": OrderStatus.FILLED,
    "canceled": OrderStatus.CANCELED,
    "cancelled": OrderStatus.CANCELED,
    "canceling": OrderStatus.CANCELED,
    "expired": OrderStatus.EXPIRED,
    "rejected": OrderStatus.REJECTED,
}
_TYPES: dict[str, OrderType] = {
    "market": OrderType.MARKET,
    "limit": OrderType.LIMIT,
    "limit_maker": OrderType.LIMIT,
    "stop_loss": OrderType.STOP_LOSS,
    "stop_market": OrderType.STOP_LOSS,
    "stop_loss_limit": OrderType.STOP_LOSS_LIMIT,
    "stop_limit": OrderType.STOP_LOSS_LIMIT,
    "take_profit": OrderType.TAKE_PROFIT,
    "take_profit_market": OrderType.TAKE_PROFIT,
    "take_profit_limit": OrderType.TAKE_PROFIT_LIMIT,
}
_TRIGGERED = {
    (OrderType.MARKET, "stopLossPrice"): OrderType.STOP_LOSS,
    (OrderType.LIMIT, "stopLossPrice"): OrderType.STOP_LOSS_LIMIT,
    (OrderType.MARKET, "takeProfitPrice"): OrderType.TAKE_PROFIT,
    (OrderType.LIMIT, "takeProfitPrice"): OrderType.TAKE_PROFIT_LIMIT,
    (OrderType.MARKET, "triggerPrice"): OrderType.STOP_LOSS,
    (OrderType.LIMIT, "triggerPrice"): OrderType.STOP_LOSS_LIMIT,
    (OrderType.MARKET, "stopPrice"): OrderType.STOP_LOSS,
    (OrderType.LIMIT, "stopPrice"): OrderType.STOP_LOSS_LIMIT,
}


def decimal_or_none(value: object) -> Decimal | None:
    """A ccxt number (float, str or None) as a ``Decimal``, None when absent."""
    if value is None or value == "":
        return None
    return to_decimal(value)


def positive_or_none(value: object) -> Decimal | None:
    """A ccxt price as a ``Decimal`` when strictly positive (exchanges send 0 for "none")."""
    number = decimal_or_none(value)
    return number if number is not None and number > 0 else None


def market_rules(market: Raw, precision_mode: int) -> MarketRules:
    """``MarketRules`` from a ccxt market's ``precision`` and ``limits``."""
    precision = market.get("precision") or {}
    limits = market.get("limits") or {}
    step = decimal_or_none(precision.get("amount"))
    if step is None or precision_mode == _SIGNIFICANT_DIGITS:
        step = _NEUTRAL_STEP
    elif precision_mode == _DECIMAL_PLACES:
        step = Decimal(1).scaleb(-int(step))
    return MarketRules(
        amount_step=step,
        min_amount=decimal_or_none((limits.get("amount") or {}).get("min")) or Decimal(0),
        min_notional=decimal_or_none((limits.get("cost") or {}).get("min")) or Decimal(0),
    )


def order_type(raw: Raw) -> OrderType:
    """Our order type for a ccxt order.

    ccxt folds stop orders into ``market``/``limit`` plus a trigger price (Binance's
    ``STOP_LOSS`` becomes ``market`` with ``triggerPrice``), so the venue's own type in ``info``
    wins when it names a stop or take-profit; otherwise a trigger makes it a stop-loss (the only
    triggered order a venue places on its own: take-profits are native OCO legs or the engine's).
    """
    info = raw.get("info")
    own = _TYPES.get(_type_name(info.get("type") if isinstance(info, Mapping) else None))
    if own is not None and own not in {OrderType.MARKET, OrderType.LIMIT}:
        return own
    kind = _TYPES.get(_type_name(raw.get("type")))
    if kind is None:
        kind = OrderType.LIMIT if raw.get("price") else OrderType.MARKET
    for trigger in ("stopLossPrice", "takeProfitPrice", "triggerPrice", "stopPrice"):
        if raw.get(trigger):
            return _TRIGGERED.get((kind, trigger), kind)
    return kind


def _type_name(value: object) -> str:
    return str(value or "").lower().replace("-", "_").replace(" ", "_")


def order_status(raw: Raw, filled: Decimal) -> OrderStatus:
    """Our status for a ccxt order; an acknowledgement without status is an open order."""
    status = _STATUSES.get(str(raw.get("status") or "open").lower(), OrderStatus.OPEN)
    if status is OrderStatus.OPEN and filled > 0:
        return OrderStatus.PARTIALLY_FILLED
    return status


def order_report(
    raw: Raw,
    *,
    client_order_id: str,
    pair: Pair,
    now: datetime,
    sent_amount: Decimal | None = None,
) -> OrderReport:
    """An ``OrderReport`` from a ccxt order structure (our id and pair are known here)."""
    kind = order_type(raw)
    filled = decimal_or_none(raw.get("filled")) or Decimal(0)
    amount = decimal_or_none(raw.get("amount")) or sent_amount or filled
    fee, fee_currency = _fee(raw)
    timestamp = raw.get("timestamp") or raw.get("lastUpdateTimestamp")
    return OrderReport(
        client_order_id=client_order_id,
        exchange_order_id=str(raw["id"]) if raw.get("id") else None,
        pair=pair,
        side=Side(str(raw.get("side") or "buy").lower()),
        type=kind,
        status=order_status(raw, filled),
        amount=amount,
        filled=filled,
        price=_order_price(raw, kind),
        average_price=_average(raw, filled),
        fee=fee,
        fee_currency=fee_currency,
        timestamp=utc_from_ms(int(timestamp)) if timestamp else now,
    )


def fill_report(raw: Raw, *, pair: Pair, client_order_id: str | None) -> FillReport:
    """A ``FillReport`` from a ccxt trade structure."""
    fee, fee_currency = _fee(raw)
    return FillReport(
        fill_id=str(raw["id"]),
        client_order_id=client_order_id,
        exchange_order_id=str(raw["order"]) if raw.get("order") else None,
        pair=pair,
        side=Side(str(raw["side"]).lower()),
        price=to_decimal(raw["price"]),
        amount=to_decimal(raw["amount"]),
        fee=fee,
        fee_currency=fee_currency,
        timestamp=utc_from_ms(int(raw["timestamp"])),
    )


def balances(raw: Raw) -> dict[str, Balance]:
    """Every asset of a ccxt balance structure with a non-zero total."""
    free: Mapping[str, Any] = raw.get("free") or {}
    used: Mapping[str, Any] = raw.get("used") or {}
    result: dict[str, Balance] = {}
    for asset in sorted(set(free) | set(used)):
        balance = Balance(
            asset=asset,
            free=decimal_or_none(free.get(asset)) or Decimal(0),
            used=decimal_or_none(used.get(asset)) or Decimal(0),
        )
        if balance.total != 0:
            result[asset] = balance
    return result


def ticker(raw: Raw, *, pair: Pair, now: datetime) -> Ticker:
    """A ``Ticker`` from a ccxt ticker structure.

    Raises:
        TemporaryError: the exchange sent no last price (a market with no trade yet, or a
            partial answer).
    """
    last = positive_or_none(raw.get("last")) or positive_or_none(raw.get("close"))
    if last is None:
        raise TemporaryError(f"no last price for {pair} in the exchange's ticker")
    timestamp = raw.get("timestamp")
    return Ticker(
        pair=pair,
        bid=positive_or_none(raw.get("bid")),
        ask=positive_or_none(raw.get("ask")),
        last=last,
        timestamp=utc_from_ms(int(timestamp)) if timestamp else now,
    )


def candles(rows: Sequence[Sequence[Any]]) -> CandleArrays:
    """Candle arrays from ccxt OHLCV rows: sorted, one row per open time."""
    if not rows:
        empty = np.empty(0)
        return CandleArrays(np.empty(0, dtype=np.int64), empty, empty, empty, empty, empty)
    ts = np.array([row[0] for row in rows], dtype=np.int64)
    values = np.array([[v or 0.0 for v in row[1:6]] for row in rows], dtype=np.float64)
    order = np.argsort(ts, kind="stable")
    ts, values = ts[order], values[order]
    keep = np.r_[ts[1:] != ts[:-1], True]
    ts, values = ts[keep], values[keep]
    return CandleArrays(ts, *(np.ascontiguousarray(values[:, i]) for i in range(5)))


def _order_price(raw: Raw, kind: OrderType) -> Decimal | None:
    """The limit price of a limit order, the trigger price of a stop or take-profit order."""
    if kind is OrderType.MARKET:
        return None
    if kind is OrderType.LIMIT:
        return positive_or_none(raw.get("price"))
    for key in ("triggerPrice", "stopLossPrice", "takeProfitPrice", "stopPrice"):
        trigger = positive_or_none(raw.get(key))
        if trigger is not None:
            return trigger
    return positive_or_none(raw.get("price"))


def _average(raw: Raw, filled: Decimal) -> Decimal | None:
    average = positive_or_none(raw.get("average"))
    if average is None and filled > 0:
        cost = positive_or_none(raw.get("cost"))
        average = cost / filled if cost is not None else None
    return average


def _fee(raw: Raw) -> tuple[Decimal, str | None]:
    """The fee summed in one currency (the first one reported; ccxt splits it per currency)."""
    fees = [f for f in (raw.get("fees") or [raw.get("fee")]) if f and f.get("cost") is not None]
    if not fees:
        return Decimal(0), None
    currency = fees[0].get("currency")
    total = sum((to_decimal(f["cost"]) for f in fees if f.get("currency") == currency), Decimal(0))
    return total, currency
