"""A running trading runtime: the engines ``bootstrap`` wired, started, watched and stopped.

One process runs every engine (``cryptotrader run``) or one of them (``cryptotrader engine
NAME``); the code is the same, only the set differs. ``start`` reconciles before anything
trades, then subscribes the workers and starts the market data. ``wait`` returns when a replay is
done, a stop is asked (SIGINT/SIGTERM), or a worker failed (then it raises). ``close`` stops
gracefully: market data first, then it lets the step in progress finish before the bus closes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from cryptotrader.bus import topics
from cryptotrader.bus.protocol import ConsumerOptions, Delivery, Handler, ManyHandler, MessageBus
from cryptotrader.bus.stream_bus import StreamBus
from cryptotrader.clock import Clock
from cryptotrader.domain.enums import BotKind, TradeStatus
from cryptotrader.domain.presence import HEARTBEAT_KEY, RuntimePresence
from cryptotrader.domain.values import utc_from_ms
from cryptotrader.engines.heartbeat import Heartbeat
from cryptotrader.engines.progress import Progress
from cryptotrader.engines.workers.control import ControlWorker
from cryptotrader.engines.workers.decisions import DecisionWorker
from cryptotrader.engines.workers.indicators import IndicatorWorker
from cryptotrader.engines.workers.live_pairs import LivePairs
from cryptotrader.engines.workers.market_data import (
    BatchReplayFeed,
    LiveFeed,
    PairsLiveFeed,
    Publisher,
    ReplayFeed,
)
from cryptotrader.engines.workers.trading import TradingWorker
from cryptotrader.engines.writer_lease import LeaseLostError, WriterLease
from cryptotrader.errors import OperationalError, TraderError
from cryptotrader.monitoring.telemetry import Telemetry
from cryptotrader.notify.notifier import CONSUMER as NOTIFIER
from cryptotrader.notify.notifier import Notifier
from cryptotrader.outbox import Outbox
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.repositories import bots, checkpoints, settings, trades
from cryptotrader.persistence.uow import UnitOfWork

log = logging.getLogger(__name__)

_IDLE_WAIT_S = 10.0
_WATCH_S = 0.5
"""How often a replay's market data on its own checks Redis's epoch and the order engine."""
_PARTITIONED = {(topics.CANDLES, "indicator"), (topics.INDICATORS, "decision")}
"""The subscriptions whose workers share the pairs (``--workers N``, or N processes)."""
_KINDS = {(topics.SIGNALS, "order"): frozenset({"decisions_made"})}
"""The message types a subscription handles (the rest of its channel is acked unread): the
order engine acts on ``DecisionsMade``, not on the ``SignalGenerated`` (two per run) beside."""
_SOLE = ConsumerOptions(claim_idle_ms=0, claim_interval_s=math.inf)
"""A group's only member takes over every entry left pending, in order, when it starts."""


@dataclass(frozen=True, slots=True)
class BotSummary:
    """One bot after a run."""

    bot: BotKind
    capital: Decimal
    closed: int
    open: int
    pnl: Decimal


