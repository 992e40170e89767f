"""Trading worker: the step of each candle time, in order, for both bots on every pair.

A step follows the backtest's order of events in a candle (docs/backtesting.md):

1. the paper market sees the candle: stops and take-profits it reached fill (gap at the open,
   stop first when both are touched), and their trades close and settle;
2. the market moves to the next candle's open (the first price after the close);
3. the decisions taken at the close act at that price: exits first (an aggressive winner's
   reallocation is in the safe bot's capital before the safe bot sizes an entry at that same
   open), then entries, each protected at once. The entries of every pair are one batch
   (``order_batch``): decided in order, each on the book grown by the earlier ones, written in
   one transaction before any is sent.

Several pairs (one ``Lane`` each: its order engine, positions and checkpoint): a candle time's
step runs each part on every pair with a candle at that time before the next part, pairs in
sorted-symbol order (docs/runtime.md, "Several pairs"); an entry is checked against the open
positions of every pair (``OrderEngineDeps.book``).

The pairs each bot opens positions on change while running (``BotPairsChanged`` on
``commands``, from the API or the CLI): the change applies from the next run of candles on, and
is recorded then (audit row and ``bot_pairs_applied`` alert). A pair taken off a bot opens
nothing new for it; its open position keeps its protection and its exits until it closes. A
pair the market data starts feeding while running (activated in ``/config/pairs``) gets its
lane when its first decisions come (``new_lane``), recorded as opened from that candle.

A run following a candle not done yet (the runs before it were lost with Redis's streams) is
not acted on: the market data publishes again from the order engine's checkpoint
(``Runtime``). Decisions too old to act on (a live runtime catching up after downtime) are not
acted on. A
step's effects are checkpointed as they happen (``Progress``) and each part of a step is
idempotent, so a restart resumes inside the step it died in; a run of candles ends with a
``complete`` checkpoint.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from bisect import bisect_left, bisect_right
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import NamedTuple

import numpy as np

from cryptotrader.bus.messages import (
    Batch,
    BotDecisions,
    BotPairsChanged,
    BusMessage,
    DecisionsMade,
)
from cryptotrader.bus.protocol import Delivery
from cryptotrader.clock import Clock, MarketClock
from cryptotrader.domain.enums import BotKind, BotStatus
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.reports import OrderReport
from cryptotrader.domain.signals import TradingSignal
from cryptotrader.domain.values import utc_from_ms
from cryptotrader.engines import client_ids
from cryptotrader.engines.order import OrderEngine
from cryptotrader.engines.order_batch import Exit, Wanted, close_positions, open_positions
from cryptotrader.engines.reconcile import Reconciler
from cryptotrader.engines.workers.decisions import ACTIONS, BUY, SELL
from cryptotrader.exchanges.paper import PaperExchange
from cryptotrader.persistence import deferred
from cryptotrader.persistence.repositories import bots, trades
from cryptotrader.persistence.uow import UnitOfWork

log = logging.getLogger(__name__)

_ORDER = (BotKind.AGGRESSIVE, BotKind.SAFE)
_SAMPLE_EVERY_S = 1.0
"""The bots' money is reported after a run of candles, at most this often (wall clock): every
candle when trading live, about once a second in a replay at full speed (and at its end)."""
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_STRETCH_MIN = 8
"""Candle times left in a batch from which a stretch of quiet ones is looked for and skipped
whole (a replay at full speed); fewer (live candles) are stepped one at a time."""
_SCAN_MAX = 64
"""Candles from which ``_Run.next_event`` looks for a resting level's touch with numpy (fewer:
a Python loop, cheaper than numpy's calls on a short span)."""

PairsApplied = Callable[
    [BotPairsChanged, int, tuple[str, ...] | None, tuple[str, ...]],
    Awaitable[list[tuple[str, BusMessage]]],
]
"""Records a bot's pairs applied from the candle opened at the given ms (the pairs, None for
every pair, and those chosen but not traded here); returns the events to publish."""

NewLane = Callable[[Pair], Awaitable[tuple[OrderEngine, Reconciler]]]
"""Builds the order engine of a pair fed while running (one more lane on the shared book)."""

EntriesChanged = Callable[
    [tuple[str, ...], tuple[str, ...], tuple[str, ...], int],
    Awaitable[list[tuple[str, BusMessage]]],
]
"""Records the pairs opened and closed to entries from the candle opened at the given ms, and
the active pairs without candles here; returns the events to publish."""


class Candle(NamedTuple):
    """One candle of a run, and the first price after it (None at the end of a replay).

    A named tuple: one is built per candle, and a frozen dataclass's ``__init__`` costs several
    times a tuple's.
    """

    open_ms: int
    close_ms: int
    open: float
    high: float
    low: float
    close: float
    next_open: float | None
    next_open_ms: int | None


@dataclass(slots=True)
class Lane:
    """One pair's order engine and reconciler, and where its steps resume after a restart."""

    engine: OrderEngine
    reconciler: Reconciler
    resume_ms: int | None = None
    """Candles opened before this were done before a restart."""
    symbol: str = field(init=False)
    """The pair's symbol (read on every candle: ``Pair.symbol`` formats it anew each time)."""

    def __post_init__(self) -> None:
        self.symbol = self.engine.deps.pair.symbol


