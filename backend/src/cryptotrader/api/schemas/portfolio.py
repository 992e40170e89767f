"""The portfolio."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from cryptotrader.api.schemas.common import Amount, Schema
from cryptotrader.domain.enums import BotKind, BotStatus, TradingMode


class RiskStatePublic(Schema):
    """Risk now against the configured ratio (``reduction`` 1, 0.5 or 0.25 by default)."""

    base_risk_ratio: Amount
    current_risk_ratio: Amount
    reduction: Amount
    losing_streak: int
    paused: bool
    realised_today: Amount
    daily_loss_limit: Amount = Field(
        description="today's loss at which entries stop (day-start capital x the limit)"
    )


class RiskLimitsPublic(Schema):
    """The risk limits the runtime applies."""

    max_open_positions: int = Field(description="open positions, both bots and every pair")
    max_positions_per_bot: int = Field(description="open positions of one bot, every pair")
    max_exposure: Amount = Field(description="largest entry notional / bot capital")
    max_bot_exposure: Amount = Field(description="a bot's open notional / its capital")
    max_pair_exposure: Amount = Field(
        description="one pair's open notional (both bots) / both bots' capital"
    )
    daily_loss_limit: Amount = Field(description="a bot's UTC-day loss / its capital")
    order_failures_to_pause: int = Field(description="the circuit breaker's threshold")
    on_deep_streak: str = Field(description="'quarter' risk or 'pause' after 5 losses")


class PairPortfolioPublic(Schema):
    """One bot's results on one pair, and its open position there."""

    pair: str = Field(examples=["BTC/USDT"])
    realised_pnl: Amount
    fees: Amount
    open_trades: int
    closed_trades: int
    win_rate: float | None
    open_quantity: Amount = Field(description="base amount held in open positions")
    open_notional: Amount = Field(description="entry price x quantity of the open positions")


class BotPortfolioPublic(Schema):
    """One bot's money and results (in all, and per pair)."""

    bot: BotKind
    name: str
    status: BotStatus
    capital: Amount
    realised_pnl: Amount
    fees: Amount
    open_trades: int
    closed_trades: int
    win_rate: float | None
    reallocated_in: Amount
    reallocated_out: Amount
    risk: RiskStatePublic
    unrealised_pnl: Amount = Field(
        description="open positions marked at their pair's last stored close, net of fees paid"
    )
    unpriced_positions: int = Field(
        description="open positions left out of unrealised_pnl (no candle of their pair stored)"
    )
    pairs: list[PairPortfolioPublic] = Field(
        description="per pair the bot has traded, by symbol; empty before its first trade"
    )


class ReallocationPublic(Schema):
    """Capital moved after a winning trade."""

    id: int
    from_bot: BotKind
    to_bot: BotKind
    amount: Amount
    ratio: Amount
    trigger_trade_id: int | None
    at: datetime


class ReallocationsPublic(Schema):
    """One page of reallocations."""

    data: list[ReallocationPublic]
    count: int


class DrawdownPublic(Schema):
    """Combined equity below its peak, as ratios of the peak (0.05 = 5 %)."""

    current: Amount
    maximum: Amount
    peak_equity: Amount


class PortfolioPublic(Schema):
    """Both bots, totals, the latest reallocations and the trading mode."""

    bots: list[BotPortfolioPublic]
    total_capital: Amount
    total_realised_pnl: Amount
    total_unrealised_pnl: Amount
    total_equity: Amount = Field(description="capital plus the open positions marked now")
    realised_today: Amount = Field(description="both bots' P&L closed since 00:00 UTC")
    drawdown: DrawdownPublic
    reallocations: list[ReallocationPublic]
    mode: TradingMode
    live_trading_enabled: bool
    limits: RiskLimitsPublic
