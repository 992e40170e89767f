"""Per-account throttling of password guesses, with back-off and no lock-out for good.

The per-IP rate limit does not stop guesses spread over several addresses (the probe made 121
on one account in 41 s from 6), and every guess costs an Argon2 hash: unthrottled, it is also a
denial of service. Each account gets ``FREE_FAILURES`` failed attempts an hour; every failure
beyond them closes the account to password attempts for twice as long as the previous one
(2 s, 4 s, 8 s ... at most ``MAX_BLOCK_S``), checked before any hash is computed. An address
that logged in to the account successfully before (within ``KNOWN_ADDRESS_S``) is never
blocked, so an attacker elsewhere cannot keep the owner out; nothing lasts longer than the
block, so nobody is locked out for good. Counters live in the ``EphemeralStore`` (shared by
every API process on Redis).
"""

from __future__ import annotations

import hashlib
import math
import time

from cryptotrader.errors import RateLimitedError
from cryptotrader.services.ephemeral import EphemeralStore

FREE_FAILURES = 5
FAILURE_WINDOW_S = 3600
MAX_BLOCK_S = 900
KNOWN_ADDRESS_S = 30 * 24 * 3600


class AccountBlockedError(RateLimitedError):
    """Too many failed attempts on this account: retry after ``retry_after_s`` (a 429)."""

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(
            f"too many failed attempts for this account; retry in {retry_after_s} s",
            retry_after_s=retry_after_s,
        )


def _account(name: str) -> str:
    # Hashed: the store's keys never hold a username an attacker typed (any length or text).
    return hashlib.sha256(name.strip().lower().encode("utf-8", "replace")).hexdigest()[:32]


class LoginThrottle:
    """See the module docstring.

    Args:
        store: where failures, blocks and known addresses are kept.
    """

    def __init__(self, store: EphemeralStore) -> None:
        self._store = store

    async def check(self, name: str, ip: str | None) -> None:
        """Refuse an attempt on ``name`` while it is blocked (unless from a known address).

        ``ip`` None: no address is known (the password-change route, whose caller already holds
        a token that may be stolen).

        Raises:
            AccountBlockedError: blocked; how long to wait.
        """
        account = _account(name)
        until = await self._store.peek(f"login-block:{account}")
        if until is None or await self._known(account, ip):
            return
        remaining = math.ceil(float(until) - time.time())
        if remaining > 0:
            raise AccountBlockedError(remaining)

    async def failed(self, name: str) -> None:
        """Count a failed attempt; past ``FREE_FAILURES``, block the account for a while."""
        account = _account(name)
        count = await self._store.hit(f"login-fail:{account}", FAILURE_WINDOW_S)
        if count <= FREE_FAILURES:
            return
        block_s = min(2 ** (count - FREE_FAILURES), MAX_BLOCK_S)
        await self._store.put(f"login-block:{account}", str(time.time() + block_s), block_s)

    async def succeeded(self, name: str, ip: str | None) -> None:
        """Remember ``ip`` as one the account's owner uses."""
        if ip:
            await self._store.put(f"login-ok:{_account(name)}:{ip}", "1", KNOWN_ADDRESS_S)

    async def _known(self, account: str, ip: str | None) -> bool:
        return bool(ip) and await self._store.peek(f"login-ok:{account}:{ip}") is not None
