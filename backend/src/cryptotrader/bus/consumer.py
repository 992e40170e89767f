"""One subscription's loop: recover own pending, take over the dead's, read new, apply, ack.

The order of a pass is Redis's recommended one: a (re)started consumer first re-reads its own
unacked entries; then, every ``claim_interval_s``, it takes over entries another member left
unacked for ``claim_idle_ms`` (until none is left, so that they come before new ones); then it
reads new entries. Entries are acked in one call after
each batch, each only once its handler returned (its effect is committed).

A group that vanished (``NOGROUP``: Redis restarted without persistence, so every stream and
group is gone) is created again before the stream's first entry, not at its end: the stream
then holds only what was published since the restart, none of it seen by this group, and
publishers may have written to it before this consumer came back. What Redis lost with the
old streams (entries not yet acked) is not there to read; re-delivering it is the publishers'
part (the transactional outbox).

A subscription may name the message types it handles (``kinds``): an entry that says it holds
another type (``codec.kind``) is acked without being decoded or given to the handler (the order
engine handles the ``DecisionsMade`` of ``signals``, not the two ``SignalGenerated`` beside each).

A consumer whose group vanished while it was behind by more than ``resent_s`` (what the outbox
sends again after an empty Redis restart) lost the entries published in between that it had not
read: it logs an error and calls ``lost`` (the bus raises a critical ``events_lost`` alert). How
far behind it was is known from its own reads: from the time of the last read that returned
less than a batch (it had read everything published before it), else of the last entry it read,
to the moment Redis went (its first failed call since; a consumer busy in a handler meanwhile:
now). A consumer that had read everything lost nothing, however long Redis was away.

A subscription with a ``many`` handler gives it every message of a read at once
(``protocol.ManyHandler``); when it fails, each message goes to the handler alone.

A handler may keep a delivery pending past its return (``MessageBus.keep``: the order engine
gathering the runs of a batch of pairs, traded only once all have come): the loop then neither
acks it nor delivers it again; ``MessageBus.ack`` acks it once its effect is committed. A
consumer killed meanwhile gets it again from its pending entries when it restarts. Meant for a
group's only member that claims once, at its start (the order engine's): a kept entry is skipped
when this consumer reads its own pending entries or claims idle ones, but each such read counts
a delivery, and another member may claim it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from enum import Enum

from cryptotrader.bus.codec import MalformedMessageError, decode, kind
from cryptotrader.bus.protocol import ConsumerOptions, Delivery, Handler, ManyHandler, entry_key
from cryptotrader.bus.transport import Entry, GroupMissing, StreamTransport

log = logging.getLogger(__name__)

_TRANSPORT_RETRY_S = 1.0

DeadLetterSink = Callable[[str, str, str, Entry, str], Awaitable[None]]
"""``(topic, group, consumer, entry, reason)``: move an entry to the dead letters."""
LostSink = Callable[[str, str, str, float], Awaitable[None]]
"""``(topic, group, consumer, behind_s)``: say that a vanished group's unread entries are lost."""


class _Outcome(Enum):
    DONE = "done"  # applied, dead-lettered or gone: ack
    KEPT = "kept"  # applied, acked later by the handler's owner (``MessageBus.keep``)
    RETRY = "retry"  # handler failed: leave pending, deliver again


