"""Partitioned work: a pair's runs go to one of P streams, each consumed by one worker at a time.

The indicator and decision engines keep per-series state and must see a pair's runs in order,
so several workers cannot share one stream the way a consumer group shares it (entry by entry,
round robin). On Redis, each run a worker must handle (``CandlesClosed`` on ``candles``,
``StrategyInputsComputed`` on ``indicators``) is also appended to the work stream
``<topic>.p<k>``, ``k = crc32(pair) mod P``, in the same round trip as the channel itself
(which keeps every message, for the API and anyone reading the channel). A worker consumes a
partition only while it holds the partition's lease (``leases.RedisLeases``):

* every ``tick_s`` a worker says it is alive (group membership), renews the leases it holds,
  gives up the partitions above its fair share (``ceil(P / live workers)``: after the batch in
  hand, then the lease) and takes free ones up to it. This runs on a thread of its own (a
  synchronous Redis client), so that a computation holding the event loop for seconds (a cold
  start loading the indicator kernels, a long run) does not cost the worker its partitions;
  the thread renews only while the event loop has turned within ``max_stall_s`` (a hung
  worker loses its pairs too, as in Kafka's heartbeat thread and poll interval);
* a worker that dies stops renewing: its leases expire after ``lease_ms`` and the survivors take
  them at their next tick. The new owner first claims every entry the old one left unacked
  (``XAUTOCLAIM`` from the start, idle 0: it is the partition's only reader), in order, then
  reads new ones: nothing is skipped;
* a worker that lost a lease (it could not renew in time) stops that partition at once.

A run in the hands of a worker that died may have been published before the worker could ack
it; its new owner handles it again. The results are the same messages (the same
``message_id``, ``bus.message_ids``) and the consumers drop a run they have already seen (the
decision engine by the last candle it decided per series in the market data's pass, the order
engine by its checkpoint, in the transaction of each effect; the indicator engine computes a
run it saw again and publishes the same message): effects happen once per candle.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import os
import socket
import threading
import time
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum

from cryptotrader.bus import topics
from cryptotrader.bus.codec import MessageFields
from cryptotrader.bus.consumer import ConsumerLoop, DeadLetterSink
from cryptotrader.bus.leases import RedisLeases
from cryptotrader.bus.messages import BusMessage, CandlesClosed, StrategyInputsComputed
from cryptotrader.bus.protocol import ConsumerOptions, Handler, ManyHandler
from cryptotrader.bus.transport import Entry, GroupMissing, StreamTransport

log = logging.getLogger(__name__)

DEFAULT_PARTITIONS = 16
"""Work streams per partitioned channel: more than the workers one would run, few enough that
a worker's idle reads stay cheap. Change it only with the pipeline drained (a pair moves)."""

PARTITIONED_TOPICS = frozenset({topics.CANDLES, topics.INDICATORS})
KEY_FIELD = "key"
"""The field of a work stream entry naming its pair (``work_fields``)."""
_STOP_WAIT_S = 10.0
_TRANSPORT_RETRY_S = 1.0


def partition_of(symbol: str, partitions: int) -> int:
    """The partition of a pair: the same in every process and every release (crc32)."""
    return zlib.crc32(symbol.encode()) % partitions


def partition_topic(topic: str, partition: int) -> str:
    """The work stream of ``topic``'s ``partition`` (before the bus's prefix)."""
    return f"{topic}.p{partition}"


def work_key(topic: str, message: BusMessage) -> str | None:
    """The pair whose worker must handle ``message`` on ``topic`` (None: not partitioned work)."""
    if topic == topics.CANDLES and isinstance(message, CandlesClosed):
        return message.pair.symbol
    if topic == topics.INDICATORS and isinstance(message, StrategyInputsComputed):
        return message.pair.symbol
    return None


def work_fields(fields: Mapping[str, str], key: str) -> Mapping[str, str]:
    """A work stream entry: the channel's fields and the pair (``KEY_FIELD``).

    A worker then applies the pairs of a read side by side without decoding them first.
    """
    if isinstance(fields, MessageFields):  # in process: no work streams
        return fields
    return {**fields, KEY_FIELD: key}


