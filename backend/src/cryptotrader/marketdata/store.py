"""Where candles are kept between runs: the ``CandleStore`` protocol.

Downloads resume from ``last_timestamp``; ``write`` is an upsert (a candle written twice is stored
once, the newer values win). Implementations: the database store
(``persistence.candles.SqlCandleStore``: SQLite by default, PostgreSQL in production), which the
CLI opens with ``persistence.candles.open_candle_store(settings)``, and ``FileCandleStore``
(one Parquet file per series under a directory) for tools and tests that want plain files.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from cryptotrader.domain.market import CandleArrays
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.timeframes import Timeframe


@dataclass(frozen=True, slots=True)
class StoredSeries:
    """What a store holds for one (exchange, pair, timeframe)."""

    exchange: str
    pair: Pair
    timeframe: Timeframe
    first_ms: int
    last_ms: int
    count: int


class CandleStore(Protocol):
    """Persistent candle series keyed by exchange, pair and timeframe (all methods async)."""

    async def last_timestamp(
        self, *, exchange: str, pair: Pair, timeframe: Timeframe
    ) -> int | None:
        """Open time (epoch ms) of the newest stored candle, or None when nothing is stored."""
        ...

    async def write(
        self, *, exchange: str, pair: Pair, timeframe: Timeframe, candles: CandleArrays
    ) -> int:
        """Upsert ``candles``; returns how many rows were written."""
        ...

    async def read_arrays(
        self,
        *,
        exchange: str,
        pair: Pair,
        timeframe: Timeframe,
        start_ms: int | None = None,
        end_ms: int | None = None,
    ) -> CandleArrays:
        """The stored candles with ``start_ms <= open time < end_ms``, oldest first, as arrays.

        ``marketdata.frames.candle_frame`` makes the canonical frame of them.
        """
        ...

    async def series(self) -> list[StoredSeries]:
        """Every stored series, sorted by exchange, pair and timeframe."""
        ...
