"""Where a download puts its candles: a ``CandleStore`` series, or a single file.

A sink says what it already holds (``bounds``) so that a download never fetches it again,
receives candles in chunks (``write``), and is told when the download succeeded (``commit``).

* ``StoreSink`` writes every chunk to the store at once: an interrupted download keeps what it
  fetched, and the next run resumes after it.
* ``FileSink`` keeps the chunks in memory and writes the file once, atomically, on ``commit``:
  after a failure the previous file is intact and no partial file exists; the next run resumes
  from the file's last candle.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from cryptotrader.domain.market import CandleArrays
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.errors import DataValidationError
from cryptotrader.marketdata.file_store import merge_candles
from cryptotrader.marketdata.frames import candle_frame
from cryptotrader.marketdata.io import file_format, read_ohlcv, write_ohlcv
from cryptotrader.marketdata.naming import exchange_name
from cryptotrader.marketdata.store import CandleStore
from cryptotrader.marketdata.validation import (
    infer_timeframe,
    validate_alignment,
    validate_arrays,
)


class CandleSink(Protocol):
    """Destination of downloaded candles."""

    @property
    def description(self) -> str:
        """Where the candles go, for messages."""
        ...

    async def bounds(self) -> tuple[int, int] | None:
        """Open times (epoch ms) of the first and last candle already held, or None."""
        ...

    async def write(self, candles: CandleArrays) -> None:
        """Take sorted, validated candles."""
        ...

    async def commit(self) -> None:
        """The download succeeded: make everything written durable."""
        ...


class StoreSink:
    """One series of a ``CandleStore``; every chunk is stored as soon as it is written."""

    def __init__(
        self, store: CandleStore, *, exchange: str, pair: Pair, timeframe: Timeframe
    ) -> None:
        self._store = store
        self._exchange = exchange_name(exchange)
        self._pair = pair
        self._timeframe = timeframe

    @property
    def description(self) -> str:
        """``the candle store (binance BTC/USDT 1h)``."""
        return f"the candle store ({self._exchange} {self._pair} {self._timeframe})"

    async def bounds(self) -> tuple[int, int] | None:
        """First and last stored open time of the series."""
        for stored in await self._store.series():
            if (stored.exchange, stored.pair, stored.timeframe) == (
                self._exchange,
                self._pair,
                self._timeframe,
            ):
                return stored.first_ms, stored.last_ms
        return None

    async def write(self, candles: CandleArrays) -> None:
        """Upsert ``candles`` into the store now."""
        await self._store.write(
            exchange=self._exchange, pair=self._pair, timeframe=self._timeframe, candles=candles
        )

    async def commit(self) -> None:
        """Nothing to do: every chunk is already stored."""


class FileSink:
    """A ``.csv``, ``.csv.gz`` or ``.parquet`` file, rewritten atomically once on ``commit``."""

    def __init__(self, path: Path, timeframe: Timeframe) -> None:
        file_format(path)  # refuse an unsupported suffix before any download
        self.path = path
        self._timeframe = timeframe
        self._existing: CandleArrays | None = None
        self._chunks: list[CandleArrays] = []

    @property
    def description(self) -> str:
        """The file's path."""
        return str(self.path)

    async def bounds(self) -> tuple[int, int] | None:
        """First and last candle of the existing file (validated), or None when there is none.

        Raises:
            DataValidationError: the file is not a valid candle file of this timeframe.
        """
        if not self.path.exists():
            return None
        existing = read_ohlcv(self.path, self._timeframe).arrays
        ts = existing.timestamps
        spacing = infer_timeframe(ts)
        if spacing is not None and spacing is not self._timeframe:
            raise DataValidationError(
                f"{self.path} holds {spacing} candles, not {self._timeframe}; "
                "choose another --out file or --timeframe"
            )
        validate_alignment(ts, self._timeframe, str(self.path))
        self._existing = existing
        return int(ts[0]), int(ts[-1])

    async def write(self, candles: CandleArrays) -> None:
        """Keep ``candles`` until ``commit``."""
        self._chunks.append(candles)

    async def commit(self) -> None:
        """Write the existing and the new candles to the file atomically (if anything is new)."""
        if not self._chunks:
            return
        merged = self._existing if self._existing is not None else self._chunks[0]
        for chunk in self._chunks if self._existing is not None else self._chunks[1:]:
            merged = merge_candles(merged, chunk)
        validate_arrays(merged, str(self.path))
        write_ohlcv(candle_frame(merged), self.path)
        self._chunks.clear()
