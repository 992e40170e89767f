"""Market data engine: closed candles onto ``candles``, live from an exchange or replayed.

Every candle is written to the candle store before it is published (the indicator worker reloads
its history from there after a restart), and each run says where the series' history starts and
which candle it follows. A run carries the first price after its last close when it is known
(the next candle's open): the order engine acts on the decisions of a close at that price.

* ``ReplayFeed``: a stored series, at N x its real pace (one candle a time) or as fast as
  possible (runs of ``run_size`` candles); the last run is ``final``.
* ``LiveFeed``: polls a public venue for closed candles every ``poll_interval_s``; the candle
  still forming gives the next open. Its history starts where the runtime first started, so a
  restart computes indicators over the same history it would have had without the restart.
* ``StreamFeed``: the same, with candles pushed over the venue's WebSocket (ccxt pro's
  ``watch_ohlcv``) and REST back-fills wherever the stream cannot vouch for a closed candle.
* ``BatchReplayFeed`` and ``PairsLiveFeed``: several pairs (replayed, live), each closed candle
  time published as one batch of every pair's candle (``publish_batch``), live with a bounded
  wait for a late pair.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from cryptotrader.bus import topics
from cryptotrader.bus.message_ids import run_message_id
from cryptotrader.bus.messages import Batch, CandlesClosed
from cryptotrader.bus.protocol import MessageBus
from cryptotrader.clock import Clock
from cryptotrader.domain.market import CandleArrays
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.domain.values import utc_from_ms
from cryptotrader.engines.workers.runs import candle_run, concat
from cryptotrader.errors import NetworkUnavailableError, TemporaryError, UserInputError
from cryptotrader.monitoring.telemetry import Telemetry
from cryptotrader.persistence.candles import SqlCandleStore

log = logging.getLogger(__name__)

MAX_RUN = 2048
"""Candles per message when catching up: big runs amortise computing over the whole history."""
AHEAD = 4
"""Runs a full-speed replay may publish ahead of the order engine (see ``ReplayFeed.run``)."""


Fetched = tuple[CandleArrays, tuple[float, int] | None]
"""Closed candles, and the forming candle's open and open time (the price after the last close)."""


class CandleVenue(Protocol):
    """Where live candles come from (``BaseExchange.fetch_ohlcv``'s signature)."""

    async def fetch_ohlcv(
        self, pair: Pair, timeframe: Timeframe, *, since_ms: int | None = None, limit: int = 500
    ) -> CandleArrays:
        """Candles from ``since_ms`` (the newest ``limit`` when omitted), oldest first."""
        ...


@dataclass(frozen=True, slots=True)
class Series:
    """Which series: its source (``binance``, ``replay``, ``demo``), pair and timeframe."""

    source: str
    pair: Pair
    timeframe: Timeframe


class Publisher:
    """Writes runs of candles to the store, then publishes them."""

    def __init__(
        self,
        *,
        bus: MessageBus,
        store: SqlCandleStore,
        clock: Clock,
        series: Series,
        telemetry: Telemetry | None = None,
    ):
        self.bus = bus
        self._telemetry = telemetry
        self._store = store
        self._clock = clock
        self.series = series
        self.pass_ms = int(time.time() * 1000)
        """When this pass began (``_RunMessage.pass_ms``): now, and again at each new pass."""
        self.published = 0
        self.on_first: Callable[[], None] | None = None
        """Called once, when the first run is published."""

    async def store(self, candles: CandleArrays) -> None:
        """Keep candles in the store (the history the indicator worker reloads)."""
        if len(candles):
            s = self.series
            await self._store.write(
                exchange=s.source, pair=s.pair, timeframe=s.timeframe, candles=candles
            )

    async def hand(self, run: LaneRun) -> None:
        """Publish a live feed's run (a grouped pair's goes to its grouping instead)."""
        await self.publish(
            run.candles,
            previous_ms=run.previous_ms,
            history_from_ms=run.history_from_ms,
            next_open=run.next_open,
        )

    async def publish(
        self,
        run: CandleArrays,
        *,
        previous_ms: int | None,
        history_from_ms: int,
        next_open: tuple[float, int] | None,
        final: bool = False,
        batch: Sequence[str] | None = None,
        batch_ms: int | None = None,
    ) -> None:
        """Announce a run of closed candles (``batch``: see ``BatchReplayFeed``)."""
        message = self.message(
            run,
            previous_ms=previous_ms,
            history_from_ms=history_from_ms,
            next_open=next_open,
            final=final,
            batch=batch,
            batch_ms=batch_ms,
        )
        await self.bus.publish(topics.CANDLES, message)
        self.sent(len(run))

    def message(
        self,
        run: CandleArrays,
        *,
        previous_ms: int | None,
        history_from_ms: int,
        next_open: tuple[float, int] | None,
        final: bool = False,
        batch: Sequence[str] | None = None,
        batch_ms: int | None = None,
    ) -> CandlesClosed:
        """The ``CandlesClosed`` of a run (``publish``'s, not published)."""
        s = self.series
        closes = s.timeframe.bucket_end(run.timestamps[-1:])
        return CandlesClosed(
            message_id=run_message_id(
                "candles_closed",
                s.source,
                s.pair.symbol,
                s.timeframe.value,
                int(run.timestamps[0]),
                int(run.timestamps[-1]),
            ),
            timestamp=utc_from_ms(int(closes[0])),
            exchange=s.source,
            pair=s.pair,
            timeframe=s.timeframe,
            candles=candle_run(run),
            previous_open_ms=previous_ms,
            pass_ms=self.pass_ms,
            history_from_ms=history_from_ms,
            next_open=None if next_open is None else next_open[0],
            next_open_ms=None if next_open is None else next_open[1],
            final=final,
            batch=batch if isinstance(batch, Batch) else Batch.of(batch or ()),
            batch_ms=batch_ms,
        )

    def sent(self, candles: int) -> None:
        """Count ``candles`` published (by ``publish`` or with a batch, ``publish_batch``)."""
        self.published += candles
        if self._telemetry is not None:
            self._telemetry.active_now("market-data")
        if self.on_first is not None:
            self.on_first()
            self.on_first = None


