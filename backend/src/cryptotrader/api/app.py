"""``create_app``: the FastAPI application, its services, and its lifecycle.

The composition of the API happens here and nowhere else. ``cryptotrader api`` serves the app
alone; the runtime's ``cryptotrader run`` can serve it beside the engines by passing its own
database, bus and clock (they are then neither opened nor closed here).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import timedelta
from multiprocessing import get_context

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
from cryptotrader.bus import topics
from cryptotrader.bus.factory import open_bus
from cryptotrader.bus.protocol import MessageBus
from cryptotrader.clock import Clock, LiveClock
from cryptotrader.config import Settings, load_settings
from cryptotrader.errors import ConfigurationError
from cryptotrader.monitoring.setup import influx_writer
from cryptotrader.monitoring.telemetry import Telemetry
from cryptotrader.optimize.storage import default_storage
from cryptotrader.persistence import migrate
from cryptotrader.persistence.database import Database, Pool
from cryptotrader.security.keys import KeyRing
from cryptotrader.security.signing import signing_secret
from cryptotrader.security.tokens import AccessTokens
from cryptotrader.services.auth import AuthService
from cryptotrader.services.backtest_worker import ignore_interrupts
from cryptotrader.services.backtests import BacktestService
from cryptotrader.services.bots import BotService
from cryptotrader.services.ephemeral import EphemeralStore, MemoryStore, RedisStore
from cryptotrader.services.exchange_keys import ExchangeKeyService
from cryptotrader.services.latest_events import LatestEvents
from cryptotrader.services.live_trading import LiveTradingService
from cryptotrader.services.market import MarketService
from cryptotrader.services.notifications import NotificationService
from cryptotrader.services.optimizations import OptimizationService, job_kinds
from cryptotrader.services.platform_config import PlatformConfigService
from cryptotrader.services.portfolio import PortfolioService
from cryptotrader.services.read_cache import ReadCache
from cryptotrader.services.service_tokens import ServiceTokenService
from cryptotrader.services.session_cache import SessionCache
from cryptotrader.services.trades import TradeService
from cryptotrader.services.users import UserService
from cryptotrader.services.watchdog import Watchdog

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
            services = await _start(
                stack,
                settings=settings,
                database=database,
                bus=bus,
                clock=the_clock,
                executor=backtest_executor,
                access=access,
                ring=ring,
                store=store,
                metrics=metrics,
            )
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


async def _start(
    stack: AsyncExitStack,
    *,
    settings: Settings,
    database: Database | None,
    bus: MessageBus | None,
    clock: Clock,
    executor: Executor | None,
    access: AccessTokens,
    ring: KeyRing | None,
    store: EphemeralStore,
    metrics: ApiMetrics,
) -> Services:
    if database is None:
        limits = settings.api
        connections = Pool(
            size=limits.database_pool_size,
            overflow=limits.database_pool_overflow,
            timeout_s=limits.database_pool_timeout_s,
        )
        database = await migrate.open_database(settings.database_url, pool=connections)
        stack.push_async_callback(database.dispose)
    if bus is None:
        owned_bus = await open_bus(settings, clock=clock)
        stack.push_async_callback(owned_bus.close)
        bus = owned_bus
    if executor is None:
        pool = ProcessPoolExecutor(
            settings.api.backtest_workers,
            mp_context=get_context("spawn"),
            initializer=ignore_interrupts,
        )
        stack.callback(_stop_workers, pool)
        executor = pool
    stack.push_async_callback(store.close)
    latest = LatestEvents()
    cache = SessionCache(ttl_s=1.0, bus=bus, clock=clock)
    watchdog = Watchdog(
        database=database,
        bus=bus,
        clock=clock,
        config=settings.alerts,
        timeframe=settings.runtime.timeframe,
    )
    hub = Hub(
        bus=bus,
        latest=latest,
        metrics=metrics,
        queue_size=settings.api.ws_queue_size,
        store=store,
        observers=(watchdog.observe,),
        listeners={topics.REVOCATIONS: cache.on_revocation},
    )
    await hub.start()
    stack.push_async_callback(hub.stop)
    watchdog.start()
    stack.push_async_callback(watchdog.stop)
    reads = ReadCache(settings.api.read_cache_ttl_s)
    optimize_storage = settings.api.optimize_storage or default_storage(settings.data_dir)
    backtest_service = BacktestService(
        database=database,
        clock=clock,
        executor=executor,
        trading=settings.trading,
        workers=job_kinds(optimize_storage),
        max_active_per_user=settings.api.max_jobs_per_user,
        bus=bus,
    )
    stack.push_async_callback(backtest_service.close)
    await backtest_service.start()
    bot_service = BotService(
        database=database, bus=bus, clock=clock, trading=settings.trading, cache=reads
    )
    optimization_service = OptimizationService(
        backtests=backtest_service,
        bots=bot_service,
        database=database,
        bus=bus,
        clock=clock,
        storage=optimize_storage,
        app_database_url=settings.database_url,
    )
    await optimization_service.start()
    stack.push_async_callback(optimization_service.close)
    return Services(
        settings=settings,
        database=database,
        bus=bus,
        clock=clock,
        store=store,
        metrics=metrics,
        hub=hub,
        auth=AuthService(
            database=database,
            clock=clock,
            access_tokens=access,
            refresh_ttl=timedelta(seconds=settings.api.refresh_token_ttl_s),
            store=store,
            ticket_ttl_s=settings.api.ws_ticket_ttl_s,
            cache=cache,
        ),
        users=UserService(database=database, clock=clock, cache=cache),
        tokens=ServiceTokenService(database=database, clock=clock, cache=cache),
        bots=bot_service,
        trades=TradeService(database=database),
        portfolio=PortfolioService(database=database, settings=settings, cache=reads, clock=clock),
        market=MarketService(
            database=database,
            latest=latest,
            clock=clock,
            max_upload_bytes=settings.api.max_upload_bytes,
        ),
        backtests=backtest_service,
        optimizations=optimization_service,
        exchange_keys=ExchangeKeyService(database=database, clock=clock, ring=ring),
        platform=PlatformConfigService(database=database, clock=clock, ring=ring),
        notifications=NotificationService(
            database=database, clock=clock, ring=ring, config=settings.notify
        ),
        live_trading=LiveTradingService(database=database, bus=bus, clock=clock, settings=settings),
    )


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """Shut the backtest pool down without waiting for a job still running in it.

    ``shutdown(wait=False)`` alone returns at once, but the interpreter's exit then joins the
    pool and so waits for a running backtest or optimisation to finish. Its job is already
    marked failed ("interrupted: the API stopped"), so the workers are ended instead.
    """
    workers = list((pool._processes or {}).values())  # no public handle before Python 3.14
    pool.shutdown(wait=False, cancel_futures=True)
    for worker in workers:
        worker.terminate()
