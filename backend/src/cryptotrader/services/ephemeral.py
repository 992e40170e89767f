"""Short-lived shared state: WebSocket tickets, rate-limit counters, WebSocket hub leases.

In memory for the embedded default (one process), in Redis in production so that every API
process sees the same tickets and counters. A Redis failure raises ``Unavailable`` (HTTP 503):
callers fail safe, never open.
"""

from __future__ import annotations

import asyncio
import time
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

from cryptotrader.services.errors import Unavailable


class EphemeralStore(Protocol):
    """Values and counters that expire."""

    shared: bool
    """True when every API process sees the same store (Redis)."""

    async def put(self, key: str, value: str, ttl_s: int) -> None:
        """Store ``value`` under ``key`` for ``ttl_s`` seconds."""
        ...

    async def take(self, key: str) -> str | None:
        """Remove and return the value of ``key`` (None when absent or expired): single use."""
        ...

    async def peek(self, key: str) -> str | None:
        """The value of ``key`` (None when absent or expired), left in place."""
        ...

    async def hit(self, key: str, window_s: int) -> int:
        """Count one more hit in the current window of ``key``; returns the count so far."""
        ...

    async def ping(self) -> bool:
        """Whether the store answers now (readiness)."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...


class MemoryStore:
    """The in-process store (one API process)."""

    shared = False

    def __init__(self) -> None:
        self._values: dict[str, tuple[str, float]] = {}
        self._counters: dict[str, tuple[int, float]] = {}
        self._last_sweep = 0.0

    def _sweep(self, now: float) -> None:
        # Expired entries are dropped once a second, so memory stays bounded by live keys.
        if now - self._last_sweep < 1.0:
            return
        self._last_sweep = now
        self._values = {k: v for k, v in self._values.items() if v[1] > now}
        self._counters = {k: v for k, v in self._counters.items() if v[1] > now}

    async def put(self, key: str, value: str, ttl_s: int) -> None:
        """Store ``value`` until ``ttl_s`` seconds from now."""
        now = time.monotonic()
        self._sweep(now)
        self._values[key] = (value, now + ttl_s)

    async def take(self, key: str) -> str | None:
        """Pop the value when it has not expired."""
        found = self._values.pop(key, None)
        if found is None or found[1] <= time.monotonic():
            return None
        return found[0]

    async def peek(self, key: str) -> str | None:
        """The value when it has not expired."""
        found = self._values.get(key)
        if found is None or found[1] <= time.monotonic():
            return None
        return found[0]

    async def hit(self, key: str, window_s: int) -> int:
        """Fixed-window counter."""
        now = time.monotonic()
        self._sweep(now)
        count, expires = self._counters.get(key, (0, now + window_s))
        if expires <= now:
            count, expires = 0, now + window_s
        self._counters[key] = (count + 1, expires)
        return count + 1

    async def ping(self) -> bool:
        """Always: it lives in this process."""
        return True

    async def close(self) -> None:
        """Nothing to release."""


class RedisStore:
    """The shared store on Redis (``SET EX``, ``GETDEL``, ``INCR`` + ``EXPIRE NX``).

    Args:
        client: a ``redis.asyncio.Redis`` with ``decode_responses=True`` (owned).
        prefix: prepended to every key.
        timeout_s: longest wait for Redis before answering 503.
    """

    shared = True

    def __init__(self, client: Redis, *, prefix: str = "cryptotrader:api:", timeout_s: float = 1.0):
        self._redis = client
        self._prefix = prefix
        self._timeout_s = timeout_s

    @classmethod
    def from_url(cls, url: str, *, prefix: str = "cryptotrader:api:") -> RedisStore:
        """A store on ``url``; connects on first use, so the API starts while Redis is down."""
        client = Redis.from_url(
            url, decode_responses=True, socket_connect_timeout=1, socket_timeout=1
        )
        return cls(client, prefix=prefix)

    async def put(self, key: str, value: str, ttl_s: int) -> None:
        """``SET key value EX ttl``."""
        try:
            async with asyncio.timeout(self._timeout_s):
                await self._redis.set(self._prefix + key, value, ex=ttl_s)
        except (RedisError, OSError, TimeoutError) as exc:
            raise Unavailable(f"Redis is unavailable: {type(exc).__name__}") from None

    async def take(self, key: str) -> str | None:
        """``GETDEL key``."""
        try:
            async with asyncio.timeout(self._timeout_s):
                value = await self._redis.getdel(self._prefix + key)
        except (RedisError, OSError, TimeoutError) as exc:
            raise Unavailable(f"Redis is unavailable: {type(exc).__name__}") from None
        return None if value is None else str(value)

    async def peek(self, key: str) -> str | None:
        """``GET key``."""
        try:
            async with asyncio.timeout(self._timeout_s):
                value = await self._redis.get(self._prefix + key)
        except (RedisError, OSError, TimeoutError) as exc:
            raise Unavailable(f"Redis is unavailable: {type(exc).__name__}") from None
        return None if value is None else str(value)

    async def hit(self, key: str, window_s: int) -> int:
        """``INCR`` then ``EXPIRE NX`` in one round trip."""
        full = self._prefix + key
        try:
            async with asyncio.timeout(self._timeout_s):
                pipe = self._redis.pipeline(transaction=True)
                pipe.incr(full)
                pipe.expire(full, window_s, nx=True)
                count, _ = await pipe.execute()
        except (RedisError, OSError, TimeoutError) as exc:
            raise Unavailable(f"Redis is unavailable: {type(exc).__name__}") from None
        return int(count)

    async def ping(self) -> bool:
        """``PING`` within the timeout."""
        try:
            async with asyncio.timeout(self._timeout_s):
                return bool(await self._redis.ping())
        except (RedisError, OSError, TimeoutError):
            return False

    async def close(self) -> None:
        """Close the connection pool."""
        await self._redis.aclose()
