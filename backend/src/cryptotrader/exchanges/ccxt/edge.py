"""The one way a venue calls ccxt: errors mapped once, secrets scrubbed, retries by reaction.

* ``call`` (reads and cancels: idempotent) retries every ``TemporaryError`` with the injected
  ``RetryPolicy``: network errors, timeouts, rate limits, 5xx, a rejected timestamp;
* ``place`` (creating an order) maps with ``placing=<client id>``: a failure that leaves the
  order's fate open raises ``OrderOutcomeUnknown`` at once (not a ``TemporaryError``, so never
  retried); only failures where the exchange provably took nothing (rate limit, maintenance,
  a rejected timestamp, a connection never opened) are retried, with the same client id;
* a rejected timestamp (Binance ``-1021``) re-syncs the server-time offset before the retry.

Every message leaving here has the API key and secret replaced by ``***``.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar, cast

from cryptotrader.clock import Clock
from cryptotrader.errors import TraderError
from cryptotrader.exchanges.ccxt.client import CcxtTradingClient
from cryptotrader.exchanges.ccxt.credentials import ApiCredentials, SecretRedactor
from cryptotrader.exchanges.ccxt.errors import TimestampRejectedError, map_ccxt_errors
from cryptotrader.exchanges.ccxt.server_time import ServerTime
from cryptotrader.retry import RetryPolicy, retry_async

T = TypeVar("T")

wire_log = logging.getLogger("cryptotrader.exchanges.ccxt.http")
"""The logger ccxt clients write their requests to (every venue's secrets filtered out)."""


class CcxtEdge:
    """Calls into one ccxt client (see the module docstring).

    Args:
        client: the ccxt client; receives the credentials here.
        credentials: API key and secret, or None for public data only.
        clock: drives the server-time re-sync interval.
        retry: the retry policy for temporary failures.
        sync_server_time: keep the offset to the exchange clock (Binance's ``recvWindow``).
        time_sync_interval_ms: how often the offset is measured again.
        rejections: venue words marking an order refusal ccxt leaves unclassified.
    """

    def __init__(
        self,
        client: CcxtTradingClient,
        *,
        credentials: ApiCredentials | None,
        clock: Clock,
        retry: RetryPolicy,
        sync_server_time: bool,
        time_sync_interval_ms: int,
        rejections: tuple[str, ...] = (),
    ) -> None:
        self.client = client
        self._retry = retry
        self._rejections = rejections
        self._redactor = SecretRedactor(credentials.secrets() if credentials else ())
        self.time = ServerTime(
            client,
            clock,
            enabled=sync_server_time and credentials is not None,
            interval_ms=time_sync_interval_ms,
        )
        self._install(credentials)

    async def call(self, call: Callable[[], Awaitable[T]]) -> T:
        """Run an idempotent ccxt call, retrying temporary failures."""
        return await retry_async(lambda: self._attempt(call, placing=None), policy=self._retry)

    async def place(self, client_order_id: str, call: Callable[[], Awaitable[T]]) -> T:
        """Run an order-placing ccxt call; never retried once its outcome is unknown."""
        return await retry_async(
            lambda: self._attempt(call, placing=client_order_id), policy=self._retry
        )

    @contextlib.contextmanager
    def mapped(self, placing: str | None = None) -> Iterator[None]:
        """Map ccxt errors raised in the block to ours, with the credentials scrubbed."""
        try:
            with map_ccxt_errors(self.client, placing=placing, rejections=self._rejections):
                yield
        except TraderError as exc:
            exc.args = tuple(self._redactor.redact(str(arg)) for arg in exc.args)
            raise

    async def close(self) -> None:
        """Close the HTTP session and stop filtering these secrets from the logs."""
        wire_log.removeFilter(self._redactor)
        await self.client.close()

    async def _attempt(self, call: Callable[[], Awaitable[T]], *, placing: str | None) -> T:
        with self.mapped():  # a read: nothing is placed yet, so never ambiguous
            await self.time.ensure()
        try:
            with self.mapped(placing):
                return await call()
        except TimestampRejectedError:
            self.time.invalidate()  # re-sync before the retry: the exchange took nothing
            raise

    def _install(self, credentials: ApiCredentials | None) -> None:
        """Hand the credentials to ccxt and filter them out of what ccxt logs."""
        wire_log.addFilter(self._redactor)
        self.client.logger = wire_log
        if credentials is None:
            return
        client = cast(Any, self.client)
        client.apiKey = credentials.api_key
        client.secret = credentials.secret
        if credentials.password is not None:
            client.password = credentials.password
