"""A pair deactivated before its order engine traded any of its candles stays fed for a while.

Its first candle may be in the order engine's hands at the instant of the change (decided, the
active pairs read just before the commit): an entry opened on it needs candles for its
stop-loss. So ``LivePairs`` drops it only once its order engine completed a candle that closed
after the change, as for a pair that had traded (it used to drop it at once, "never traded").
The feed is a stand-in that records removals; the checkpoints are the order engine's own rows.
Deterministic: the test waits until the retiring task has looked at the checkpoint twice (so it
decided once already), never for a time.
"""

from __future__ import annotations

import asyncio
from typing import cast

import pytest

from cryptotrader.bus.memory import InProcessBus
from cryptotrader.clock import TestClock
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.engines.progress import ENGINE, Progress
from cryptotrader.engines.workers.live_pairs import LivePairs
from cryptotrader.engines.workers.market_data import LiveFeed, PairsLiveFeed, Publisher
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.repositories import checkpoints
from cryptotrader.persistence.repositories.pairs import ensure_pair
from cryptotrader.persistence.tables import TradingPairRow
from cryptotrader.persistence.uow import UnitOfWork
from tests.support.feeds import until

pytestmark = pytest.mark.asyncio(loop_scope="function")

HOUR = 3_600_000
NOW = 1_770_820_200_000  # 2026-02-11 14:30 UTC: the candle forming opened at 14:00
FORMING = NOW - NOW % HOUR
KEY = "binance:SOL/USDT:1h"


class Feed:
    """The run's pairs feed as ``LivePairs`` sees it: what is fed, and what was removed."""

    def __init__(self, symbols: list[str]) -> None:
        self.symbols = symbols
        self.started = asyncio.Event()
        self.started.set()
        self.removed: list[str] = []

    async def remove_pair(self, symbol: str) -> None:
        self.symbols = [s for s in self.symbols if s != symbol]
        self.removed.append(symbol)


class Watched(Progress):
    """A checkpoint that counts how often it is read."""

    loads = 0

    async def load(self, database: Database) -> tuple[int | None, bool]:
        self.loads += 1
        return await super().load(database)


def no_lane(pair: Pair) -> tuple[Publisher, LiveFeed]:
    raise AssertionError(f"{pair} is not activated here")


async def no_origin(key: str) -> int | None:
    return None


async def listed(database: Database) -> None:
    """BTC/USDT active, SOL/USDT just deactivated (both fed)."""
    async with UnitOfWork(database) as uow:
        for symbol, active in (("BTC/USDT", True), ("SOL/USDT", False)):
            pair_id = await ensure_pair(
                session=uow.session, exchange="binance", pair=Pair.parse(symbol)
            )
            row = await uow.session.get(TradingPairRow, pair_id)
            assert row is not None
            row.is_active = active
        await uow.commit()


async def checkpoint(database: Database, clock: TestClock, candle_ms: int) -> None:
    """SOL's order engine completed the candle opened at ``candle_ms``."""
    async with UnitOfWork(database) as uow:
        await checkpoints.save_checkpoint(
            session=uow.session,
            engine=ENGINE,
            key=KEY,
            value={"candle_ms": candle_ms, "complete": True},
            at=clock.now(),
        )
        await uow.commit()


async def test_a_pair_deactivated_before_its_first_traded_candle_is_fed_until_one_after_it(
    database: Database,
) -> None:
    clock = TestClock(NOW)
    await listed(database)
    feed = Feed(["BTC/USDT", "SOL/USDT"])
    progress = Watched(key=KEY, timeframe=Timeframe.H1)
    stop = asyncio.Event()
    live = LivePairs(
        feed=cast("PairsLiveFeed", feed),
        database=database,
        bus=InProcessBus(clock=clock),
        clock=clock,
        exchange="binance",
        quote="USDT",
        timeframe=Timeframe.H1,
        lane=no_lane,
        progress={"SOL/USDT": progress},
        new_progress=lambda pair: progress,
        origin=no_origin,
        poll_s=0.01,
        stop=stop,
    )
    try:
        await live.follow()
        assert set(live.retiring) == {"SOL/USDT"}

        def looked(times: int) -> bool:
            return bool(feed.removed) or progress.loads >= times

        # never traded: still fed after the retiring task decided once
        await until(lambda: looked(2), "SOL's checkpoint read twice")
        assert feed.removed == []
        # a candle that closed before the change (the one in the order engine's hands): still fed
        await checkpoint(database, clock, FORMING - HOUR)
        seen = progress.loads
        await until(lambda: looked(seen + 2), "SOL's checkpoint read after the candle before")
        assert feed.removed == []
        # the candle forming at the change is done: the deactivation was read, SOL is dropped
        await checkpoint(database, clock, FORMING)
        await until(lambda: feed.removed == ["SOL/USDT"], "SOL dropped")
        assert feed.symbols == ["BTC/USDT"]
        assert live.retiring == {}
    finally:
        stop.set()
        await live.close()
