"""What an exchange accepts for a market: amount precision and minimums."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

from pydantic import BaseModel, ConfigDict, Field


class MarketRules(BaseModel):
    """What an exchange accepts for one market (ccxt's ``precision.amount`` and ``limits``).

    Defaults are Binance spot BTC/USDT's: amount step 0.00001 BTC, minimum 0.00001 BTC and a
    minimum notional of 5 USDT.

    Example:
        >>> MarketRules().amount_step
        Decimal('0.00001')
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    amount_step: Decimal = Field(default=Decimal("0.00001"), gt=0)
    min_amount: Decimal = Field(default=Decimal("0.00001"), ge=0)
    min_notional: Decimal = Field(default=Decimal(5), ge=0)

    def round_amount(self, quantity: Decimal) -> Decimal:
        """``quantity`` rounded down to a whole number of amount steps."""
        steps = (quantity / self.amount_step).to_integral_value(rounding=ROUND_DOWN)
        return steps * self.amount_step

    def round_price(self, price: Decimal, tick: Decimal | None) -> Decimal:
        """``price`` rounded to the nearest ``tick`` (exchanges refuse finer prices)."""
        if tick is None:
            return price
        return (price / tick).to_integral_value() * tick

    def check_order(self, quantity: Decimal, price: Decimal) -> str | None:
        """Why the exchange would refuse ``quantity`` at ``price``, or None when it would not."""
        if quantity < self.min_amount:
            return f"amount {quantity} is below the market minimum {self.min_amount}"
        if quantity * price < self.min_notional:
            return f"notional {quantity * price} is below the market minimum {self.min_notional}"
        if self.round_amount(quantity) != quantity:
            return f"amount {quantity} is not a multiple of the step {self.amount_step}"
        return None
