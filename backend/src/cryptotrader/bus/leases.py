"""Leases in Redis: who owns a partition of a consumer group, with a fencing token.

A lease is a key ``<prefix>lease:<group>:<partition>`` holding ``<owner>|<token>`` with a time
to live. Taking it is ``SET NX PX`` and an ``INCR`` of the partition's fencing counter in one
script, so every owner in the partition's history has a larger token than the one before;
renewing and releasing compare the whole value first (an owner whose lease ran out and was
taken by another can neither renew nor release the new owner's). The members of a group (the
live workers, to share the partitions fairly) are a sorted set scored by the Redis server's
clock, so workers on machines with different clocks agree on who is alive.

The client is a synchronous one: a worker renews from a thread of its own
(``partitions.PartitionedSubscription``), so that a long computation on its event loop does not
cost it its partitions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from redis import Redis

_ACQUIRE = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1] .. '|' .. token, 'PX', ARGV[2])
return token
"""
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
_JOIN = """
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('ZADD', KEYS[1], ms + tonumber(ARGV[2]), ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ms)
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) * 10)
return redis.call('ZRANGE', KEYS[1], 0, -1)
"""


class RedisLeases:
    """Partition leases and group membership (thread-safe: one connection pool).

    Args:
        client: a synchronous ``redis.Redis`` with ``decode_responses=True`` (owned).
        prefix: the deployment's key prefix (the bus's).
    """

    def __init__(self, client: Redis, prefix: str) -> None:
        self._redis = client
        self._prefix = prefix
        self._acquire = client.register_script(_ACQUIRE)
        self._renew = client.register_script(_RENEW)
        self._release = client.register_script(_RELEASE)
        self._join = client.register_script(_JOIN)

    def key(self, group: str, partition: int) -> str:
        """The lease key of ``group``'s ``partition``."""
        return f"{self._prefix}lease:{group}:{partition}"

    def acquire(self, group: str, partition: int, owner: str, ttl_ms: int) -> int | None:
        """Take a free lease; its fencing token, or None when someone holds it."""
        key = self.key(group, partition)
        token = int(self._acquire(keys=[key, f"{key}:fence"], args=[owner, ttl_ms]))
        return token or None

    def renew(self, held: Sequence[tuple[int, str]], group: str, ttl_ms: int) -> list[bool]:
        """Extend each held ``(partition, "<owner>|<token>")`` lease; False where it was lost."""
        if not held:
            return []
        pipe = self._redis.pipeline(transaction=False)
        for partition, value in held:
            self._renew(keys=[self.key(group, partition)], args=[value, ttl_ms], client=pipe)
        replies: list[Any] = pipe.execute()
        return [bool(int(reply)) for reply in replies]

    def release(self, group: str, partition: int, value: str) -> None:
        """Give a lease up (nothing when it is no longer ours)."""
        self._release(keys=[self.key(group, partition)], args=[value])

    def holders(self, group: str, partitions: int) -> list[str | None]:
        """Each partition's ``"<owner>|<token>"``, None when free."""
        values: list[Any] = self._redis.mget([self.key(group, p) for p in range(partitions)])
        return [None if v is None else str(v) for v in values]

    def join(self, group: str, member: str, ttl_ms: int) -> list[str]:
        """Say ``member`` is alive for ``ttl_ms``; every member alive now, sorted."""
        reply: Any = self._join(keys=[f"{self._prefix}members:{group}"], args=[member, ttl_ms])
        return sorted(str(m) for m in reply)

    def leave(self, group: str, member: str) -> None:
        """``member`` stops (the others share its partitions at their next tick)."""
        self._redis.zrem(f"{self._prefix}members:{group}", member)

    def close(self) -> None:
        """Release the connections."""
        self._redis.close()
