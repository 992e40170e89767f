"""The transactional outbox: an event is written with the change it announces, then sent.

Publishing after the commit lost the event when the process died in between (an alert that
never comes). Now the events of a transaction are one row of ``outbox`` written in it
(``Outbox.add``: one insert), and the relay sends them:

* **normal case**: the rows this process committed are sent by this process when the
  ``UnitOfWork`` that committed them ends (``uow.when_done``, the SQLite writer lock released),
  from memory, in commit order: the bus sees them where and in the order the old
  publish-after-commit did. Sent rows are marked sent together by ``run()`` every
  ``DELETE_EVERY_S`` (one transaction; a statement in every transaction that writes events cost
  a replay more than the insert): a crash may send the last ones again, with their
  ``message_id``, and idempotent consumers (the inbox) drop the copy;
* **Redis restarted empty** (a server without persistence: its streams went with it): sent rows
  are kept ``RETAIN`` after they were sent, then deleted; ``run()`` reads the bus's ``epoch``
  (Redis's run id) every ``EPOCH_EVERY_S``, and at start; when it is not the one recorded in
  the database (``engine_checkpoints`` outbox/bus_epoch), one relay sends every row kept again,
  oldest first, and records the new epoch (under the recovery lock: once per restart, however
  many relays notice it). Consumers drop what they had already applied (the inbox);
* **after a crash**: ``recover()`` at start sends every row left, oldest first, before this
  process sends its own; ``run()`` sweeps, every ``SWEEP_EVERY_S``, rows older than
  ``ABANDONED_S`` that no live process sent (its writer died or its bus failed). One relay per
  database sweeps at a time: a PostgreSQL advisory lock; on SQLite the write transaction is
  already exclusive between processes.

``run()`` also prunes the consumers' inbox (``processed_messages``) past ``INBOX_HORIZON``.
The in-process bus has nothing to lose apart from the process: no epoch is watched there.
See docs/runtime.md, "Events and the outbox".
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import weakref
from collections import deque
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from cryptotrader.bus.codec import DATA_FIELD, MalformedMessageError, decode
from cryptotrader.bus.messages import BusMessage
from cryptotrader.bus.protocol import ConsumerOptions, MessageBus
from cryptotrader.bus.stream_bus import StreamBus
from cryptotrader.bus.topics import ALL_TOPICS
from cryptotrader.clock import Clock, LiveClock
from cryptotrader.persistence import deferred
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.repositories import checkpoints, inbox
from cryptotrader.persistence.repositories import outbox as rows
from cryptotrader.persistence.uow import UnitOfWork, after_commit, when_done

log = logging.getLogger(__name__)

Event = tuple[str, BusMessage]
"""A message and its channel."""

DELETE_EVERY_S = 0.5
"""Sent rows are marked sent by ``run()`` this often (one transaction for all of them)."""
DELETE_BATCH = 500
"""Or by the send that makes them this many (without ``run()``: a tool, a test)."""
RETAIN = timedelta(seconds=ConsumerOptions().resent_s)
"""Sent rows are kept this long, to be sent again if Redis restarts empty: longer than any
consumer lags behind the bus (a consumer further behind loses what Redis lost)."""
EPOCH_EVERY_S = 1.0
"""How often ``run()`` asks the bus whether it restarted empty (one ``INFO server``)."""
EPOCH_ENGINE, EPOCH_KEY = "outbox", "bus_epoch"
"""The checkpoint holding the bus epoch the kept rows were sent (or sent again) to."""
SWEEP_EVERY_S = 5.0
ABANDONED_S = 10.0
"""A row this old that is still there was left by a process that died or could not send."""
PAGE = 200
"""Rows read, sent and deleted per recovery transaction."""
INBOX_HORIZON = timedelta(days=7)
"""Inbox claims kept this long: longer than any redelivery (see docs/runtime.md)."""
PRUNE_EVERY_S = 3600.0


def encode(events: Sequence[Event]) -> str:
    """One transaction's events as the row's JSON: ``[[topic, message], ...]``.

    Each message as ``model_dump_json()`` writes it, from its serializer's bytes directly
    (the method's keyword handling and a ``decode`` per message cost a third of it).
    """
    return encode_each(events)[0]


def encode_each(events: Sequence[Event]) -> tuple[str, list[str]]:
    """The row's JSON (``encode``) and each message's JSON in it, in order.

    The relay sends each message's text as its stream entry's ``data`` (what
    ``codec.encode`` writes): Redis's entries are not encoded a second time.
    """
    texts = []
    parts = []
    for topic, message in events:
        head = _HEADS.get(topic)
        if head is None:
            raise ValueError(f"unknown channel {topic!r}")
        text = message.__pydantic_serializer__.to_json(message).decode()
        texts.append(text)
        parts.append(head + text + "]")
    return "[" + ",".join(parts) + "]", texts


_HEADS = {topic: f'["{topic}",' for topic in ALL_TOPICS}
"""Each channel's item head (a topic is a plain name: it needs no JSON escaping)."""


def decode_row(payload: str) -> list[Event]:
    """The events of a row, validated like a bus entry.

    Raises:
        MalformedMessageError: the row is not such a list, or a message does not decode.
    """
    try:
        items = json.loads(payload)
    except ValueError as exc:
        raise MalformedMessageError(f"not JSON: {exc}") from None
    if not isinstance(items, list):
        raise MalformedMessageError("not a list of [topic, message]")
    events: list[Event] = []
    for item in items:
        if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str)):
            raise MalformedMessageError("not a list of [topic, message]")
        events.append((item[0], decode(item[0], {DATA_FIELD: json.dumps(item[1])})))
    return events


