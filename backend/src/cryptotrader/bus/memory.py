"""The in-process bus (default): Redis Streams semantics kept in memory, on one event loop.

Consumer groups, per-consumer pending lists, redelivery, take-over of idle entries and
approximate trimming behave as on Redis, so the same tests and the same engines run on both.
Nothing survives the process: a crash loses what was not yet consumed (use Redis for that).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from cryptotrader.bus.codec import MessageFields
from cryptotrader.bus.protocol import ConsumerOptions
from cryptotrader.bus.stream_bus import StreamBus
from cryptotrader.bus.transport import Entry, GroupMissing
from cryptotrader.clock import Clock


@dataclass(slots=True)
class _Pending:
    consumer: str
    delivered_at: float
    deliveries: int


@dataclass(slots=True)
class _Group:
    last_seq: int
    pending: dict[int, _Pending] = field(default_factory=dict)


@dataclass(slots=True)
class _Stream:
    entries: dict[int, Mapping[str, str]] = field(default_factory=dict)
    next_seq: int = 1
    trimmed_seq: int = 0
    """The last entry dropped by ``maxlen``: the entries are the ones after it, in order (so the
    oldest is found without iterating a dict whose first slots are the deleted ones)."""
    settled_seq: int = 0
    """Entries up to this one were acked by every group and are kept encoded (``_settle``)."""
    groups: dict[str, _Group] = field(default_factory=dict)
    changed: asyncio.Event = field(default_factory=asyncio.Event)


LIVE_ENTRIES = 500
"""Acked entries of a stream kept as objects when the process is never idle (10 candle times of
50 pairs): at 500, ``bench.indicator_stage``'s collections were 4 short ones in 200 candle times."""
IDLE_S = 0.5
"""A pause without entries that lets the acked ones be encoded off the candle times' path (live,
the readings come ``READINGS_DELAY_S``, 1 s, after a candle time; then nothing until the next)."""


def _entry_id(seq: int) -> str:
    return f"{seq}-0"


def _seq(entry_id: str) -> int:
    return int(entry_id.split("-", 1)[0])