class ReplayFeed:
    """Replays a stored series.

    Args:
        candles: the series.
        speed: N x its real pace (one candle every ``timeframe / N``); None: as fast as possible.
        run_size: candles per message at full speed.
    """

    def __init__(
        self, *, candles: CandleArrays, speed: float | None, run_size: int = MAX_RUN
    ) -> None:
        self.candles = candles
        self.speed = speed
        self.run_size = run_size
        self.times = candles.timestamps
        """The candle times replayed, one window of ``run_size`` (one when paced) at a time."""

    @property
    def total(self) -> int:
        """Candles to replay."""
        return len(self.candles)

    async def run(
        self,
        publisher: Publisher,
        *,
        start_ms: int | None,
        stop: asyncio.Event,
        throttle: Callable[[int], Awaitable[None]] | None = None,
    ) -> None:
        """Publish from the first candle opened at or after ``start_ms`` to the end.

        ``throttle(open_ms)``, when given, returns once the candle opened at ``open_ms`` (the
        last of the run ``AHEAD`` runs back) is done: a full-speed replay never gets further
        ahead of the order engine than that, so channels never hold more than a few runs.
        """
        await self._store(publisher)
        times = self.times
        n = len(times)
        start = 0 if start_ms is None else int(np.searchsorted(times, start_ms))
        size = self.run_size if self.speed is None else 1
        pause = 0.0 if self.speed is None else publisher.series.timeframe.milliseconds / 1000
        if start >= n:
            log.info("replay: every candle was done before; nothing to replay")
        for i in range(start, n, size):
            if stop.is_set():
                return
            back = i - AHEAD * size
            if throttle is not None and back >= start:
                await throttle(int(times[back + size - 1]))
            await self._publish(publisher, i, min(i + size, n))
            if self.speed is not None:
                await _sleep(pause / self.speed, stop)

    async def _store(self, publisher: Publisher) -> None:
        await publisher.store(self.candles)

    async def _publish(self, publisher: Publisher, i: int, j: int) -> None:
        # candles i to j - 1, one run
        candles = self.candles
        n = len(candles)
        await publisher.publish(
            candles.slice(i, j),
            previous_ms=int(candles.timestamps[i - 1]) if i else None,
            history_from_ms=int(candles.timestamps[0]),
            next_open=(float(candles.open[j]), int(candles.timestamps[j])) if j < n else None,
            final=j == n,
        )


