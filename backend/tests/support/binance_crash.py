"""Trading on the local Binance server, to be killed: the order engine wired as for a live venue.

* ``open_binance_engine``: the real ``OrderEngine`` (and ``Reconciler``) on a real
  ``BinanceVenue`` (ccxt) pointed at a local Binance-shaped server, as ``bootstrap`` wires a live
  venue; ``bracket=False`` hides the venue's order lists and its cancel-replace, for the path
  other venues take (a market entry, then its protection; an exit cancels, then sells).
* ``CrashMarket``: ``BinanceTradingServer`` plus one route that is **not Binance's**,
  ``GET /sim/candle?index=&prices=``: the market walks through a candle's prices (filling what
  they cross), once per index, so that a trader restarted inside a candle does not replay it.
* ``python -m tests.support.binance_crash FOLDER BASE_URL SERIES [--no-bracket]``: a trader
  process. It trades the series' candles one at a time through the real ``TradingWorker`` (each
  candle: the market walks through it at the server, then the step runs: protection synced,
  exits, entries); both bots' decisions come from a fixed random sequence, the same after every
  restart. Its database is ``FOLDER/cryptotrader.db``; a restart reconciles first and resumes
  where the checkpoint says, as ``cryptotrader run`` does. Prints ``trading`` once reconciled
  and ``done`` at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import random
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

import httpx

from cryptotrader.bus import InProcessBus, topics
from cryptotrader.bus.messages import BotDecisions, CandleRun, DecisionsMade
from cryptotrader.bus.protocol import Delivery
from cryptotrader.clock import Clock, LiveClock, MarketClock
from cryptotrader.config import Settings
from cryptotrader.domain.enums import BotKind
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.domain.values import utc_from_ms
from cryptotrader.engines.order import OrderEngine
from cryptotrader.engines.order_deps import OrderEngineDeps
from cryptotrader.engines.portfolio import PortfolioManager
from cryptotrader.engines.progress import Progress
from cryptotrader.engines.reconcile import Reconciler
from cryptotrader.engines.workers.decisions import BUY, HOLD, SELL
from cryptotrader.engines.workers.trading import TradingWorker
from cryptotrader.exchanges.ccxt import ApiCredentials, BinanceVenue
from cryptotrader.marketdata.io import read_ohlcv
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.migrate import open_database
from cryptotrader.retry import RetryPolicy
from cryptotrader.risk.manager import RiskLimits, RiskManager
from cryptotrader.risk.reducer import RiskReducer
from tests.support.binance_trading_server import BinanceTradingServer
from tests.support.exchange_server import Answer
from tests.support.trading import PAIR

# Made-up credentials shaped like Binance's (64 characters each).
KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
FAST = RetryPolicy(attempts=3, base_delay_s=0.01, max_delay_s=0.05)


def binance(base_url: str, *, timeout_s: float = 5.0, bracket: bool = True) -> BinanceVenue:
    """A ``BinanceVenue`` with the test keys on the local server.

    ``bracket`` False hides its order lists and its cancel-replace (the path of venues
    without them).
    """
    venue = BinanceVenue(
        credentials=ApiCredentials(api_key=KEY, secret=SECRET),
        clock=LiveClock(),
        retry=FAST,
        base_url=base_url,
        timeout_s=timeout_s,
        rate_limit_ms=1,
    )
    if not bracket:
        venue.capabilities = dataclasses.replace(
            venue.capabilities, native_bracket=False, atomic_exit=False
        )
    return venue


async def open_binance_engine(
    database: Database, venue: BinanceVenue, *, clock: Clock, settings: Settings | None = None
) -> tuple[OrderEngine, Reconciler]:
    """The order engine on ``venue`` as ``bootstrap`` wires a live venue (not yet reconciled)."""
    settings = settings or Settings()
    portfolio = PortfolioManager(
        database=database, clock=clock, trading=settings.trading, reducer=RiskReducer()
    )
    await portfolio.ensure_bots()
    deps = OrderEngineDeps(
        database=database,
        exchange=venue,
        portfolio=portfolio,
        risk=RiskManager(limits=RiskLimits.from_settings(settings.runtime, live_allowed=True)),
        bus=InProcessBus(clock=clock),
        clock=clock,
        progress=Progress(key="binance:test:BTC/USDT:1h", timeframe=Timeframe.H1),
        pair=PAIR,
        venue="binance",
        fee_rate=settings.runtime.fee,
        live=True,
        retry_delay_s=0.0,
    )
    engine = OrderEngine(deps=deps)
    return engine, Reconciler(engine=engine)


class CrashMarket(BinanceTradingServer):
    """The local Binance server plus ``GET /sim/candle`` (see the module docstring)."""

    _routes: ClassVar[dict[str, str]] = {
        **BinanceTradingServer._routes,
        "/sim/candle": "_sim_candle",
    }

    def __init__(self) -> None:
        super().__init__(api_key=KEY, secret=SECRET)
        # Fees paid in BNB (Binance's discount): the coin held is exactly what the trades say.
        self.account.bnb_price = Decimal(300)
        self.account.deposit("BNB", "100")
        self.walked = -1

    def _sim_candle(self, params: dict[str, str]) -> Answer:
        index = int(params["index"])
        if index > self.walked:
            for price in params["prices"].split(","):
                self.account.set_price("BTCUSDT", price, self.now_ms)
            self.walked = index
        return 200, {"walked": self.walked}, {}


def decisions(count: int) -> dict[BotKind, list[int]]:
    """Each bot's action on each candle: a fixed random sequence (the same at every restart)."""
    rng = random.Random(19)
    actions: dict[BotKind, list[int]] = {bot: [] for bot in BotKind}
    for _ in range(count):
        for bot in BotKind:
            draw = rng.random()
            actions[bot].append(BUY if draw < 0.3 else SELL if draw > 0.85 else HOLD)
    return actions


