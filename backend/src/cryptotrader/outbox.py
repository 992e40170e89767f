"""The transactional outbox: an event is written with the change it announces, then sent.

Publishing after the commit lost the event when the process died in between (an alert that
never comes). Now the events of a transaction are one row of ``outbox`` written in it
(``Outbox.add``: one insert), and the relay sends them:

* **normal case**: the rows this process committed are sent by this process when the
  ``UnitOfWork`` that committed them ends (``uow.when_done``, the SQLite writer lock released),
  from memory, in commit order: the bus sees them where and in the order the old
  publish-after-commit did. Sent rows are deleted together by ``run()`` every
  ``DELETE_EVERY_S`` (one transaction; a delete in every transaction that writes events cost a
  replay more than the insert): a crash may send the last ones again, with their
  ``message_id``, and idempotent consumers (the inbox) drop the copy;
* **after a crash**: ``recover()`` at start sends every row left, oldest first, before this
  process sends its own; ``run()`` sweeps, every ``SWEEP_EVERY_S``, rows older than
  ``ABANDONED_S`` that no live process sent (its writer died or its bus failed). One relay per
  database sweeps at a time: a PostgreSQL advisory lock; on SQLite the write transaction is
  already exclusive between processes.

``run()`` also prunes the consumers' inbox (``processed_messages``) past ``INBOX_HORIZON``.
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
from cryptotrader.bus.protocol import MessageBus
from cryptotrader.bus.topics import ALL_TOPICS
from cryptotrader.clock import Clock, LiveClock
from cryptotrader.persistence import deferred
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.repositories import inbox
from cryptotrader.persistence.repositories import outbox as rows
from cryptotrader.persistence.uow import UnitOfWork, after_commit, when_done

log = logging.getLogger(__name__)

Event = tuple[str, BusMessage]
"""A message and its channel."""

DELETE_EVERY_S = 0.5
"""Sent rows are deleted by ``run()`` this often (one transaction for all of them)."""
DELETE_BATCH = 500
"""Or by the send that makes them this many (without ``run()``: a tool, a test)."""
SWEEP_EVERY_S = 5.0
ABANDONED_S = 10.0
"""A row this old that is still there was left by a process that died or could not send."""
PAGE = 200
"""Rows read, sent and deleted per recovery transaction."""
INBOX_HORIZON = timedelta(days=7)
"""Inbox claims kept this long: longer than any redelivery (see docs/runtime.md)."""
PRUNE_EVERY_S = 3600.0
_TOPICS = frozenset(ALL_TOPICS)


def encode(events: Sequence[Event]) -> str:
    """One transaction's events as the row's JSON: ``[[topic, message], ...]``."""
    for topic, _ in events:
        if topic not in _TOPICS:  # a topic is a plain name: it needs no JSON escaping
            raise ValueError(f"unknown channel {topic!r}")
    return "[" + ",".join(f'["{t}",{m.model_dump_json()}]' for t, m in events) + "]"


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
        delete_every_s: how often ``run()`` deletes the rows sent.
    """

    def __init__(
        self,
        database: Database,
        bus: MessageBus,
        *,
        clock: Clock | None = None,
        delete_every_s: float = DELETE_EVERY_S,
    ) -> None:
        self._database = database
        self._bus = bus
        self._clock = clock or LiveClock()
        self._delete_every_s = delete_every_s
        self._queue: deque[tuple[int, Sequence[Event]]] = deque()
        """Rows committed here, not yet on the bus, in commit order."""
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
        row_id = await rows.add(session=session, payload=encode(events), at=self._clock.now())
        after_commit(session, lambda: self._queue.append((row_id, events)))
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
                await self._delete_sent()

    async def _send_queue(self) -> None:
        queue = self._queue
        while queue:
            row_id, events = queue[0]
            topic, first = events[0]
            if len(events) == 1:
                await self._bus.publish(topic, first)
            elif all(t == topic for t, _ in events):
                await self._bus.publish_many(topic, [m for _, m in events])
            else:
                for t, message in events:
                    await self._bus.publish(t, message)
            queue.popleft()
            self._sent.append(row_id)
            self.published += len(events)

    async def _delete_sent(self) -> None:
        sent, self._sent = self._sent, []
        try:
            async with UnitOfWork(self._database) as uow:
                await rows.remove(session=uow.session, ids=sent)
                await uow.commit()
        except Exception:  # sent already: a row left is sent again later, and dropped as a copy
            log.exception("outbox: could not delete %d sent rows", len(sent))
            self._sent = sent + self._sent

    async def recover(self, *, older_than: timedelta | None = None) -> int:
        """Send the rows no live relay is sending (all of them at start), oldest first.

        Returns how many messages were sent; 0 when another relay holds the recovery lock.
        Releases ``hold()``: this process's own events follow.
        """
        total = 0
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
        """One transaction: lock, read a page, send it, delete it; (sent, next page or 0)."""
        before = None if older_than is None else self._clock.now() - older_than
        async with UnitOfWork(self._database) as uow:
            if not await rows.take_relay_lock(session=uow.session):
                return 0, 0  # another relay is recovering
            page = await rows.pending(
                session=uow.session, before=before, limit=PAGE, after_id=after
            )
            mine = {row_id for row_id, _ in self._queue} | set(self._sent)
            taken = [entry for entry in page if entry.id not in mine]
            sent = 0
            for entry in taken:
                try:
                    events = decode_row(entry.payload)
                except MalformedMessageError as exc:  # never written by this code: say, drop
                    log.error("outbox row %d is malformed, dropped: %s", entry.id, exc)
                    continue
                for topic, message in events:
                    await self._bus.publish(topic, message)
                sent += len(events)
            await rows.remove(session=uow.session, ids=[entry.id for entry in taken])
            await uow.commit()
        self.published += sent
        return sent, (page[-1].id if len(page) == PAGE else 0)

    async def _sweep(self) -> None:
        """Recover rows older than ``ABANDONED_S``, if a cheap read finds one."""
        before = self._clock.now() - timedelta(seconds=ABANDONED_S)
        async with UnitOfWork(self._database, read_only=True) as uow:
            if not await rows.any_before(session=uow.session, before=before):
                return
        await self.recover(older_than=timedelta(seconds=ABANDONED_S))

    # --- the background relay ------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Retry, delete sent rows, sweep abandoned ones and prune the inbox, until ``stop``."""
        next_sweep = time.monotonic() + SWEEP_EVERY_S
        next_prune = time.monotonic()
        while not stop.is_set():
            try:
                await self.flush()
                now = time.monotonic()
                if self._sent:
                    async with self._lock:
                        await self._delete_sent()
                if now >= next_sweep and not self._held:
                    next_sweep = now + SWEEP_EVERY_S
                    await self._sweep()
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
        """Send what is left and delete what was sent (a clean stop sends nothing twice)."""
        await self.flush()
        async with self._lock:
            if self._sent:
                await self._delete_sent()


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