class Outbox:
    """One database's outbox as one process writes and relays it to one bus.

    Get it with ``outbox_for(database, bus)``: every writer of the process must share it, so
    that their events go out in commit order.

    Args:
        database: where the rows are.
        bus: where they go.
        clock: wall time of the rows (never a replay's market time: it dates abandonment).
        delete_every_s: how often ``run()`` marks the rows sent.
        retain: how long sent rows are kept (sent again if Redis restarts empty).
    """

    def __init__(
        self,
        database: Database,
        bus: MessageBus,
        *,
        clock: Clock | None = None,
        delete_every_s: float = DELETE_EVERY_S,
        retain: timedelta = RETAIN,
    ) -> None:
        self._database = database
        self._bus = bus
        self._clock = clock or LiveClock()
        self._delete_every_s = delete_every_s
        self._retain = retain
        self._shared = isinstance(bus, StreamBus) and not getattr(
            bus.transport, "carries_messages", False
        )
        """The bus keeps entries outside this process (Redis): it can lose them all at once."""
        self._epoch: str | None = None
        """The bus epoch the rows sent since were sent to (None: not asked yet)."""
        self._queue: deque[tuple[int, Sequence[Event], list[str]]] = deque()
        """Rows committed here, not yet on the bus, in commit order (each message's JSON too)."""
        self._sent: list[int] = []
        """Rows on the bus, not yet deleted."""
        self._lock = asyncio.Lock()
        self._held = False
        self._name = f"outbox {id(self)}"
        """Its events of a ``deferred`` transaction, gathered under this name."""
        self.published = 0
        """Messages this relay put on the bus (its own and recovered ones)."""

    # --- writing -------------------------------------------------------------------------------

    async def add(self, session: AsyncSession, events: Sequence[Event]) -> None:
        """Write ``events`` in ``session``'s transaction; sent once it has committed.

        A rollback drops them with the change. ``session`` must belong to a ``UnitOfWork``
        (its commit hands the row over to the relay).
        """
        if not events:
            return
        if deferred.deferring(session):  # one row for the whole transaction, written at its end
            deferred.gather(
                session, self._name, list(events), lambda all_: self._row(session, all_)
            )
            return
        await self._row(session, events)

    async def _row(self, session: AsyncSession, events: Sequence[Event]) -> None:
        """Insert ``events`` as one row of ``session``'s transaction; queued once committed."""
        payload, texts = encode_each(events)
        row_id = await rows.add(session=session, payload=payload, at=self._clock.now())
        after_commit(session, lambda: self._queue.append((row_id, events, texts)))
        when_done(session, self.flush)

    # --- sending -------------------------------------------------------------------------------

    def hold(self) -> None:
        """Send nothing until ``recover()``: what a crash left must go out first."""
        self._held = True

    async def flush(self) -> None:
        """Send what this process committed, in order.

        A bus failure is logged and the rest kept, in order, for ``run()`` to retry (the
        database is the truth: trading goes on).
        """
        if self._held or not self._queue:
            return
        async with self._lock:
            try:
                await self._send_queue()
            except Exception:  # any transport failure: the rows wait in the table
                log.exception("outbox: could not publish %d rows, retrying", len(self._queue))
            if len(self._sent) >= DELETE_BATCH:
                await self._mark_sent()

    async def _send_queue(self) -> None:
        queue = self._queue
        if isinstance(self._bus, StreamBus):
            # The rows queued, in order, in one call: one round trip on Redis for them all. A
            # failure leaves them all queued (a prefix may be sent twice: consumers drop it).
            while queue:
                if len(queue) == 1:  # most often: the unit of work that just ended
                    row_id, events, texts = queue[0]
                    await self._bus.publish_each(events, texts)
                    queue.popleft()
                    self._sent.append(row_id)
                    self.published += len(events)
                    continue
                taken = list(queue)
                await self._bus.publish_each(
                    [event for _, events, _ in taken for event in events],
                    [text for _, _, texts in taken for text in texts],
                )
                for row_id, events, _ in taken:
                    queue.popleft()
                    self._sent.append(row_id)
                    self.published += len(events)
            return
        while queue:
            row_id, events, _ = queue[0]
            await self._publish(events)
            queue.popleft()
            self._sent.append(row_id)
            self.published += len(events)

    async def _publish(self, events: Sequence[Event]) -> None:
        """One row's events, in order (on a stream bus one round trip for all of them)."""
        if isinstance(self._bus, StreamBus):
            await self._bus.publish_each(events)
            return
        topic, first = events[0]
        if len(events) == 1:
            await self._bus.publish(topic, first)
        elif all(t == topic for t, _ in events):
            await self._bus.publish_many(topic, [m for _, m in events])
        else:
            for t, message in events:
                await self._bus.publish(t, message)

    async def _mark_sent(self) -> None:
        sent, self._sent = self._sent, []
        try:
            async with UnitOfWork(self._database) as uow:
                await rows.mark_sent(session=uow.session, ids=sent, at=self._clock.now())
                await uow.commit()
        except Exception:  # sent already: a row left is sent again later, and dropped as a copy
            log.exception("outbox: could not mark %d rows sent", len(sent))
            self._sent = sent + self._sent

    async def recover(self, *, older_than: timedelta | None = None) -> int:
        """Send the rows no live relay is sending (all of them at start), oldest first.

        At start (``older_than`` None) on Redis, the rows kept are sent again first when Redis
        restarted empty since they were sent (``check_epoch``). Returns how many messages were
        sent; 0 when another relay holds the recovery lock. Releases ``hold()``: this process's
        own events follow.
        """
        total = 0
        if older_than is None:
            total += await self.check_epoch()
        after = 0
        async with self._lock:
            while True:
                sent, after = await self._recover_page(older_than, after)
                total += sent
                if after == 0:
                    break
            self._held = False
        if total > 0:
            log.info("outbox: sent %d events left by an earlier run", total)
        await self.flush()
        return total

    async def _recover_page(self, older_than: timedelta | None, after: int) -> tuple[int, int]:
        """One transaction: lock, read a page, send it, mark it sent; (sent, next page or 0)."""
        before = None if older_than is None else self._clock.now() - older_than
        async with UnitOfWork(self._database) as uow:
            if not await rows.take_relay_lock(session=uow.session):
                return 0, 0  # another relay is recovering
            page = await rows.pending(
                session=uow.session, before=before, limit=PAGE, after_id=after
            )
            mine = {row_id for row_id, _, _ in self._queue} | set(self._sent)
            taken = [entry for entry in page if entry.id not in mine]
            sent = await self._send_rows(taken)
            await rows.mark_sent(
                session=uow.session, ids=[entry.id for entry in taken], at=self._clock.now()
            )
            await uow.commit()
        self.published += sent
        return sent, (page[-1].id if len(page) == PAGE else 0)

    async def _send_rows(self, entries: Sequence[rows.OutboxEntry]) -> int:
        """Send rows read back from the table, in order; how many messages."""
        sent = 0
        for entry in entries:
            try:
                events = decode_row(entry.payload)
            except MalformedMessageError as exc:  # never written by this code: say, drop
                log.error("outbox row %d is malformed, dropped: %s", entry.id, exc)
                continue
            await self._publish(events)
            sent += len(events)
        return sent

    async def check_epoch(self) -> int:
        """Send every row kept again if the bus restarted empty since they were sent.

        Redis only (the in-process bus dies with the process). The bus's ``epoch`` is compared
        with the one recorded in the database; when it differs, one relay (the recovery lock)
        sends every row of the table, oldest first (sent ones within ``RETAIN``, and unsent ones
        but this process's own, which follow), then records the new epoch. Returns how many
        messages were sent again; 0 when nothing was lost, or another relay is at it (asked
        again at the next check).
        """
        if not self._shared:
            return 0
        assert isinstance(self._bus, StreamBus)
        epoch = await self._bus.epoch()
        if epoch == self._epoch:
            return 0
        async with self._lock:
            resent = await self._resend(epoch)
        if resent is None:
            return 0
        self._epoch = epoch
        if resent:
            log.warning(
                "outbox: the bus restarted empty (epoch %s): sent %d kept events again",
                epoch,
                resent,
            )
        self.published += resent
        return resent

    async def _resend(self, epoch: str) -> int | None:
        """One transaction: lock, compare epochs, send every row again; None when locked out."""
        async with UnitOfWork(self._database) as uow:
            session = uow.session
            if not await rows.take_relay_lock(session=session):
                return None
            stored = await checkpoints.load_checkpoint(
                session=session, engine=EPOCH_ENGINE, key=EPOCH_KEY
            )
            known = None if stored is None else stored.get("epoch")
            if known == epoch:
                return 0  # another relay sent them again already (or nothing changed)
            sent = 0
            if known is not None:  # rows were sent to a bus that lost them
                mine = {row_id for row_id, _, _ in self._queue}
                after = 0
                while True:
                    page = await rows.pending(
                        session=session, before=None, limit=PAGE, after_id=after, retained=True
                    )
                    taken = [entry for entry in page if entry.id not in mine]
                    sent += await self._send_rows(taken)
                    await rows.mark_sent(
                        session=session, ids=[e.id for e in taken], at=self._clock.now()
                    )
                    if len(page) < PAGE:
                        break
                    after = page[-1].id
            await checkpoints.save_checkpoint(
                session=session,
                engine=EPOCH_ENGINE,
                key=EPOCH_KEY,
                value={"epoch": epoch},
                at=self._clock.now(),
            )
            await uow.commit()
        return sent

    async def _sweep(self) -> None:
        """Recover rows older than ``ABANDONED_S``, if a cheap read finds one."""
        before = self._clock.now() - timedelta(seconds=ABANDONED_S)
        async with UnitOfWork(self._database, read_only=True) as uow:
            if not await rows.any_before(session=uow.session, before=before):
                return
        await self.recover(older_than=timedelta(seconds=ABANDONED_S))

    async def prune_sent(self) -> None:
        """Delete the rows sent more than ``retain`` ago."""
        async with UnitOfWork(self._database) as uow:
            await rows.prune_sent(session=uow.session, before=self._clock.now() - self._retain)
            await uow.commit()

    # --- the background relay ------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Until ``stop``: retry, mark sent rows, watch the bus's epoch, sweep and prune."""
        next_sweep = time.monotonic() + SWEEP_EVERY_S
        next_epoch = time.monotonic()
        next_prune = time.monotonic()
        while not stop.is_set():
            try:
                await self.flush()
                now = time.monotonic()
                if self._sent:
                    async with self._lock:
                        await self._mark_sent()
                if now >= next_epoch and not self._held:
                    next_epoch = now + EPOCH_EVERY_S
                    await self.check_epoch()
                if now >= next_sweep and not self._held:
                    next_sweep = now + SWEEP_EVERY_S
                    await self._sweep()
                    await self.prune_sent()
                if now >= next_prune:
                    next_prune = now + PRUNE_EVERY_S
                    await prune_inbox(self._database, clock=self._clock)
            except asyncio.CancelledError:
                raise
            except Exception:  # the relay must outlive a broken connection
                log.exception("outbox relay failed, retrying")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self._delete_every_s)

    async def close(self) -> None:
        """Send what is left and mark what was sent (a clean stop sends nothing twice)."""
        await self.flush()
        async with self._lock:
            if self._sent:
                await self._mark_sent()


async def prune_inbox(
    database: Database, *, clock: Clock, horizon: timedelta = INBOX_HORIZON
) -> int:
    """Forget inbox claims older than ``horizon``; returns how many."""
    async with UnitOfWork(database) as uow:
        pruned = await inbox.prune_processed(session=uow.session, before=clock.now() - horizon)
        await uow.commit()
    if pruned:
        log.info("inbox: forgot %d claims older than %s", pruned, horizon)
    return pruned


_OUTBOXES: weakref.WeakKeyDictionary[Database, weakref.WeakKeyDictionary[MessageBus, Outbox]] = (
    weakref.WeakKeyDictionary()
)


def outbox_for(database: Database, bus: MessageBus) -> Outbox:
    """The process's outbox of ``database`` relayed to ``bus`` (created on first use)."""
    by_bus = _OUTBOXES.setdefault(database, weakref.WeakKeyDictionary())
    found = by_bus.get(bus)
    if found is None:
        found = by_bus[bus] = Outbox(database, bus)
    return found
