"""The runtime on several live pairs: the pairs of ``/config/pairs``, streamed, traded per time.

``open_runtime`` builds every engine as ``cryptotrader run`` does, on the exchange's live public
candles (local Binance REST and kline-stream servers, real ccxt and ccxt pro): without ``--pair``
it trades the active pairs stored in ``trading_pairs``; each closed candle time reaches the order
engine of every pair as one batch (the decisions name both pairs) and both pairs' checkpoints
move past it. A restart after a pair is added to ``/config/pairs`` is accepted (the database is
bound to live data of the exchange and timeframe) and trades the three, each resuming where it
stopped; with streaming off the same pairs are polled over REST and still grouped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cryptotrader.bootstrap.runtime import open_runtime
from cryptotrader.bus import topics
from cryptotrader.bus.messages import DecisionsMade
from cryptotrader.bus.protocol import Delivery
from cryptotrader.config import load_settings
from cryptotrader.domain.market import CandleArrays
from cryptotrader.engines.workers.market_data import PairsLiveFeed, StreamFeed
from cryptotrader.runtime import Runtime
from cryptotrader.runtime_inputs import RunOptions
from tests.support.binance_server import BinanceServer
from tests.support.binance_stream_server import BinanceStreamServer
from tests.support.feeds import H1, listed, local_binance, partial, three_markets, until

pytestmark = [pytest.mark.shared_data, pytest.mark.asyncio(loop_scope="function")]

NOW = 300
ENGINES = ("market-data", "indicator", "decision", "order", "portfolio")


@pytest.fixture
def markets(shared_data: Path) -> dict[str, CandleArrays]:
    return three_markets(shared_data)


@pytest.fixture
def servers(
    markets: dict[str, CandleArrays], monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[BinanceServer, BinanceStreamServer]]:
    with local_binance(markets, monkeypatch, now=NOW) as servers:
        monkeypatch.setenv("CRYPTOTRADER_RUNTIME__PAIR_WAIT_S", "60")
        yield servers


async def started(decided: list[DecisionsMade]) -> Runtime:
    runtime = await open_runtime(load_settings(), RunOptions(engines=ENGINES))

    async def collect(delivery: Delivery) -> None:
        if isinstance(delivery.message, DecisionsMade):
            decided.append(delivery.message)

    await runtime.bus.subscribe(topics.SIGNALS, group="test", consumer="t", handler=collect)
    await runtime.start()
    await runtime.wait_ready()
    return runtime


def traded_past(runtime: Runtime, open_ms: int) -> Callable[[], bool]:
    """True once every pair's order engine is done with the candle opened at ``open_ms``."""
    trading = runtime.trading
    assert trading is not None
    return lambda: all(
        lane.resume_ms is not None and lane.resume_ms > open_ms for lane in trading.lanes.values()
    )


def symbols_of(runtime: Runtime) -> list[str]:
    feed = runtime.feed
    assert isinstance(feed, PairsLiveFeed)
    return [p.series.pair.symbol for p in feed.publishers]


async def streamed_phase(
    rest: BinanceServer,
    ws: BinanceStreamServer,
    markets: dict[str, CandleArrays],
    decided: list[DecisionsMade],
) -> tuple[int, dict[str, int | None]]:
    """BTC and ETH from /config/pairs, streamed: one candle time traded on both, as a batch.

    Returns the candle traded and each pair's resume point.
    """
    opened = [int(t) for t in markets["BTC/USDT"].timestamps]
    runtime = await started(decided)
    try:
        assert symbols_of(runtime) == ["BTC/USDT", "ETH/USDT"]
        assert isinstance(runtime.feed, PairsLiveFeed)
        assert all(isinstance(f, StreamFeed) for _, f in runtime.feed.lanes)
        trading = runtime.trading
        assert trading is not None
        assert sorted(trading.lanes) == ["BTC/USDT", "ETH/USDT"]
        await until(
            lambda: all(lane.resume_ms is not None for lane in trading.lanes.values()),
            "the history traded",
            lambda: None,
        )
        # The runtime's clock is the wall clock: every candle the server serves counts as closed
        # at start; the next one forms on the stream (as in test_run_streams_candles.py).
        primed = {lane.resume_ms or 0 for lane in trading.lanes.values()}
        assert len(primed) == 1
        i = opened.index(primed.pop() - 1) + 1

        def forming() -> None:
            for symbol in ("BTC/USDT", "ETH/USDT"):
                update = partial(markets[symbol], i + 1)
                ws.push(symbol.replace("/", ""), H1, update, closed=False)

        streams = ("btcusdt@kline_1h", "ethusdt@kline_1h")
        await until(
            lambda: all(ws.subscribers(s) == 1 for s in streams), "the subscriptions", lambda: None
        )
        rest.now_ms = opened[i + 1] + 1_000
        await until(traded_past(runtime, opened[i]), f"candle {i} on both pairs", forming)
        at_i = [d for d in decided if opened[i] in d.candles.open_times]
        assert sorted(d.pair.symbol for d in at_i) == ["BTC/USDT", "ETH/USDT"]
        assert {tuple(d.batch) for d in at_i} == {("BTC/USDT", "ETH/USDT")}
        assert runtime.error is None
    finally:
        runtime.stop.set()
        await runtime.close()
    return i, {s: lane.resume_ms for s, lane in trading.lanes.items()}


async def test_run_on_live_data_trades_the_pairs_of_config_pairs_one_candle_time_at_a_time(
    servers: tuple[BinanceServer, BinanceStreamServer],
    markets: dict[str, CandleArrays],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rest, ws = servers
    opened = [int(t) for t in markets["BTC/USDT"].timestamps]
    await listed("ETH/USDT", "BTC/USDT")
    decided: list[DecisionsMade] = []
    i, resumed = await streamed_phase(rest, ws, markets, decided)
    assert resumed == {"BTC/USDT": opened[i] + 1, "ETH/USDT": opened[i] + 1}

    # SOL/USDT is added to /config/pairs; the restart trades the three, on REST polling now.
    await listed("SOL/USDT")
    rest.now_ms = opened[i + 2] + 1_000  # candles i + 1 and i + 2 closed meanwhile
    monkeypatch.setenv("CRYPTOTRADER_RUNTIME__STREAM_CANDLES", "false")
    decided.clear()
    runtime = await started(decided)
    try:
        assert symbols_of(runtime) == ["BTC/USDT", "ETH/USDT", "SOL/USDT"]
        assert isinstance(runtime.feed, PairsLiveFeed)
        assert not any(isinstance(f, StreamFeed) for _, f in runtime.feed.lanes)
        await until(traded_past(runtime, opened[i + 2]), f"candle {i + 2}", lambda: None)
        rest.now_ms = opened[i + 3] + 1_000
        await until(traded_past(runtime, opened[i + 3]), f"candle {i + 3}", lambda: None)
        assert runtime.error is None
    finally:
        runtime.stop.set()
        await runtime.close()
    times = {
        symbol: [t for d in decided if d.pair.symbol == symbol for t in d.candles.open_times]
        for symbol in ("BTC/USDT", "ETH/USDT", "SOL/USDT")
    }
    for symbol in ("BTC/USDT", "ETH/USDT"):  # each resumed after candle i: none twice or missed
        assert times[symbol] == opened[i + 1 : i + 4], symbol
    assert times["SOL/USDT"] == opened[i + 2 : i + 4]  # a new pair: from its last closed candle
    for k in (i + 2, i + 3):
        at_k = [d for d in decided if opened[k] in d.candles.open_times]
        assert {tuple(d.batch) for d in at_k} == {("BTC/USDT", "ETH/USDT", "SOL/USDT")}
