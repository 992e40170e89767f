"""Live pairs: a live run follows ``/config/pairs`` while it runs, no restart needed.

A live run started without ``--pair`` trades every active pair of its exchange plus every pair
holding a position (``runtime_inputs.live_markets``). A pair changed through the API or the CLI
(``PairChanged``, ``BotPairsChanged`` on ``commands``) makes this worker read the pairs again:

* **Activated**: its history is read and checked as at start (the exchange lists it; on a first
  start, enough closed candles for the strategies' warm-up), then stored (the warm-up the
  indicator engine reloads) and fed with the others (``PairsLiveFeed.add_pair``); the indicator,
  decision and order engines build what they need for it from its first candle, and the order
  engine says from which candle it opens positions (``pairs_applied`` alert, ``pairs.applied``
  audit row). A pair that cannot be traded (unknown symbol, too short a history, another quote
  asset than the bots' capital) is one ``pair_refused`` alert line; nothing is recorded under it
  and the other pairs go on.
* **Deactivated**: the order engine opens nothing new on it from its next candle. Its candles
  keep coming while it holds a position, so that its protection works (paper stops fill on its
  candles); it is dropped from the feed once no position is open on it and its order engine has
  traded a candle that closed after the change (so no entry decided before the change can still
  open one), also when it had traded none yet: its order engine builds its lane from the
  candles still fed, reads the deactivation and opens nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import numpy as np

from cryptotrader.bus import topics
from cryptotrader.bus.messages import AlertRaised, BotPairsChanged, PairChanged
from cryptotrader.bus.protocol import Delivery, MessageBus
from cryptotrader.clock import Clock
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.engines.progress import Progress
from cryptotrader.engines.workers.market_data import LiveFeed, PairsLiveFeed, Publisher, Series
from cryptotrader.errors import TemporaryError, UserInputError
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.repositories import pairs
from cryptotrader.persistence.uow import UnitOfWork

log = logging.getLogger(__name__)

LaneFactory = Callable[[Pair], tuple[Publisher, LiveFeed]]
"""A new pair's publisher and feed (on the run's venue and stream)."""


class LivePairs:
    """Feeds the pairs of ``/config/pairs`` as they change (see the module docstring).

    Args:
        feed: the run's pairs feed.
        database: ``trading_pairs``, open trades, the pairs' checkpoints.
        bus: where refusals are announced (``alerts``).
        clock: the wall clock (which candle is forming when a pair is deactivated).
        exchange: the run's exchange (pairs of other exchanges are not its business).
        quote: the bots' capital asset (a pair quoted in another one is refused).
        timeframe: the run's base timeframe.
        lane: builds a new pair's publisher and feed.
        progress: each pair's checkpoint by symbol (a new pair's is added).
        new_progress: builds a new pair's checkpoint.
        origin: where a pair's stored history starts (None: never fed here).
        poll_s: how often a deactivated pair holding a position is looked at.
        stop: set when the run stops.
        on_fed: told the series fed after a pair joined or left (the heartbeat's markets).
    """

    def __init__(
        self,
        *,
        feed: PairsLiveFeed,
        database: Database,
        bus: MessageBus,
        clock: Clock,
        exchange: str,
        quote: str,
        timeframe: Timeframe,
        lane: LaneFactory,
        progress: dict[str, Progress],
        new_progress: Callable[[Pair], Progress],
        origin: Callable[[str], Awaitable[int | None]],
        poll_s: float,
        stop: asyncio.Event,
        on_fed: Callable[[list[Series]], Awaitable[None]] | None = None,
    ) -> None:
        self.feed = feed
        self.database = database
        self.bus = bus
        self.clock = clock
        self.exchange = exchange
        self.quote = quote
        self.timeframe = timeframe
        self._lane = lane
        self._progress = progress
        self._new_progress = new_progress
        self._origin = origin
        self.poll_s = poll_s
        self.stop = stop
        self.retiring: dict[str, asyncio.Task[None]] = {}
        """Deactivated pairs still fed (a position open), each with the task that drops it."""
        self._refused: set[str] = set()
        self._on_fed = on_fed
        self._lock = asyncio.Lock()

    async def handle(self, delivery: Delivery) -> None:
        """Follow a change of the pairs (``commands``, the market data engine's own group)."""
        message = delivery.message
        if isinstance(message, PairChanged) and message.exchange != self.exchange:
            return
        if not isinstance(message, PairChanged | BotPairsChanged):
            return
        await self.handle_started()

    async def handle_started(self) -> None:
        """Once the feed runs, follow the pairs (nothing when the run stops first)."""
        if await self._started():
            await self.follow()

    async def follow(self) -> None:
        """Feed the active pairs not fed yet; retire the fed ones no longer active."""
        async with self._lock:
            async with UnitOfWork(self.database) as uow:
                active = set(await pairs.active_pairs(session=uow.session, exchange=self.exchange))
                held = set(await pairs.open_trade_pairs(session=uow.session))
            self._refused &= active  # deactivated: a later activation is judged again
            fed = set(self.feed.symbols)
            for symbol in sorted(active - fed - self._refused):
                await self._add(Pair.parse(symbol))
            for symbol in sorted(active & set(self.retiring)):
                self.retiring.pop(symbol).cancel()
                log.info("%s: active again, still fed", symbol)
            for symbol in sorted(fed - active - set(self.retiring)):
                self._retire(symbol, holding=symbol in held)

    async def close(self) -> None:
        """Stop the retiring tasks (the run stops)."""
        tasks = list(self.retiring.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _started(self) -> bool:
        """Until the feed runs (True), or the run stops first (False)."""
        started = asyncio.ensure_future(self.feed.started.wait())
        stopped = asyncio.ensure_future(self.stop.wait())
        try:
            await asyncio.wait([started, stopped], return_when=asyncio.FIRST_COMPLETED)
        finally:
            started.cancel()
            stopped.cancel()
        return self.feed.started.is_set() and not self.stop.is_set()

    async def _add(self, pair: Pair) -> None:
        """Check a pair's history, store it, and feed the pair; a bad one is refused alone."""
        symbol = pair.symbol
        if pair.quote != self.quote:
            await self._refuse(
                pair,
                f"it is quoted in {pair.quote}, the bots' capital is in {self.quote} (one "
                f"paper account): trade it in a runtime of {pair.quote} pairs",
            )
            return
        progress = self._progress.get(symbol) or self._new_progress(pair)
        origin = await self._origin(progress.key)
        publisher, feed = self._lane(pair)
        try:
            fetched = await feed.fetch_history(publisher.series, history_from_ms=origin)
        except UserInputError as exc:
            await self._refuse(pair, str(exc))
            return
        except TemporaryError as exc:
            await self._alert(
                pair,
                f"{symbol} was activated but its history could not be read ({exc}); it is not "
                "traded yet: deactivate and activate it again, or restart, to retry",
            )
            return
        self._progress[symbol] = progress
        await self.feed.add_pair(publisher, feed, history_from_ms=origin, fetched=fetched)
        await self._fed()

    async def _fed(self) -> None:
        if self._on_fed is not None:
            await self._on_fed([p.series for p in self.feed.publishers])

    async def _refuse(self, pair: Pair, why: str) -> None:
        self._refused.add(pair.symbol)
        await self._alert(pair, f"{pair.symbol} is not traded: {why} (nothing recorded under it)")

    async def _alert(self, pair: Pair, text: str) -> None:
        log.warning("%s", text)
        alert = AlertRaised(
            timestamp=self.clock.now(),
            kind="pair_refused",
            severity="warning",
            text=text,
            pair=pair,
            details={"pair": pair.symbol},
        )
        await self.bus.publish(topics.ALERTS, alert)

    def _retire(self, symbol: str, *, holding: bool) -> None:
        """Drop a deactivated pair once it holds nothing (see the module docstring)."""
        now = self.clock.timestamp_ms()
        forming = int(self.timeframe.bucket_start(np.array([now], dtype=np.int64))[0])
        if holding:
            log.info("%s: deactivated with a position open: fed until it closes", symbol)
        self.retiring[symbol] = asyncio.create_task(
            self._drop_when_free(symbol, forming), name=f"market-data retire {symbol}"
        )

    async def _drop_when_free(self, symbol: str, forming_ms: int) -> None:
        progress = self._progress[symbol]
        while not self.stop.is_set():
            step, complete = await progress.load(self.database)
            # Its order engine completed a candle that closed after the change: it read the
            # deactivation, so no entry decided before it can still open. Never traded (None)
            # is no exception: its first candle may be in the order engine's hands right now,
            # and an entry opened on it would have no candles left for its stop-loss.
            after = step is not None and (step > forming_ms or (step == forming_ms and complete))
            if after:
                async with self._lock:  # not while ``follow`` judges the pairs
                    async with UnitOfWork(self.database) as uow:
                        held = symbol in await pairs.open_trade_pairs(session=uow.session)
                    if not held:
                        self.retiring.pop(symbol, None)
                        await self.feed.remove_pair(symbol)
                        await self._fed()
                        return
            try:
                await asyncio.wait_for(self.stop.wait(), self.poll_s)
            except TimeoutError:
                continue
