"""``SqlCandleStore``: the ``CandleStore`` protocol on the database (SQLite or PostgreSQL)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from cryptotrader.config import Settings
from cryptotrader.domain.market import OHLCV_COLUMNS, CandleArrays
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.marketdata.store import StoredSeries
from cryptotrader.persistence import migrate
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.repositories import ohlcv
from cryptotrader.persistence.repositories.pairs import ensure_pair, find_pair
from cryptotrader.persistence.uow import UnitOfWork


class SqlCandleStore:
    """Candles in ``ohlcv_data``; each call is one transaction.

    Reads are read-only transactions: on SQLite they neither wait for the writer lock nor hold
    it, so reading 72k candles for a backtest does not stall the runtime's writes in the same
    process (``run --api``), nor wait behind them.

    With ``keep``, the last few ranges read as arrays are kept while the database agrees: a
    backtest launched from the app read its 72,540 candles on every launch (~0.35 s of CPU,
    seconds of wall time on a loaded machine). Each ``read_arrays`` then asks the database only
    for the range's fingerprint (``ohlcv.fingerprint``: count, first and last times, column
    sums) and returns the kept arrays when it has not changed, whoever wrote since (the runtime,
    an import, another API process). Kept arrays are read-only: callers share them.

    Args:
        database: an upgraded database (``cryptotrader db upgrade``).
        keep: how many ranges ``read_arrays`` keeps (each 48 bytes per candle; 0: none).

    Example:
        store = SqlCandleStore(database)
        await store.write(exchange="binance", pair=pair, timeframe=Timeframe.H1, candles=arrays)
        arrays = await store.read_arrays(exchange="binance", pair=pair, timeframe=Timeframe.H1)
    """

    def __init__(self, database: Database, *, keep: int = 0) -> None:
        self._database = database
        self._keep = keep
        self._kept: OrderedDict[tuple[object, ...], tuple[tuple[object, ...], CandleArrays]] = (
            OrderedDict()
        )

    async def last_timestamp(
        self, *, exchange: str, pair: Pair, timeframe: Timeframe
    ) -> int | None:
        """Open time (epoch ms) of the newest stored candle, or None when nothing is stored."""
        async with UnitOfWork(self._database, read_only=True) as uow:
            pair_id = await find_pair(session=uow.session, exchange=exchange, pair=pair)
            if pair_id is None:
                return None
            return await ohlcv.last_candle_ms(
                session=uow.session, pair_id=pair_id, timeframe=timeframe
            )

    async def write(
        self, *, exchange: str, pair: Pair, timeframe: Timeframe, candles: CandleArrays
    ) -> int:
        """Upsert ``candles`` (newer values win); returns how many distinct candles were written.

        Raises:
            DataValidationError: a value is NaN or infinite.
        """
        async with UnitOfWork(self._database) as uow:
            pair_id = await ensure_pair(session=uow.session, exchange=exchange, pair=pair)
            written = await ohlcv.upsert_candles(
                session=uow.session, pair_id=pair_id, timeframe=timeframe, candles=candles
            )
            await uow.commit()
        return written

    async def read_arrays(
        self,
        *,
        exchange: str,
        pair: Pair,
        timeframe: Timeframe,
        start_ms: int | None = None,
        end_ms: int | None = None,
    ) -> CandleArrays:
        """The stored candles with ``start_ms <= open time < end_ms``, oldest first, as arrays."""
        async with UnitOfWork(self._database, read_only=True) as uow:
            pair_id = await find_pair(session=uow.session, exchange=exchange, pair=pair)
            if pair_id is None:
                return ohlcv.read_empty()
            key = (pair_id, timeframe.value, start_ms, end_ms)
            mark = None
            if self._keep:
                mark = await ohlcv.fingerprint(
                    session=uow.session,
                    pair_id=pair_id,
                    timeframe=timeframe,
                    start_ms=start_ms,
                    end_ms=end_ms,
                )
                kept = self._kept.get(key)
                if kept is not None and kept[0] == mark:
                    self._kept.move_to_end(key)
                    return kept[1]
            arrays = await ohlcv.read_candles(
                session=uow.session,
                pair_id=pair_id,
                timeframe=timeframe,
                start_ms=start_ms,
                end_ms=end_ms,
            )
        if mark is not None:
            self._remember(key, mark, arrays)
        return arrays

    def _remember(
        self, key: tuple[object, ...], mark: tuple[object, ...], arrays: CandleArrays
    ) -> None:
        for column in ("timestamps", *OHLCV_COLUMNS):
            getattr(arrays, column).flags.writeable = False
        self._kept[key] = (mark, arrays)
        self._kept.move_to_end(key)
        while len(self._kept) > self._keep:
            self._kept.popitem(last=False)

    async def series(self) -> list[StoredSeries]:
        """Every stored series, sorted by exchange, pair and timeframe."""
        async with UnitOfWork(self._database, read_only=True) as uow:
            return await ohlcv.stored_series(session=uow.session)


@asynccontextmanager
async def open_candle_store(settings: Settings) -> AsyncIterator[SqlCandleStore]:
    """The configured database as a candle store, for the length of the block.

    The embedded SQLite database is created and migrated on first use, so a fresh machine needs
    no setup; any other database must be migrated explicitly (``cryptotrader db upgrade``).

    Raises:
        OperationalError: the database cannot be reached (one line, password hidden).
        UserInputError: the schema of a server database is not current.
    """
    database = await migrate.open_database(settings.database_url)
    try:
        yield SqlCandleStore(database)
    finally:
        await database.dispose()