class BatchReplayFeed(ReplayFeed):
    """Replays several stored series (one per pair, one timeframe) on their merged candle times.

    The merged times are cut into windows (``run_size`` times at full speed, one at a pace);
    each window publishes, pairs in sorted-symbol order, the run of every pair with candles in
    it, each naming the window's pairs (``batch``) and its first time (``batch_ms``), so that the
    order engine trades a candle time only once every pair's candle at that time is in
    (docs/runtime.md, "Parity with the backtest"). Each run chains to its own series' previous
    candle and carries its own series' next open; the last window's runs are ``final``.

    Args:
        lanes: each pair's publisher and candles.
        speed: N x the timeframe's real pace; None: as fast as possible.
        run_size: candle times per window at full speed.
    """

    def __init__(
        self,
        *,
        lanes: list[tuple[Publisher, CandleArrays]],
        speed: float | None,
        run_size: int = MAX_RUN,
    ) -> None:
        self.lanes = sorted(lanes, key=lambda lane: lane[0].series.pair.symbol)
        super().__init__(candles=self.lanes[0][1], speed=speed, run_size=run_size)
        self.times = np.unique(np.concatenate([c.timestamps for _, c in self.lanes]))

    @property
    def total(self) -> int:
        """Candles of every pair."""
        return sum(len(c) for _, c in self.lanes)

    async def _store(self, publisher: Publisher) -> None:
        for lane_publisher, candles in self.lanes:  # every lane publishes its own runs
            await lane_publisher.store(candles)

    async def _publish(self, publisher: Publisher, i: int, j: int) -> None:
        await self._window(int(self.times[i]), int(self.times[j - 1]), final=j == len(self.times))

    async def _window(self, first_ms: int, last_ms: int, *, final: bool) -> None:
        runs = []
        for publisher, candles in self.lanes:
            stamps = candles.timestamps
            lo = int(np.searchsorted(stamps, first_ms))
            hi = int(np.searchsorted(stamps, last_ms, "right"))
            if hi > lo:
                n = len(candles)
                runs.append(
                    LaneRun(
                        publisher=publisher,
                        candles=candles.slice(lo, hi),
                        previous_ms=int(stamps[lo - 1]) if lo else None,
                        history_from_ms=int(stamps[0]),
                        next_open=(float(candles.open[hi]), int(stamps[hi])) if hi < n else None,
                    )
                )
        await publish_batch(runs, first_ms=first_ms, final=final)


@dataclass(frozen=True, slots=True)
class LaneRun:
    """One pair's run of candles in a window of several pairs, chained to its own series."""

    publisher: Publisher
    candles: CandleArrays
    previous_ms: int | None
    history_from_ms: int
    next_open: tuple[float, int] | None


async def publish_batch(runs: Sequence[LaneRun], *, first_ms: int, final: bool = False) -> None:
    """Publish one window of several pairs: the one ordering rule of replay, backtest and live.

    The runs go out in sorted-symbol order, each naming the window's pairs (``batch``) and its
    first candle time (``batch_ms``): the trading worker steps the window only once every named
    pair's run is in, each candle time's stops, exits and entries pairs in sorted-symbol order
    (docs/runtime.md, "Several pairs"), as ``backtest portfolio`` does.
    """
    ordered = sorted(runs, key=lambda r: r.publisher.series.pair.symbol)
    batch = Batch.of(r.publisher.series.pair.symbol for r in ordered)  # one for every run
    messages = [
        run.publisher.message(
            run.candles,
            previous_ms=run.previous_ms,
            history_from_ms=run.history_from_ms,
            next_open=run.next_open,
            final=final,
            batch=batch,
            batch_ms=first_ms,
        )
        for run in ordered
    ]
    buses = {id(run.publisher.bus) for run in ordered}
    if len(buses) == 1:  # the window in one call: one round trip on Redis, not one per pair
        await ordered[0].publisher.bus.publish_many(topics.CANDLES, messages)
    else:
        for run, message in zip(ordered, messages, strict=True):
            await run.publisher.bus.publish(topics.CANDLES, message)
    for run in ordered:
        run.publisher.sent(len(run.candles))


