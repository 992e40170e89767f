"""A one-second memory of who a credential belongs to, so reads do not query it every time.

Every request checks that its login session (or service token) is still live. Remembering a
positive answer for ``ttl_s`` (1 s) saves that query on busy clients. Revocation stays
immediate in the process that performs it (logout, password change, deactivation, token
revocation drop the entries here) and takes at most ``ttl_s`` in other API processes.

Open WebSockets wait on ``revoked()`` to re-check their credential as soon as this process
revokes one (other processes' revocations reach them at their periodic re-check).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from cryptotrader.services.context import Actor

_MAX_ENTRIES = 10_000


class SessionCache:
    """Credential -> actor, for ``ttl_s`` seconds.

    Args:
        ttl_s: how long a positive check is trusted (0 disables the cache).
        now: monotonic time source (seconds).
    """

    def __init__(self, ttl_s: float = 1.0, now: Callable[[], float] = time.monotonic) -> None:
        self._ttl_s = ttl_s
        self._now = now
        self._entries: dict[str, tuple[Actor, float]] = {}
        self._revocation: asyncio.Event | None = None

    def get(self, key: str) -> Actor | None:
        """The actor remembered for ``key``, if still fresh."""
        found = self._entries.get(key)
        if found is None:
            return None
        if found[1] <= self._now():
            self._entries.pop(key, None)
            return None
        return found[0]

    def put(self, key: str, actor: Actor) -> None:
        """Remember ``actor`` for ``key``."""
        if self._ttl_s <= 0:
            return
        if len(self._entries) >= _MAX_ENTRIES:
            self._entries.clear()
        self._entries[key] = (actor, self._now() + self._ttl_s)

    def forget(self, predicate: Callable[[Actor], bool]) -> None:
        """Drop every entry whose actor matches (a revoked session, user or token)."""
        self._entries = {k: v for k, v in self._entries.items() if not predicate(v[0])}
        if self._revocation is not None:
            self._revocation.set()
            self._revocation = None

    async def revoked(self) -> None:
        """Return at the next revocation in this process (of anyone's credential)."""
        if self._revocation is None:
            self._revocation = asyncio.Event()
        await self._revocation.wait()

    def forget_session(self, session_id: str | None) -> None:
        """Drop the entries of one login session."""
        self.forget(lambda actor: actor.session_id == session_id)

    def forget_user(self, user_id: int) -> None:
        """Drop the entries of one user (all sessions and tokens)."""
        self.forget(lambda actor: actor.user_id == user_id)

    def forget_token(self, token_id: int) -> None:
        """Drop the entries of one service token."""
        self.forget(lambda actor: actor.token_id == token_id)