class ConsumerLoop:
    """Consumes one stream as one member of a group until cancelled."""

    def __init__(
        self,
        *,
        transport: StreamTransport,
        topic: str,
        stream: str,
        group: str,
        consumer: str,
        handler: Handler,
        options: ConsumerOptions,
        dead_letter: DeadLetterSink,
        many: ManyHandler | None = None,
        lost: LostSink | None = None,
        kinds: frozenset[str] | None = None,
    ) -> None:
        self._transport = transport
        self._kinds = kinds
        self._topic = topic
        self._stream = stream
        self._group = group
        self.stream, self.group = stream, group
        self._consumer = consumer
        self._handler = handler
        self._many = many
        self._options = options
        self._dead_letter = dead_letter
        self._lost = lost
        self._read_through_ms: float | None = None
        """Every entry published before this (ms, Redis's entry ids' clock) was read."""
        self._failed_at_ms: float | None = None
        """When a call to Redis first failed since the last read (Redis gone: it lost nothing
        published after this)."""
        self._recovering = True
        self._next_claim = 0.0
        self._group_missing = False
        self.groups_recreated = 0
        self.kept: set[str] = set()
        """Entries a handler keeps pending (acked by ``MessageBus.ack`` later)."""
        """How many times the group was found gone and created again."""
        self.stop_requested = False

    async def run(self) -> None:
        """Consume until cancelled or stopped; transport failures are logged and retried."""
        while not self.stop_requested:
            try:
                if self._group_missing:
                    await self._recreate_group()
                entries = await self._next_batch()
                await self._process(entries)
            except asyncio.CancelledError:
                raise
            except GroupMissing:
                log.warning(
                    "consumer group %s of %s is gone (Redis restarted empty?): creating it "
                    "again from the stream's first entry",
                    self._group,
                    self._topic,
                )
                self._group_missing = True
                await self._say_lost()
            except Exception:  # a consumer must outlive a broken connection
                task = asyncio.current_task()
                if task is not None and task.cancelling():
                    # A client library turned our cancellation into its own error: stop anyway.
                    raise asyncio.CancelledError from None
                log.exception(
                    "consumer %s/%s on %s failed", self._group, self._consumer, self._topic
                )
                if self._failed_at_ms is None:
                    self._failed_at_ms = time.time() * 1000
                await asyncio.sleep(_TRANSPORT_RETRY_S)

    async def _say_lost(self) -> None:
        """Log and report it when the group vanished further behind than the outbox resends."""
        through, self._read_through_ms = self._read_through_ms, None
        gone, self._failed_at_ms = self._failed_at_ms, None
        if through is None:
            return
        # behind when Redis went (first seen failing; else now: busy in a handler meanwhile)
        behind_s = ((gone or time.time() * 1000) - through) / 1000
        if behind_s <= self._options.resent_s:
            return
        log.error(
            "consumer %s/%s of %s was %.0f s behind when its group vanished (Redis restarted "
            "empty?): the outbox sends again only its last %.0f s, so what was published "
            "before that and not read is lost for it (docs/runtime.md, 'Faults survived')",
            self._group,
            self._consumer,
            self._topic,
            behind_s,
            self._options.resent_s,
        )
        if self._lost is None:
            return
        try:
            await self._lost(self._topic, self._group, self._consumer, behind_s)
        except Exception:  # the log above says it: consuming must go on
            log.exception("the alert on %s's lost entries was not published", self._group)

    async def _recreate_group(self) -> None:
        await self._transport.ensure_group(self._stream, self._group, from_start=True)
        self._group_missing = False
        self._recovering = True  # own pending entries went with the old group: none to re-read
        self.groups_recreated += 1

    async def _next_batch(self) -> list[Entry]:
        size = self._options.batch_size
        if self._recovering:
            own = await self._transport.read_pending(
                self._stream, self._group, self._consumer, size
            )
            own = [entry for entry in own if entry.entry_id not in self.kept]
            if own:
                return own
            self._recovering = False
        now = asyncio.get_running_loop().time()
        if now >= self._next_claim:
            claimed = await self._transport.claim_idle(
                self._stream, self._group, self._consumer, self._options.claim_idle_ms, size
            )
            claimed = [entry for entry in claimed if entry.entry_id not in self.kept]
            if claimed:  # claim again at the next pass: the dead's entries before new ones
                return claimed
            self._next_claim = now + self._options.claim_interval_s
        began_ms = time.time() * 1000
        new = await self._transport.read_new(
            self._stream, self._group, self._consumer, size, self._options.block_ms
        )
        # less than a batch: every entry published before the read was read; else up to the last
        self._read_through_ms = began_ms if len(new) < size else entry_key(new[-1].entry_id)[0]
        self._failed_at_ms = None
        return new

    async def _process(self, entries: list[Entry]) -> None:
        done: list[Entry] = []
        try:
            if await self.apply(entries, done):
                self._recovering = True
        finally:
            # Ack what is committed even when cancelled mid-batch, so that only the entry in
            # flight is redelivered. A hard crash skips this: those entries come back, and the
            # idempotent handlers ignore them.
            if done:
                await self._transport.ack(self._stream, self._group, [e.entry_id for e in done])
        if self._recovering:
            await asyncio.sleep(self._options.retry_delay_s)

    async def apply(self, entries: list[Entry], done: list[Entry]) -> list[Entry]:
        """Apply ``entries`` in order; returns those whose handler failed (to deliver again).

        Each settled entry is appended to ``done`` (to ack) as soon as it is, so that a caller
        cancelled mid-batch still acks those.

        Used by ``bus.partitions`` on entries of several streams read at once.
        """
        failed: list[Entry] = []
        if self._many is not None and len(entries) > 1:
            entries = await self._apply_many(entries, done)
        for entry in entries:
            outcome = await self._handle(entry)
            if outcome is _Outcome.DONE:
                done.append(entry)
            elif outcome is _Outcome.RETRY:
                failed.append(entry)
        return failed

    async def _apply_many(self, entries: list[Entry], done: list[Entry]) -> list[Entry]:
        """Apply ``entries`` at once (``many``); returns those left to apply one by one.

        Entries that cannot be delivered (trimmed, malformed, delivered too often) are settled
        here as ``_handle`` settles them; when ``many`` fails, every other one is left.
        """
        assert self._many is not None
        deliveries: list[tuple[Entry, Delivery]] = []
        for entry in entries:
            prepared = await self._prepare(entry)
            if isinstance(prepared, Delivery):
                deliveries.append((entry, prepared))
            else:
                done.append(entry)
        try:
            await self._many([delivery for _, delivery in deliveries])
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - each is applied alone instead
            log.warning(
                "%s handler of %s failed on %d entries at once, applying each alone: %r",
                self._group,
                self._topic,
                len(deliveries),
                exc,
            )
            return [entry for entry, _ in deliveries]
        done.extend(entry for entry, _ in deliveries if entry.entry_id not in self.kept)
        return []

    async def _prepare(self, entry: Entry) -> Delivery | _Outcome:
        """The delivery of ``entry``, or DONE when it cannot be delivered (settled here)."""
        if entry.fields is None:
            log.warning("%s entry %s was trimmed before it was acked", self._topic, entry.entry_id)
            return _Outcome.DONE
        if self._kinds is not None:
            said = kind(entry.fields)
            if said is not None and said not in self._kinds:
                return _Outcome.DONE  # not a type this consumer handles: acked unread
        if entry.deliveries > self._options.max_deliveries:
            await self._reject(entry, f"delivered {entry.deliveries} times without success")
            return _Outcome.DONE
        try:
            message = decode(self._topic, entry.fields)
        except MalformedMessageError as exc:
            await self._reject(entry, f"malformed: {exc}")
            return _Outcome.DONE
        return Delivery(self._topic, self._group, entry.entry_id, message, entry.deliveries)

    async def _handle(self, entry: Entry) -> _Outcome:
        delivery = await self._prepare(entry)
        if not isinstance(delivery, Delivery):
            return delivery
        try:
            await self._handler(delivery)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - any handler failure means "not applied"
            log.warning(
                "%s handler of %s failed on %s (delivery %d): %r",
                self._group,
                self._topic,
                entry.entry_id,
                entry.deliveries,
                exc,
            )
            if entry.deliveries >= self._options.max_deliveries:
                await self._reject(entry, f"handler failed {entry.deliveries} times: {exc!r}")
                return _Outcome.DONE
            return _Outcome.RETRY
        return _Outcome.KEPT if entry.entry_id in self.kept else _Outcome.DONE

    async def _reject(self, entry: Entry, reason: str) -> None:
        await self._dead_letter(self._topic, self._group, self._consumer, entry, reason)
