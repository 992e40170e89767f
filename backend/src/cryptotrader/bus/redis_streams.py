"""The Redis Streams bus: one stream per channel, consumer groups, dead-letter streams.

``XADD ... MAXLEN ~`` bounds each stream, ``XREADGROUP`` delivers (``>`` for new entries, ``0``
for the consumer's own pending ones after a restart), ``XAUTOCLAIM`` takes over entries another
member left idle, and ``XACK`` runs after the handler committed. Delivery counts come from the
pending list (``XPENDING``), so a message that crashes its consumer every time still ends in the
dead letters.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError, ResponseError

from cryptotrader.bus.protocol import ConsumerOptions
from cryptotrader.bus.stream_bus import StreamBus
from cryptotrader.bus.transport import Entry
from cryptotrader.clock import Clock
from cryptotrader.errors import OperationalError

DEFAULT_PREFIX = "cryptotrader:"


class RedisTransport:
    """Stream primitives on a ``redis.asyncio.Redis`` client (``decode_responses``, RESP2).

    Args:
        client: the connection pool (owned: closed by ``close``).
        maxlen: approximate length each stream is trimmed to.
    """

    def __init__(self, client: Redis, *, maxlen: int = 100_000) -> None:
        self._redis = client
        self._maxlen = maxlen

    async def add(self, stream: str, fields: Mapping[str, str]) -> str:
        """``XADD stream MAXLEN ~ maxlen * fields``."""
        entry_id = await self._redis.xadd(
            stream,
            dict(fields),  # type: ignore[arg-type]
            maxlen=self._maxlen,
            approximate=True,
        )
        return _text(entry_id)

    async def ensure_group(self, stream: str, group: str) -> None:
        """``XGROUP CREATE stream group $ MKSTREAM`` unless the group exists."""
        try:
            await self._redis.xgroup_create(stream, group, id="$", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def read_new(
        self, stream: str, group: str, consumer: str, count: int, block_ms: int
    ) -> list[Entry]:
        """``XREADGROUP ... BLOCK block_ms STREAMS stream >``."""
        reply = await self._redis.xreadgroup(
            group, consumer, {stream: ">"}, count=count, block=block_ms
        )
        return [Entry(entry_id, fields, 1) for entry_id, fields in _entries(reply)]

    async def read_pending(self, stream: str, group: str, consumer: str, count: int) -> list[Entry]:
        """``XREADGROUP ... STREAMS stream 0``: own pending entries (counts their delivery)."""
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

    async def entries(self, stream: str, count: int) -> list[tuple[str, dict[str, str]]]:
        """``XRANGE stream - + COUNT count``."""
        reply: Any = await self._redis.xrange(stream, count=count)
        return [(_text(entry_id), dict(fields)) for entry_id, fields in reply or []]

    async def close(self) -> None:
        """Close the connection pool."""
        await self._redis.aclose()


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

    Example:
        bus = await RedisBus.connect("redis://127.0.0.1:6379/0")
    """

    def __init__(
        self,
        client: Redis,
        *,
        prefix: str = DEFAULT_PREFIX,
        maxlen: int = 100_000,
        clock: Clock | None = None,
        options: ConsumerOptions | None = None,
    ) -> None:
        super().__init__(
            RedisTransport(client, maxlen=maxlen), prefix=prefix, clock=clock, options=options
        )

    @classmethod
    async def connect(
        cls,
        url: str,
        *,
        prefix: str = DEFAULT_PREFIX,
        maxlen: int = 100_000,
        clock: Clock | None = None,
        options: ConsumerOptions | None = None,
    ) -> RedisBus:
        """Connect to ``url`` and check the server answers.

        Raises:
            OperationalError: Redis cannot be reached; one line naming the URL (no password).
        """
        client = Redis.from_url(url, decode_responses=True, protocol=2, socket_connect_timeout=5)
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
        return cls(client, prefix=prefix, maxlen=maxlen, clock=clock, options=options)
