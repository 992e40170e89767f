"""The read cache (one load per expiry, cleared by changes) and the credential cache."""

from __future__ import annotations

import asyncio

import pytest

from cryptotrader.services.context import Actor, Role
from cryptotrader.services.read_cache import ReadCache
from cryptotrader.services.session_cache import SessionCache


class Ticker:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.asyncio
async def test_read_cache_when_many_requests_miss_at_once_loads_once() -> None:
    clock = Ticker()
    cache = ReadCache(1.0, now=clock)
    loads = 0

    async def load() -> int:
        nonlocal loads
        loads += 1
        await asyncio.sleep(0.01)
        return loads

    assert await asyncio.gather(*(cache.get_or_load("k", load) for _ in range(20))) == [1] * 20
    clock.now = 0.5
    assert await cache.get_or_load("k", load) == 1
    clock.now = 1.5
    assert await cache.get_or_load("k", load) == 2
    cache.clear()
    assert await cache.get_or_load("k", load) == 3
    assert await ReadCache(0).get_or_load("k", load) == 4
    assert await ReadCache(0).get_or_load("k", load) == 5


@pytest.mark.asyncio
async def test_read_cache_when_the_load_fails_every_waiter_gets_the_error_and_nothing_is_kept() -> (
    None
):
    cache = ReadCache(1.0)

    async def fail() -> int:
        await asyncio.sleep(0.01)
        raise RuntimeError("database down")

    results = await asyncio.gather(
        *(cache.get_or_load("k", fail) for _ in range(3)), return_exceptions=True
    )
    assert all(isinstance(r, RuntimeError) for r in results)

    async def ok() -> int:
        return 7

    assert await cache.get_or_load("k", ok) == 7


def test_session_cache_when_revoked_forgets_sessions_users_and_tokens() -> None:
    clock = Ticker()
    cache = SessionCache(1.0, now=clock)
    alice = Actor(user_id=1, username="alice", role=Role.ADMIN, session_id="s1")
    bot = Actor(user_id=1, username="alice", role=Role.ADMIN, token_id=9, token_name="discord")
    bob = Actor(user_id=2, username="bob", role=Role.VIEWER, session_id="s2")
    for key, actor in (("a", alice), ("t", bot), ("b", bob)):
        cache.put(key, actor)
    cache.forget_session("s1")
    assert cache.get("a") is None
    assert cache.get("t") is bot
    cache.forget_token(9)
    assert cache.get("t") is None
    assert cache.get("b") is bob
    clock.now = 1.0
    assert cache.get("b") is None
    cache.put("b", bob)
    cache.forget_user(2)
    assert cache.get("b") is None
    SessionCache(0).put("x", bob)


def test_session_cache_when_a_check_straddles_a_revocation_does_not_remember_it() -> None:
    cache = SessionCache(1.0, now=Ticker())
    alice = Actor(user_id=1, username="alice", role=Role.ADMIN, session_id="s1")
    since = cache.generation  # a request starts checking alice's session ...
    cache.forget_session("s1")  # ... logout commits meanwhile ...
    cache.put("a", alice, since)  # ... the live answer it read is stale: not remembered
    assert cache.get("a") is None
    cache.put("a", alice, cache.generation)
    assert cache.get("a") is alice