class LiveFeed:
    """Closed candles of a public venue, polled.

    Args:
        venue: where candles come from.
        clock: decides which candles have closed.
        poll_interval_s: seconds between polls.
        history: candles of history fetched on the first start.
        min_history: closed candles the strategies' warm-up needs: a market with less history
            (a new listing) is refused at start rather than traded blind.
    """

    def __init__(
        self,
        *,
        venue: CandleVenue,
        clock: Clock,
        poll_interval_s: float,
        history: int,
        min_history: int = 0,
    ) -> None:
        self.venue = venue
        self.clock = clock
        self.poll_interval_s = poll_interval_s
        self.history = history
        self.min_history = min_history

    async def run(
        self,
        publisher: Publisher,
        *,
        start_ms: int | None,
        history_from_ms: int | None,
        on_history: Callable[[int], Awaitable[None]],
        stop: asyncio.Event,
        fetched: Fetched | None = None,
    ) -> None:
        """Prime the history, then publish each candle as it closes until ``stop``.

        ``fetched``: the history ``fetch_history`` already read (several pairs check every
        pair's before any is primed); None reads it here.

        Raises:
            NetworkUnavailableError: the venue cannot be reached at start.
            UserInputError: the exchange does not list the pair, or its history is shorter than
                the warm-up (first start).
        """
        last, origin = await self._prime(
            publisher,
            start_ms=start_ms,
            history_from_ms=history_from_ms,
            on_history=on_history,
            fetched=fetched,
        )
        await self._follow(publisher, last, origin, stop)

    async def fetch_history(self, series: Series, *, history_from_ms: int | None) -> Fetched:
        """The closed candles of the history and the forming one's open, checked; nothing stored.

        Raises:
            NetworkUnavailableError: the venue cannot be reached, or returned no closed candle.
            UserInputError: the exchange does not list the pair, or (first start: no
                ``history_from_ms``) its history is shorter than the warm-up.
        """
        closed, forming = await self._fetch(series, None, self.history)
        if not len(closed):
            raise NetworkUnavailableError("the exchange returned no closed candle")
        if history_from_ms is None and len(closed) < self.min_history:
            raise UserInputError(
                f"{series.source} has {len(closed)} closed {series.pair} {series.timeframe} "
                f"candles, too few for the bots' strategies: their warm-up needs "
                f"{self.min_history}"
            )
        return closed, forming

    async def _follow(
        self, publisher: Publisher, last: int, origin: int, stop: asyncio.Event
    ) -> None:
        """Publish each candle as it closes, after ``last``, until ``stop``: polled."""
        while not stop.is_set():
            await _sleep(self.poll_interval_s, stop)
            last = await self._poll(publisher, last, origin)

    async def _prime(
        self,
        publisher: Publisher,
        *,
        start_ms: int | None,
        history_from_ms: int | None,
        on_history: Callable[[int], Awaitable[None]],
        fetched: Fetched | None = None,
    ) -> tuple[int, int]:
        """Store the history, publish what closed since ``start_ms``; the last candle and origin."""
        closed, forming = fetched or await self.fetch_history(
            publisher.series, history_from_ms=history_from_ms
        )
        await publisher.store(closed)
        origin = history_from_ms if history_from_ms is not None else int(closed.timestamps[0])
        await on_history(origin)
        since = start_ms if start_ms is not None else int(closed.timestamps[-1])
        last = await self._publish_since(
            publisher, closed, forming, since_ms=since, origin=origin, previous=None
        )
        return last, origin

    async def _poll(
        self, publisher: Publisher, last: int, origin: int, *, closed_before: int | None = None
    ) -> int:
        """Publish the candles closed after ``last``, from REST; the new last candle."""
        try:
            closed, forming = await self._fetch(
                publisher.series, last, self.history, closed_before=closed_before
            )
        except TemporaryError as exc:
            log.warning("polling candles: %s", exc)
            return last
        await publisher.store(closed)
        return await self._publish_since(
            publisher, closed, forming, since_ms=last + 1, origin=origin, previous=last
        )

    async def _publish_since(
        self,
        publisher: Publisher,
        closed: CandleArrays,
        forming: tuple[float, int] | None,
        *,
        since_ms: int,
        origin: int,
        previous: int | None,
    ) -> int:
        start = int(np.searchsorted(closed.timestamps, since_ms))
        if start >= len(closed):
            return previous if previous is not None else int(closed.timestamps[-1])
        before = int(closed.timestamps[start - 1]) if start else previous
        run = closed.slice(start, len(closed))
        for i in range(0, len(run), MAX_RUN):
            part = run.slice(i, min(i + MAX_RUN, len(run)))
            j = i + len(part)
            following = (float(run.open[j]), int(run.timestamps[j])) if j < len(run) else forming
            await publisher.hand(LaneRun(publisher, part, before, origin, following))
            before = int(part.timestamps[-1])
        return int(closed.timestamps[-1])

    async def _fetch(
        self, series: Series, since_ms: int | None, limit: int, *, closed_before: int | None = None
    ) -> tuple[CandleArrays, tuple[float, int] | None]:
        """Closed candles, and the forming candle's open (the price after the last close).

        Closed means ended by the clock, or opened before ``closed_before`` when given (a
        stream already delivered the candle opened then: every earlier one has closed).
        """
        candles = await self.venue.fetch_ohlcv(
            series.pair, series.timeframe, since_ms=since_ms, limit=limit
        )
        if not len(candles):
            return candles, None
        if closed_before is not None:
            closed = int(np.searchsorted(candles.timestamps, closed_before))
        else:
            ends = series.timeframe.bucket_end(candles.timestamps)
            closed = int(np.searchsorted(ends, self.clock.timestamp_ms(), side="right"))
        forming = None
        if closed < len(candles):
            forming = (float(candles.open[closed]), int(candles.timestamps[closed]))
        return candles.slice(0, closed), forming


class CandleStream(Protocol):
    """Candles pushed by the exchange (``exchanges.ccxt.stream.CcxtCandleStream``)."""

    async def watch(self, pair: Pair, timeframe: Timeframe) -> CandleArrays:
        """The stream's cached candles once the next update arrives; the last one is forming.

        Raises:
            TemporaryError: the connection dropped (the next call reconnects).
        """
        ...

    def connection(self) -> tuple[object, ...]:
        """The open connections, as objects compared by identity: a change is a reconnect.

        Several pairs share one client: a pair whose own call was not waiting when the
        connection dropped (it was publishing) sees no error, only a new connection.
        """
        ...