class Gathered:
    """The runs of one batch (a candle time of several pairs) gathered so far.

    ``add`` answers whether every pair of the batch that this runtime trades has its run in,
    as ``set(runs) >= batch.members().intersection(lanes)`` does, without building those sets
    at every run (100 pairs: 100 runs a candle time, each building two sets of 100). The pairs still
    missing are kept and worked out again only when a run names another batch or the lanes
    changed (``TradingWorker._join`` replaces the dict, never changes it in place).
    """

    __slots__ = ("_batch", "_lanes", "_missing", "runs")

    def __init__(self) -> None:
        self.runs: dict[str, DecisionsMade] = {}
        self._batch: Batch | None = None
        self._lanes: Mapping[str, object] | None = None
        self._missing: set[str] = set()

    def add(
        self, symbol: str, message: DecisionsMade, batch: Batch, lanes: Mapping[str, object]
    ) -> bool:
        """Gather ``message`` (``symbol``'s run of ``batch``); True once none is missing."""
        self.runs[symbol] = message
        if lanes is self._lanes and batch == self._batch:  # the same text: a string compare
            self._missing.discard(symbol)
        else:
            self._batch, self._lanes = batch, lanes
            missing = set(batch.members())
            missing.intersection_update(lanes)
            missing.difference_update(self.runs)
            self._missing = missing
        return not self._missing


class _Row(NamedTuple):
    """One pair's candle at a candle time: its bots' decisions are row ``at`` of ``message``."""

    lane: Lane
    candle: Candle
    message: DecisionsMade
    at: int
    actions: tuple[tuple[BotKind, list[int]], ...]
    """Each deciding bot's actions over the run (the message's, in the runtime's bot order)."""


