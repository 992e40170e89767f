"""The retry loop: only temporary errors, bounded attempts, Retry-After honoured or refused."""

from __future__ import annotations

import time

import pytest

from cryptotrader.errors import (
    NetworkUnavailableError,
    RateLimitedError,
    TemporaryError,
    UserInputError,
)
from cryptotrader.retry import RetryPolicy, retry_async

FAST = RetryPolicy(attempts=3, base_delay_s=0.01, max_delay_s=0.05)


class Flaky:
    """Fails with the given errors, in order, then answers ``"ok"``."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


@pytest.mark.asyncio
async def test_retry_when_temporary_errors_then_success_returns_result() -> None:
    call = Flaky(NetworkUnavailableError("down"), RateLimitedError("slow down"))
    assert await retry_async(call, policy=FAST) == "ok"
    assert call.calls == 3


@pytest.mark.asyncio
async def test_retry_when_error_persists_gives_up_after_bounded_attempts() -> None:
    call = Flaky(*(NetworkUnavailableError("host down") for _ in range(10)))
    with pytest.raises(NetworkUnavailableError, match=r"host down \(gave up after 3 attempts\)"):
        await retry_async(call, policy=FAST)
    assert call.calls == 3


@pytest.mark.asyncio
async def test_retry_when_error_not_temporary_raises_at_once() -> None:
    call = Flaky(UserInputError("bad pair"))
    with pytest.raises(UserInputError, match="bad pair"):
        await retry_async(call, policy=FAST)
    assert call.calls == 1


@pytest.mark.asyncio
async def test_retry_when_retry_after_given_waits_that_long() -> None:
    call = Flaky(RateLimitedError("429", retry_after_s=0.3))
    started = time.monotonic()
    assert await retry_async(call, policy=FAST) == "ok"
    assert time.monotonic() - started >= 0.3


@pytest.mark.asyncio
async def test_retry_when_retry_after_too_long_fails_at_once() -> None:
    policy = RetryPolicy(attempts=5, base_delay_s=0.01, max_retry_after_s=60)
    call = Flaky(RateLimitedError("418 banned", retry_after_s=3600))
    with pytest.raises(RateLimitedError, match=r"gave up after 1 attempt\)"):
        await retry_async(call, policy=policy)
    assert call.calls == 1


@pytest.mark.asyncio
async def test_retry_when_listener_given_tells_each_wait() -> None:
    seen: list[tuple[int, str, float]] = []
    call = Flaky(TemporaryError("busy"), TemporaryError("busy"))
    await retry_async(
        call, policy=FAST, on_retry=lambda n, error, wait: seen.append((n, str(error), wait))
    )
    assert seen == [(1, "busy", 0.01), (2, "busy", 0.02)]


def test_retry_policy_when_delays_grow_caps_them() -> None:
    policy = RetryPolicy(attempts=10, base_delay_s=1, max_delay_s=5)
    error = TemporaryError("x")
    assert [policy.wait_s(n, error) for n in range(1, 6)] == [1, 2, 4, 5, 5]
    assert policy.wait_s(10, error) is None


def test_retry_policy_when_nonsense_refuses() -> None:
    with pytest.raises(ValueError, match="attempts"):
        RetryPolicy(attempts=0)