class StreamFeed(LiveFeed):
    """Closed candles pushed over the exchange's WebSocket, REST wherever the stream cannot vouch.

    The stream's cache holds a candle's final values only if the connection lasted from before
    the candle opened until a later candle arrived (each update carries the candle's whole values
    so far, the last one its final values, in order on one connection). So a closed candle is
    taken from the stream when it opened at or after ``trusted_from`` (the first candle opened
    after the current connection's first update) and the candles since the last one published
    are all there, one timeframe apart; otherwise (at start, after any reconnect, a gap, a
    silence longer than ``stall_s``) the candles closed since the last one published are
    back-filled from REST. Either way a candle is published once, after the one before it.

    Args:
        stream: where candles are pushed from.
        stall_s: seconds without an update after which the stream is not waited for (REST).
        venue, clock, poll_interval_s, history, min_history: as ``LiveFeed``; REST back-fills
            and the history, and the pause before retrying a failed connection.
    """

    def __init__(
        self,
        *,
        venue: CandleVenue,
        stream: CandleStream,
        clock: Clock,
        poll_interval_s: float,
        history: int,
        min_history: int = 0,
        stall_s: float = 60.0,
    ) -> None:
        super().__init__(
            venue=venue,
            clock=clock,
            poll_interval_s=poll_interval_s,
            history=history,
            min_history=min_history,
        )
        self.stream = stream
        self.stall_s = stall_s
        self.from_stream = 0
        """Candles published from the stream's own updates (the rest came from REST)."""

    async def _follow(
        self, publisher: Publisher, last: int, origin: int, stop: asyncio.Event
    ) -> None:
        """Publish each candle as the stream shows it closed, after ``last``, until ``stop``."""
        series = publisher.series
        step = series.timeframe.milliseconds
        trusted_from: int | None = None
        failing = False
        link: tuple[object, ...] = ()
        while not stop.is_set():
            try:
                cached = await _until(
                    self.stream.watch(series.pair, series.timeframe), stop, self.stall_s
                )
            except (TemporaryError, TimeoutError) as exc:
                reason = str(exc) or f"no update for {self.stall_s:g} s"
                # once per outage: a stream that stays down is polled, not logged every poll
                level = logging.DEBUG if failing else logging.WARNING
                log.log(level, "candle stream: %s; candles from REST until it is back", reason)
                failing = True
                trusted_from = None
                last = await self._poll(publisher, last, origin)
                await _sleep(self.poll_interval_s, stop)
                continue
            if cached is None or not len(cached):
                continue
            if failing:
                log.info("candle stream: back")
                failing = False
            now_link = self.stream.connection()
            if not _same(now_link, link):  # reconnected: the cache may hold a stale update
                trusted_from = None
                link = now_link
            forming = int(cached.timestamps[-1])
            if trusted_from is None:
                trusted_from = forming + step
            if forming > last + step:
                last = await self._closed(publisher, cached, last, origin, trusted_from)

    async def _closed(
        self, publisher: Publisher, cached: CandleArrays, last: int, origin: int, trusted: int
    ) -> int:
        """Publish the candles closed before the stream's forming one; the new last candle."""
        step = publisher.series.timeframe.milliseconds
        forming = int(cached.timestamps[-1])
        first = last + step
        start = int(np.searchsorted(cached.timestamps, first))
        closed = cached.slice(start, len(cached) - 1)
        ts = closed.timestamps
        whole = (
            first >= trusted
            and len(closed) > 0
            and int(ts[0]) == first
            and int(ts[-1]) + step == forming
            and bool(np.all(np.diff(ts) == step))
        )
        if not whole:
            return await self._poll(publisher, last, origin, closed_before=forming)
        await publisher.store(closed)
        self.from_stream += len(closed)
        return await self._publish_since(
            publisher,
            closed,
            (float(cached.open[-1]), forming),
            since_ms=first,
            origin=origin,
            previous=last,
        )


@dataclass(slots=True)
class _Part:
    """A run one pair's feed handed in, waiting for the other pairs' candles of its times."""

    publisher: Publisher
    candles: CandleArrays
    previous_ms: int | None
    history_from_ms: int
    next_open: tuple[float, int] | None
    at: float
    """When it came in (``time.monotonic``)."""


