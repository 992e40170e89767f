"""A per-process cache of hot read models (the bots, the portfolio) for a short time.

Dashboards poll ``/api/bots`` and ``/api/portfolio`` and the WebSocket pushes every change as it
happens, so a read model up to ``ttl_s`` old (1 s by default, ``api.read_cache_ttl_s``) is
served from memory instead of several queries. A change made through this process (bot
control, settings) clears it at once; changes written by the runtime or another API process
show within ``ttl_s``. ``ttl_s = 0`` disables it. When a value expires, one load runs and
every request that arrives meanwhile waits for it (no stampede of identical queries).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

T = TypeVar("T")


class ReadCache:
    """Values by key, each kept ``ttl_s`` seconds.

    Args:
        ttl_s: lifetime of a value (0: never cache).
        now: monotonic time source (seconds).
    """

    def __init__(self, ttl_s: float, now: Callable[[], float] = time.monotonic) -> None:
        self.ttl_s = ttl_s
        self._now = now
        self._values: dict[str, tuple[Any, float]] = {}
        self._loading: dict[str, asyncio.Future[Any]] = {}

    async def get_or_load(self, key: str, load: Callable[[], Awaitable[T]]) -> T:
        """The fresh value of ``key``, loading (and keeping) it when missing or stale."""
        if self.ttl_s <= 0:
            return await load()
        found = self._values.get(key)
        if found is not None and found[1] > self._now():
            value: T = found[0]
            return value
        pending = self._loading.get(key)
        if pending is not None:
            shared: T = await asyncio.shield(pending)
            return shared
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._loading[key] = future
        try:
            loaded = await load()
        except asyncio.CancelledError:
            future.cancel()
            raise
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: waiters re-raise it, nobody else must log it
            raise
        finally:
            self._loading.pop(key, None)
        future.set_result(loaded)
        self._values[key] = (loaded, self._now() + self.ttl_s)
        return loaded

    def clear(self) -> None:
        """Forget everything (after a change made through this process)."""
        self._values.clear()