class InMemoryTransport:
    """Streams in a dict; see ``StreamTransport`` for each operation's contract.

    Entries added as ``MessageFields`` are kept as they are (the message object, see
    ``bus.codec``) while in flight; once every group has acked one, it is kept encoded (its
    JSON, as on Redis) until trimmed. ``entries`` and ``entries_after`` return plain copies of
    every entry.

    Why encoded: the retention (``maxlen`` entries per stream) held as live messages is a heap of
    lists and dicts the garbage collector walks; at 50 pairs it grew for ~200 candle times and
    brought collections of 4-115 ms into the candle times (issue 15). Strings are not tracked by
    the collector. A late reader (``history``, a group created from the start) decodes them,
    as it would read them from Redis.

    When: encoding costs about as much as the collections it saves (~4 ms a candle time of 50
    pairs), so it is done once the transport was idle for ``idle_s`` (no entry added: live, the
    rest of the minute), off the candle time's path. Without such a pause, ``add`` encodes the
    acked entries older than the last ``live`` of their stream, so the live heap stays bounded.

    Args:
        maxlen: entries kept per stream; older ones are dropped, like ``XADD MAXLEN``.
        live: acked entries of a stream kept as objects at most (the newest ones); None: all of
            them, never encoded (a replay at full speed: never idle, and throughput, not the
            tail of a candle time, is its measure; encoding cost it ~5 % of its CPU).
        idle_s: seconds without an added entry after which every acked entry is encoded.
    """

    carries_messages = True
    """``StreamBus`` may add ``MessageFields``: consumers then get the message object itself."""

    def __init__(
        self, *, maxlen: int = 10_000, live: int | None = LIVE_ENTRIES, idle_s: float = IDLE_S
    ) -> None:
        self._maxlen = maxlen
        self._live = live
        self._idle_s = idle_s
        self._streams: dict[str, _Stream] = {}
        self._epoch = uuid.uuid4().hex
        self._last_add = 0.0
        self._idle: asyncio.TimerHandle | None = None

    def _stream(self, name: str) -> _Stream:
        state = self._streams.get(name)
        if state is None:  # not ``setdefault``: it built a ``_Stream`` (and its Event) per call
            state = self._streams[name] = _Stream()
        return state

    @staticmethod
    def _now() -> float:
        return asyncio.get_running_loop().time()

    async def add(self, stream: str, fields: Mapping[str, str]) -> str:
        """Append an entry and wake the readers."""
        state = self._append(stream, fields)
        self._added((state,))
        return _entry_id(state.next_seq - 1)

    def _append(self, stream: str, fields: Mapping[str, str]) -> _Stream:
        """Append an entry (its seq: the stream's ``next_seq - 1``), trim and settle; no wake-up."""
        state = self._stream(stream)
        seq = state.next_seq
        entries = state.entries
        entries[seq] = fields if isinstance(fields, MessageFields) else dict(fields)
        state.next_seq = seq + 1
        while len(entries) > self._maxlen:  # the oldest entry is the one after the last trimmed
            state.trimmed_seq += 1
            del entries[state.trimmed_seq]
        if self._live is not None:
            self._settle(state, self._live)
        return state

    def _added(self, states: Iterable[_Stream]) -> None:
        """After appending to ``states`` (each once, in order): the idle timer, the readers woken.

        One wake-up per stream for a batch of entries: its readers could not run in between.
        """
        if self._live is not None:
            self._last_add = now = self._now()
            if self._idle is None:
                loop = asyncio.get_running_loop()
                self._idle = loop.call_at(now + self._idle_s, self._when_idle)
        for state in states:
            state.changed.set()
            state.changed = asyncio.Event()

    def _when_idle(self) -> None:
        """Encode every acked entry once no entry was added for ``idle_s``; else wait more."""
        due = self._last_add + self._idle_s
        if self._now() < due:
            self._idle = asyncio.get_running_loop().call_at(due, self._when_idle)
            return
        self._idle = None
        self.settle()

    def settle(self) -> None:
        """Encode every entry all groups have acked now (what an idle moment does)."""
        for state in self._streams.values():
            self._settle(state, 0)

    @staticmethod
    def _settle(state: _Stream, keep: int) -> None:
        """Encode the acked entries, oldest first, up to the first one not (or the last ``keep``).

        An entry is acked by a group once the group read past it and it left the group's
        pending list. Only ``MessageFields`` change: their JSON (already encoded when a reader
        asked for it), which decodes to an equal message (``codec``).
        """
        entries, groups = state.entries, state.groups.values()
        seq = max(state.settled_seq + 1, state.trimmed_seq + 1)
        stop = state.next_seq - keep
        while seq < stop:
            if any(group.last_seq < seq or seq in group.pending for group in groups):
                break
            fields = entries[seq]
            if isinstance(fields, MessageFields):
                entries[seq] = fields.encoded()
            seq += 1
        state.settled_seq = seq - 1

    async def add_many(self, stream: str, entries: Sequence[Mapping[str, str]]) -> list[str]:
        """Append entries in order, as ``add`` does each (the readers woken once)."""
        return await self.add_each([(stream, fields) for fields in entries])

    async def add_each(self, entries: Sequence[tuple[str, Mapping[str, str]]]) -> list[str]:
        """Append each ``(stream, fields)`` in order, as ``add`` does each.

        In one pass, each stream's readers woken once at the end (nothing runs in between: the
        same entries, ids and wake-ups as one ``add`` after the other, without a coroutine each).
        """
        ids = []
        touched: dict[int, _Stream] = {}
        append = self._append
        try:
            for stream, fields in entries:
                state = append(stream, fields)
                touched[id(state)] = state
                ids.append(_entry_id(state.next_seq - 1))
        finally:  # the entries appended before a failure are woken for too
            if touched:
                self._added(touched.values())
        return ids

    async def ensure_group(self, stream: str, group: str, *, from_start: bool = False) -> None:
        """Create ``group`` at the stream's end (or before its first entry) unless it exists."""
        state = self._stream(stream)
        first = state.trimmed_seq + 1 if from_start else state.next_seq
        state.groups.setdefault(group, _Group(last_seq=first - 1))

    def _group(self, stream: str, group: str) -> _Group:
        try:
            return self._stream(stream).groups[group]
        except KeyError:
            raise GroupMissing(f"no group {group!r} on {stream!r}") from None

    async def read_new(
        self, stream: str, group: str, consumer: str, count: int, block_ms: int
    ) -> list[Entry]:
        """Entries never delivered to the group, waiting up to ``block_ms`` for one."""
        state = self._stream(stream)
        state_group = self._group(stream, group)
        if state_group.last_seq >= state.next_seq - 1:
            waiter = state.changed
            try:
                await asyncio.wait_for(waiter.wait(), block_ms / 1000)
            except TimeoutError:
                return []
        first = state.trimmed_seq + 1
        start = max(state_group.last_seq + 1, first)
        stop = min(state.next_seq, start + count)
        now = self._now()
        delivered = []
        for seq in range(start, stop):
            state_group.pending[seq] = _Pending(consumer, now, 1)
            delivered.append(Entry(_entry_id(seq), state.entries[seq], 1))
        state_group.last_seq = max(state_group.last_seq, stop - 1)
        return delivered

    async def read_new_many(
        self, streams: Sequence[str], group: str, consumer: str, count: int, block_ms: int
    ) -> list[tuple[str, Entry]]:
        """``read_new`` of each stream, waiting up to ``block_ms`` for any to have an entry."""
        for stream in streams:
            self._group(stream, group)
        waiters = [self._stream(s).changed for s in streams]
        if all(self._group(s, group).last_seq >= self._stream(s).next_seq - 1 for s in streams):
            waits = [asyncio.ensure_future(w.wait()) for w in waiters]
            try:
                await asyncio.wait(waits, timeout=block_ms / 1000, return_when="FIRST_COMPLETED")
            finally:
                for wait in waits:
                    wait.cancel()
        found: list[tuple[str, Entry]] = []
        for stream in streams:
            if self._group(stream, group).last_seq < self._stream(stream).next_seq - 1:
                entries = await self.read_new(stream, group, consumer, count, 0)
                found.extend((stream, entry) for entry in entries)
        return found

    def _redeliver(self, state: _Stream, seq: int, pending: _Pending, consumer: str) -> Entry:
        pending.consumer = consumer
        pending.delivered_at = self._now()
        pending.deliveries += 1
        return Entry(_entry_id(seq), state.entries.get(seq), pending.deliveries)

    async def read_pending(self, stream: str, group: str, consumer: str, count: int) -> list[Entry]:
        """This consumer's unacked entries, delivered again."""
        state = self._stream(stream)
        pending = self._group(stream, group).pending
        own = sorted(seq for seq, p in pending.items() if p.consumer == consumer)[:count]
        return [self._redeliver(state, seq, pending[seq], consumer) for seq in own]

    async def claim_idle(
        self, stream: str, group: str, consumer: str, min_idle_ms: int, count: int
    ) -> list[Entry]:
        """Take over entries left unacked for ``min_idle_ms``; trimmed ones are dropped."""
        state = self._stream(stream)
        pending = self._group(stream, group).pending
        oldest = self._now() - min_idle_ms / 1000
        idle = sorted(seq for seq, p in pending.items() if p.delivered_at <= oldest)[:count]
        claimed = []
        for seq in idle:
            if seq not in state.entries:
                del pending[seq]
                continue
            claimed.append(self._redeliver(state, seq, pending[seq], consumer))
        return claimed

    async def ack(self, stream: str, group: str, entry_ids: Sequence[str]) -> None:
        """Forget delivered entries (acking twice, or in a group gone, is harmless)."""
        self._ack(stream, group, entry_ids)

    async def ack_many(self, group: str, acks: Sequence[tuple[str, Sequence[str]]]) -> None:
        """``ack`` of each ``(stream, entry ids)``."""
        for stream, entry_ids in acks:
            self._ack(stream, group, entry_ids)

    def _ack(self, stream: str, group: str, entry_ids: Sequence[str]) -> None:
        found = self._stream(stream).groups.get(group)
        if found is None:
            return
        pending = found.pending
        for entry_id in entry_ids:
            pending.pop(_seq(entry_id), None)

    async def entries(self, stream: str, count: int) -> list[tuple[str, dict[str, str]]]:
        """The first ``count`` entries of a stream."""
        items = list(self._stream(stream).entries.items())[:count]
        return [(_entry_id(seq), dict(fields)) for seq, fields in items]

    async def entries_after(
        self, stream: str, after: str, count: int
    ) -> list[tuple[str, dict[str, str]]]:
        """Up to ``count`` entries after ``after``, oldest first."""
        state = self._stream(stream)
        first = state.trimmed_seq + 1
        start = max(_seq(after) + 1, first)
        stop = min(state.next_seq, start + count)
        return [(_entry_id(seq), dict(state.entries[seq])) for seq in range(start, stop)]

    async def trimmed_through(self, stream: str) -> str | None:
        """The greatest id dropped by ``maxlen``."""
        trimmed = self._stream(stream).trimmed_seq
        return _entry_id(trimmed) if trimmed else None

    async def drop_group(self, stream: str, group: str) -> None:
        """Forget ``group``."""
        self._stream(stream).groups.pop(group, None)

    async def groups(self, stream: str) -> list[str]:
        """The names of the stream's groups."""
        return list(self._stream(stream).groups)

    async def epoch(self) -> str:
        """One life: the process's."""
        return self._epoch

    async def close(self) -> None:
        """Stop waiting for an idle moment (nothing else to release)."""
        if self._idle is not None:
            self._idle.cancel()
            self._idle = None


class InProcessBus(StreamBus):
    """The default bus: everything in this process, no service needed.

    Example:
        bus = InProcessBus()
        await bus.publish(topics.ALERTS, alert)
    """

    def __init__(
        self,
        *,
        maxlen: int = 10_000,
        clock: Clock | None = None,
        options: ConsumerOptions | None = None,
        live: int | None = LIVE_ENTRIES,
    ) -> None:
        transport = InMemoryTransport(maxlen=maxlen, live=live)
        super().__init__(transport, clock=clock, options=options)