class _Grouped(Publisher):
    """A pair's publisher as its own feed sees it: runs go to the grouping, candles to the store."""

    def __init__(self, real: Publisher, group: PairsLiveFeed) -> None:
        self.real = real
        self.series = real.series
        self._group = group

    async def store(self, candles: CandleArrays) -> None:
        """Keep candles in the store, as the pair's own publisher does."""
        await self.real.store(candles)

    async def hand(self, run: LaneRun) -> None:
        """Hand the run to the grouping (it publishes through the real publisher)."""
        part = _Part(
            self.real, run.candles, run.previous_ms, run.history_from_ms, run.next_open,
            time.monotonic(),
        )  # fmt: skip
        await self._group.add(part)


class PairsLiveFeed:
    """Several pairs' live candles, one exchange: each closed candle time as one batch.

    Each pair has its own feed (``StreamFeed`` over one shared WebSocket client where ccxt
    streams the venue, else ``LiveFeed`` polling), with its own gap check and REST back-fill.
    Their runs meet here: the candles of a time ``t`` are published together, as a replay's
    window (``publish_batch``: sorted-symbol order, one batch), once every pair has handed in a
    candle at or after ``t``. A pair that has not within ``wait_s`` seconds of the first candle
    waiting is late: the others' candles go without it, and its own, when they come, are
    published on their own (the trading worker steps them alone, after the others'); nothing is
    dropped, nothing published twice. ``late`` counts such candles.

    At start every pair's history is read and checked (the exchange lists the pair; enough
    closed candles for the warm-up on a first start) before any is stored or published: one
    bad pair refuses the run in one line, nothing recorded. ``add_pair`` feeds one more pair
    while running, checked the same way (a bad one is refused alone); ``remove_pair`` stops
    feeding one (``LivePairs`` decides when, following ``/config/pairs``).

    Args:
        lanes: each pair's publisher and feed.
        wait_s: the bound on waiting for a late pair (``runtime.pair_wait_s``).
    """

    def __init__(self, *, lanes: list[tuple[Publisher, LiveFeed]], wait_s: float) -> None:
        self.lanes = sorted(lanes, key=lambda lane: lane[0].series.pair.symbol)
        self.wait_s = wait_s
        self.late = 0
        """Candles published after their time's batch had gone without them."""
        self._symbols = [p.series.pair.symbol for p, _ in self.lanes]
        self._pending: dict[str, list[_Part]] = {}
        self._reached: dict[str, int] = {}
        self._flushed = -1
        """Candle times up to this one were published (a later candle of them is late)."""
        self._missing: set[str] = set()
        self._joining: set[str] = set()
        self._lock = asyncio.Lock()
        self._changed = asyncio.Event()
        self._grown = asyncio.Event()
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._stop: asyncio.Event | None = None
        self._on_history: Callable[[str, int], Awaitable[None]] | None = None
        self.started = asyncio.Event()
        """Set once every pair's history is checked and the feeds run (pairs may be added)."""

    @property
    def symbols(self) -> list[str]:
        """The pairs fed, sorted."""
        return list(self._symbols)

    @property
    def publishers(self) -> list[Publisher]:
        """Every pair's publisher, in sorted-symbol order."""
        return [p for p, _ in self.lanes]

    async def run(
        self,
        *,
        starts: Mapping[str, int | None],
        origins: Mapping[str, int | None],
        on_history: Callable[[str, int], Awaitable[None]],
        stop: asyncio.Event,
    ) -> None:
        """Check every pair's history, then run every pair's feed until ``stop``.

        ``starts`` and ``origins``: each pair's first candle not yet traded and where its
        history starts (None on a first start), by symbol.

        Raises:
            UserInputError: pairs the exchange does not list or with too short a history (all
                named in one line).
            NetworkUnavailableError: the venue cannot be reached at start.
        """
        fetched: dict[str, Fetched] = {}
        refused: list[str] = []
        for publisher, feed in self.lanes:
            symbol = publisher.series.pair.symbol
            try:
                fetched[symbol] = await feed.fetch_history(
                    publisher.series, history_from_ms=origins.get(symbol)
                )
            except UserInputError as exc:
                refused.append(str(exc))
        if refused:
            raise UserInputError("; ".join(refused) + " (nothing was recorded)")
        self._stop, self._on_history = stop, on_history
        for publisher, feed in self.lanes:
            symbol = publisher.series.pair.symbol
            self._tasks[symbol] = self._lane(
                publisher,
                feed,
                start_ms=starts.get(symbol),
                history_from_ms=origins.get(symbol),
                fetched=fetched[symbol],
            )
        late = asyncio.create_task(self._wait_for_late(stop), name="market-data late")
        self.started.set()
        try:
            await self._supervise(late)
        finally:
            tasks = [*self._tasks.values(), late]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def add_pair(
        self,
        publisher: Publisher,
        feed: LiveFeed,
        *,
        history_from_ms: int | None = None,
        fetched: Fetched | None = None,
    ) -> None:
        """Feed one more pair while running (a pair activated in ``/config/pairs``).

        Its history is read and checked first, as at start (``fetched``: already read and
        checked by ``feed.fetch_history``); its first candle (its last closed one, usually a
        time already published) goes on its own, the next ones with the others'. A pair
        already fed is left as it is.

        Raises:
            UserInputError: the exchange does not list it, or its history is too short (nothing
                stored; the pairs already fed go on).
            RuntimeError: the feed is not running.
        """
        if self._stop is None or self._on_history is None:
            raise RuntimeError("the pairs' feed is not running")
        symbol = publisher.series.pair.symbol
        if symbol in self._symbols:
            return
        if fetched is None:
            fetched = await feed.fetch_history(publisher.series, history_from_ms=history_from_ms)
        async with self._lock:
            lanes = [*self.lanes, (publisher, feed)]
            self.lanes = sorted(lanes, key=lambda lane: lane[0].series.pair.symbol)
            self._symbols = [p.series.pair.symbol for p, _ in self.lanes]
            self._joining.add(symbol)
        self._tasks[symbol] = self._lane(
            publisher, feed, start_ms=None, history_from_ms=history_from_ms, fetched=fetched
        )
        self._grown.set()
        log.info("%s: fed from now on, with the other pairs", symbol)

    async def remove_pair(self, symbol: str) -> None:
        """Stop feeding a pair (deactivated, and holding no position any more).

        Its candles already handed in are published first; the other pairs' candle times no
        longer wait for it. A pair not fed is left alone.
        """
        async with self._lock:
            if symbol not in self._symbols:
                return
            task = self._tasks.pop(symbol, None)
            if task is not None:
                task.cancel()
            if symbol in self._pending:
                through = max(int(p.candles.timestamps[-1]) for p in self._pending[symbol])
                run = self._take(symbol, through)
                if run is not None:
                    await run.publisher.publish(
                        run.candles,
                        previous_ms=run.previous_ms,
                        history_from_ms=run.history_from_ms,
                        next_open=run.next_open,
                    )
            self.lanes = [lane for lane in self.lanes if lane[0].series.pair.symbol != symbol]
            self._symbols = [p.series.pair.symbol for p, _ in self.lanes]
            self._reached.pop(symbol, None)
            self._missing.discard(symbol)
            self._joining.discard(symbol)
            await self._flush(timed_out=False)
        if task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._grown.set()
        log.info("%s: no longer fed", symbol)

    def _lane(
        self,
        publisher: Publisher,
        feed: LiveFeed,
        *,
        start_ms: int | None,
        history_from_ms: int | None,
        fetched: Fetched,
    ) -> asyncio.Task[None]:
        assert self._stop is not None
        assert self._on_history is not None
        symbol = publisher.series.pair.symbol
        return asyncio.create_task(
            feed.run(
                _Grouped(publisher, self),
                start_ms=start_ms,
                history_from_ms=history_from_ms,
                on_history=_for_pair(self._on_history, symbol),
                stop=self._stop,
                fetched=fetched,
            ),
            name=f"market-data {symbol}",
        )

    async def _supervise(self, late: asyncio.Task[None]) -> None:
        """Until every pair's feed is done (``stop``); the first failure is raised."""
        while True:
            tasks = [*self._tasks.values(), late]
            running = [task for task in tasks if not task.done()]
            for task in tasks:
                if task.done():
                    task.result()
            if not running:
                return
            grown = asyncio.ensure_future(self._grown.wait())
            try:
                await asyncio.wait([*running, grown], return_when=asyncio.FIRST_COMPLETED)
            finally:
                grown.cancel()
            self._grown.clear()

    async def add(self, part: _Part) -> None:
        """Take a pair's run: publish what is late at once, group the rest (see the class)."""
        async with self._lock:
            symbol = part.publisher.series.pair.symbol
            stamps = part.candles.timestamps
            cut = int(np.searchsorted(stamps, self._flushed, "right"))
            if cut:
                late = part.candles.slice(0, cut)
                after = _next_open(part, cut)
                if symbol not in self._joining:
                    log.warning(
                        "%s: %d candle(s) from %s came after the other pairs' (waited %g s); "
                        "traded on their own",
                        symbol, cut, utc_from_ms(int(stamps[0])), self.wait_s,
                    )  # fmt: skip
                    self.late += cut
                await part.publisher.publish(
                    late,
                    previous_ms=part.previous_ms,
                    history_from_ms=part.history_from_ms,
                    next_open=after,
                )
                self._reached[symbol] = max(self._reached.get(symbol, -1), int(stamps[cut - 1]))
                part.previous_ms = int(stamps[cut - 1])
                part.candles = part.candles.slice(cut, len(stamps))
            self._joining.discard(symbol)
            if len(part.candles):
                self._pending.setdefault(symbol, []).append(part)
                self._reached[symbol] = int(part.candles.timestamps[-1])
            await self._flush(timed_out=False)
            self._changed.set()

    async def _wait_for_late(self, stop: asyncio.Event) -> None:
        """Publish what waits longer than ``wait_s`` without the pairs still missing."""
        while not stop.is_set():
            self._changed.clear()
            oldest = self._oldest()
            if oldest is not None and time.monotonic() >= oldest + self.wait_s:
                async with self._lock:
                    oldest = self._oldest()
                    if oldest is not None and time.monotonic() >= oldest + self.wait_s:
                        await self._flush(timed_out=True)
                continue
            timeout = None if oldest is None else oldest + self.wait_s - time.monotonic()
            waiters = [
                asyncio.ensure_future(self._changed.wait()),
                asyncio.ensure_future(stop.wait()),
            ]
            try:
                await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for waiter in waiters:
                    waiter.cancel()

    def _oldest(self) -> float | None:
        times = [p.at for parts in self._pending.values() for p in parts]
        return min(times) if times else None

    async def _flush(self, *, timed_out: bool) -> None:
        """Publish the candle times every pair reached (timed out: every time waiting)."""
        if not self._pending:
            return
        if timed_out:
            through = max(
                int(p.candles.timestamps[-1]) for ps in self._pending.values() for p in ps
            )
        else:
            through = min(self._reached.get(symbol, -1) for symbol in self._symbols)
        if through <= self._flushed:
            return
        runs = [run for symbol in list(self._pending) if (run := self._take(symbol, through))]
        if not runs:
            return
        if timed_out:
            missing = {s for s in self._symbols if self._reached.get(s, -1) < through}
            for symbol in sorted(missing - self._missing):
                log.warning(
                    "%s: no candle within %g s of the other pairs' at %s; they go without it",
                    symbol, self.wait_s, utc_from_ms(through),
                )  # fmt: skip
            self._missing = missing
        else:
            self._missing = set()
        self._flushed = through
        await publish_batch(runs, first_ms=min(int(r.candles.timestamps[0]) for r in runs))

    def _take(self, symbol: str, through: int) -> LaneRun | None:
        """One pair's waiting candles up to ``through``, as one run chained to its series."""
        parts = self._pending[symbol]
        taken: list[CandleArrays] = []
        first = parts[0]
        publisher, previous_ms, origin = first.publisher, first.previous_ms, first.history_from_ms
        next_open: tuple[float, int] | None = None
        while parts:
            part = parts[0]
            cut = int(np.searchsorted(part.candles.timestamps, through, "right"))
            if cut == 0:
                next_open = (float(part.candles.open[0]), int(part.candles.timestamps[0]))
                break
            taken.append(part.candles.slice(0, cut))
            next_open = _next_open(part, cut)
            if cut < len(part.candles):
                part.previous_ms = int(part.candles.timestamps[cut - 1])
                part.candles = part.candles.slice(cut, len(part.candles))
                break
            parts.pop(0)
        if not parts:
            del self._pending[symbol]
        if not taken:
            return None
        candles = taken[0]
        for more in taken[1:]:
            candles = concat(candles, more)
        return LaneRun(
            publisher=publisher,
            candles=candles,
            previous_ms=previous_ms,
            history_from_ms=origin,
            next_open=next_open,
        )


