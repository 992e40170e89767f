"""``Annotated`` dependencies: a route lists the types it needs, nothing else.

``CurrentActor`` authenticates the ``Authorization: Bearer`` credential (an access token or a
service token) once per request; ``OriginDep`` is where the request came from (audit log).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from cryptotrader.api.container import Services
from cryptotrader.errors import AuthenticationFailed
from cryptotrader.services.auth import AuthService
from cryptotrader.services.backtests import BacktestService
from cryptotrader.services.bots import BotService
from cryptotrader.services.context import Actor, Origin
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

bearer_scheme = HTTPBearer(
    auto_error=False,
    description="An access token (POST /auth/login) or a service token (ctk_...).",
)


def get_services(request: Request) -> Services:
    """The app's services."""
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


async def current_actor(
    services: ServicesDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Actor:
    """The authenticated caller.

    Raises:
        AuthenticationFailed: no credential, or an invalid one (401).
    """
    if credentials is None:
        raise AuthenticationFailed("not authenticated: send Authorization: Bearer <token>")
    return await services.auth.authenticate(credentials.credentials)


ON_BEHALF_OF = "X-On-Behalf-Of"
"""Header a client program (the Discord bot) sets to name the person it acts for."""
_ON_BEHALF_OF_MAX = 100


def request_origin(request: Request) -> Origin:
    """The client address (trusted proxies applied), the request id, and ``X-On-Behalf-Of``.

    The header is recorded as the caller's claim (printable characters, 100 at most); it grants
    nothing: permissions are the credential's.
    """
    state = request.scope.get("state", {})
    peer = request.client.host if request.client else None
    claimed = request.headers.get(ON_BEHALF_OF)
    if claimed is not None:
        claimed = "".join(c for c in claimed if c.isprintable())[:_ON_BEHALF_OF_MAX] or None
    return Origin(
        ip=state.get("client_ip", peer),
        request_id=state.get("request_id"),
        on_behalf_of=claimed,
    )


CurrentActor = Annotated[Actor, Depends(current_actor)]
OriginDep = Annotated[Origin, Depends(request_origin)]


def _auth(services: ServicesDep) -> AuthService:
    return services.auth


def _users(services: ServicesDep) -> UserService:
    return services.users


def _tokens(services: ServicesDep) -> ServiceTokenService:
    return services.tokens


def _bots(services: ServicesDep) -> BotService:
    return services.bots


def _trades(services: ServicesDep) -> TradeService:
    return services.trades


def _portfolio(services: ServicesDep) -> PortfolioService:
    return services.portfolio


def _market(services: ServicesDep) -> MarketService:
    return services.market


def _backtests(services: ServicesDep) -> BacktestService:
    return services.backtests


def _optimizations(services: ServicesDep) -> OptimizationService:
    return services.optimizations


def _exchange_keys(services: ServicesDep) -> ExchangeKeyService:
    return services.exchange_keys


def _platform(services: ServicesDep) -> PlatformConfigService:
    return services.platform


def _live_trading(services: ServicesDep) -> LiveTradingService:
    return services.live_trading


def _notifications(services: ServicesDep) -> NotificationService:
    return services.notifications


AuthServiceDep = Annotated[AuthService, Depends(_auth)]
UserServiceDep = Annotated[UserService, Depends(_users)]
TokenServiceDep = Annotated[ServiceTokenService, Depends(_tokens)]
BotServiceDep = Annotated[BotService, Depends(_bots)]
TradeServiceDep = Annotated[TradeService, Depends(_trades)]
PortfolioServiceDep = Annotated[PortfolioService, Depends(_portfolio)]
MarketServiceDep = Annotated[MarketService, Depends(_market)]
BacktestServiceDep = Annotated[BacktestService, Depends(_backtests)]
OptimizationServiceDep = Annotated[OptimizationService, Depends(_optimizations)]
ExchangeKeyServiceDep = Annotated[ExchangeKeyService, Depends(_exchange_keys)]
PlatformConfigServiceDep = Annotated[PlatformConfigService, Depends(_platform)]
LiveTradingServiceDep = Annotated[LiveTradingService, Depends(_live_trading)]
NotificationServiceDep = Annotated[NotificationService, Depends(_notifications)]
