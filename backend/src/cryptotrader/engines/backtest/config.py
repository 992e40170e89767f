"""Backtest settings: costs, protection, sizing and fill convention, validated once."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from cryptotrader.config import BotSettings
from cryptotrader.domain.markets import MarketRules
from cryptotrader.domain.values import CostRate, RiskRatio, StopLoss, TakeProfit
from cryptotrader.errors import UserInputError

MAX_CAPITAL = Decimal(10) ** 12


class BacktestConfig(BaseModel):
    """How fills are simulated and positions sized.

    ``stop_loss``, ``take_profit`` and ``risk_ratio`` default to the target bot's settings
    (safe: 2% / 4% / 1%, aggressive: 2% / 10% / 3%). ``stake`` replaces risk-based sizing by a
    fixed fraction of the cash in each trade (``1`` = all in, as other backtesters do). ``fill``
    ``open``: a signal at a close fills at the next open; ``close``: at that close (vectorbt).

    Example:
        >>> BacktestConfig.parse(fee="0.002").fee
        Decimal('0.002')
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    fee: CostRate = Decimal("0.001")
    slippage: CostRate = Decimal("0.0005")
    stop_loss: StopLoss | None = None
    take_profit: TakeProfit | None = None
    risk_ratio: RiskRatio | None = None
    stake: RiskRatio | None = None
    fill: Literal["open", "close"] = "open"
    market: MarketRules = MarketRules()

    @classmethod
    def parse(cls, **values: Any) -> BacktestConfig:
        """Validate ``values``; None means "default".

        Raises:
            UserInputError: a value is out of range; the message names it.
        """
        given = {k: v for k, v in values.items() if v is not None}
        try:
            return cls(**given)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            value = first.get("input")
            raise UserInputError(
                f"{where} {value} is out of range: {first['msg'].lower()}"
            ) from None

    def protection(self, bot: BotSettings) -> tuple[Decimal, Decimal, Decimal]:
        """``(stop_loss, take_profit, risk_ratio)``: ours, else the bot's."""
        return (
            self.stop_loss if self.stop_loss is not None else bot.stop_loss,
            self.take_profit if self.take_profit is not None else bot.take_profit,
            self.risk_ratio if self.risk_ratio is not None else bot.risk_ratio,
        )


def check_capital(capital: Decimal) -> Decimal:
    """``capital`` if in (0, 10^12].

    Raises:
        UserInputError: out of range.
    """
    if not Decimal(0) < capital <= MAX_CAPITAL:
        raise UserInputError(f"capital {capital} is out of range: must be > 0 and <= 10^12")
    return capital
