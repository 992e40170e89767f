"""Venues by name: Binance and Kraken have their own class, any other ccxt id the generic one."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping

from cryptotrader.clock import Clock
from cryptotrader.exchanges.ccxt.binance import BinanceVenue
from cryptotrader.exchanges.ccxt.credentials import ApiCredentials
from cryptotrader.exchanges.ccxt.kraken import KrakenVenue
from cryptotrader.exchanges.ccxt.venue import CcxtVenue
from cryptotrader.retry import RetryPolicy

VENUE_CLASSES: Mapping[str, type[CcxtVenue]] = {
    "binance": BinanceVenue,
    "kraken": KrakenVenue,
}
"""Venues whose differences are stated; every other ccxt id gets ``CcxtVenue``."""


def create_venue(
    name: str,
    *,
    credentials: ApiCredentials | None,
    clock: Clock,
    retry: RetryPolicy,
    base_url: str | None = None,
    timeout_s: float = 10.0,
    rate_limit_ms: float | None = None,
) -> CcxtVenue:
    """The venue for ``name`` (any ccxt id, case-insensitive); close it with ``close()``.

    Raises:
        UnknownNameError: ccxt has no such exchange (the message suggests the closest id).
        ConfigurationError: malformed credentials or base URL.

    Example:
        >>> venue = create_venue(  # doctest: +SKIP
        ...     "kraken", credentials=creds, clock=LiveClock(), retry=RetryPolicy()
        ... )
    """
    exchange_id = name.strip().lower()
    cls = VENUE_CLASSES.get(exchange_id, CcxtVenue)
    return cls(
        credentials=credentials,
        clock=clock,
        retry=retry,
        exchange_id=exchange_id,
        base_url=base_url,
        timeout_s=timeout_s,
        rate_limit_ms=rate_limit_ms,
    )


@contextlib.asynccontextmanager
async def open_venue(
    name: str,
    *,
    credentials: ApiCredentials | None,
    clock: Clock,
    retry: RetryPolicy,
    base_url: str | None = None,
    timeout_s: float = 10.0,
    rate_limit_ms: float | None = None,
) -> AsyncIterator[CcxtVenue]:
    """``create_venue`` for the duration of an ``async with`` block, closed on the way out."""
    venue = create_venue(
        name,
        credentials=credentials,
        clock=clock,
        retry=retry,
        base_url=base_url,
        timeout_s=timeout_s,
        rate_limit_ms=rate_limit_ms,
    )
    try:
        yield venue
    finally:
        await venue.close()
