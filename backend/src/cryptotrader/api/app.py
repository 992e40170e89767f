"""``create_app``: the FastAPI application, its services, and its lifecycle.

The composition of the API happens here and nowhere else. ``cryptotrader api`` serves the app
alone; the runtime's ``cryptotrader run`` can serve it beside the engines by passing its own
database, bus and clock (they are then neither opened nor closed here).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from concurrent.futures import Executor
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import timedelta

from fastapi import APIRouter, Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.routing import APIRoute
from fastapi_offline import FastAPIOffline

from cryptotrader import __version__
from cryptotrader.api.client_ip import TrustedProxies
from cryptotrader.api.container import Services
from cryptotrader.api.deps import current_actor
from cryptotrader.api.edge import EdgeMiddleware
from cryptotrader.api.errors import install_error_handlers
from cryptotrader.api.metrics import ApiMetrics
from cryptotrader.api.ratelimit import RateLimiter
from cryptotrader.api.routes import (
    auth,
    backtests,
    bots,
    config,
    market,
    notifications,
    optimizations,
    portfolio,
    strategies,
    system,
    trades,
)
from cryptotrader.api.routes.market import UPLOAD_PATH
from cryptotrader.api.web import web_app
from cryptotrader.api.ws.endpoint import websocket_endpoint
from cryptotrader.api.ws.hub import Hub
from cryptotrader.bootstrap.services import UseCases, open_use_cases
from cryptotrader.bus import topics
from cryptotrader.bus.protocol import MessageBus
from cryptotrader.clock import Clock, LiveClock
from cryptotrader.config import Settings, load_settings
from cryptotrader.errors import ConfigurationError
from cryptotrader.monitoring.setup import influx_writer
from cryptotrader.monitoring.telemetry import Telemetry
from cryptotrader.persistence.database import Database
from cryptotrader.security.keys import KeyRing
from cryptotrader.security.signing import signing_secret
from cryptotrader.security.tokens import AccessTokens
from cryptotrader.services.ephemeral import EphemeralStore, MemoryStore, RedisStore

log = logging.getLogger(__name__)

DOCS_ASSETS = "/docs/assets"  # Swagger UI's script, stylesheet and icon

TAGS = [
    {"name": "auth", "description": "Login, tokens, users."},
    {"name": "bots", "description": "The two bots: state, control, settings."},
    {"name": "trades", "description": "Trades recorded by the runtime."},
    {"name": "portfolio", "description": "Capital, P&L, reallocations, risk."},
    {"name": "market", "description": "Candles, indicators, signals."},
    {"name": "backtest", "description": "Backtests run in a worker pool."},
    {"name": "optimize", "description": "Optimisations (Optuna studies) run in the same pool."},
    {"name": "config", "description": "Pairs, exchange keys, notifications, live trading."},
    {"name": "system", "description": "Health and metrics."},
]


def operation_id(route: APIRoute) -> str:
    """Stable OpenAPI operation ids, ``{tag}-{name}`` (the generated clients' method names).

    Only the docs pages, which are outside the schema, have no tag.
    """
    return f"{route.tags[0] if route.tags else 'docs'}-{route.name}"


def _check_security(settings: Settings) -> tuple[AccessTokens, KeyRing | None]:
    if any(origin.strip() == "*" for origin in settings.api.cors_origins):
        raise ConfigurationError("api.cors_origins must list exact origins, not '*'")
    secret = signing_secret(settings)
    ring = KeyRing(settings.security.encryption_keys) if settings.security.encryption_keys else None
    access = AccessTokens(secret, timedelta(seconds=settings.api.access_token_ttl_s))
    return access, ring


def create_app_from_environment() -> FastAPI:
    """``create_app`` on the settings of the environment: the factory each API worker calls."""
    return create_app(load_settings())


def create_app(
    settings: Settings,
    *,
    database: Database | None = None,
    bus: MessageBus | None = None,
    clock: Clock | None = None,
    backtest_executor: Executor | None = None,
    store: EphemeralStore | None = None,
    telemetry: Telemetry | None = None,
) -> FastAPI:
    """The API application.

    Args:
        settings: the whole configuration (secrets are checked here, before anything starts).
        database: an upgraded database to use (not closed here); default: open
            ``settings.database_url`` at startup (the embedded SQLite file is migrated then).
        bus: the bus to use (not closed here); default: ``open_bus(settings)`` at startup.
        clock: time source; default ``LiveClock``.
        backtest_executor: where backtests run (not shut down here); default: a process pool
            of ``api.backtest_workers`` processes.
        store: where rate-limit counters and WebSocket tickets live (closed here); default:
            Redis when ``REDIS_URL`` is set, else memory.
        telemetry: the engines' metrics when they run in this process (``cryptotrader run``):
            ``/metrics`` serves them too, and the API writes its points through their writer.

    Raises:
        ConfigurationError: a weak JWT secret outside development, an invalid encryption key,
            a wildcard CORS origin or a malformed trusted proxy.

    Example:
        app = create_app(load_settings())
        uvicorn.run(app, host="127.0.0.1", port=8000)
    """
    access, ring = _check_security(settings)
    proxies = TrustedProxies(settings.api.trusted_proxies)
    the_clock = clock or LiveClock()
    own_influx = influx_writer(settings.monitoring) if telemetry is None else None
    influx = own_influx if telemetry is None else telemetry.influx
    metrics = ApiMetrics(influx=influx, engines=None if telemetry is None else telemetry.registry)
    if store is None:
        store = RedisStore.from_url(settings.redis_url) if settings.redis_url else MemoryStore()
    holder: dict[str, Services] = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            stack.callback(metrics.close)
            if own_influx is not None:
                own_influx.start()
                stack.callback(own_influx.close)
            cases = await open_use_cases(
                stack,
                settings=settings,
                database=database,
                bus=bus,
                clock=the_clock,
                executor=backtest_executor,
                access=access,
                ring=ring,
                store=store,
            )
            services = await _serve(stack, cases, metrics=metrics)
            holder["services"] = services
            app.state.services = services
            yield

    # Swagger UI from the fastapi-offline package's assets, served here: /docs works offline.
    app = FastAPIOffline(
        title="CryptoTrader API",
        version=__version__,
        description="REST and WebSocket gateway of CryptoTrader. Money is a decimal string.",
        openapi_tags=TAGS,
        generate_unique_id_function=operation_id,
        lifespan=lifespan,
        docs_url="/docs" if settings.api.docs_enabled else None,
        redoc_url=None,
        static_url=DOCS_ASSETS,
    )
    install_error_handlers(app)
    _include_routes(app)
    app.mount("/", web_app(settings.api.web_dir), name="app")
    limiter = RateLimiter(
        store,
        per_minute=settings.api.rate_limit_per_minute,
        auth_per_minute=settings.api.auth_rate_limit_per_minute,
        user_key=lambda bearer: _user_key(holder, bearer),
        clock=the_clock,
    )
    app.add_middleware(
        EdgeMiddleware,
        proxies=proxies,
        limiter=limiter,
        metrics=metrics,
        max_body_bytes=settings.api.max_body_bytes,
        upload_limits={UPLOAD_PATH: settings.api.max_upload_bytes},
    )
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(settings.api.cors_origins),
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
        allow_credentials=False,
        max_age=600,
    )
    return app


def _user_key(holder: dict[str, Services], bearer: str | None) -> str | None:
    services = holder.get("services")
    return None if services is None else services.auth.rate_key(bearer)


def _include_routes(app: FastAPI) -> None:
    authenticated = [Depends(current_actor)]
    app.include_router(auth.public)
    for router in (
        auth.router,
        bots.router,
        trades.router,
        portfolio.router,
        market.router,
        strategies.router,
    ):
        app.include_router(router, dependencies=authenticated)
    for router in (backtests.router, optimizations.router, config.router, notifications.router):
        app.include_router(router, dependencies=authenticated)
    app.include_router(system.router)
    ws = APIRouter()
    ws.add_api_websocket_route("/ws", websocket_endpoint)
    app.include_router(ws)


async def _serve(stack: AsyncExitStack, cases: UseCases, *, metrics: ApiMetrics) -> Services:
    """The use cases as the routes see them, served once the WebSocket hub listens."""
    hub = Hub(
        bus=cases.bus,
        latest=cases.latest,
        metrics=metrics,
        queue_size=cases.settings.api.ws_queue_size,
        store=cases.store,
        observers=(cases.watchdog.observe,),
        listeners={topics.REVOCATIONS: cases.sessions.on_revocation},
    )
    await hub.start()
    stack.push_async_callback(hub.stop)
    await cases.start(stack)
    return Services.serving(cases, metrics=metrics, hub=hub)
