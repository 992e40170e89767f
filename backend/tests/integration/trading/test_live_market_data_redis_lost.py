"""Live market data on Redis stops when Redis restarted empty, so that its service manager starts
it again from the order engine's checkpoint: alone (``cryptotrader engine market-data``) or with
the order engine in its process.

The runs in flight when Redis died (candles, inputs, decisions: no database change, so not in
the outbox) are gone, and the order engine acts on no run that follows one it has not done: it
would wait for them for ever while the feed published only new candles. Live data from the
local Binance servers (``tests.support.feeds``), Redis a private ``redis-server`` killed and
started empty on its port.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from cryptotrader.bootstrap.runtime import open_runtime
from cryptotrader.config import load_settings
from cryptotrader.domain.market import CandleArrays
from cryptotrader.errors import OperationalError
from cryptotrader.runtime_inputs import RunOptions
from tests.support.binance_server import BinanceServer
from tests.support.binance_stream_server import BinanceStreamServer
from tests.support.faults import private_redis
from tests.support.feeds import local_binance

pytestmark = pytest.mark.asyncio(loop_scope="function")


@pytest.fixture
def servers(
    hours: CandleArrays, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[BinanceServer, BinanceStreamServer]]:
    with local_binance({"BTC/USDT": hours}, monkeypatch, now=300) as servers:
        yield servers


@pytest.mark.shared_data
@pytest.mark.timeout(600)
@pytest.mark.parametrize("engines", [("market-data",), ("market-data", "order")])
async def test_live_market_data_when_redis_restarts_empty_stops_to_start_again(
    servers: tuple[BinanceServer, BinanceStreamServer], tmp_path: Path, engines: tuple[str, ...]
) -> None:
    with private_redis(tmp_path / "redis") as redis:
        settings = load_settings(redis_url=redis.url)
        runtime = await open_runtime(settings, RunOptions(engines=engines))
        try:
            await runtime.start()
            await runtime.wait_ready()
            await asyncio.sleep(1.0)  # Redis's epoch read: it runs
            assert not runtime.failed.is_set()

            await asyncio.to_thread(redis.restart_empty)
            async with asyncio.timeout(60):
                with pytest.raises(OperationalError, match="Redis restarted empty"):
                    await runtime.wait()
        finally:
            runtime.stop.set()
            await runtime.close()