class TradingWorker:
    """Consumes ``signals`` (``DecisionsMade``) and runs each candle time's step on every pair.

    Several pairs: the runs of one batch (``DecisionsMade.batch``) are gathered, then their
    candle times are merged and each time is one step over every pair with a candle at it, in
    the order of the module docstring, pairs in sorted-symbol order inside each part.

    Args:
        lanes: each pair's order engine and reconciler (one shared risk book, see
            ``OrderEngineDeps.book``).
        feed: the paper exchange, fed with the candles; None for a live venue (then protective
            orders are polled).
        clock: moved to each candle's close when it is a ``MarketClock`` (replays): the trading
            worker alone moves it, so that time-dependent rules (the daily loss limit) read the
            time of the candle being traded, never how far the market data has read ahead.
        max_decision_age_ms: decisions older than this (from their candle's close) are not acted
            on; None acts on all (replays).
        entries_allowed: the active symbols of ``/config/pairs`` (read at each batch: a pair
            removed or deactivated while running opens nothing new, and its open position keeps
            its protection until it closes); None allows every lane.
        bot_pairs: the pairs each bot opens positions on at start (the choice stored through the
            API or the CLI, else ``runtime.bot_pairs``); a bot not named: every pair.
        default_pairs: ``runtime.bot_pairs``: what a bot returns to when its choice is cleared.
        on_pairs_applied: records a change of a bot's pairs when it takes effect.
        on_entries_changed: records pairs opened to entries or closed to them (through
            ``/config/pairs``) when it takes effect, and active pairs this runtime has no
            candles for.
        pairs_applied_already: True for a ``BotPairsChanged`` applied already (a copy the
            outbox sent again after Redis restarted empty: dropped, no second alert).
        new_lane: builds the lane of a pair whose decisions come while running (a pair the
            market data started feeding); None: such decisions are not acted on.
    """

    def __init__(
        self,
        *,
        lanes: list[tuple[OrderEngine, Reconciler]],
        feed: PaperExchange | None,
        clock: Clock,
        max_decision_age_ms: int | None,
        entries_allowed: Callable[[], Awaitable[set[str]]] | None = None,
        bot_pairs: Mapping[BotKind, Collection[str]] | None = None,
        default_pairs: Mapping[BotKind, Collection[str]] | None = None,
        on_pairs_applied: PairsApplied | None = None,
        on_entries_changed: EntriesChanged | None = None,
        pairs_applied_already: Callable[[BotPairsChanged], Awaitable[bool]] | None = None,
        new_lane: NewLane | None = None,
    ) -> None:
        built = [Lane(engine, reconciler) for engine, reconciler in lanes]
        self.lanes = {lane.symbol: lane for lane in sorted(built, key=lambda lane: lane.symbol)}
        self.feed = feed
        self.clock = clock
        self.max_age = max_decision_age_ms
        self.entries_allowed = entries_allowed
        self.bot_pairs: dict[BotKind, frozenset[str]] = {
            bot: frozenset(chosen) for bot, chosen in (bot_pairs or {}).items()
        }
        self._default_pairs = {
            bot: frozenset(chosen) for bot, chosen in (default_pairs or {}).items()
        }
        self._pending_pairs: dict[BotKind, BotPairsChanged] = {}
        self._on_pairs_applied = on_pairs_applied
        self._on_entries_changed = on_entries_changed
        self._pairs_applied_already = pairs_applied_already
        self._new_lane = new_lane
        self._joined: set[str] = set()
        self._active: set[str] | None = None
        self.resume_ms: int | None = None
        """Candle times before this are done (after a restart: the earliest pair's)."""
        self.finished = asyncio.Event()
        """Set once the last run of a replay is done."""
        self.candles_done = 0
        self.progressed = asyncio.Condition()
        """Notified after each run of candles (``resume_ms`` moved)."""
        self._sampled = -_SAMPLE_EVERY_S
        self._gathering: dict[int, Gathered] = {}
        self._kept: dict[int, list[Delivery]] = {}
        """The deliveries of the runs gathered, kept pending until their batch is traded."""
        self._open_to: set[str] = set(self.lanes)
        self._marks: dict[str, float] = {}
        self._market_clock = clock if isinstance(clock, MarketClock) else None

    @property
    def engine(self) -> OrderEngine:
        """The first pair's order engine (the only one with one pair)."""
        return next(iter(self.lanes.values())).engine

    @property
    def engines(self) -> list[OrderEngine]:
        """Every pair's order engine, in sorted-symbol order."""
        return [lane.engine for lane in self.lanes.values()]

    async def start(self) -> int | None:
        """Reconcile, then say where to resume: the first candle (open time) not yet done."""
        for lane in self.lanes.values():
            progress = lane.engine.deps.progress
            step, _ = await progress.load(lane.engine.deps.database)
            if step is not None and isinstance(self.clock, MarketClock):
                self.clock.observe(step)  # a replay's time is where it stopped, not its start
        points = [await self._resume(lane) for lane in self.lanes.values()]
        self.resume_ms = None if None in points else min(p for p in points if p is not None)
        return self.resume_ms

    async def _resume(self, lane: Lane) -> int | None:
        """Reconcile a lane whose checkpoint is loaded; where its steps resume."""
        await lane.reconciler.run()
        step, complete = lane.engine.deps.progress.resume_point()
        lane.engine.checked_through_ms = -1 if step is None else step
        lane.resume_ms = None if step is None else step + (1 if complete else 0)
        return lane.resume_ms

    async def _join(self, pair: Pair) -> bool:
        """Build the lane of a pair fed while running; False when none can be built."""
        if self._new_lane is None:
            return False
        engine, reconciler = await self._new_lane(pair)
        lane = Lane(engine, reconciler)
        await engine.deps.progress.load(engine.deps.database)
        await self._resume(lane)
        self.lanes = dict(sorted({**self.lanes, lane.symbol: lane}.items()))
        self._joined.add(lane.symbol)
        log.info("%s: traded from its first candle on", lane.symbol)
        return True

    def opens_on(self, bot: BotKind, symbol: str) -> bool:
        """True when ``bot`` may open a position on ``symbol`` (its pairs, as applied)."""
        chosen = self.bot_pairs.get(bot)
        return chosen is None or symbol in chosen

    @property
    def pending_pairs(self) -> frozenset[BotKind]:
        """Bots whose new pairs apply at the next run of candles."""
        return frozenset(self._pending_pairs)

    async def reconfigure(self, delivery: Delivery) -> None:
        """Take a bot's new pairs (``commands``); they apply from the next run of candles on."""
        message = delivery.message
        if not isinstance(message, BotPairsChanged):
            return
        if self._pairs_applied_already is not None and await self._pairs_applied_already(message):
            # sent again (the outbox, after Redis restarted empty): applied and announced once
            log.info("%s bot: pairs %s applied already: dropped", message.bot, message.message_id)
            return
        self._pending_pairs[message.bot] = message  # the latest asked wins

    async def _apply_pairs(self, first_ms: int | None) -> None:
        """Apply the pairs changed since the last run: entries follow them from ``first_ms``.

        None (no candle to step: a run delivered again) keeps them pending.
        """
        if first_ms is None:
            return
        for bot, change in list(self._pending_pairs.items()):
            del self._pending_pairs[bot]
            if change.pairs is None:
                chosen = self._default_pairs.get(bot)
            else:
                chosen = frozenset(p.symbol for p in change.pairs)
            if chosen is None:
                self.bot_pairs.pop(bot, None)
            else:
                self.bot_pairs[bot] = chosen
            listed = None if chosen is None else tuple(sorted(chosen))
            untraded = tuple(sorted((chosen or frozenset()) - set(self.lanes)))
            log.info("%s bot opens on %s from the next candle on", bot, listed or "every pair")
            if self._on_pairs_applied is None:
                continue
            for topic, event in await self._on_pairs_applied(change, first_ms, listed, untraded):
                await self.engine.deps.bus.publish(topic, event)

    async def _read_active(self, first_ms: int | None) -> None:
        """Read the active pairs; say which opened or closed to entries since the last read.

        A pair activated while running opens positions from ``first_ms`` on; one deactivated
        opens nothing new, its open position keeping its protection until it closes. An active
        pair without a lane (a replay trades only the pairs of its files) is named once.
        """
        if self.entries_allowed is None or first_ms is None:
            return
        active = await self.entries_allowed()
        lanes = set(self.lanes)
        before, self._active = self._active, active
        self._open_to = active & lanes
        if before is None:  # the first read: say what differs from trading every pair
            opened, closed, untraded = set[str](), lanes - active, active - lanes
        else:
            opened, closed = (active - before) & lanes, (before - active) & lanes
            untraded = (active - before) - lanes
        opened |= self._joined & active  # fed while running: opens from its first candle
        self._joined.clear()
        if self._on_entries_changed is None or not (opened or closed or untraded):
            return
        events = await self._on_entries_changed(
            tuple(sorted(opened)), tuple(sorted(closed)), tuple(sorted(untraded)), first_ms
        )
        for topic, event in events:
            await self.engine.deps.bus.publish(topic, event)

    async def handle(self, delivery: Delivery) -> None:
        """Run the steps of a run of candles (of a whole batch), then checkpoint it complete."""
        message = delivery.message
        if not isinstance(message, DecisionsMade):
            return
        symbol = message.pair.symbol
        if symbol not in self.lanes and not await self._join(message.pair):
            log.warning("decisions on %s, which this runtime does not trade", message.pair)
            return
        lane = self.lanes[symbol]
        if lane.resume_ms is not None and message.candles.open_times[-1] < lane.resume_ms:
            # a run handled again upstream (a decision worker died before acking it): its
            # candles are stepped already; gathered, it would wait for its batch forever
            log.debug("%s: run up to %d seen already", lane.symbol, message.candles.open_times[-1])
            return
        if self._follows_undone(lane, message.previous_open_ms):
            # The runs before it were lost (Redis restarted empty): acting on it would skip
            # their candles. The market data publishes again from our checkpoint.
            log.warning(
                "%s: a run following %s, a candle not done yet: not acted on (runs before it "
                "were lost; waiting for them to come again)",
                lane.symbol,
                utc_from_ms(message.previous_open_ms or 0),
            )
            return
        if not message.batch or message.batch_ms is None:
            await self._batch([message])
            return
        gathered = self._gathering.get(message.batch_ms)
        if gathered is None:
            gathered = self._gathering[message.batch_ms] = Gathered()
        if gathered.add(symbol, message, message.batch, self.lanes):
            del self._gathering[message.batch_ms]
            runs = gathered.runs
            await self._batch([runs[s] for s in sorted(runs)])
            # traded: acked at last, every pair's run in one round trip
            await self.engine.deps.bus.ack_many(self._kept.pop(message.batch_ms, []))
            return
        # Not acked until its batch is traded: a kill before then would lose this candle time
        # (its other runs came after, and this one would never come again).
        self.engine.deps.bus.keep(delivery)
        self._kept.setdefault(message.batch_ms, []).append(delivery)

    def _follows_undone(self, lane: Lane, previous: int | None) -> bool:
        """True when a run follows a candle ``lane`` has not done nor holds (lost runs before it).

        Held: a run gathered for a batch whose other pairs' runs have not come (partitioned
        workers deliver the pairs' runs in any order).
        """
        if previous is None:
            return False
        symbol = lane.symbol
        held = [
            gathered.runs[symbol].candles.open_times[-1]
            for gathered in self._gathering.values()
            if symbol in gathered.runs
        ]
        if held and previous <= max(held):  # it follows a run waiting for its batch's others
            return False
        if lane.resume_ms is None:  # nothing done: a replay's first run follows no candle (a
            return isinstance(self.clock, MarketClock)  # live one follows untraded history)
        return previous >= lane.resume_ms

    async def done_with(self, open_ms: int) -> None:
        """Return once the candle time ``open_ms`` is done."""
        async with self.progressed:
            await self.progressed.wait_for(
                lambda: self.resume_ms is not None and self.resume_ms > open_ms
            )

    async def _batch(self, messages: list[DecisionsMade]) -> None:
        runs = [_Run(self.lanes[m.pair.symbol], m) for m in messages]
        # in the order their first candle comes (ties: the batch's order), as the steps go
        runs = sorted((r for r in runs if r.k < r.n), key=lambda r: r.times[r.k])
        first = min((r.times[r.k] for r in runs), default=None)
        await self._read_active(first)
        await self._apply_pairs(first)
        done = self.candles_done
        await self._walk(runs)
        last: dict[str, Candle] = {}
        for run in runs:
            candle = run.candle(run.n - 1)
            if run.lane.symbol not in last or last[run.lane.symbol].open_ms < candle.open_ms:
                last[run.lane.symbol] = candle
        await self._complete([(self.lanes[s], c.open_ms) for s, c in last.items()])
        for symbol, candle in last.items():
            self._marks[symbol] = candle.close
        final = any(m.final for m in messages)
        if last:
            latest = max(last.values(), key=lambda c: c.open_ms)
            await self._report(latest, self.candles_done - done, final=final)
        async with self.progressed:
            self.progressed.notify_all()
        if final:
            self.finished.set()

    async def _walk(self, runs: list[_Run]) -> None:
        """Step every candle time of the runs in order, a stretch of quiet ones at once.

        Where enough candle times remain (a replay at full speed), the stretch up to the next
        candle time at which something may happen on some pair (``_quiet_until``) is skipped in
        one go (``_skip``): what its steps would leave, without a step per candle.
        """
        if len(runs) == 1:
            times = runs[0].times[runs[0].k :]
        else:
            times = sorted({t for run in runs for t in run.times[run.k :]})
        i, n = 0, len(times)
        skipped = False
        while i < n:
            open_ms = times[i]
            # After a stretch, its end is the candle time ``_quiet_until`` found where something
            # may happen: skipping changed nothing it reads (only the market state moved), so
            # neither it nor ``_quiet_step`` (the same test) is asked again: a full step.
            if n - i >= _STRETCH_MIN and not skipped:
                until = self._quiet_until(runs, open_ms)
                if until > open_ms:
                    j = bisect_left(times, until, i)
                    self._skip(runs, times[j - 1])
                    i, skipped = j, True
                    continue
            stepping = [r for r in runs if r.k < r.n and r.times[r.k] == open_ms]
            rows = [r.row() for r in stepping]
            if skipped or not self._quiet_step(rows):
                await self.step_all(rows)
            skipped = False
            for run in stepping:
                run.lane.resume_ms = open_ms + 1
                run.k += 1
            self.resume_ms = open_ms + 1
            self.candles_done += len(rows)
            i += 1

    def _quiet_until(self, runs: list[_Run], open_ms: int) -> float:
        """The first candle time from ``open_ms`` on at which something may happen; inf: none.

        ``open_ms`` itself when it cannot be told for the whole stretch (see ``_quiet_step``:
        the same test, over the runs' arrays): until then, on every pair, the paper market
        fills nothing (only stop-loss / take-profit pairs rest, their levels out of each
        candle's reach), no bot exits or enters, and nothing else changes what a step does.
        """
        feed = self.feed
        if feed is None or self.max_age is not None:
            return open_ms
        until = math.inf
        for run in runs:
            if run.k >= run.n:
                continue
            lane = run.lane
            state = lane.engine.state
            positions = state.positions
            if not state.trading_allowed or any(p.unprotected for p in positions.values()):
                return open_ms
            levels = feed.levels(lane.symbol)
            if levels is None:
                return open_ms
            entering = lane.symbol in self._open_to
            sells = [bot for bot, _ in run.actions if bot in positions]
            buys = [
                bot
                for bot, _ in run.actions
                if entering and bot not in positions and self.opens_on(bot, lane.symbol)
            ]
            # no further than the earliest event found so far (several pairs: each run's scan
            # stops there, not at its own next event)
            bound = run.n if until == math.inf else bisect_left(run.times, until, run.k)
            k = run.next_event(sells, buys, levels, bound)
            if k < run.n:
                until = min(until, run.times[k])
                if until <= open_ms:
                    return open_ms
        return until

    def _skip(self, runs: list[_Run], through_ms: int) -> None:
        """Step every candle opened up to ``through_ms``, all quiet (``_quiet_until``), at once.

        Only their last state stays: each pair's market state as its last two candles leave it
        (each candle and next open replaces the one before; two, because the series' very last
        candle has no next open), each checkpoint's step, the clock at the latest close.
        """
        book = self.feed.book if self.feed is not None else None
        latest: int | None = None
        for run in runs:
            stop = bisect_right(run.times, through_ms, run.k)
            if stop == run.k:
                continue
            symbol = run.lane.symbol
            if book is not None:
                closes = run.message.candles.close
                for k in range(max(run.k, stop - 2), stop):  # no ``Candle`` built: 5 fields read
                    book.quiet_candle(symbol, run.times[k], run.closes[k], closes[k])
                    price, at = run.next_opens[k], run.next_ms[k]
                    if price is not None and at is not None:
                        book.quiet_mark(symbol, price, at)
            last_ms = run.times[stop - 1]
            run.lane.engine.deps.progress.step_ms = last_ms
            run.lane.resume_ms = last_ms + 1
            self.candles_done += stop - run.k
            run.k = stop
            close_ms = run.closes[stop - 1]
            latest = close_ms if latest is None else max(latest, close_ms)
        if self._market_clock is not None and latest is not None:
            self._market_clock.observe(latest)
        self.resume_ms = through_ms + 1

    def _quiet_step(self, rows: list[_Row]) -> bool:
        """Step a candle time where nothing can trade, at once; False (nothing done) if not quiet.

        Quiet: a replay on the paper market (no decision too old), and on every pair trading
        allowed, nothing the paper market could fill or must save (no order, or only stop-loss /
        take-profit pairs the candle does not reach: ``PaperExchange.resting``), every position
        protected, no exit and no entry its bots may take. ``step_all`` would then only move the
        paper market (the candle, then the next open), the clock and each checkpoint's step:
        done here without its awaits. Most candles of a replay are quiet, with or without a
        position open.
        """
        feed = self.feed
        if feed is None or self.max_age is not None:
            return False
        if not all(self._row_quiet(feed, row) for row in rows):
            return False
        for row in rows:
            row.lane.engine.deps.progress.step_ms = row.candle.open_ms
        if self._market_clock is not None:
            self._market_clock.observe(_latest_close(rows))
        book = feed.book
        for row in rows:  # every pair's candle, then every pair's next open, as step_all
            candle = row.candle
            book.quiet_candle(row.lane.symbol, candle.open_ms, candle.close_ms, candle.close)
        for row in rows:
            candle = row.candle
            if candle.next_open is not None and candle.next_open_ms is not None:
                book.quiet_mark(row.lane.symbol, candle.next_open, candle.next_open_ms)
        return True

    def _row_quiet(self, feed: PaperExchange, row: _Row) -> bool:
        """True when the row's pair can do nothing at its candle (see ``_quiet_step``)."""
        lane, candle = row.lane, row.candle
        state = lane.engine.state
        if not state.trading_allowed:
            return False
        if not feed.resting(lane.symbol, candle.open, candle.high, candle.low):
            return False
        positions = state.positions
        if positions and (_sells(row, positions) or any(p.unprotected for p in positions.values())):
            return False
        return lane.symbol not in self._open_to or not self._buys(row, positions)

    def _buys(self, row: _Row, positions: Mapping[BotKind, object]) -> bool:
        """True when a bot without a position that opens on the row's pair decided to buy."""
        at, symbol = row.at, row.lane.symbol
        for bot, actions in row.actions:
            if actions[at] == BUY and bot not in positions and self.opens_on(bot, symbol):
                return True
        return False

    async def step_all(self, rows: list[_Row]) -> None:
        """One candle time on every pair with a candle at it (see the module docstring).

        Every pair's candle is seen by the market first, then every pair moves to its next
        open, then the exits of every pair, then the entries, pairs in sorted-symbol order.
        """
        if len(rows) > 1:
            rows = sorted(rows, key=_by_symbol)
        for row in rows:
            row.lane.engine.deps.progress.step_ms = row.candle.open_ms
        if self._market_clock is not None:
            self._market_clock.observe(_latest_close(rows))
        acting = await self._see_market(rows)
        if self.max_age is not None and any(self._stale(r.candle) for r in acting):
            for row in acting:
                await row.lane.engine.expire_pending(row.candle.open_ms)
            return
        await self._act(acting)
        for row in acting:
            positions = row.lane.engine.state.positions
            if positions and any(p.unprotected for p in positions.values()):
                await row.lane.engine.ensure_protection()

    async def _see_market(self, rows: list[_Row]) -> list[_Row]:
        """Every pair's candle seen by the market, then every pair at its next open.

        Returns the rows whose decisions act (those with a next open).
        """
        feed = self.feed
        for row in rows:
            engine, candle = row.lane.engine, row.candle
            # most candles of a replay: no position, no order, nothing to await
            if (
                feed is None
                or engine.state.positions
                or not feed.quiet_candle(
                    row.lane.symbol, candle.open_ms, candle.close_ms, candle.close
                )
            ):
                await self._market(engine, candle)
            if not engine.state.trading_allowed:
                await row.lane.reconciler.run()
        acting = [r for r in rows if r.candle.next_open is not None]
        if feed is not None:
            for row in acting:
                engine, candle = row.lane.engine, row.candle
                at, price = candle.next_open_ms, candle.next_open
                if at is None or price is None or not feed.quiet_mark(row.lane.symbol, price, at):
                    await self._next_open(feed, engine, candle)
        return acting

    async def _act(self, rows: list[_Row]) -> None:
        """The exits of every pair, then the entries (a pair whose exits failed enters nothing).

        The exits of the candle time are one batch, then its entries (``order_batch``): decided
        in this order, written in one transaction before any is sent (the transaction that
        records the sales' fills, when they all closed their positions), then sent together.
        """
        exits: list[Exit] = []
        for row in rows:
            if row.lane.engine.state.positions and _acts(row):
                exits += self._exits(row)
        if exits:  # the entries wanted once they are done (they are decided on what they left)
            await close_positions(exits, then=lambda failed: self._wanted(rows, failed))
            return
        # called only when something is wanted: most candles of a replay want nothing
        wanted = self._wanted(rows, set())
        if wanted:
            await open_positions(wanted)

    def _wanted(self, rows: list[_Row], failed: set[str]) -> list[Wanted]:
        """The entries of every pair but those where an exit failed, in the rows' order."""
        wanted: list[Wanted] = []
        for row in rows:
            symbol = row.lane.symbol
            if symbol in failed or symbol not in self._open_to:
                continue
            if _acts(row):
                wanted += self._entries(row)
        return wanted

    async def _market(self, engine: OrderEngine, candle: Candle) -> None:
        if (feed := self.feed) is not None:
            feed.hold()  # saved with the record of what it reports (``unsaved``)
            try:
                reports = await feed.on_candle(
                    engine.deps.pair,
                    open_ms=candle.open_ms,
                    close_ms=candle.close_ms,
                    open_=candle.open,
                    high=candle.high,
                    low=candle.low,
                    close=candle.close,
                )
            finally:
                feed.release()
            await _record(feed, engine, reports)
        elif engine.positions:
            await engine.sync_protection()
        if engine.positions:
            await engine.watch_take_profit(candle.high, step_ms=candle.open_ms)

    @staticmethod
    async def _next_open(feed: PaperExchange, engine: OrderEngine, candle: Candle) -> None:
        if candle.next_open is None or candle.next_open_ms is None:
            return
        feed.hold()  # saved with the record of what it reports (``unsaved``)
        try:
            moved = await feed.mark_price(
                engine.deps.pair, candle.next_open, at_ms=candle.next_open_ms
            )
        finally:
            feed.release()
        await _record(feed, engine, moved)

    @staticmethod
    def _exits(row: _Row) -> list[Exit]:
        """The positions the pair's decisions sell, aggressive bot first."""
        engine, candle = row.lane.engine, row.candle
        if not engine.state.positions:
            return []
        return [
            Exit(
                engine,
                bot,
                client_ids.decision_id(
                    bot, engine.deps.pair.symbol, candle.open_ms, client_ids.EXIT
                ),
                candle.open_ms,
            )
            for bot in _ORDER
            if _action(row, bot) == SELL and bot in engine.positions
        ]

    def _entries(self, row: _Row) -> list[Wanted]:
        """The entries the pair's decisions ask for, aggressive bot first."""
        engine, candle = row.lane.engine, row.candle
        wanted = []
        for bot in _ORDER:
            if not self.opens_on(bot, row.lane.symbol):
                continue
            if _action(row, bot) == BUY and bot not in engine.positions:
                signal = _signal(bot, row.message.bots[bot], row.at, candle, row.message)
                wanted.append(Wanted(engine, signal, candle.open_ms))
        return wanted

    def _stale(self, candle: Candle) -> bool:
        if self.max_age is None:
            return False
        return self.clock.timestamp_ms() - candle.close_ms > self.max_age

    async def _report(self, candle: Candle, steps: int, *, final: bool) -> None:
        """Report the steps, and each bot's money marked at the pairs' last closes (throttled)."""
        telemetry = self.engine.deps.telemetry
        telemetry.candles_traded(steps)
        now = time.monotonic()
        if not final and now - self._sampled < _SAMPLE_EVERY_S:
            return
        self._sampled = now
        async with UnitOfWork(self.engine.deps.database) as uow:
            rows = await bots.list_bots(session=uow.session)
            if telemetry.realised_pnl is None:
                telemetry.realised_pnl = {
                    str(row.type): await trades.realised_since(
                        session=uow.session, bot=row.type, since=_EPOCH, bot_id=row.id
                    )
                    for row in rows
                }
        for row in rows:
            held = [
                (symbol, lane.engine.positions[row.type])
                for symbol, lane in self.lanes.items()
                if row.type in lane.engine.positions
            ]
            unrealised = sum(
                (
                    (Decimal(repr(self._marks.get(symbol, candle.close))) - p.entry_price)
                    * p.quantity
                    for symbol, p in held
                ),
                Decimal(0),
            )
            telemetry.bot_state(
                str(row.type),
                capital=row.capital,
                realised=telemetry.realised_pnl.get(str(row.type), Decimal(0)),
                unrealised=unrealised,
                risk_ratio=row.current_risk_ratio,
                active=row.status is BotStatus.RUNNING,
                open_positions=len(held),
                at_ms=candle.close_ms,
            )

    async def _complete(self, done: list[tuple[Lane, int]]) -> None:
        """Checkpoint every pair's run complete, in one transaction.

        One commit per batch, not one per pair (50 pairs made 50 commits per candle time), and
        one upsert statement for all the pairs (``deferred``: executemany), not one each.
        """
        if not done:
            return
        at = self.clock.now()
        async with UnitOfWork(self.engine.deps.database) as uow:
            async with deferred.defer(uow.session):
                for lane, last_ms in done:
                    await lane.engine.deps.progress.complete(uow.session, step_ms=last_ms, at=at)
            await uow.commit()