@dataclass
class Runtime:
    """The wired engines of one process; build it with ``bootstrap.open_runtime``."""

    database: Database
    bus: MessageBus
    clock: Clock
    progress: Progress
    resources: AsyncExitStack
    consumer: str
    telemetry: Telemetry = field(default_factory=Telemetry)
    publisher: Publisher | None = None
    feed: ReplayFeed | LiveFeed | PairsLiveFeed | None = None
    pair_progress: dict[str, Progress] = field(default_factory=dict)
    """Each pair's checkpoint (several pairs: each resumes and keeps its history on its own)."""
    pairs: LivePairs | None = None
    """Live, following ``/config/pairs``: feeds the pairs as they change while running."""
    indicators: IndicatorWorker | None = None
    decisions: DecisionWorker | None = None
    trading: TradingWorker | None = None
    control: ControlWorker | None = None
    heartbeat: Heartbeat | None = None
    writer_lease: WriterLease | None = None
    """The order and portfolio engines' single-writer lease (taken before anything runs)."""
    notifier: Notifier | None = None
    outbox: Outbox | None = None
    """Sends the events written with their changes (held until ``start`` recovered a crash's)."""
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    """Set once market data flows (the first run published, or none to publish)."""
    failed: asyncio.Event = field(default_factory=asyncio.Event)
    error: BaseException | None = None
    _busy: int = 0
    _idle: asyncio.Event = field(default_factory=asyncio.Event)
    _market: asyncio.Task[None] | None = None
    _follow: asyncio.Task[None] | None = None
    _dispatch: asyncio.Task[None] | None = None
    _relay: asyncio.Task[None] | None = None
    _fenced: asyncio.Task[None] | None = None
    _lost: asyncio.Task[None] | None = None
    _engine_seen: bool = False
    """An order engine beat since this runtime started (``_order_engine``)."""

    async def start(self) -> None:
        """Take the writer lease, reconcile, subscribe the workers, then start the market data."""
        self._idle.set()
        if self.writer_lease is not None:
            await self.writer_lease.acquire()  # a second copy waits here
            self._fenced = asyncio.create_task(self._watch_lease(self.writer_lease))
        resume = await self._resume_point()
        subscriptions: list[tuple[str, str, Handler | None]] = [
            (topics.COMMANDS, "portfolio", self.control.handle if self.control else None),
            # each indicator worker reads strategy changes in a group of its own on the same
            # channel: every worker applies each change to its pairs (a shared group would
            # give it to one of them, and the others' pairs would keep the old strategy)
            (
                topics.COMMANDS,
                f"indicator@{self.consumer}",
                self.indicators.reconfigure if self.indicators else None,
            ),
            # the order engine reads changes of the bots' pairs in its own group
            (topics.COMMANDS, "order", self.trading.reconfigure if self.trading else None),
            # the market data follows /config/pairs in its own group
            (topics.COMMANDS, "market-data", self.pairs.handle if self.pairs else None),
            (topics.SIGNALS, "order", self.trading.handle if self.trading else None),
            (topics.INDICATORS, "decision", self.decisions.handle if self.decisions else None),
            (topics.CANDLES, "indicator", self.indicators.handle if self.indicators else None),
        ]
        # the indicator and decision engines take the runs of one read together (a candle
        # time's pairs): one publish of their messages, the rules decided once over the runs
        many = {
            (topics.CANDLES, "indicator"): self.indicators.handle_many if self.indicators else None,
            (topics.INDICATORS, "decision"): self.decisions.handle_many if self.decisions else None,
        }
        for topic, group, handler in subscriptions:
            if handler is None:
                continue
            # a pair's runs go to one indicator (decision) worker at a time, in order
            subscribe = (
                self.bus.subscribe_partitioned
                if (topic, group) in _PARTITIONED
                else self.bus.subscribe
            )
            together = many.get((topic, group))
            # the order and portfolio engines are their groups' only members (the writer
            # lease): what a dead copy left unacked is theirs at once, before anything new
            options = _SOLE if group in {"order", "portfolio"} else None
            extra = {"kinds": _KINDS[topic, group]} if (topic, group) in _KINDS else {}
            await subscribe(
                topic,
                group=group,
                consumer=f"{group}-{self.consumer}",
                handler=self._guard(handler),
                options=options,
                many=None if together is None else self._guard_many(together),
                from_start=True,  # durable: what came while Redis restarted empty and
                # this engine was down is read too (idempotent handlers skip the rest)
                **extra,
            )
        if self.notifier is not None:
            await self._start_notifier(self.notifier)
        if self.outbox is not None:  # after the subscriptions: a new group sees what it sends
            await self.outbox.recover()
            self._relay = asyncio.create_task(self.outbox.run(self.stop), name="outbox")
        if self.heartbeat is not None:
            await self.heartbeat.start()
        if self.publisher is not None and self.feed is not None:
            self._start_market(resume)
        else:
            self.ready.set()

    def _start_market(self, resume: int | None) -> None:
        """Start publishing (and following ``/config/pairs``, and watching Redis, when live)."""
        for publisher in self.publishers:
            publisher.on_first = self.ready.set
        self._market = asyncio.create_task(self._run_market(resume), name="market-data")
        if self._live_on_redis():
            self._lost = asyncio.create_task(self._stop_when_redis_lost(), name="epoch")
        if self.pairs is not None:  # what changed between reading the pairs and now
            self._follow = asyncio.create_task(self._catch_up(self.pairs), name="pairs")

    @property
    def publishers(self) -> list[Publisher]:
        """Every pair's publisher (one but for several live pairs)."""
        if isinstance(self.feed, PairsLiveFeed):
            return self.feed.publishers
        return [] if self.publisher is None else [self.publisher]

    @property
    def published(self) -> int:
        """Candles published so far, every pair's."""
        return sum(p.published for p in self.publishers)

    async def wait_ready(self) -> None:
        """Until market data flows (or a failure, which ``wait`` then raises)."""
        waiters = [asyncio.ensure_future(e.wait()) for e in (self.ready, self.failed, self.stop)]
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()

    async def wait(self) -> None:
        """Until a replay is done, a stop is asked, or a worker fails.

        Raises:
            BaseException: the error a worker failed with.
        """
        waiters: list[Awaitable[object]] = [self.stop.wait(), self.failed.wait()]
        if isinstance(self.feed, ReplayFeed):
            if self.trading is not None:
                waiters.append(self.trading.finished.wait())
            elif self._market is not None:
                waiters.append(self._market)
        tasks = [asyncio.ensure_future(w) for w in waiters]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                if task is not self._market:
                    task.cancel()
        if self.error is not None:
            raise self.error

    async def close(self) -> None:
        """Stop the market data, let the step in progress finish, close everything."""
        self.stop.set()
        for task in (self._follow, self._market, self._lost):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        if self.pairs is not None:
            await self.pairs.close()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), _IDLE_WAIT_S)
        await self.flush_readings()
        if self._dispatch is not None:
            assert self.notifier is not None
            self.notifier.dispatcher.kick()
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(self._dispatch, _IDLE_WAIT_S)
        if self.heartbeat is not None:
            await self.heartbeat.stop()
        if self.outbox is not None:
            if self._relay is not None:
                with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                    await asyncio.wait_for(self._relay, _IDLE_WAIT_S)
            await self.outbox.close()
        if self._fenced is not None:
            self._fenced.cancel()
        if self.writer_lease is not None:
            await self.writer_lease.release()
        await self.resources.aclose()

    async def flush_readings(self) -> None:
        """Publish the indicator readings still waiting (built after the rule inputs) now."""
        if self.indicators is not None:
            await self.indicators.flush()

    async def summary(self) -> list[BotSummary]:
        """Each bot's capital and trades."""
        result = []
        async with UnitOfWork(self.database) as uow:
            for row in await bots.list_bots(session=uow.session):
                listed = await trades.list_trades(
                    session=uow.session, bot=row.type, limit=1_000_000
                )
                closed = [t for _, t in listed if t.status is TradeStatus.CLOSED]
                result.append(
                    BotSummary(
                        bot=row.type,
                        capital=row.capital,
                        closed=len(closed),
                        open=len(listed) - len(closed),
                        pnl=sum((t.pnl or Decimal(0) for t in closed), Decimal(0)),
                    )
                )
        return result

    # --- internals -----------------------------------------------------------------------------

    async def _start_notifier(self, notifier: Notifier) -> None:
        """Consume ``alerts`` and send in the background; a failing push never stops trading.

        The handler is not guarded like the trading workers': an alert it cannot record is
        retried, then moved to the dead letters by the bus, and the engines go on.
        """

        async def counted(delivery: Delivery) -> None:
            await notifier.handle(delivery)
            self.telemetry.handled(
                group=delivery.group, topic=delivery.topic, entry_id=delivery.entry_id
            )

        await self.bus.subscribe(
            topics.ALERTS,
            group=NOTIFIER,
            consumer=f"{NOTIFIER}-{self.consumer}",
            handler=counted,
            from_start=True,
        )
        self._dispatch = asyncio.create_task(
            notifier.dispatcher.run(self.stop), name="notifications"
        )

    def _live_on_redis(self) -> bool:
        """Live market data publishing on Redis (the order engine here or elsewhere)."""
        shared = isinstance(self.bus, StreamBus) and not getattr(
            self.bus.transport, "carries_messages", False
        )
        return shared and not isinstance(self.feed, ReplayFeed)

    async def _stop_when_redis_lost(self) -> None:
        """Live market data on Redis: fail when Redis restarted empty.

        The runs in flight (candles, inputs, decisions: no database change, not in the outbox)
        went with Redis, and the order engine acts on no run that follows one it has not done,
        so it would wait for them (trading would stop, silently). A live feed does not publish
        the past again while it runs; started again (the service manager restarts a failed
        engine, or a person a failed ``run``), it publishes from the order engine's checkpoint,
        as at every start. (A replay's market data alone publishes again by itself:
        ``_replay_alone``.)
        """
        assert isinstance(self.bus, StreamBus)
        epoch: str | None = None
        while not self.stop.is_set():
            now: str | None
            try:
                now = await self.bus.epoch()
            except Exception:  # Redis away: asked again at the next poll
                log.debug("Redis's epoch not read", exc_info=True)
                now = epoch
            if epoch is None:
                epoch = now
            elif now != epoch:
                log.error(
                    "Redis restarted empty (the runs in flight are lost): the market data stops "
                    "to start again from the order engine's checkpoint"
                )
                self.error = OperationalError(
                    "Redis restarted empty: the market data must start again from the order "
                    "engine's checkpoint (its service manager restarts it)"
                )
                self.failed.set()
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), _WATCH_S)

    async def _watch_lease(self, lease: WriterLease) -> None:
        """Another copy took the lease (ours could not be renewed): stop, writing nothing more."""
        await lease.lost.wait()
        self.error = LeaseLostError(f"engines {', '.join(lease.names)}: lease lost, stopping")
        self.failed.set()

    async def _catch_up(self, pairs: LivePairs) -> None:
        """Follow ``/config/pairs`` once the feed runs (a failure stops the runtime, as any)."""
        try:
            await pairs.handle_started()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("following /config/pairs failed")
            self.error = exc
            self.failed.set()

    async def _resume_point(self) -> int | None:
        if self.trading is not None:
            return await self.trading.start()
        step, complete = await self.progress.load(self.database)
        return None if step is None else step + (1 if complete else 0)

    async def _run_market(self, resume: int | None) -> None:
        assert self.publisher is not None
        try:
            if isinstance(self.feed, ReplayFeed):
                if self.trading is None:
                    await self._replay_alone(self.feed, resume)
                else:
                    throttle = self.trading.done_with
                    await self.feed.run(
                        self.publisher, start_ms=resume, stop=self.stop, throttle=throttle
                    )
                if not self.publisher.published:
                    self.ready.set()
                    if self.trading is not None:
                        self.trading.finished.set()  # every candle was done before: nothing to do
            elif isinstance(self.feed, PairsLiveFeed):
                await self.feed.run(
                    starts=await self._pair_starts(),
                    origins={
                        symbol: await self.history_origin(progress.key)
                        for symbol, progress in self.pair_progress.items()
                    },
                    on_history=self._save_pair_origin,
                    stop=self.stop,
                )
            elif isinstance(self.feed, LiveFeed):
                await self.feed.run(
                    self.publisher,
                    start_ms=resume,
                    history_from_ms=await self.history_origin(self.progress.key),
                    on_history=self._save_origin,
                    stop=self.stop,
                )
        except asyncio.CancelledError:
            raise
        except TraderError as exc:
            # Already one clear sentence (mapped at the edge): whoever waits on the runtime says
            # it once; the chain of library frames only helps a developer, at debug level.
            log.debug("market data failed", exc_info=True)
            self.error = exc
            self.failed.set()
        except Exception as exc:
            log.exception("market data failed")
            self.error = exc
            self.failed.set()

    async def _replay_alone(self, feed: ReplayFeed, resume: int | None) -> None:
        """A replay's market data with the order engine elsewhere (``engine market-data``).

        It publishes, then stays while an order engine beats until that engine has done every
        pair's last candle; whenever the runs in flight may be gone meanwhile, it publishes
        again from the order engine's checkpoint: Redis restarted (a new ``epoch``: without
        persistence every stream went with it), or the order engine restarted (the runs of a
        batch of pairs it had gathered but not traded are pending again, and come back: this
        costs a pass computed again, nothing more). The workers compute a run
        they saw before again; the order engine skips the candles it did and acts on no run
        that follows one it has not done.
        """
        assert self.publisher is not None
        bus = self.bus if isinstance(self.bus, StreamBus) else None
        start = resume
        while True:
            seen = (None if bus is None else await bus.epoch(), await self._order_engine())
            halt, lost = asyncio.Event(), asyncio.Event()
            watch = asyncio.create_task(self._watch(bus, seen, halt, lost))
            try:
                await feed.run(self.publisher, start_ms=start, stop=halt)
                await self._until_traded(feed, halt)
            finally:
                watch.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watch
            if not lost.is_set() or self.stop.is_set():
                return
            starts = await self._pair_starts()
            known = [ms for ms in starts.values() if ms is not None]
            start = min(known) if len(known) == len(starts) else None
            lanes = feed.lanes if isinstance(feed, BatchReplayFeed) else [(self.publisher, None)]
            for publisher, _ in lanes:  # a new pass: the workers compute its runs again
                publisher.pass_ms = max(publisher.pass_ms + 1, int(time.time() * 1000))
            log.warning(
                "Redis or the order engine restarted: publishing again from %s",
                "the first candle" if start is None else utc_from_ms(start),
            )

    async def _watch(
        self,
        bus: StreamBus | None,
        seen: tuple[str | None, tuple[int, datetime] | None],
        halt: asyncio.Event,
        lost: asyncio.Event,
    ) -> None:
        """Sets ``halt`` on a stop, and ``lost`` too once Redis or the order engine restarted.

        Restarted: another epoch than ``seen``'s, another order engine process than its.
        """
        epoch, engine = seen
        while not self.stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), _WATCH_S)
            if self.stop.is_set():
                break
            try:
                now = None if bus is None else await bus.epoch()
                running = await self._order_engine()
            except Exception:  # Redis or the database away: asked again at the next poll
                log.debug("Redis's epoch or the order engine's heartbeat not read", exc_info=True)
                continue
            if now != epoch or (engine is not None and running not in (None, engine)):
                lost.set()
                break
            engine = engine or running
        halt.set()

    async def _until_traded(self, feed: ReplayFeed, halt: asyncio.Event) -> None:
        """Until every pair's last candle is done or ``halt`` (at once if no order engine beat).

        An order engine seen once and gone is waited for: it failed or was killed, and its
        service manager restarts it (a failed one says it stopped on its way out). Ending here
        would leave the runs it lost unpublished, and its successor waiting for them forever;
        ``_watch`` sees the successor (another pid) and the market data publishes again.
        """
        lasts = (
            {p.series.pair.symbol: int(c.timestamps[-1]) for p, c in feed.lanes}
            if isinstance(feed, BatchReplayFeed)
            else {self.progress_symbol: int(feed.candles.timestamps[-1])}
        )
        while not halt.is_set():
            try:
                if await self._traded(lasts):
                    return
                if await self._order_engine() is None and not self._engine_seen:
                    return
            except Exception:  # the database away a moment: asked again
                log.warning("the order engine's progress not read", exc_info=True)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(halt.wait(), _WATCH_S)

    @property
    def progress_symbol(self) -> str:
        """The symbol of the (first) pair this runtime publishes."""
        assert self.publisher is not None
        return self.publisher.series.pair.symbol

    async def _traded(self, lasts: dict[str, int]) -> bool:
        for symbol, last in lasts.items():
            step, complete = await self.pair_progress[symbol].load(self.database)
            if step is None or step < last or not complete:
                return False
        return True

    async def _order_engine(self) -> tuple[int, datetime] | None:
        """The order engine driving the bots now (its pid and start), None when none beats."""
        async with UnitOfWork(self.database) as uow:
            stored = await settings.get_setting(session=uow.session, key=HEARTBEAT_KEY)
        presence = RuntimePresence.from_json(stored)
        if presence is None or not presence.driven(datetime.now(UTC)):
            return None
        self._engine_seen = True
        return presence.pid, presence.started_at

    async def _pair_starts(self) -> dict[str, int | None]:
        """Each pair's first candle not yet traded (its own checkpoint), by symbol."""
        if self.trading is not None:
            return {symbol: lane.resume_ms for symbol, lane in self.trading.lanes.items()}
        starts: dict[str, int | None] = {}
        for symbol, progress in self.pair_progress.items():
            step, complete = await progress.load(self.database)
            starts[symbol] = None if step is None else step + (1 if complete else 0)
        return starts

    async def history_origin(self, key: str) -> int | None:
        """Where the stored history of the series checkpointed under ``key`` starts (or None)."""
        async with UnitOfWork(self.database) as uow:
            stored = await checkpoints.load_checkpoint(
                session=uow.session, engine="market-data", key=key
            )
        return None if stored is None else int(stored["history_from_ms"])

    async def _save_pair_origin(self, symbol: str, origin: int) -> None:
        await self._save_origin(origin, key=self.pair_progress[symbol].key)

    async def _save_origin(self, origin: int, key: str | None = None) -> None:
        async with UnitOfWork(self.database) as uow:
            await checkpoints.save_checkpoint(
                session=uow.session,
                engine="market-data",
                key=key or self.progress.key,
                value={"history_from_ms": origin},
                at=self.clock.now(),
            )
            await uow.commit()

    def _guard_many(self, handler: ManyHandler) -> ManyHandler:
        """A ``many`` handler that counts itself busy.

        When it fails, each message is applied alone by the guarded handler (which stops the
        runtime if that fails too).
        """

        async def guarded(deliveries: Sequence[Delivery]) -> None:
            self._busy += 1
            self._idle.clear()
            try:
                await handler(deliveries)
                for delivery in deliveries:
                    self.telemetry.handled(
                        group=delivery.group, topic=delivery.topic, entry_id=delivery.entry_id
                    )
            finally:
                self._busy -= 1
                if not self._busy:
                    self._idle.set()

        return guarded

    def _guard(self, handler: Callable[[Delivery], Awaitable[None]]) -> Handler:
        """A handler that counts itself busy and stops the runtime when it fails."""

        async def guarded(delivery: Delivery) -> None:
            self._busy += 1
            self._idle.clear()
            try:
                await handler(delivery)
                self.telemetry.handled(
                    group=delivery.group, topic=delivery.topic, entry_id=delivery.entry_id
                )
            except Exception as exc:
                log.exception("%s handler failed on %s", delivery.group, delivery.topic)
                self.error = exc
                self.failed.set()
                raise
            finally:
                self._busy -= 1
                if not self._busy:
                    self._idle.set()

        return guarded
