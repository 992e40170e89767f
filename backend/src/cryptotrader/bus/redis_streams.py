"""The Redis Streams bus: one stream per channel, consumer groups, dead-letter streams.

``XADD ... MAXLEN ~`` bounds each stream, ``XREADGROUP`` delivers (``>`` for new entries, ``0``
for the consumer's own pending ones after a restart), ``XAUTOCLAIM`` takes over entries another
member left idle, and ``XACK`` runs after the handler committed. Delivery counts come from the
pending list (``XPENDING``), so a message that crashes its consumer every time still ends in the
dead letters.

Publishing is coalesced (``_AppendPipeline``): a publish made while the bus is idle is sent at
once, one ``XADD`` from the caller's own task as before; publishes made while that round trip is
in flight queue up and go out together in the next round trip (several ``XADD``s: one call of a
script that adds each entry in turn, ``_XADD_ALL``). Each ``publish`` still returns its
own entry id or raises its own error, and entries reach Redis in the order the publishes were
made on this bus.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from redis import Redis as SyncRedis
from redis.asyncio import Redis
from redis.exceptions import RedisError, ResponseError

from cryptotrader.bus.leases import RedisLeases
from cryptotrader.bus.partitions import DEFAULT_PARTITIONS
from cryptotrader.bus.protocol import ConsumerOptions, entry_key
from cryptotrader.bus.stream_bus import StreamBus
from cryptotrader.bus.transport import Entry, GroupMissing
from cryptotrader.clock import Clock
from cryptotrader.errors import OperationalError

DEFAULT_PREFIX = "cryptotrader:"
DEFAULT_PIPELINE_SIZE = 1000
# redis-py 8 gives up on a reply after 5 s by default. A loaded machine (or a busy shared Redis)
# can keep a reply from being read that long, and the bus would then fail an API's start or a
# consumer's read for nothing: a reply is waited for 30 s before the connection counts as lost.
SOCKET_TIMEOUT_S = 30.0
"""Most ``XADD``s sent in one pipeline (a ``publish_many`` larger than this goes whole)."""
_CLOSE_DRAIN_S = 10.0
"""How long ``close`` waits for queued publishes to be sent before closing the connections."""


_Fields = dict[Any, Any]
"""Entry fields (``dict[str, str]``; typed loosely for the client's invariant signature)."""


@dataclass(slots=True)
class _Append:
    """Entries (each with its stream) of one ``add`` or ``add_many`` call, waiting for ids."""

    entries: list[tuple[str, _Fields]]
    ids: asyncio.Future[list[str]]


class _AppendPipeline:
    """Sends ``XADD``s one round trip at a time, in call order, coalescing concurrent calls.

    When nothing is being sent, a call sends its own entries at once from its own task (one
    ``XADD``, or one ``_XADD_ALL`` script call for several). Calls made while a round trip is in
    flight queue up; a flusher task then sends everything queued (up to ``max_commands``
    ``XADD``s, never splitting one call's entries) in one script call (a pipeline of ``XADD``s
    for one call of more), hands each call its ids, and goes on until the queue is empty. So an
    idle bus sends each publish alone and a busy one sends few large round trips. A call whose
    ``XADD`` is refused (``WRONGTYPE``, say) gets that error; a round trip that fails as a whole
    (connection lost after the client's own retries) fails exactly the calls it carried, and
    the next one carries on. A queued call cancelled before its round trip left is not sent.
    """

    def __init__(self, client: Redis, *, maxlen: int, max_commands: int) -> None:
        self._redis = client
        self._maxlen = maxlen
        self._trim: dict[str, Any] = {"maxlen": maxlen, "approximate": True}  # MAXLEN ~
        self._xadd_all = client.register_script(_XADD_ALL)
        self._max_commands = max(1, max_commands)
        self._queue: deque[_Append] = deque()
        self._sending = False  # a round trip (a caller's own or the flusher's) is in flight
        self._flusher: asyncio.Task[None] | None = None
        self._idle = asyncio.Event()
        self._idle.set()

    async def append(self, entries: list[tuple[str, _Fields]]) -> list[str]:
        """Append each ``(stream, fields)`` in order; their ids once Redis added them."""
        if self._sending:
            call = _Append(entries, asyncio.get_running_loop().create_future())
            self._queue.append(call)
            return await call.ids
        self._sending = True
        self._idle.clear()
        try:
            return _ids(await self._xadd(entries))
        finally:
            self._after_send()

    async def drain(self) -> None:
        """Wait until every call made so far has been sent (or has failed)."""
        await self._idle.wait()

    def _after_send(self) -> None:
        if self._queue:
            self._flusher = asyncio.get_running_loop().create_task(
                self._flush(), name="bus:redis:xadd"
            )
        else:
            self._sending = False
            self._idle.set()

    async def _flush(self) -> None:
        try:
            while self._queue:
                batch = self._take()
                if batch:
                    await self._send(batch)
                    # Let the callers just answered run first: those that publish again join
                    # the next pipeline instead of finding the bus idle and going alone.
                    await asyncio.sleep(0)
        finally:
            # Only reached with a non-empty queue when this task was cancelled (loop shutdown).
            while self._queue:
                self._queue.popleft().ids.cancel()
            self._flusher = None
            self._sending = False
            self._idle.set()

    def _take(self) -> list[_Append]:
        batch: list[_Append] = []
        commands = 0
        while self._queue:
            call = self._queue[0]
            if call.ids.done():  # its caller was cancelled before it was sent
                self._queue.popleft()
                continue
            if batch and commands + len(call.entries) > self._max_commands:
                break
            batch.append(self._queue.popleft())
            commands += len(call.entries)
        return batch

    async def _send(self, batch: list[_Append]) -> None:
        try:
            replies = await self._xadd([entry for call in batch for entry in call.entries])
        except asyncio.CancelledError:
            for call in batch:
                call.ids.cancel()
            raise
        except Exception as exc:  # noqa: BLE001 - the callers get it, each its own copy
            for call in batch:
                if not call.ids.done():
                    call.ids.set_exception(_copy(exc))
            return
        position = 0
        for call in batch:
            mine = replies[position : position + len(call.entries)]
            position += len(call.entries)
            if call.ids.done():
                continue
            try:
                call.ids.set_result(_ids(mine))
            except ResponseError as exc:
                call.ids.set_exception(exc)

    async def _xadd(self, entries: list[tuple[str, _Fields]]) -> list[Any]:
        """One round trip: each entry's reply, a ``ResponseError`` for a refused one.

        Raises:
            RedisError: the round trip failed as a whole (connection lost, timeout).
        """
        if len(entries) == 1:
            ((stream, fields),) = entries
            try:
                return [await self._redis.xadd(stream, fields, **self._trim)]
            except ResponseError as exc:
                return [exc]
        if len(entries) <= self._max_commands:
            # one command (``_XADD_ALL``): a pipeline's packing and its replies, read one by
            # one, cost the client about 3x the script's for a candle time's 300 entries
            streams: list[str] = []
            args: list[Any] = [self._maxlen]
            for stream, fields in entries:
                streams.append(stream)
                args.append(2 * len(fields))
                for pair in fields.items():
                    args.extend(pair)
            added: list[Any] = await self._xadd_all(keys=streams, args=args)
            return added
        pipe = self._redis.pipeline(transaction=False)
        for stream, fields in entries:
            pipe.xadd(stream, fields, **self._trim)
        replies: list[Any] = await pipe.execute(raise_on_error=False)
        return replies


_XADD_ALL = """
local maxlen = ARGV[1]
local out = {}
local at = 2
for k = 1, #KEYS do
  local n = tonumber(ARGV[at])
  local args = {KEYS[k], 'MAXLEN', '~', maxlen, '*'}
  for j = 1, n do args[5 + j] = ARGV[at + j] end
  at = at + n + 1
  out[k] = redis.pcall('XADD', unpack(args))
end
return out
"""
"""``XADD key MAXLEN ~ maxlen * field value ...`` of each key in turn, in one command.

``ARGV``: ``maxlen``, then per key the count of its field and value arguments and those. Each
reply is the entry's id, or its own error (``redis.pcall``: a refused ``XADD``, ``WRONGTYPE``
say, fails that entry only, as in a pipeline).
"""


def _ids(replies: list[Any]) -> list[str]:
    """The entry ids of one call's ``XADD`` replies.

    Raises:
        ResponseError: the first refusal among them.
    """
    for reply in replies:
        if isinstance(reply, ResponseError):
            raise reply
    return [_text(reply) for reply in replies]


def _copy(exc: Exception) -> Exception:
    # One exception object raised from many tasks would grow one traceback from all of them.
    try:
        clone = type(exc)(*exc.args)
    except Exception:  # noqa: BLE001 - an exception type with an unusual constructor
        return exc
    clone.__cause__ = exc
    return clone


class RedisTransport:
    """Stream primitives on a ``redis.asyncio.Redis`` client (``decode_responses``, RESP2).

    Args:
        client: the connection pool (owned: closed by ``close``).
        maxlen: approximate length each stream is trimmed to.
        pipeline_size: most ``XADD``s coalesced into one round trip.
    """

    def __init__(
        self, client: Redis, *, maxlen: int = 100_000, pipeline_size: int = DEFAULT_PIPELINE_SIZE
    ) -> None:
        self._redis = client
        self._appends = _AppendPipeline(client, maxlen=maxlen, max_commands=pipeline_size)

    async def add(self, stream: str, fields: Mapping[str, str]) -> str:
        """``XADD stream MAXLEN ~ maxlen * fields``; concurrent adds share round trips."""
        (entry_id,) = await self._appends.append([(stream, dict(fields))])
        return entry_id

    async def add_many(self, stream: str, entries: Sequence[Mapping[str, str]]) -> list[str]:
        """One ``XADD ... MAXLEN ~`` per entry, all in the same round trip, in order."""
        if not entries:
            return []
        return await self._appends.append([(stream, dict(fields)) for fields in entries])

    async def add_each(self, entries: Sequence[tuple[str, Mapping[str, str]]]) -> list[str]:
        """One ``XADD`` per ``(stream, fields)``, all in the same round trip, in order."""
        return await self._appends.append([(stream, dict(fields)) for stream, fields in entries])

    async def ensure_group(self, stream: str, group: str, *, from_start: bool = False) -> None:
        """``XGROUP CREATE stream group $|0 MKSTREAM`` unless the group exists."""
        try:
            await self._redis.xgroup_create(
                stream, group, id="0" if from_start else "$", mkstream=True
            )
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def read_new(
        self, stream: str, group: str, consumer: str, count: int, block_ms: int
    ) -> list[Entry]:
        """``XREADGROUP ... BLOCK block_ms STREAMS stream >``."""
        with _group_needed():
            reply = await self._redis.xreadgroup(
                group, consumer, {stream: ">"}, count=count, block=block_ms
            )
        return [Entry(entry_id, fields, 1) for entry_id, fields in _entries(reply)]

    async def read_new_many(
        self, streams: Sequence[str], group: str, consumer: str, count: int, block_ms: int
    ) -> list[tuple[str, Entry]]:
        """``XREADGROUP ... BLOCK block_ms STREAMS s1 s2 ... > > ...``: one round trip.

        ``block_ms`` 0: no ``BLOCK`` (Redis's ``BLOCK 0`` would wait for ever).
        """
        with _group_needed():
            reply: Any = await self._redis.xreadgroup(
                group, consumer, dict.fromkeys(streams, ">"), count=count, block=block_ms or None
            )
        return [
            (_text(stream), Entry(entry_id, dict(fields or {}), 1))
            for stream, items in reply or []
            for entry_id, fields in items
        ]

    async def read_pending(self, stream: str, group: str, consumer: str, count: int) -> list[Entry]:
        """``XREADGROUP ... STREAMS stream 0``: own pending entries (counts their delivery)."""
        with _group_needed():
            reply = await self._redis.xreadgroup(group, consumer, {stream: "0"}, count=count)
            found = _entries(reply)
            counts = await self._deliveries(
                stream, group, [entry_id for entry_id, _ in found], consumer
            )
        return [Entry(i, fields or None, counts.get(i, 1)) for i, fields in found]

    async def claim_idle(
        self, stream: str, group: str, consumer: str, min_idle_ms: int, count: int
    ) -> list[Entry]:
        """``XAUTOCLAIM stream group consumer min_idle_ms 0-0 COUNT count``."""
        with _group_needed():
            reply = await self._redis.xautoclaim(
                stream, group, consumer, min_idle_time=min_idle_ms, start_id="0-0", count=count
            )
            found = [(entry_id, fields) for entry_id, fields in reply[1] if entry_id]
            counts = await self._deliveries(
                stream, group, [entry_id for entry_id, _ in found], consumer
            )
        return [Entry(i, fields or None, counts.get(i, 1)) for i, fields in found]

    async def _deliveries(
        self, stream: str, group: str, entry_ids: list[str], consumer: str
    ) -> dict[str, int]:
        if not entry_ids:
            return {}
        rows = await self._redis.xpending_range(
            stream,
            group,
            min=entry_ids[0],
            max=entry_ids[-1],
            count=len(entry_ids),
            consumername=consumer,
        )
        return {_text(row["message_id"]): int(row["times_delivered"]) for row in rows}

    async def ack(self, stream: str, group: str, entry_ids: Sequence[str]) -> None:
        """``XACK stream group id ...``."""
        if entry_ids:
            await self._redis.xack(stream, group, *entry_ids)

    async def ack_many(self, group: str, acks: Sequence[tuple[str, Sequence[str]]]) -> None:
        """One ``XACK`` per stream, all in one pipeline (one round trip)."""
        acks = [(stream, ids) for stream, ids in acks if ids]
        if len(acks) == 1:
            ((stream, ids),) = acks
            await self._redis.xack(stream, group, *ids)
        elif acks:
            pipe = self._redis.pipeline(transaction=False)
            for stream, ids in acks:
                pipe.xack(stream, group, *ids)
            await pipe.execute()

    async def entries(self, stream: str, count: int) -> list[tuple[str, dict[str, str]]]:
        """``XRANGE stream - + COUNT count``."""
        reply: Any = await self._redis.xrange(stream, count=count)
        return [(_text(entry_id), dict(fields)) for entry_id, fields in reply or []]

    async def entries_after(
        self, stream: str, after: str, count: int
    ) -> list[tuple[str, dict[str, str]]]:
        """``XRANGE stream (after + COUNT count``."""
        reply: Any = await self._redis.xrange(stream, min=f"({after}", count=count)
        return [(_text(entry_id), dict(fields)) for entry_id, fields in reply or []]

    async def trimmed_through(self, stream: str) -> str | None:
        """The id just before the first entry kept, once ``MAXLEN`` trimmed anything.

        Read from ``XINFO STREAM``; Redis does not record trimmed ids, so a gap is conservative.
        """
        if not await self._redis.exists(stream):
            return None
        info: Any = await self._redis.xinfo_stream(stream)
        added, length = int(info.get("entries-added", 0)), int(info.get("length", 0))
        first = info.get("first-entry")
        if added <= length or not first:
            return None
        millis, seq = entry_key(_text(first[0]))
        return f"{millis}-{seq - 1}" if seq > 0 else f"{millis - 1}-{2**64 - 1}"

    async def drop_group(self, stream: str, group: str) -> None:
        """``XGROUP DESTROY stream group`` (nothing when the stream or group is gone)."""
        if await self._redis.exists(stream):
            await self._redis.xgroup_destroy(stream, group)

    async def groups(self, stream: str) -> list[str]:
        """``XINFO GROUPS stream`` (none when the stream does not exist)."""
        if not await self._redis.exists(stream):
            return []
        return [_text(group["name"]) for group in await self._redis.xinfo_groups(stream)]

    async def epoch(self) -> str:
        """The server's ``run_id`` (``INFO server``): a new one at each start."""
        info: Any = await self._redis.info("server")
        return str(info["run_id"])

    async def close(self) -> None:
        """Send what is queued (waiting at most ``_CLOSE_DRAIN_S``), then close the pool."""
        try:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(_CLOSE_DRAIN_S):
                    await self._appends.drain()
        finally:
            await self._redis.aclose()


@contextlib.contextmanager
def _group_needed() -> Iterator[None]:
    """Turns Redis's ``NOGROUP`` (no such stream or group) into ``GroupMissing``."""
    try:
        yield
    except ResponseError as exc:
        if str(exc).startswith("NOGROUP"):
            raise GroupMissing(str(exc)) from exc
        raise


def _text(value: object) -> str:
    # The client decodes responses; bytes only appear if someone passes a raw client.
    return value.decode() if isinstance(value, bytes) else str(value)


def _entries(reply: Any) -> list[tuple[str, dict[str, str]]]:
    # RESP2 (the client is created with protocol=2): [[stream, [(id, fields), ...]], ...]
    return [
        (entry_id, dict(fields or {})) for _, items in reply or [] for entry_id, fields in items
    ]


class RedisBus(StreamBus):
    """The bus on Redis Streams.

    Args:
        client: a ``redis.asyncio.Redis`` with ``decode_responses=True``, ``protocol=2`` (owned).
        prefix: prepended to every stream key.
        maxlen: approximate length each stream is trimmed to.
        pipeline_size: most ``XADD``s coalesced into one round trip.
        partitions: work streams per partitioned channel (``bus.partitions``: the indicator
            and decision workers share the pairs by them).
        leases: the partitions' leases (owned; ``connect`` makes them); None: no partitions.

    Example:
        bus = await RedisBus.connect("redis://127.0.0.1:6379/0")
    """

    def __init__(
        self,
        client: Redis,
        *,
        prefix: str = DEFAULT_PREFIX,
        maxlen: int = 100_000,
        pipeline_size: int = DEFAULT_PIPELINE_SIZE,
        clock: Clock | None = None,
        options: ConsumerOptions | None = None,
        partitions: int = DEFAULT_PARTITIONS,
        leases: RedisLeases | None = None,
    ) -> None:
        super().__init__(
            RedisTransport(client, maxlen=maxlen, pipeline_size=pipeline_size),
            prefix=prefix,
            clock=clock,
            options=options,
            partitions=partitions,
            leases=leases,
        )

    @classmethod
    async def connect(
        cls,
        url: str,
        *,
        prefix: str = DEFAULT_PREFIX,
        maxlen: int = 100_000,
        pipeline_size: int = DEFAULT_PIPELINE_SIZE,
        clock: Clock | None = None,
        options: ConsumerOptions | None = None,
        partitions: int = DEFAULT_PARTITIONS,
    ) -> RedisBus:
        """Connect to ``url`` and check the server answers.

        Raises:
            OperationalError: Redis cannot be reached; one line naming the URL (no password).
        """
        client = Redis.from_url(
            url,
            decode_responses=True,
            protocol=2,
            socket_connect_timeout=5,
            socket_timeout=SOCKET_TIMEOUT_S,
        )
        try:
            await client.ping()
        except (RedisError, OSError) as exc:
            await client.aclose()
            shown = client.connection_pool.connection_kwargs
            where = f"{shown.get('host', '?')}:{shown.get('port', '?')}"
            reason = " ".join(str(exc).split()) or type(exc).__name__
            raise OperationalError(
                f"Redis at {where} cannot be reached: {reason} (is it running? check REDIS_URL)"
            ) from None
        leases = None
        if partitions:
            sync = SyncRedis.from_url(
                url, decode_responses=True, socket_connect_timeout=5, socket_timeout=10
            )
            leases = RedisLeases(sync, prefix)
        return cls(
            client,
            prefix=prefix,
            maxlen=maxlen,
            pipeline_size=pipeline_size,
            clock=clock,
            options=options,
            partitions=partitions,
            leases=leases,
        )
