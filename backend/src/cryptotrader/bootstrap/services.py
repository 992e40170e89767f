"""The API's use cases built on one database, bus and backtest pool (``api.app`` serves them).

``open_use_cases`` opens what it is not given and registers every close on the caller's exit
stack; ``UseCases.start`` starts the background parts (watchdog, backtest and optimisation
queues) once the caller is listening to the bus.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import timedelta
from multiprocessing import get_context

from cryptotrader.bus.factory import open_bus
from cryptotrader.bus.protocol import MessageBus
from cryptotrader.clock import Clock
from cryptotrader.config import Settings
from cryptotrader.optimize.storage import default_storage
from cryptotrader.outbox import outbox_for
from cryptotrader.persistence import migrate
from cryptotrader.persistence.database import Database, Pool
from cryptotrader.security.keys import KeyRing
from cryptotrader.security.tokens import AccessTokens
from cryptotrader.services.auth import AuthService
from cryptotrader.services.backtest_worker import start_worker
from cryptotrader.services.backtests import BacktestService
from cryptotrader.services.bots import BotService
from cryptotrader.services.ephemeral import EphemeralStore
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


@dataclass(frozen=True, slots=True)
class UseCases:
    """Every service the API's routes call, and what they share."""

    settings: Settings
    database: Database
    bus: MessageBus
    clock: Clock
    store: EphemeralStore
    latest: LatestEvents
    sessions: SessionCache
    watchdog: Watchdog
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

    async def start(self, stack: AsyncExitStack) -> None:
        """Start the outbox's relay, the watchdog and the job queues; their stops on ``stack``.

        The relay retries what a bus failure kept, deletes what was sent and sweeps rows a dead
        process left (the runtime's relay does the same when it shares this process: two loops
        on one outbox are harmless, every step takes its lock).
        """
        stop = asyncio.Event()
        outbox = outbox_for(self.database, self.bus)
        relay = asyncio.create_task(outbox.run(stop), name="api-outbox")

        async def stop_relay() -> None:
            stop.set()
            await relay
            await outbox.close()

        stack.push_async_callback(stop_relay)
        self.watchdog.start()
        stack.push_async_callback(self.watchdog.stop)
        stack.push_async_callback(self.backtests.close)
        await self.backtests.start()
        await self.optimizations.start()
        stack.push_async_callback(self.optimizations.close)


def bot_service(
    settings: Settings,
    *,
    database: Database,
    bus: MessageBus,
    clock: Clock,
    cache: ReadCache | None = None,
) -> BotService:
    """The bots' use case, for the API and for the CLI's ``bots pairs`` (one wiring)."""
    return BotService(
        database=database,
        bus=bus,
        clock=clock,
        trading=settings.trading,
        cache=cache,
        runtime_pairs=settings.runtime.bot_pairs,
    )


def platform_service(
    *, database: Database, bus: MessageBus, clock: Clock, ring: KeyRing | None = None
) -> PlatformConfigService:
    """Pairs and notifications, for the API and for the CLI's ``pairs`` (one wiring)."""
    return PlatformConfigService(database=database, bus=bus, clock=clock, ring=ring)


async def open_use_cases(
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
) -> UseCases:
    """The use cases on ``database``, ``bus`` and ``executor``, each opened here when None.

    What is opened here, and ``store``, is closed by ``stack``; nothing is started.
    """
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
    warm_workers = 0
    if executor is None:
        warm_workers = settings.api.backtest_workers
        pool = ProcessPoolExecutor(
            settings.api.backtest_workers,
            mp_context=get_context("spawn"),
            initializer=start_worker,
        )
        stack.callback(_stop_workers, pool)
        executor = pool
    stack.push_async_callback(store.close)
    cache = SessionCache(ttl_s=1.0, bus=bus, clock=clock)
    reads = ReadCache(settings.api.read_cache_ttl_s)
    optimize_storage = settings.api.optimize_storage or default_storage(settings.data_dir)
    backtests = BacktestService(
        database=database,
        clock=clock,
        executor=executor,
        trading=settings.trading,
        workers=job_kinds(optimize_storage),
        max_active_per_user=settings.api.max_jobs_per_user,
        bus=bus,
        warm_workers=warm_workers,
        runtime=settings.runtime,
    )
    bots = bot_service(settings, database=database, bus=bus, clock=clock, cache=reads)
    latest = LatestEvents()
    return UseCases(
        settings=settings,
        database=database,
        bus=bus,
        clock=clock,
        store=store,
        latest=latest,
        sessions=cache,
        watchdog=Watchdog(
            database=database,
            bus=bus,
            clock=clock,
            config=settings.alerts,
            timeframe=settings.runtime.timeframe,
        ),
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
        bots=bots,
        trades=TradeService(database=database),
        portfolio=PortfolioService(database=database, settings=settings, cache=reads, clock=clock),
        market=MarketService(
            database=database,
            latest=latest,
            clock=clock,
            max_upload_bytes=settings.api.max_upload_bytes,
        ),
        backtests=backtests,
        optimizations=OptimizationService(
            backtests=backtests,
            bots=bots,
            database=database,
            bus=bus,
            clock=clock,
            storage=optimize_storage,
            app_database_url=settings.database_url,
        ),
        exchange_keys=ExchangeKeyService(database=database, clock=clock, ring=ring),
        platform=platform_service(database=database, bus=bus, clock=clock, ring=ring),
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
