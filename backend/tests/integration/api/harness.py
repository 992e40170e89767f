"""An API on real services for the tests: the app, its database and bus, and helpers.

``ApiHarness`` runs ``create_app`` with its lifespan on a migrated database (SQLite file or a
PostgreSQL schema) and the in-process bus, and talks to it through httpx's ASGI transport.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from concurrent.futures import Executor, ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
import numpy as np
from cryptography.fernet import Fernet

from cryptotrader.api.app import create_app
from cryptotrader.bus import StreamBus
from cryptotrader.bus.protocol import Delivery
from cryptotrader.clock import TestClock
from cryptotrader.config import ApiSettings, NotifySettings, SecuritySettings, Settings
from cryptotrader.domain.enums import BotKind, ExitReason, RiskLevel, TradeStatus
from cryptotrader.domain.market import CandleArrays
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.domain.trades import Trade
from cryptotrader.persistence import Database, SqlCandleStore, UnitOfWork
from cryptotrader.persistence.repositories import bots, reallocations, trades
from cryptotrader.services.context import Role
from cryptotrader.services.ephemeral import EphemeralStore
from cryptotrader.services.users import UserService

JWT_SECRET = "test-jwt-secret-" + "x" * 40
ENCRYPTION_KEY = Fernet.generate_key().decode()
CLOSED_PORT = 9  # discard: nothing listens there on a test machine
PASSWORDS = {
    "admin": "admin-password-123",
    "trader": "trader-password-123",
    "viewer": "viewer-password-123",
    "other": "other-password-1234",
}
ROLES = {"admin": Role.ADMIN, "trader": Role.TRADER, "viewer": Role.VIEWER, "other": Role.TRADER}
BTC = Pair(base="BTC", quote="USDT")


# Rate limits count requests per minute: a test that polls while a slow (loaded) machine works
# would run into them. Tests about rate limits pass their own, small limits.
UNLIMITED = 1_000_000


def make_settings(**api: Any) -> Settings:
    """Test settings: strong secrets, one encryption key, a CORS allow-list, no rate limit in
    the way unless the test sets one, no push provider on the internet."""
    api.setdefault("rate_limit_per_minute", UNLIMITED)
    api.setdefault("auth_rate_limit_per_minute", UNLIMITED)
    return Settings(
        environment="test",
        security=SecuritySettings(jwt_secret=JWT_SECRET, encryption_keys=(ENCRYPTION_KEY,)),
        api=ApiSettings(cors_origins=("https://app.example",), **api),
        # Test pushes never leave the machine: Expo's API is a closed local port here.
        notify=NotifySettings(expo_push_url=f"http://127.0.0.1:{CLOSED_PORT}/--/api/v2/push"),
    )


def synthetic_candles(
    count: int, *, start_ms: int = 1_700_000_000_000, seed: int = 7
) -> CandleArrays:
    """A deterministic random walk of hourly candles."""
    rng = np.random.default_rng(seed)
    close = 30_000 * np.exp(np.cumsum(rng.normal(0, 0.01, count)))
    open_ = np.concatenate(([close[0]], close[:-1]))
    spread = np.abs(rng.normal(0, 0.004, count)) * close
    high = np.maximum(open_, close) + spread
    low = np.minimum(open_, close) - spread
    volume = rng.uniform(10, 100, count)
    stamps = start_ms + np.arange(count, dtype=np.int64) * 3_600_000
    return CandleArrays(stamps, open_, high, low, close, volume)


@dataclass
class Recorder:
    """Collects every message published on some bus channels."""

    messages: dict[str, list[Any]] = field(default_factory=dict)

    async def handler(self, delivery: Delivery) -> None:
        self.messages.setdefault(delivery.topic, []).append(delivery.message)


@dataclass
class ApiHarness:
    """A running app and what it runs on."""

    app: Any
    client: httpx.AsyncClient
    database: Database
    bus: StreamBus
    clock: TestClock
    settings: Settings
    tokens: dict[str, str] = field(default_factory=dict)
    refresh_tokens: dict[str, str] = field(default_factory=dict)

    def headers(self, who: str) -> dict[str, str]:
        """Bearer header of a logged-in user."""
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    async def login(self, who: str) -> dict[str, Any]:
        """Log ``who`` in; keeps their tokens."""
        answer = await self.client.post(
            "/auth/login", json={"username": who, "password": PASSWORDS[who]}
        )
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        self.tokens[who] = body["access_token"]
        self.refresh_tokens[who] = body["refresh_token"]
        return body

    async def get(self, who: str, url: str, **kwargs: Any) -> httpx.Response:
        return await self.client.get(url, headers=self.headers(who), **kwargs)

    async def post(self, who: str, url: str, **kwargs: Any) -> httpx.Response:
        return await self.client.post(url, headers=self.headers(who), **kwargs)

    async def put(self, who: str, url: str, **kwargs: Any) -> httpx.Response:
        return await self.client.put(url, headers=self.headers(who), **kwargs)

    async def patch(self, who: str, url: str, **kwargs: Any) -> httpx.Response:
        return await self.client.patch(url, headers=self.headers(who), **kwargs)

    async def delete(self, who: str, url: str, **kwargs: Any) -> httpx.Response:
        return await self.client.delete(url, headers=self.headers(who), **kwargs)


async def create_users(database: Database, clock: TestClock) -> None:
    """admin, trader, viewer and other (a second trader)."""
    users = UserService(database=database, clock=clock)
    for name in ("admin", "trader", "viewer", "other"):
        await users.create_user(name, PASSWORDS[name], ROLES[name])


async def seed_trading(database: Database, clock: TestClock) -> dict[str, int]:
    """The two bots, four trades (one open) and a reallocation; returns row ids."""
    async with UnitOfWork(database) as uow:
        await bots.create_bot(
            session=uow.session,
            name="Safe",
            kind=BotKind.SAFE,
            capital=Decimal(700),
            risk_level=RiskLevel.LOW,
            risk_ratio=Decimal("0.005"),
        )
        await bots.create_bot(
            session=uow.session,
            name="Aggressive",
            kind=BotKind.AGGRESSIVE,
            capital=Decimal(300),
            risk_level=RiskLevel.MAX,
            risk_ratio=Decimal("0.03"),
        )
        ids: dict[str, int] = {}
        start = clock.now() - timedelta(days=10)
        results = [("win", Decimal(31000)), ("loss", Decimal(29500)), ("loss2", Decimal(29000))]
        for index, (name, exit_price) in enumerate(results):
            opened = start + timedelta(days=index)
            trade = Trade(
                bot=BotKind.AGGRESSIVE if name == "win" else BotKind.SAFE,
                pair=BTC,
                quantity=Decimal("0.01"),
                entry_price=Decimal(30000),
                entry_time=opened,
                exit_price=exit_price,
                exit_time=opened + timedelta(hours=5),
                exit_reason=ExitReason.SIGNAL,
                fees=Decimal("0.6"),
                status=TradeStatus.CLOSED,
            )
            ids[name] = await trades.add_trade(session=uow.session, trade=trade, exchange="binance")
        open_trade = Trade(
            bot=BotKind.SAFE,
            pair=Pair(base="ETH", quote="USDT"),
            quantity=Decimal("0.5"),
            entry_price=Decimal(2000),
            entry_time=start + timedelta(days=5),
        )
        ids["open"] = await trades.add_trade(
            session=uow.session, trade=open_trade, exchange="binance"
        )
        await reallocations.apply_reallocation(
            session=uow.session,
            from_bot=BotKind.AGGRESSIVE,
            to_bot=BotKind.SAFE,
            amount=Decimal("2.82"),
            ratio=Decimal("0.30"),
            trigger_trade_id=ids["win"],
            at=start + timedelta(days=1),
        )
        await uow.commit()
    return ids


async def seed_candles(database: Database, count: int = 3000) -> CandleArrays:
    """Synthetic BTC/USDT 1h candles on binance."""
    arrays = synthetic_candles(count)
    await SqlCandleStore(database).write(
        exchange="binance", pair=BTC, timeframe=Timeframe.H1, candles=arrays
    )
    return arrays


@asynccontextmanager
async def running_api(
    database: Database,
    bus: StreamBus,
    clock: TestClock,
    *,
    settings: Settings | None = None,
    executor: Executor | None = None,
    peer: tuple[str, int] = ("198.51.100.7", 50000),
    store: EphemeralStore | None = None,
) -> AsyncIterator[ApiHarness]:
    """The app with its lifespan, and an httpx client on it."""
    settings = settings or make_settings()
    own_executor = executor is None
    pool = executor or ThreadPoolExecutor(max_workers=1)
    app = create_app(
        settings, database=database, bus=bus, clock=clock, backtest_executor=pool, store=store
    )
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=peer)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://testserver"
            ) as client:
                yield ApiHarness(app, client, database, bus, clock, settings)
    finally:
        if own_executor:
            pool.shutdown(wait=True)


async def wait_for(condition: Any, limit_s: float = 60.0) -> None:
    """Poll an async ``condition()`` until it is true."""
    async with asyncio.timeout(limit_s):
        while not await condition():  # noqa: ASYNC110 - polls state owned by another component
            await asyncio.sleep(0.02)