def _acts(row: _Row) -> bool:
    """True when the pair may trade and one of its bots decided something."""
    if not row.lane.engine.state.trading_allowed:
        return False
    at = row.at
    return any(actions[at] for _, actions in row.actions)


def _sells(row: _Row, positions: Mapping[BotKind, object]) -> bool:
    """True when a bot holding a position on the row's pair decided to sell (an exit)."""
    at = row.at
    return any(actions[at] == SELL and bot in positions for bot, actions in row.actions)


def _action(row: _Row, bot: BotKind) -> int | None:
    for decided, actions in row.actions:
        if decided is bot:
            return actions[row.at]
    return None


async def _record(feed: PaperExchange, engine: OrderEngine, reports: list[OrderReport]) -> None:
    """Record what market data filled, the paper account saved in the same transaction.

    Nothing reported, or the record not committed: the account is saved on its own, as before.
    """
    try:
        if reports:
            await engine.apply_reports(reports, save_with=feed.save_in)
    finally:
        if feed.book.dirty:
            await feed.flush()


def _latest_close(rows: list[_Row]) -> int:
    return rows[0].candle.close_ms if len(rows) == 1 else max(r.candle.close_ms for r in rows)


def _by_symbol(row: _Row) -> str:
    return row.lane.symbol


class _Run:
    """One pair's run of decisions in a batch, walked candle by candle (``k``: the next).

    The candles are built when stepped (``row``, ``candle``); the arrays that find the next
    candle where something may happen (``next_event``) only when a stretch is looked for.
    """

    __slots__ = (
        "_actions",
        "_buys",
        "_reach",
        "_sells",
        "actions",
        "closes",
        "k",
        "lane",
        "message",
        "n",
        "next_ms",
        "next_opens",
        "times",
    )

    def __init__(self, lane: Lane, message: DecisionsMade) -> None:
        self.lane, self.message = lane, message
        run = message.candles
        self.times = run.open_times
        self.n = len(self.times)
        self.closes: list[int] = message.timeframe.bucket_end(
            np.asarray(self.times, dtype=np.int64)
        ).tolist()
        self.next_opens: list[float | None] = [*run.open[1:], message.next_open]
        self.next_ms: list[int | None] = [*self.times[1:], message.next_open_ms]
        bots = message.bots
        self.actions = tuple((bot, bots[bot].actions) for bot in _ORDER if bot in bots)
        resume = lane.resume_ms
        self.k = 0 if resume is None else bisect_left(self.times, resume)
        self._reach: tuple[np.ndarray, np.ndarray, list[float], list[float]] | None = None
        """Each candle's lowest and highest of its open and low / high (``next_event``), as
        arrays and as lists."""
        self._actions: dict[BotKind, np.ndarray] = {}
        self._buys: dict[BotKind, list[int]] = {}
        self._sells: dict[BotKind, list[int]] = {}

    def candle(self, k: int) -> Candle:
        """Candle ``k`` of the run, and the first price after it."""
        run = self.message.candles
        return Candle(
            self.times[k],
            self.closes[k],
            run.open[k],
            run.high[k],
            run.low[k],
            run.close[k],
            self.next_opens[k],
            self.next_ms[k],
        )

    def row(self) -> _Row:
        """The next candle's row."""
        return _Row(self.lane, self.candle(self.k), self.message, self.k, self.actions)

    def next_event(
        self,
        sells: list[BotKind],
        buys: list[BotKind],
        levels: list[tuple[float, float]],
        bound: int | None = None,
    ) -> int:
        """The first candle from ``k`` on where something may happen; ``n``: none.

        There one of ``sells`` decided to sell, one of ``buys`` to buy, or the candle
        ``touch``es one of the stop / take-profit ``levels`` (at the open, the low or the high).
        With ``bound``, candles from ``bound`` on are not looked at (then ``bound`` or later
        means: none before it).
        """
        k = self.k
        first = self.n if bound is None else bound
        for bot in sells:
            first = _first_from(self._at(self._sells, bot, SELL), k, first)
        for bot in buys:
            first = _first_from(self._at(self._buys, bot, BUY), k, first)
        if levels and first > k:
            # a candle reaches some pair's stop if it reaches the highest stop, some take-profit
            # if it reaches the lowest one
            stop = max(level[0] for level in levels)
            take = min(level[1] for level in levels)
            first = self._reached(stop, take, first)
        return first

    def _reached(self, stop: float, take: float, first: int) -> int:
        """The first candle from ``k`` before ``first`` that reaches the levels; or ``first``."""
        if self._reach is None:
            run = self.message.candles
            o, h, lo = (_floats(column) for column in (run.open, run.high, run.low))
            # ``touch``'s tests on a candle: the open or the low at or below the stop, the open
            # or the high at or above the take-profit (fmin / fmax: a NaN of one of the two
            # compares as the other alone, as the tests do one by one)
            down, up = np.fmin(o, lo), np.fmax(o, h)
            self._reach = (down, up, down.tolist(), up.tolist())
        down, up, lows, highs = self._reach
        k = self.k
        if first - k <= _SCAN_MAX:  # a short span: cheaper in Python than numpy's calls
            for j in range(k, first):
                if lows[j] <= stop or highs[j] >= take:
                    return j
            return first
        reached = (down[k:first] <= stop) | (up[k:first] >= take)
        i = int(reached.argmax())
        return k + i if reached[i] else first

    def _at(self, found: dict[BotKind, list[int]], bot: BotKind, action: int) -> list[int]:
        at = found.get(bot)
        if at is None:
            actions = self._actions.get(bot)
            if actions is None:
                listed = next(a for b, a in self.actions if b is bot)
                actions = self._actions[bot] = np.fromiter(listed, np.int64, len(listed))
            at = found[bot] = np.flatnonzero(actions == action).tolist()
        return at


def _first_from(at: list[int], k: int, first: int) -> int:
    """The first of the sorted indices ``at`` from ``k`` on if before ``first``; else ``first``."""
    i = bisect_left(at, k)
    return at[i] if i < len(at) and at[i] < first else first


def _floats(values: list[float]) -> np.ndarray:
    """A list of floats as an array (``fromiter``: about half ``asarray``'s time)."""
    return np.fromiter(values, np.float64, len(values))


def _signal(
    bot: BotKind, decisions: BotDecisions, index: int, candle: Candle, message: DecisionsMade
) -> TradingSignal:
    return TradingSignal(
        timestamp=utc_from_ms(candle.open_ms),
        pair=message.pair,
        timeframe=message.timeframe,
        action=ACTIONS[decisions.actions[index]],
        confidence=decisions.confidence[index],
        score=decisions.score[index],
        strategy=decisions.strategy,
        target_bot=bot,
        contributions=decisions.contributions.get(str(index), {}),
    )
