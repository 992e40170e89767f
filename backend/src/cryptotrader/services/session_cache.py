"""A one-second memory of who a credential belongs to, so reads do not query it every time.

Every request checks that its login session (or service token) is still live. Remembering a
positive answer for ``ttl_s`` (1 s) saves that query on busy clients. Revocation is immediate:

* in the process that revokes (logout, password change, deactivation, token revocation drop
  the entries here, before the write and again once it is committed); an answer read before
  the commit but remembered after it is not kept (``generation``: a check that straddles any
  revocation is not remembered), which is how a token once worked 0.99 s after logout;
* in every other API process through the bus: ``announce`` publishes ``CredentialsRevoked`` on
  ``revocations`` once committed, and every process's ``on_revocation`` (a consumer group of
  its own, run by the hub) drops the entries and wakes its open WebSockets, which re-check
  their credential and close. If the bus is down, other processes' entries still expire
  within ``ttl_s`` and their sockets close at their periodic re-check.

Open WebSockets wait on ``revoked()`` to re-check their credential at the next revocation.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from cryptotrader.bus import topics
from cryptotrader.bus.messages import CredentialsRevoked
from cryptotrader.bus.protocol import Delivery, MessageBus
from cryptotrader.clock import Clock, LiveClock
from cryptotrader.services.context import Actor

log = logging.getLogger(__name__)

_MAX_ENTRIES = 10_000


class SessionCache:
    """Credential -> actor, for ``ttl_s`` seconds.

    Args:
        ttl_s: how long a positive check is trusted (0 disables the cache).
        now: monotonic time source (seconds).
        bus: where revocations are announced to the other API processes (none: this one only).
        clock: the time stamped on those announcements.
    """

    def __init__(
        self,
        ttl_s: float = 1.0,
        now: Callable[[], float] = time.monotonic,
        *,
        bus: MessageBus | None = None,
        clock: Clock | None = None,
    ) -> None:
        self._ttl_s = ttl_s
        self._now = now
        self._bus = bus
        self._clock = clock or LiveClock()
        self._entries: dict[str, tuple[Actor, float]] = {}
        self._revocation: asyncio.Event | None = None
        self._generation = 0

    @property
    def generation(self) -> int:
        """Counts revocations; read it before checking a credential, pass it to ``put``."""
        return self._generation

    def get(self, key: str) -> Actor | None:
        """The actor remembered for ``key``, if still fresh."""
        found = self._entries.get(key)
        if found is None:
            return None
        if found[1] <= self._now():
            self._entries.pop(key, None)
            return None
        return found[0]

    def put(self, key: str, actor: Actor, since: int | None = None) -> None:
        """Remember ``actor`` for ``key``, unless a revocation happened after ``since``.

        ``since`` is the ``generation`` read before the check: its answer may predate that
        revocation.
        """
        if self._ttl_s <= 0 or (since is not None and since != self._generation):
            return
        if len(self._entries) >= _MAX_ENTRIES:
            self._entries.clear()
        self._entries[key] = (actor, self._now() + self._ttl_s)

    def forget(self, predicate: Callable[[Actor], bool]) -> None:
        """Drop every entry whose actor matches (a revoked session, user or token)."""
        self._generation += 1
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

    async def announce(
        self,
        *,
        user_id: int | None = None,
        session_id: str | None = None,
        token_id: int | None = None,
    ) -> None:
        """Once a revocation is committed: drop it here and tell every other API process.

        A bus that does not answer is logged, not raised: the revocation is in the database
        already (see the module docstring for what still holds then).
        """
        message = CredentialsRevoked(
            timestamp=self._clock.now(), user_id=user_id, session_id=session_id, token_id=token_id
        )
        self._drop(message)
        if self._bus is None:
            return
        try:
            await self._bus.publish(topics.REVOCATIONS, message)
        except Exception:
            log.warning("announcing a revocation on the bus failed", exc_info=True)

    async def on_revocation(self, delivery: Delivery) -> None:
        """Bus handler: a revocation made by any API process (this one included)."""
        if isinstance(delivery.message, CredentialsRevoked):
            self._drop(delivery.message)

    def _drop(self, message: CredentialsRevoked) -> None:
        def revoked(actor: Actor) -> bool:
            return (
                message.user_id == actor.user_id
                or (message.session_id is not None and message.session_id == actor.session_id)
                or (message.token_id is not None and message.token_id == actor.token_id)
            )

        self.forget(revoked)
