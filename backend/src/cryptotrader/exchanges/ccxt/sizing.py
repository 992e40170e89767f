"""Order amounts and prices as the market accepts them, checked before anything is sent.

Amounts go through ccxt's ``amount_to_precision`` (truncation: never rounded up, so never above
the amount asked for or the free balance it was capped to; checked here rather than trusted);
prices through ``price_to_precision``. An order below the market's minimum amount or notional is
refused with ``OrderRejected`` before sending, with a message naming the order and the limit.
"""

from __future__ import annotations

from decimal import Decimal

from cryptotrader.domain.markets import MarketRules
from cryptotrader.errors import OperationalError, OrderRejected
from cryptotrader.exchanges.ccxt.client import CcxtTradingClient
from cryptotrader.exchanges.ccxt.errors import map_ccxt_errors


def round_amount(client: CcxtTradingClient, symbol: str, amount: Decimal) -> Decimal:
    """``amount`` truncated to the market's precision; 0 when it is below one step.

    Raises:
        OperationalError: ccxt returned more than ``amount`` (it must never round up).
    """
    if amount <= 0:
        return Decimal(0)
    try:
        with map_ccxt_errors(client):
            text = client.amount_to_precision(symbol, format(amount, "f"))
    except OrderRejected:  # ccxt refuses an amount that truncates to zero
        return Decimal(0)
    rounded = Decimal(text)
    if rounded > amount:
        raise OperationalError(
            f"{client.id}: amount {amount} of {symbol} was rounded up to {rounded}; refusing it"
        )
    return rounded


def round_price(client: CcxtTradingClient, symbol: str, price: Decimal) -> Decimal:
    """``price`` rounded to the market's price precision.

    Raises:
        OrderRejected: the price is below the market's smallest price step.
    """
    with map_ccxt_errors(client):
        return Decimal(client.price_to_precision(symbol, format(price, "f")))


def check_minimums(rules: MarketRules, amount: Decimal, price: Decimal, *, what: str) -> None:
    """Refuse ``amount`` at ``price`` when the market would (minimum amount and notional).

    Args:
        rules: the market's rules.
        amount: the amount after rounding.
        price: the limit or trigger price, or the current price for a market order.
        what: names the order in the message (``"binance: sell BTC/USDT order abc"``).

    Raises:
        OrderRejected: below the minimum amount or notional (nothing was sent).
    """
    if amount <= 0 or amount < rules.min_amount:
        raise OrderRejected(
            f"{what} refused before sending: amount {amount} is below the market minimum "
            f"{rules.min_amount}"
        )
    notional = amount * price
    if notional < rules.min_notional:
        raise OrderRejected(
            f"{what} refused before sending: notional {notional.normalize():f} "
            f"({amount} at {price}) is below the market minimum {rules.min_notional}"
        )