def owner_name(consumer: str) -> str:
    """A worker's name in leases: its consumer name, host and pid (no ``|``)."""
    return f"{consumer}@{socket.gethostname()}:{os.getpid()}".replace("|", "/")


@dataclass(frozen=True, slots=True)
class PartitionOptions:
    """How partitions are held.

    A dead worker's partitions are resumed within about ``lease_ms`` + ``tick_s`` (+ the time
    to claim its unacked entries); a worker whose event loop has not turned for ``max_stall_s``
    lets its leases run out.
    """

    lease_ms: int = 5000
    tick_s: float = 1.0
    max_stall_s: float = 30.0


class _Phase(Enum):
    """Where a held partition is.

    Its group made sure of, what an earlier owner left taken, then new entries (read with every
    other live partition's in one ``XREADGROUP``).
    """

    ENSURE = "ensure"
    PENDING = "pending"  # this consumer's own unacked entries (a restart under the same name)
    CLAIM = "claim"  # any other member's: the partition's previous owner
    LIVE = "live"


@dataclass(slots=True)
class _Held:
    value: str  # "<owner>|<token>"
    stream: str
    phase: _Phase = _Phase.ENSURE
    releasing: bool = False


@dataclass(slots=True)
class PartitionedSubscription:
    """One worker's share of ``topic``'s partitions in ``group``; see the module docstring.

    The leases are the thread's (``_values``, under ``_lock``); the consumers are the event
    loop's (``held``): the thread asks the loop to start, stop or give up a partition. One
    reader task consumes every held partition: a new partition first goes through its pending
    entries (``_Phase``), then joins the others' ``XREADGROUP``, so that a worker holding 8
    partitions makes one read (and one pipelined ``XACK``) per pass, not 8, and its handler
    gets the runs of every partition at once (``many``: a candle time's pairs together).
    """

    transport: StreamTransport
    leases: RedisLeases
    topic: str
    stream: Callable[[str], str]
    partitions: int
    group: str
    consumer: str
    handler: Handler
    many: ManyHandler | None
    options: ConsumerOptions
    dead_letter: DeadLetterSink
    partition_options: PartitionOptions = field(default_factory=PartitionOptions)
    owner: str = ""
    held: dict[int, _Held] = field(default_factory=dict)
    _values: dict[int, str] = field(default_factory=dict)
    _renewed: dict[int, float] = field(default_factory=dict)
    _releasing: set[int] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stopping: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _loop: asyncio.AbstractEventLoop | None = None
    _beat: float = 0.0
    _beat_task: asyncio.Task[None] | None = None
    _stalled: bool = False
    _reader: asyncio.Task[None] | None = None
    _applier: ConsumerLoop | None = None
    _in_hand: frozenset[int] = frozenset()
    """The partitions of the read (and batch) in progress: a lease given up waits for it."""
    _applying: dict[int, list[asyncio.Task[list[Entry]]]] = field(default_factory=dict)
    _taken: asyncio.Event = field(default_factory=asyncio.Event)
    _passed: asyncio.Event = field(default_factory=asyncio.Event)
    _giving_up: set[asyncio.Task[None]] = field(default_factory=set)

    def start(self) -> None:
        """Start taking partitions (in the background)."""
        self.owner = self.owner or owner_name(self.consumer)
        self._loop = asyncio.get_running_loop()
        self._beat = time.monotonic()
        self._beat_task = asyncio.create_task(self._turn(), name=f"partitions:{self.topic}")
        self._applier = ConsumerLoop(
            transport=self.transport,
            topic=self.topic,
            stream="",  # applies entries only: the reads and acks are this subscription's
            group=self.group,
            consumer=self.consumer,
            handler=self.handler,
            many=self.many,
            options=self.options,
            dead_letter=self.dead_letter,
        )
        self._reader = asyncio.create_task(self._read(), name=f"bus:{self.topic}:{self.group}")
        self._thread = threading.Thread(
            target=self._work, name=f"leases:{self.topic}:{self.group}", daemon=True
        )
        self._thread.start()

    @property
    def owned(self) -> list[int]:
        """The partitions this worker consumes now (not those being given up)."""
        return sorted(p for p, h in self.held.items() if not h.releasing)

    async def stop(self) -> None:
        """Finish the batch in hand, give every lease up, leave the group."""
        self._stopping.set()
        if self._thread is not None:
            await asyncio.to_thread(self._thread.join)
        if self._beat_task is not None:
            self._beat_task.cancel()
        await asyncio.gather(*(self._give_up(p) for p in list(self.held)), return_exceptions=True)
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader
        with self._lock:
            left = list(self._values.items())
        with contextlib.suppress(Exception):
            for partition, value in left:
                await asyncio.to_thread(self.leases.release, self.group, partition, value)
            await asyncio.to_thread(self.leases.leave, self.group, self.owner)

    # --- the event loop's side ----------------------------------------------------------------

    async def _turn(self) -> None:
        """Proves the event loop turns; after a stall past the bound, drops every partition."""
        bound = self.partition_options.max_stall_s
        while True:
            now = time.monotonic()
            if now - self._beat > bound:
                log.warning(
                    "%s/%s: event loop stalled %.0f s", self.group, self.owner, now - self._beat
                )
                for partition in list(self.held):
                    self._abandon(partition)
            self._beat = now
            await asyncio.sleep(self.partition_options.tick_s / 2)

    def _consume(self, partition: int, value: str) -> None:
        if self._stopping.is_set():  # taken as the subscription stopped: given back by stop
            return
        stream = self.stream(partition_topic(self.topic, partition))
        self.held[partition] = _Held(value, stream)
        self._taken.set()
        log.info("%s/%s: partition %d taken (%s)", self.group, self.owner, partition, value)

    async def _read(self) -> None:
        """The reader: one pass after another until cancelled.

        Failures are retried as a consumer retries them (``ConsumerLoop.run``).
        """
        while True:
            try:
                await self._pass()
            except asyncio.CancelledError:
                raise
            except GroupMissing:
                log.warning(
                    "consumer group %s of %s is gone on a partition (Redis restarted empty?): "
                    "creating it again from the streams' first entries",
                    self.group,
                    self.topic,
                )
                for entry in self.held.values():
                    entry.phase = _Phase.ENSURE
            except Exception:  # a consumer must outlive a broken connection
                log.exception("%s/%s on %s failed", self.group, self.consumer, self.topic)
                await asyncio.sleep(_TRANSPORT_RETRY_S)

    async def _pass(self) -> None:
        """One read of the partitions held (a taken one's leftovers first), then its batch."""
        readable = {p: h for p, h in self.held.items() if not h.releasing}
        if not readable:
            self._taken.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.partition_options.tick_s):
                    await self._taken.wait()
            return
        self._in_hand = frozenset(readable)
        try:
            found = await self._next_batch(readable)
            # a partition abandoned meanwhile (its lease lost) is another worker's now: what
            # was read of it is left pending, for the new owner to claim
            batch = [(p, e) for p, e in found if self.held.get(p) is readable[p]]
            if batch:
                await self._apply(batch, readable)
        finally:
            self._in_hand = frozenset()
            self._passed.set()
            self._passed = asyncio.Event()

    async def _next_batch(self, readable: dict[int, _Held]) -> list[tuple[int, Entry]]:
        size = self.options.batch_size
        for entry in readable.values():
            if entry.phase is _Phase.ENSURE:
                await self.transport.ensure_group(entry.stream, self.group, from_start=True)
                entry.phase = _Phase.PENDING
        for partition, entry in readable.items():
            # the only reader of the partition: whatever is pending was left by an earlier
            # owner (or this consumer before a restart), and is taken, in order, before any
            # new entry
            if entry.phase is _Phase.PENDING:
                own = await self.transport.read_pending(
                    entry.stream, self.group, self.consumer, size
                )
                if own:
                    return [(partition, e) for e in own]
                entry.phase = _Phase.CLAIM
            if entry.phase is _Phase.CLAIM:
                claimed = await self.transport.claim_idle(
                    entry.stream, self.group, self.consumer, 0, size
                )
                if claimed:
                    return [(partition, e) for e in claimed]
                entry.phase = _Phase.LIVE
        of = {entry.stream: partition for partition, entry in readable.items()}
        # COUNT is per stream: a read brings at most about ``batch_size`` entries in all, as
        # one stream's read did (a replay's runs are large), and a candle time's pairs at once
        streams, count = list(of), math.ceil(size / len(of))
        found = await self.transport.read_new_many(
            streams, self.group, self.consumer, count, self.options.block_ms
        )
        if 0 < len(found) < len(streams):
            # A blocked read is answered at the first entry appended: a candle time's pairs,
            # appended in one pipeline, would come over two reads (the first with one pair),
            # each computed and published on its own. What came meanwhile joins this read (only
            # after such a wake-up: a full read, a replay's, keeps its size).
            found += await self.transport.read_new_many(
                streams, self.group, self.consumer, count, 0
            )
        return [(of[stream], entry) for stream, entry in found]

    async def _apply(self, batch: list[tuple[int, Entry]], readable: dict[int, _Held]) -> None:
        """Apply the batch, ack what was applied.

        With a ``many`` handler, the whole batch in one call (a candle time's pairs together);
        without, each pair's entries in order in a task of its own (``KEY_FIELD``; an entry
        without it goes with its partition's), the pairs side by side: one handler waiting on a
        round trip lets another compute, and their publishes share round trips. ``_abandon``
        cancels the tasks of a partition lost.
        """
        assert self._applier is not None
        applier = self._applier
        parts: dict[tuple[int, str | None], list[Entry]] = {}
        for partition, entry in batch:
            key = None if entry.fields is None else entry.fields.get(KEY_FIELD)
            parts.setdefault((partition, key), []).append(entry)
        done: list[Entry] = []
        if self.many is not None:
            every = [e for _, e in batch]
            tasks = dict.fromkeys(parts, asyncio.create_task(applier.apply(every, done)))
        else:
            tasks = {k: asyncio.create_task(applier.apply(es, done)) for k, es in parts.items()}
        self._applying = {}
        for (partition, _), task in tasks.items():
            self._applying.setdefault(partition, []).append(task)
        try:
            await asyncio.wait(set(tasks.values()))
        finally:
            left = [task for task in set(tasks.values()) if not task.done()]
            for task in left:  # this reader was cancelled: so is its batch
                task.cancel()
            if left:
                await asyncio.wait(left)
            self._applying = {}
            await self._ack(batch, done, readable)
        if self._settle(tasks, readable):
            await asyncio.sleep(self.options.retry_delay_s)

    async def _ack(
        self, batch: list[tuple[int, Entry]], done: list[Entry], readable: dict[int, _Held]
    ) -> None:
        """One ``XACK`` per stream for the entries ``done``, in one round trip."""
        if not done:
            return
        where = {id(entry): partition for partition, entry in batch}
        acks: dict[str, list[str]] = {}
        for entry in done:
            acks.setdefault(readable[where[id(entry)]].stream, []).append(entry.entry_id)
        await self.transport.ack_many(self.group, list(acks.items()))

    def _settle(
        self,
        tasks: dict[tuple[int, str | None], asyncio.Task[list[Entry]]],
        readable: dict[int, _Held],
    ) -> bool:
        """Send partitions with entries left pending back to their pending list.

        Left pending: a handler failed, or the partition was abandoned. True when a handler
        failed (the reader pauses before delivering again).
        """
        failed = False
        for (partition, _), task in tasks.items():
            if task.cancelled():
                left = True
            elif task.exception() is not None:
                log.error("%s/%s on %s failed", self.group, self.consumer, self.topic,
                          exc_info=task.exception())  # fmt: skip
                left = failed = True
            else:
                left = bool(task.result())
                failed = failed or left
            if left and self.held.get(partition) is readable[partition]:
                readable[partition].phase = _Phase.PENDING
        return failed

    def _abandon(self, partition: int) -> None:
        """Stop at once: another worker may own the partition already."""
        with self._lock:
            self._values.pop(partition, None)
            self._releasing.discard(partition)
        entry = self.held.pop(partition, None)
        if entry is not None:
            for task in self._applying.get(partition, []):
                task.cancel()

    def _release(self, partition: int) -> None:
        entry = self.held.get(partition)
        if entry is None:
            with self._lock:
                self._releasing.discard(partition)
        elif not entry.releasing:
            entry.releasing = True
            task = asyncio.create_task(self._give_up(partition))
            self._giving_up.add(task)
            task.add_done_callback(self._giving_up.discard)

    async def _give_up(self, partition: int) -> None:
        """Finish the read and batch in hand (the lease still renewed meanwhile), then release."""
        entry = self.held.get(partition)
        if entry is None:
            return
        entry.releasing = True
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(_STOP_WAIT_S):
                while partition in self._in_hand:
                    await self._passed.wait()
        if partition in self._in_hand:
            for task in self._applying.get(partition, []):
                task.cancel()  # a batch past the bound: what it did not ack comes again
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(_STOP_WAIT_S):
                    while partition in self._in_hand:
                        await self._passed.wait()
        if self.held.get(partition) is entry:
            del self.held[partition]
            with contextlib.suppress(Exception):
                await asyncio.to_thread(self.leases.release, self.group, partition, entry.value)
            with self._lock:
                self._values.pop(partition, None)
                self._releasing.discard(partition)
            log.info("%s/%s: partition %d given up", self.group, self.owner, partition)

    def _tell(self, callback: Callable[..., None], *args: object) -> None:
        assert self._loop is not None
        with contextlib.suppress(RuntimeError):  # the loop closed: the process is ending
            self._loop.call_soon_threadsafe(callback, *args)

    # --- the thread's side ---------------------------------------------------------------------

    def _work(self) -> None:
        tick = self.partition_options.tick_s
        while not self._stopping.wait(tick):
            try:
                self._tick()
            except Exception:  # Redis away: keep what is held until its lease would run out
                log.exception("%s/%s: partition leases not refreshed", self.group, self.owner)
                self._drop_expired()

    def _tick(self) -> None:
        opts = self.partition_options
        now = time.monotonic()
        if now - self._beat > opts.max_stall_s:
            if not self._stalled:
                log.warning(
                    "%s/%s: event loop stalled: leases left to expire", self.group, self.owner
                )
            self._stalled = True
            return
        self._stalled = False
        members = self.leases.join(self.group, self.owner, opts.lease_ms)
        with self._lock:
            held = sorted(self._values.items())
        kept = self.leases.renew(held, self.group, opts.lease_ms)
        active = []
        for (partition, _value), ok in zip(held, kept, strict=True):
            if ok:
                self._renewed[partition] = now
                if partition not in self._releasing:
                    active.append(partition)
            else:
                log.warning("%s/%s: lease of partition %d lost", self.group, self.owner, partition)
                with self._lock:
                    self._values.pop(partition, None)
                self._tell(self._abandon, partition)
        fair = math.ceil(self.partitions / max(1, len(members)))
        for partition in active[fair:]:  # above the fair share: the highest ones go
            with self._lock:
                self._releasing.add(partition)
            self._tell(self._release, partition)
        if len(active) >= fair or now - self._beat > 2 * opts.tick_s:
            return  # a busy loop takes nothing new
        holders = self.leases.holders(self.group, self.partitions)
        with self._lock:
            mine = set(self._values)
        free = [p for p, value in enumerate(holders) if value is None and p not in mine]
        # start from a place of our own among the members, so that workers starting together
        # do not all try the same partitions first
        rank = members.index(self.owner) if self.owner in members else 0
        free.sort(key=lambda p: (p - rank * fair) % self.partitions)
        for partition in free[: fair - len(active)]:
            token = self.leases.acquire(self.group, partition, self.owner, opts.lease_ms)
            if token is not None:
                value = f"{self.owner}|{token}"
                with self._lock:
                    self._values[partition] = value
                self._renewed[partition] = now
                self._tell(self._consume, partition, value)

    def _drop_expired(self) -> None:
        now = time.monotonic()
        for partition, renewed in list(self._renewed.items()):
            if partition in self._values and now - renewed > self.partition_options.lease_ms / 1000:
                log.warning("%s/%s: partition %d expired", self.group, self.owner, partition)
                with self._lock:
                    self._values.pop(partition, None)
                self._tell(self._abandon, partition)