async def trade(folder: Path, base_url: str, series: Path, *, bracket: bool) -> None:
    """The trader process's work (see the module docstring)."""
    candles = read_ohlcv(series).arrays
    count = len(candles.timestamps)
    actions = decisions(count)
    database = await open_database(f"sqlite:///{folder / 'cryptotrader.db'}")
    clock = MarketClock(int(candles.timestamps[0]))
    venue = binance(base_url, bracket=bracket)
    try:
        engine, reconciler = await open_binance_engine(database, venue, clock=clock)
        worker = TradingWorker(
            lanes=[(engine, reconciler)], feed=None, clock=clock, max_decision_age_ms=None
        )
        resume = await worker.start()
        print("trading", flush=True)  # noqa: T201 - the test reads it
        async with httpx.AsyncClient(base_url=base_url, timeout=30) as market:
            for i in range(count - 1):
                open_ms = int(candles.timestamps[i])
                if resume is not None and open_ms < resume:
                    continue
                o, h, low, c = (float(x[i]) for x in (candles.open, candles.high, candles.low,
                                                      candles.close))  # fmt: skip
                walk = [o, low, h, c, float(candles.open[i + 1])]  # the stop first when both
                answer = await market.get(
                    "/sim/candle", params={"index": i, "prices": ",".join(f"{p:.2f}" for p in walk)}
                )
                answer.raise_for_status()
                await worker.handle(_delivery(candles, i, actions))
    finally:
        await venue.close()
        await database.dispose()
    print("done", flush=True)  # noqa: T201 - the test reads it


def _delivery(candles: Any, i: int, actions: dict[BotKind, list[int]]) -> Delivery:
    def one(column: Any) -> list[float]:
        return [float(column[i])]

    message = DecisionsMade(
        timestamp=utc_from_ms(int(candles.timestamps[i])),
        exchange="binance",
        pair=str(PAIR),
        timeframe=Timeframe.H1,
        candles=CandleRun(
            open_times=[int(candles.timestamps[i])],
            open=one(candles.open),
            high=one(candles.high),
            low=one(candles.low),
            close=one(candles.close),
            volume=one(candles.volume),
        ),
        next_open=float(candles.open[i + 1]),
        next_open_ms=int(candles.timestamps[i + 1]),
        bots={
            bot: BotDecisions(
                strategy="scripted",
                actions=[actions[bot][i]],
                confidence=[1.0],
                score=[0.5],
                contributions={"0": {"scripted": 1.0}} if actions[bot][i] else {},
            )
            for bot in BotKind
        },
    )
    return Delivery(topic=topics.SIGNALS, group="trading", entry_id=f"{i}-0", message=message,
                    attempt=1)  # fmt: skip


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("base_url")
    parser.add_argument("series", type=Path)
    parser.add_argument("--no-bracket", action="store_true")
    args = parser.parse_args(argv)
    asyncio.run(trade(args.folder, args.base_url, args.series, bracket=not args.no_bracket))


if __name__ == "__main__":
    main(sys.argv[1:])
