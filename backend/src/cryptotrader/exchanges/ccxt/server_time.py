"""The offset between our clock and the exchange's, kept so that signed requests are accepted.

Binance refuses a signed request whose ``timestamp`` is more than ``recvWindow`` behind its clock
or more than a second ahead (``-1021``). ccxt signs with ``milliseconds() - timeDifference``;
``ServerTime`` measures ``timeDifference`` (``load_time_difference``: ``GET /api/v3/time``)
before the first signed call, again every ``interval_ms`` of the injected clock, and right after
a rejection (``invalidate``), so the next attempt is signed with a fresh offset.
"""

from __future__ import annotations

import logging

from cryptotrader.clock import Clock
from cryptotrader.exchanges.ccxt.client import CcxtTradingClient

log = logging.getLogger(__name__)


class ServerTime:
    """Keeps a ccxt client's ``options['timeDifference']`` fresh (a no-op when disabled)."""

    def __init__(
        self, client: CcxtTradingClient, clock: Clock, *, enabled: bool, interval_ms: int
    ) -> None:
        self._client = client
        self._clock = clock
        self._enabled = enabled
        self._interval_ms = interval_ms
        self._synced_at: int | None = None

    @property
    def offset_ms(self) -> int:
        """Local clock minus exchange clock, as last measured (0 before the first sync)."""
        return int(self._client.options.get("timeDifference") or 0)

    async def ensure(self) -> None:
        """Measure the offset when it was never measured, is stale, or was invalidated.

        ccxt errors are left to the caller's ``map_ccxt_errors`` block.
        """
        if not self._enabled:
            return
        now = self._clock.timestamp_ms()
        if self._synced_at is not None and now - self._synced_at < self._interval_ms:
            return
        await self._client.load_time_difference({})
        self._synced_at = now
        log.debug("%s: clock offset to the exchange %d ms", self._client.id, self.offset_ms)

    def invalidate(self) -> None:
        """Force a new measurement before the next signed request."""
        self._synced_at = None
