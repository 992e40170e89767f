"""Rate limits: fixed one-minute windows per user, or per client IP when not logged in.

Login, refresh and WebSocket-ticket requests have a stricter bucket of their own, per client IP
(password guessing). Counters live in the ``EphemeralStore``: memory in the embedded default,
Redis in production. When Redis cannot be reached the request is refused with 503 (fail safe:
a limiter that cannot count never lets everything through).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cryptotrader.clock import Clock
from cryptotrader.services.ephemeral import EphemeralStore
from cryptotrader.services.errors import Unavailable

WINDOW_S = 60
AUTH_PATHS = ("/auth/login", "/auth/refresh", "/auth/ws-ticket")
EXEMPT_PATHS = ("/health", "/health/live")


@dataclass(frozen=True, slots=True)
class Verdict:
    """A refusal: status (429 or 503), seconds to wait, and why."""

    status: int
    retry_after: int
    detail: str
    bucket: str


class RateLimiter:
    """Counts requests and says when to refuse one.

    Args:
        store: where counters live.
        per_minute: requests per minute per user or client IP.
        auth_per_minute: login/refresh/ticket requests per minute per client IP.
        user_key: the ``user:<id>`` of a verified bearer token, or None.
        clock: the API's clock (windows are minutes of its time: a test's clock holds still).
    """

    def __init__(
        self,
        store: EphemeralStore,
        *,
        per_minute: int,
        auth_per_minute: int,
        user_key: Callable[[str | None], str | None],
        clock: Clock,
    ) -> None:
        self._clock = clock
        self._store = store
        self._per_minute = per_minute
        self._auth_per_minute = auth_per_minute
        self._user_key = user_key

    async def check(self, path: str, bearer: str | None, ip: str | None) -> Verdict | None:
        """Count this request; a verdict when it must be refused, else None."""
        if path in EXEMPT_PATHS:
            return None
        if path in AUTH_PATHS:
            bucket, who, limit = "auth", f"ip:{ip}", self._auth_per_minute
        else:
            bucket, limit = "api", self._per_minute
            who = self._user_key(bearer) or f"ip:{ip}"
        now = self._clock.timestamp_ms() / 1000
        window = int(now // WINDOW_S)
        retry_after = max(1, int(WINDOW_S - now % WINDOW_S))
        try:
            count = await self._store.hit(f"rl:{bucket}:{who}:{window}", WINDOW_S)
        except Unavailable:
            return Verdict(503, 5, "rate limiter unavailable; retry shortly", bucket)
        if count > limit:
            return Verdict(429, retry_after, f"rate limit of {limit} per minute exceeded", bucket)
        return None
