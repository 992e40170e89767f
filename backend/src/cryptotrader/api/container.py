"""The services of one running app, built once at startup and shared by every request."""

from __future__ import annotations

from dataclasses import dataclass

from cryptotrader.api.metrics import ApiMetrics
from cryptotrader.api.ws.hub import Hub
from cryptotrader.bus.protocol import MessageBus
from cryptotrader.clock import Clock
from cryptotrader.config import Settings
from cryptotrader.persistence.database import Database
from cryptotrader.services.auth import AuthService
from cryptotrader.services.backtests import BacktestService
from cryptotrader.services.bots import BotService
from cryptotrader.services.ephemeral import EphemeralStore
from cryptotrader.services.exchange_keys import ExchangeKeyService
from cryptotrader.services.live_trading import LiveTradingService
from cryptotrader.services.market import MarketService
from cryptotrader.services.notifications import NotificationService
from cryptotrader.services.optimizations import OptimizationService
from cryptotrader.services.platform_config import PlatformConfigService
from cryptotrader.services.portfolio import PortfolioService
from cryptotrader.services.service_tokens import ServiceTokenService
from cryptotrader.services.trades import TradeService
from cryptotrader.services.users import UserService


@dataclass(frozen=True, slots=True)
class Services:
    """Everything a route can ask for through ``api.deps``."""

    settings: Settings
    database: Database
    bus: MessageBus
    clock: Clock
    store: EphemeralStore
    metrics: ApiMetrics
    hub: Hub
    auth: AuthService
    users: UserService
    tokens: ServiceTokenService
    bots: BotService
    trades: TradeService
    portfolio: PortfolioService
    market: MarketService
    backtests: BacktestService
    optimizations: OptimizationService
    exchange_keys: ExchangeKeyService
    platform: PlatformConfigService
    live_trading: LiveTradingService
    notifications: NotificationService
