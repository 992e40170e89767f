"""Where candles are kept between runs: the ``CandleStore`` protocol.

Downloads resume from ``last_timestamp``; ``write`` is an upsert (a candle written twice is stored
once, the newer values win). Implementations: ``FileCandleStore`` (Parquet files under the data
directory) and the database store of ``persistence`` (SQLite by default, PostgreSQL in
production). ``open_candle_store(settings)`` picks the configured one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import pandas as pd

from cryptotrader.domain.market import CandleArrays
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.timeframes import Timeframe

if TYPE_CHECKING:
    from cryptotrader.config import Settings


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

    async def read(
        self,
        *,
        exchange: str,
        pair: Pair,
        timeframe: Timeframe,
        start_ms: int | None = None,
        end_ms: int | None = None,
    ) -> pd.DataFrame:
        """Canonical candle frame of the stored candles with ``start_ms <= open time < end_ms``."""
        ...

    async def series(self) -> list[StoredSeries]:
        """Every stored series, sorted by exchange, pair and timeframe."""
        ...


def open_candle_store(settings: Settings) -> CandleStore:
    """The configured candle store: Parquet files under ``settings.candles_dir`` for now."""
    from cryptotrader.marketdata.file_store import FileCandleStore  # noqa: PLC0415 - cycle

    return FileCandleStore(settings.candles_dir)
