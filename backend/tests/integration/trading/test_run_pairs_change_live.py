"""A live run follows ``/config/pairs`` while it runs: pairs join and leave without a restart.

``open_runtime`` builds every engine as ``cryptotrader run`` does (no ``--pair``) on local Binance
REST and kline-stream servers, with real ccxt and ccxt pro; the pairs change through the API's
own service (``PlatformConfigService``, which publishes ``PairChanged`` after its commit). The
candles are made up so that what must happen does: BTC/USDT is flat (no bot ever buys it),
SOL/USDT's closes make both bots (``sma_cross`` 1/2: buy on a rise after a fall) buy on the first
candle that closes after SOL is activated, and its next candle falls through their stop-losses.
Their times sit on the wall clock (the runtime's clock): the candle forming at start is the hour
forming now, so decisions are never too old to act on.

What must hold: an activated pair is checked, back-filled and fed, and trades from its next
candle in the same batches as the others (audit row and alert say from which candle); an
unknown symbol and a too-short history each give one alert line, nothing recorded, and the run
goes on; a pair deactivated with a position open keeps being fed until its stop closes the
position, then is dropped from the feed. Conditions are polled with deadlines, nothing is timed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from cryptotrader.bootstrap.runtime import open_runtime
from cryptotrader.bus import topics
from cryptotrader.bus.messages import AlertRaised, DecisionsMade
from cryptotrader.bus.protocol import Delivery
from cryptotrader.config import load_settings
from cryptotrader.domain.enums import BotKind, ExitReason, RiskLevel, TradeStatus
from cryptotrader.domain.market import CandleArrays
from cryptotrader.domain.values import utc_from_ms
from cryptotrader.engines.workers.market_data import PairsLiveFeed
from cryptotrader.engines.workers.trading import TradingWorker
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.repositories import audit, bots, ohlcv, trades
from cryptotrader.persistence.uow import UnitOfWork
from cryptotrader.runtime import Runtime
from cryptotrader.runtime_inputs import RunOptions
from cryptotrader.services.context import Actor, Origin, Role
from cryptotrader.services.platform_config import PlatformConfigService
from tests.support.binance_server import BinanceServer
from tests.support.binance_stream_server import BinanceStreamServer
from tests.support.feeds import FORMING, H1, listed, local_binance, market_id, partial, until

pytestmark = pytest.mark.asyncio(loop_scope="function")

HOUR = 3_600_000
ADMIN = Actor(user_id=1, username="alice", role=Role.ADMIN)
ORIGIN = Origin(ip="127.0.0.1")
SMA = {"strategy": "sma_cross", "params": {"fast": 1, "slow": 2}}


def on_the_clock(closes: list[float]) -> CandleArrays:
    """Hourly candles whose candle ``FORMING`` is the hour forming now (wall clock)."""
    now = int(time.time() * 1000)
    start = now - now % HOUR - FORMING * HOUR
    stamps = np.arange(start, start + len(closes) * HOUR, HOUR, dtype=np.int64)
    close = np.array(closes, dtype=np.float64)
    open_ = np.concatenate([close[:1], close[:-1]])
    return CandleArrays(
        stamps, open_, np.maximum(open_, close), np.minimum(open_, close), close,
        np.full(len(closes), 10.0),
    )  # fmt: skip


@pytest.fixture
def markets() -> dict[str, CandleArrays]:
    """BTC flat; SOL rising by a cent an hour (shaped around the candle of the test later);
    NEW listed 2 hours ago (shorter than the strategies' warm-up)."""
    btc = on_the_clock([100.0] * 400)
    sol = on_the_clock([50.0 + 0.01 * k for k in range(400)])
    new = on_the_clock([10.0] * 400).slice(FORMING - 2, 400)
    return {"BTC/USDT": btc, "NEW/USDT": new, "SOL/USDT": sol}


@pytest.fixture
def servers(
    markets: dict[str, CandleArrays], monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[BinanceServer, BinanceStreamServer]]:
    with local_binance(markets, monkeypatch) as servers:
        # longer than any deadline below: a candle time that waited for a pair no longer fed
        # would time the test out
        monkeypatch.setenv("CRYPTOTRADER_RUNTIME__PAIR_WAIT_S", "600")
        yield servers


def shape(sol: CandleArrays, i: int) -> None:
    """SOL falls into candle ``i - 1``, rises on ``i`` (both bots buy at ``i + 1``'s open), and
    candle ``i + 1`` falls 10 % below its open (through their 2 % stop-losses)."""
    closes = {i - 2: 60.0, i - 1: 59.0, i: 61.0, i + 1: 57.0, i + 2: 57.5, i + 3: 58.0}
    for k, close in closes.items():
        sol.close[k] = close
    for k in range(i - 2, i + 4):
        sol.open[k] = sol.close[k - 1]
        sol.high[k] = max(sol.open[k], sol.close[k])
        sol.low[k] = min(sol.open[k], sol.close[k])
    sol.low[i + 1] = sol.open[i + 1] * 0.9


async def sma_bots(session: AsyncSession) -> None:
    """Both bots on ``sma_cross`` 1/2, stored before the run starts."""
    for kind, level in ((BotKind.SAFE, RiskLevel.LOW), (BotKind.AGGRESSIVE, RiskLevel.MAX)):
        await bots.create_bot(
            session=session,
            name=kind.value,
            kind=kind,
            capital=Decimal(500),
            risk_level=level,
            risk_ratio=Decimal("0.01"),
            strategy_config=SMA,
        )


def fed(runtime: Runtime) -> list[str]:
    assert isinstance(runtime.feed, PairsLiveFeed)
    return runtime.feed.symbols


def traded_past(runtime: Runtime, open_ms: int, *symbols: str) -> Callable[[], bool]:
    """True once the order engine of every pair named is done with the candle at ``open_ms``."""
    trading = runtime.trading
    assert trading is not None

    def done() -> bool:
        lanes = [trading.lanes.get(s) for s in symbols]
        return all(
            lane is not None and lane.resume_ms is not None and lane.resume_ms > open_ms
            for lane in lanes
        )

    return done


async def sol_trades(runtime: Runtime) -> list[tuple[TradeStatus, Decimal, ExitReason | None]]:
    async with UnitOfWork(runtime.database) as uow:
        listed = await trades.list_trades(session=uow.session, limit=1000)
    return [
        (t.status, t.entry_price, t.exit_reason) for _, t in listed if t.pair.symbol == "SOL/USDT"
    ]


@dataclass
class Live:
    """The running runtime, its servers and candles, and what it published."""

    runtime: Runtime
    rest: BinanceServer
    ws: BinanceStreamServer
    markets: dict[str, CandleArrays]
    platform: PlatformConfigService
    decided: list[DecisionsMade] = field(default_factory=list)
    alerts: list[AlertRaised] = field(default_factory=list)
    i: int = 0
    """The candle forming when the run started."""

    @property
    def opened(self) -> list[int]:
        return [int(t) for t in self.markets["BTC/USDT"].timestamps]

    @property
    def trading(self) -> TradingWorker:
        assert self.runtime.trading is not None
        return self.runtime.trading

    def forming(self, k: int) -> Callable[[], None]:
        """Pushes candle ``k``'s early update of every pair fed, as Binance does."""

        def push() -> None:
            for symbol in fed(self.runtime):
                self.ws.push(market_id(symbol), H1, partial(self.markets[symbol], k), closed=False)

        return push

    async def collect(self, delivery: Delivery) -> None:
        if isinstance(delivery.message, DecisionsMade):
            self.decided.append(delivery.message)
        elif isinstance(delivery.message, AlertRaised):
            self.alerts.append(delivery.message)


async def started(
    servers: tuple[BinanceServer, BinanceStreamServer], markets: dict[str, CandleArrays]
) -> Live:
    """The run on BTC/USDT alone, its history traded; SOL's candles shaped around candle i."""
    await listed("BTC/USDT", also=sma_bots)
    engines = ("market-data", "indicator", "decision", "order", "portfolio")
    runtime = await open_runtime(load_settings(), RunOptions(engines=engines))
    platform = PlatformConfigService(
        database=runtime.database, bus=runtime.bus, clock=runtime.clock, ring=None
    )
    live = Live(runtime, *servers, markets, platform)
    await runtime.bus.subscribe(topics.SIGNALS, group="test", consumer="t", handler=live.collect)
    await runtime.bus.subscribe(topics.ALERTS, group="test", consumer="t", handler=live.collect)
    await runtime.start()
    await runtime.wait_ready()
    assert fed(runtime) == ["BTC/USDT"]
    btc = live.trading.lanes["BTC/USDT"]
    await until(lambda: btc.resume_ms is not None, "BTC's history")
    live.i = live.opened.index((btc.resume_ms or 0) - 1) + 1
    shape(markets["SOL/USDT"], live.i)
    await until(lambda: live.ws.subscribers("btcusdt@kline_1h") == 1, "BTC's subscription")
    return live


async def activated(live: Live) -> int:
    """An unknown symbol, a new listing and SOL activated: SOL alone fed; its pair id."""
    added = {
        symbol: await live.platform.add_pair(ADMIN, "binance", symbol, ORIGIN)
        for symbol in ("NOPE/USDT", "NEW/USDT", "SOL/USDT")
    }
    runtime, i, opened = live.runtime, live.i, live.opened
    await until(lambda: "SOL/USDT" in live.trading.lanes, "SOL's order engine")
    assert fed(runtime) == ["BTC/USDT", "SOL/USDT"]
    await until(traded_past(runtime, opened[i - 1], "SOL/USDT"), "SOL's last closed candle")
    refused = {a.details["pair"]: a.text for a in live.alerts if a.kind == "pair_refused"}
    assert len(refused) == len([a for a in live.alerts if a.kind == "pair_refused"])  # once each
    assert sorted(refused) == ["NEW/USDT", "NOPE/USDT"]
    assert all("\n" not in text for text in refused.values())
    assert "binance has no spot market NOPE/USDT" in refused["NOPE/USDT"]
    assert "2 closed NEW/USDT 1h candles, too few" in refused["NEW/USDT"]
    async with UnitOfWork(runtime.database) as uow:
        stored = {s.pair.symbol for s in await ohlcv.stored_series(session=uow.session)}
        rows = await audit.list_audit(session=uow.session, action="pairs.applied")
    assert stored == {"BTC/USDT", "SOL/USDT"}  # nothing under a refused pair
    joined = [r.details for r in rows if r.details and "SOL/USDT" in r.details["opened"]]
    assert joined == [
        {
            "opened": ["SOL/USDT"],
            "closed": [],
            "untraded": ["NEW/USDT", "NOPE/USDT"],  # active, refused by the market data
            "from_candle": utc_from_ms(opened[i - 1]).isoformat(),
        }
    ]
    assert runtime.heartbeat is not None  # the API and the app see SOL traded now
    assert runtime.heartbeat.presence.market == "live BTC/USDT, SOL/USDT 1h from binance"
    assert [m[1] for m in runtime.heartbeat.presence.markets] == ["BTC/USDT", "SOL/USDT"]
    said = [a for a in live.alerts if a.kind == "pairs_applied" and "SOL/USDT" in a.text]
    assert said
    assert said[-1].details["opened"] == "SOL/USDT"
    return added["SOL/USDT"].id


async def entered(live: Live) -> list[tuple[TradeStatus, Decimal, ExitReason | None]]:
    """Candle i closes: SOL trades in the batch with BTC; both bots buy it at i + 1's open."""
    runtime, i, opened = live.runtime, live.i, live.opened
    await until(lambda: live.ws.subscribers("solusdt@kline_1h") == 1, "SOL's subscription")
    live.rest.now_ms = opened[i + 1] + 1_000
    both = traded_past(runtime, opened[i], "BTC/USDT", "SOL/USDT")
    await until(both, f"candle {i}", live.forming(i + 1))
    at_i = [d for d in live.decided if opened[i] in d.candles.open_times]
    assert {tuple(d.batch) for d in at_i} == {("BTC/USDT", "SOL/USDT")}
    slipped = 1 + load_settings().runtime.slippage  # a paper buy pays the slippage
    entry = Decimal(repr(float(live.markets["SOL/USDT"].open[i + 1]))) * slipped
    held = await sol_trades(runtime)
    assert len(held) == 2  # both bots
    assert all(status is TradeStatus.OPEN and price == entry for status, price, _ in held)
    return held


async def test_a_live_run_feeds_an_activated_pair_and_drops_a_deactivated_one_after_its_stop(
    servers: tuple[BinanceServer, BinanceStreamServer], markets: dict[str, CandleArrays]
) -> None:
    live = await started(servers, markets)
    runtime, opened = live.runtime, live.opened
    try:
        sol = await activated(live)
        held = await entered(live)
        i = live.i
        # SOL is deactivated with positions open: still fed; candle i + 1 takes out the stops,
        # then SOL is dropped from the feed.
        await live.platform.set_pair_active(ADMIN, sol, False, ORIGIN)
        assert fed(runtime) == ["BTC/USDT", "SOL/USDT"]
        live.rest.now_ms = opened[i + 2] + 1_000
        await until(lambda: fed(runtime) == ["BTC/USDT"], "SOL dropped", live.forming(i + 2))
        closed = await sol_trades(runtime)
        assert len(closed) == len(held)
        assert all(s is TradeStatus.CLOSED and r is ExitReason.STOP_LOSS for s, _, r in closed)
        assert traded_past(runtime, opened[i + 1], "SOL/USDT")()
        assert runtime.heartbeat is not None
        assert runtime.heartbeat.presence.market == "live BTC/USDT 1h from binance"

        # Candle i + 2: BTC alone now, SOL no longer published, nothing new opened on it.
        live.rest.now_ms = opened[i + 3] + 1_000
        btc = traded_past(runtime, opened[i + 2], "BTC/USDT")
        await until(btc, f"candle {i + 2}", live.forming(i + 3))
        at_i2 = [d for d in live.decided if opened[i + 2] in d.candles.open_times]
        assert [tuple(d.batch) for d in at_i2] == [("BTC/USDT",)]
        assert runtime.error is None
    finally:
        runtime.stop.set()
        await runtime.close()
    decided = live.decided
    sol_times = [t for d in decided if d.pair.symbol == "SOL/USDT" for t in d.candles.open_times]
    assert sol_times == opened[i - 1 : i + 2]  # its last closed candle, then i and i + 1, once
    assert len(await stored_sol_trades()) == len(held)  # nothing opened after deactivation


async def stored_sol_trades() -> list[object]:
    database = Database(load_settings().database_url)
    try:
        async with UnitOfWork(database) as uow:
            listed = await trades.list_trades(session=uow.session, limit=1000)
        return [t for _, t in listed if t.pair.symbol == "SOL/USDT"]
    finally:
        await database.dispose()
