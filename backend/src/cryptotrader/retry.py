"""One retry loop for every call that can fail temporarily.

Only ``TemporaryError`` is retried: everything else means retrying cannot help. Waits grow
exponentially; a ``RateLimitedError`` that carries the server's ``Retry-After`` waits exactly that
long, and one asking for more than ``max_retry_after_s`` (an IP ban, HTTP 418) fails at once
rather than hanging the caller. The number of attempts is bounded, so a dead host fails in a
bounded time with the last error, its message ending with how many attempts were made.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from cryptotrader.errors import RateLimitedError, TemporaryError

T = TypeVar("T")

log = logging.getLogger(__name__)

RetryListener = Callable[[int, TemporaryError, float], None]
"""Told ``(attempt, error, wait_s)`` before each wait, e.g. to show it in a progress bar."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how patiently to retry a call that failed temporarily."""

    attempts: int = 4
    base_delay_s: float = 0.5
    max_delay_s: float = 30.0
    max_retry_after_s: float = 120.0

    def __post_init__(self) -> None:
        if self.attempts < 1 or self.base_delay_s < 0 or self.max_delay_s < 0:
            raise ValueError("RetryPolicy needs attempts >= 1 and non-negative delays")

    def wait_s(self, attempt: int, error: TemporaryError) -> float | None:
        """Seconds to wait after failed attempt ``attempt`` (1-based), or None to give up."""
        if attempt >= self.attempts:
            return None
        if isinstance(error, RateLimitedError) and error.retry_after_s is not None:
            if error.retry_after_s > self.max_retry_after_s:
                return None
            return max(0.0, error.retry_after_s)
        return min(self.max_delay_s, self.base_delay_s * 2.0 ** (attempt - 1))


async def retry_async(
    call: Callable[[], Awaitable[T]],
    *,
    policy: RetryPolicy,
    on_retry: RetryListener | None = None,
) -> T:
    """Await ``call()`` until it succeeds, retrying ``TemporaryError`` as ``policy`` allows.

    Raises:
        TemporaryError: the last error once the policy gives up; its message says after how many
            attempts.
    """
    attempt = 1
    while True:
        try:
            return await call()
        except TemporaryError as exc:
            wait = policy.wait_s(attempt, exc)
            if wait is None:
                exc.args = (f"{exc} (gave up after {_attempts(attempt)})",)
                raise
            log.info("attempt %d failed (%s); retrying in %.1f s", attempt, exc, wait)
            if on_retry is not None:
                on_retry(attempt, exc, wait)
            await asyncio.sleep(wait)
            attempt += 1


def _attempts(count: int) -> str:
    return "1 attempt" if count == 1 else f"{count} attempts"
