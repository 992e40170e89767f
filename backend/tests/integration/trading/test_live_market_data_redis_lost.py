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
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from cryptotrader.bootstrap.runtime import open_runtime
from cryptotrader.bus.messages import CandlesClosed
from cryptotrader.bus.protocol import Delivery
from cryptotrader.config import Settings, load_settings
from cryptotrader.domain.market import CandleArrays
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.engines.workers.indicators import IndicatorWorker
from cryptotrader.engines.workers.trading import TradingWorker
from cryptotrader.errors import OperationalError
from cryptotrader.runtime import Runtime
from cryptotrader.runtime_inputs import RunOptions
from tests.support.binance_server import BinanceServer
from tests.support.binance_stream_server import BinanceStreamServer
from tests.support.faults import private_redis
from tests.support.feeds import local_binance, partial, until, whole

pytestmark = pytest.mark.asyncio(loop_scope="function")

H1 = Timeframe.H1
Servers = tuple[BinanceServer, BinanceStreamServer]
ENGINES = RunOptions(engines=("indicator", "decision", "order"))
STREAM = "btcusdt@kline_1h"


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


class Pipeline:
    """The order engines that ran (their candles stepped and where they resume), and an
    indicator worker that can be kept busy with one candle (``hold``) until ``release``."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, hours: CandleArrays) -> None:
        self.hours = hours
        self.opened = [int(t) for t in hours.timestamps]
        self.engines: list[TradingWorker] = []
        self.hold: int | None = None
        self.holding, self.release = asyncio.Event(), asyncio.Event()
        handle, handle_many = IndicatorWorker.handle, IndicatorWorker.handle_many

        async def held_one(worker: IndicatorWorker, delivery: Delivery) -> None:
            await self._held([delivery])
            await handle(worker, delivery)

        async def held_many(worker: IndicatorWorker, deliveries: Sequence[Delivery]) -> None:
            await self._held(deliveries)
            await handle_many(worker, deliveries)

        monkeypatch.setattr(IndicatorWorker, "handle", held_one)
        monkeypatch.setattr(IndicatorWorker, "handle_many", held_many)

    async def _held(self, deliveries: Sequence[Delivery]) -> None:
        for delivery in deliveries:
            run = delivery.message
            if isinstance(run, CandlesClosed) and self.hold in run.candles.open_times:
                self.holding.set()
                await self.release.wait()

    async def close(self, i: int, servers: Servers, runtime: Runtime) -> None:
        """Candle ``i`` closes (over the stream, the next one forming) and is published."""
        rest, ws = servers
        before = runtime.published
        rest.now_ms = self.opened[i + 1] + 1_000
        ws.push("BTCUSDT", H1, whole(self.hours, i), closed=True)
        await until(
            lambda: runtime.published > before,
            f"candle {i} published",
            lambda: ws.push("BTCUSDT", H1, partial(self.hours, i + 1), closed=False),
        )

    @property
    def resume_ms(self) -> int | None:
        """Where the running order engine resumes: every candle before it is done."""
        return self.engines[-1].resume_ms

    @property
    def stepped(self) -> int:
        """Candles stepped by every order engine that ran."""
        return sum(engine.candles_done for engine in self.engines)

    async def start(self, settings: Settings) -> Runtime:
        """The indicator, decision and order engines (started again by a service manager)."""
        engines = await open_runtime(settings, ENGINES)
        assert engines.trading is not None
        self.engines.append(engines.trading)
        await engines.start()
        return engines

    async def traded(self, i: int) -> None:
        """Until the order engine stepped candle ``i``."""
        await until(
            lambda: (self.resume_ms or 0) > self.opened[i], f"candle {i} traded", lambda: None
        )


async def _market(settings: Settings, ws: BinanceStreamServer) -> Runtime:
    """``engine market-data`` (started again by its service manager), publishing."""
    market = await open_runtime(settings, RunOptions(engines=("market-data",)))
    await market.start()
    await market.wait_ready()
    await until(lambda: ws.subscribers(STREAM) == 1, "the subscription", lambda: None)
    return market


@pytest.mark.shared_data
@pytest.mark.timeout(900)
async def test_live_market_data_restarted_after_redis_lost_has_every_closed_candle_traded_once(
    servers: Servers,
    hours: CandleArrays,
    tmp_path: Path,
    postgres_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``engine market-data`` in one process, the other engines in another, on PostgreSQL and
    a private Redis restarted empty while a candle is in the pipeline and the next one waits,
    unread, in Redis (lost with it); more candles close while the market data is down. The
    market data stops, is started again (as its service manager does) and publishes from the
    order engine's checkpoint. The order engine steps every closed candle once, in order: none
    missed (lost with Redis, or closed while the market data was down), none twice (the one in
    the pipeline during the restart, published again)."""
    pipeline = Pipeline(monkeypatch, hours)
    with private_redis(tmp_path / "redis") as redis:
        settings = load_settings(redis_url=redis.url, database_url=postgres_url)
        engines = await pipeline.start(settings)
        market: Runtime | None = None
        try:
            market = await _market(settings, servers[1])
            await until(lambda: pipeline.stepped > 0, "the first run traded", lambda: None)
            assert pipeline.stepped == 1
            assert pipeline.resume_ms is not None
            first = pipeline.opened.index(pipeline.resume_ms - 1)  # the last closed at start
            for i in (first + 1, first + 2):  # over the stream
                await pipeline.close(i, servers, market)
                await pipeline.traded(i)
            pipeline.hold = pipeline.opened[first + 3]
            await pipeline.close(first + 3, servers, market)
            await until(pipeline.holding.is_set, "the indicator worker busy", lambda: None)
            await pipeline.close(first + 4, servers, market)  # not read: the worker is busy
            await asyncio.to_thread(redis.restart_empty)
            pipeline.release.set()  # its inputs go to the new Redis; candle first + 4 is lost
            async with asyncio.timeout(60):
                with pytest.raises(OperationalError, match="Redis restarted empty"):
                    await market.wait()
            await market.close()
            if engines.failed.is_set():  # a publish failed while Redis was down: restarted too
                await engines.close()
                engines = await pipeline.start(settings)
            servers[0].now_ms = pipeline.opened[first + 6] + 1_000  # candles close meanwhile
            market = await _market(settings, servers[1])
            await pipeline.traded(first + 6)  # from REST: those since the order engine's checkpoint
            await pipeline.close(first + 7, servers, market)
            await pipeline.traded(first + 7)
            assert not engines.failed.is_set()
        finally:
            if market is not None:
                market.stop.set()
                await market.close()
            engines.stop.set()
            await engines.close()
    assert pipeline.stepped == 8  # candles first to first + 7: each once (none missed: above)
