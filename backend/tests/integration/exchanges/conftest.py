"""Fixtures for the venue tests: real ccxt against local Binance- and Kraken-shaped servers.

The servers (``tests/support/*_trading_server.py``) check signatures, time windows and nonces as
the exchanges do, and trade over a simulated account; the venues talk to them through ccxt's own
request building, signing and parsing, pointed at 127.0.0.1 by rewriting the API root.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio

from cryptotrader.clock import TestClock
from cryptotrader.domain import Pair
from cryptotrader.exchanges.ccxt import ApiCredentials, BinanceVenue, KrakenVenue
from cryptotrader.retry import RetryPolicy
from tests.support.binance_trading_server import BinanceTradingServer
from tests.support.exchange_server import running
from tests.support.kraken_trading_server import KrakenTradingServer

BTC = Pair.parse("BTC/USDT")
FAST = RetryPolicy(attempts=3, base_delay_s=0.01, max_delay_s=0.05)
# Made-up credentials shaped like the real ones (Binance: 64 characters; Kraken: base64).
BINANCE_KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
BINANCE_SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
KRAKEN_KEY = "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRz"
KRAKEN_SECRET = base64.b64encode(
    b"kraken private key for tests only, 64 bytes long......."
).decode()


def binance_venue(
    server: BinanceTradingServer,
    *,
    key: str = BINANCE_KEY,
    secret: str = BINANCE_SECRET,
    timeout_s: float = 5.0,
    retry: RetryPolicy = FAST,
) -> BinanceVenue:
    return BinanceVenue(
        credentials=ApiCredentials(api_key=key, secret=secret),
        clock=TestClock(1_770_820_200_000),
        retry=retry,
        base_url=server.base_url,
        timeout_s=timeout_s,
        rate_limit_ms=1,
    )


def kraken_venue(
    server: KrakenTradingServer,
    *,
    key: str = KRAKEN_KEY,
    timeout_s: float = 5.0,
) -> KrakenVenue:
    return KrakenVenue(
        credentials=ApiCredentials(api_key=key, secret=KRAKEN_SECRET),
        clock=TestClock(1_770_820_200_000),
        retry=FAST,
        base_url=server.base_url,
        timeout_s=timeout_s,
        rate_limit_ms=1,
    )


@pytest.fixture
def binance_server() -> Iterator[BinanceTradingServer]:
    """Binance with BTC/USDT at 30,000 and 1,000 USDT in the account."""
    server = BinanceTradingServer(api_key=BINANCE_KEY, secret=BINANCE_SECRET)
    server.trade("BTCUSDT", "BTC", "USDT", price="30000")
    server.account.deposit("USDT", "1000")
    with running(server):
        yield server


@pytest_asyncio.fixture
async def binance(binance_server: BinanceTradingServer) -> AsyncIterator[BinanceVenue]:
    venue = binance_venue(binance_server)
    yield venue
    await venue.close()


@pytest.fixture
def kraken_server() -> Iterator[KrakenTradingServer]:
    """Kraken with XBT/USDT at 30,000 and 1,000 USDT in the account."""
    server = KrakenTradingServer(api_key=KRAKEN_KEY, secret=KRAKEN_SECRET)
    server.trade("XBTUSDT", "XXBT", "USDT", price="30000")
    server.account.deposit("USDT", "1000")
    with running(server):
        yield server


@pytest_asyncio.fixture
async def kraken(kraken_server: KrakenTradingServer) -> AsyncIterator[KrakenVenue]:
    venue = kraken_venue(kraken_server)
    yield venue
    await venue.close()