def _next_open(part: _Part, cut: int) -> tuple[float, int] | None:
    """The price after candle ``cut - 1`` of the part: the next candle's open, or the part's."""
    if cut < len(part.candles):
        return float(part.candles.open[cut]), int(part.candles.timestamps[cut])
    return part.next_open


def _for_pair(
    on_history: Callable[[str, int], Awaitable[None]], symbol: str
) -> Callable[[int], Awaitable[None]]:
    async def saved(origin: int) -> None:
        await on_history(symbol, origin)

    return saved


def _same(one: tuple[object, ...], other: tuple[object, ...]) -> bool:
    return len(one) == len(other) and all(a is b for a, b in zip(one, other, strict=True))


async def _until(
    call: Awaitable[CandleArrays], stop: asyncio.Event, timeout_s: float
) -> CandleArrays | None:
    """``call``'s result; None when ``stop`` is set first.

    Raises:
        TimeoutError: neither within ``timeout_s``.
    """
    task = asyncio.ensure_future(call)
    stopped = asyncio.ensure_future(stop.wait())
    try:
        done, _ = await asyncio.wait(
            {task, stopped}, timeout=timeout_s, return_when=asyncio.FIRST_COMPLETED
        )
    finally:
        stopped.cancel()
    if task in done:
        return task.result()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task
    if stopped in done:
        return None
    raise TimeoutError


async def _sleep(seconds: float, stop: asyncio.Event) -> None:
    """Sleep, waking early when ``stop`` is set."""
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        return
