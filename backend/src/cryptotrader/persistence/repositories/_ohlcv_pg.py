"""Candles on PostgreSQL through asyncpg's binary ``COPY``, inside the session's transaction.

Writes: when no stored candle of the series falls in the incoming range (imports, downloads
that append), ``COPY`` goes straight into ``ohlcv_data``; otherwise, or when a concurrent writer
got there first, ``COPY`` into a temporary table and one ``INSERT ... ON CONFLICT DO UPDATE``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, Protocol, cast

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from cryptotrader.domain.market import OHLCV_COLUMNS, CandleArrays
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.domain.values import utc_from_ms
from cryptotrader.persistence.repositories import _pgcopy

COPY_CHUNK_ROWS = 100_000
_UNIQUE_VIOLATION = "23505"
_COLUMNS = ", ".join(OHLCV_COLUMNS)
_UPDATE = ", ".join(f"{c} = excluded.{c}" for c in OHLCV_COLUMNS)


class _AsyncpgConnection(Protocol):
    """The part of asyncpg's connection used here."""

    async def fetchval(self, query: str, *args: object) -> Any: ...

    async def execute(self, query: str, *args: object) -> str: ...

    async def copy_to_table(
        self, table_name: str, *, source: Any, columns: list[str], format: str
    ) -> str: ...

    async def copy_from_query(self, query: str, *args: object, output: Any, format: str) -> str: ...


async def _driver(session: AsyncSession) -> _AsyncpgConnection:
    # Run one statement through SQLAlchemy first: it opens the driver's transaction, which the
    # raw COPY then joins (a raw call on an idle connection would autocommit on its own).
    await session.execute(text("SELECT 1"))
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    driver = raw.driver_connection
    if driver is None:  # pragma: no cover - a checked-out connection always has one
        raise RuntimeError("the database connection is closed")
    return cast(_AsyncpgConnection, driver)


def _stream(candles: CandleArrays, key: tuple[int, str] | None) -> AsyncIterator[bytes]:
    async def chunks() -> AsyncIterator[bytes]:
        # One COPY stream sent in slices, so memory stays bounded on large imports.
        yield _pgcopy.HEADER
        for start in range(0, len(candles), COPY_CHUNK_ROWS):
            yield _pgcopy.encode_rows(candles, start, start + COPY_CHUNK_ROWS, key=key)
        yield _pgcopy.TRAILER

    return chunks()


async def _overlaps(
    driver: _AsyncpgConnection, pair_id: int, timeframe: Timeframe, candles: CandleArrays
) -> bool:
    found = await driver.fetchval(
        "SELECT 1 FROM ohlcv_data WHERE pair_id = $1 AND timeframe = $2 "
        "AND time >= $3 AND time <= $4 LIMIT 1",
        pair_id,
        timeframe.value,
        utc_from_ms(int(candles.timestamps[0])),
        utc_from_ms(int(candles.timestamps[-1])),
    )
    return found is not None


async def _copy_direct(
    session: AsyncSession,
    driver: _AsyncpgConnection,
    pair_id: int,
    timeframe: Timeframe,
    candles: CandleArrays,
) -> bool:
    """COPY straight into ``ohlcv_data``; False (and nothing written) on a duplicate key."""
    try:
        async with session.begin_nested():
            await driver.copy_to_table(
                "ohlcv_data",
                source=_stream(candles, (pair_id, timeframe.value)),
                columns=["pair_id", "timeframe", *_pgcopy.CANDLE_COLUMNS],
                format="binary",
            )
    except Exception as exc:
        if getattr(exc, "sqlstate", None) == _UNIQUE_VIOLATION:
            return False  # a concurrent writer stored some of these candles: upsert instead
        raise
    return True


async def upsert(
    session: AsyncSession, pair_id: int, timeframe: Timeframe, candles: CandleArrays
) -> None:
    """Insert or replace sorted, unique candles of one series."""
    driver = await _driver(session)
    overlapping = await _overlaps(driver, pair_id, timeframe, candles)
    if not overlapping and await _copy_direct(session, driver, pair_id, timeframe, candles):
        return
    await driver.execute(
        "CREATE TEMP TABLE IF NOT EXISTS _ohlcv_in (time timestamptz NOT NULL, "
        "open float8 NOT NULL, high float8 NOT NULL, low float8 NOT NULL, "
        "close float8 NOT NULL, volume float8 NOT NULL) ON COMMIT DELETE ROWS"
    )
    await driver.execute("TRUNCATE _ohlcv_in")
    await driver.copy_to_table(
        "_ohlcv_in",
        source=_stream(candles, None),
        columns=list(_pgcopy.CANDLE_COLUMNS),
        format="binary",
    )
    await driver.execute(
        f"INSERT INTO ohlcv_data (pair_id, timeframe, time, {_COLUMNS}) "  # noqa: S608 - constants
        f"SELECT $1::int, $2::varchar, time, {_COLUMNS} FROM _ohlcv_in "
        f"ON CONFLICT (pair_id, timeframe, time) DO UPDATE SET {_UPDATE}",
        pair_id,
        timeframe.value,
    )


async def read(
    session: AsyncSession, pair_id: int, timeframe: Timeframe, low_ms: int, high_ms: int
) -> CandleArrays:
    """Candles with ``low_ms <= open time < high_ms``, oldest first."""
    driver = await _driver(session)
    chunks: list[bytes] = []

    async def collect(chunk: bytes) -> None:
        chunks.append(bytes(chunk))

    await driver.copy_from_query(
        f"SELECT time, {_COLUMNS} FROM ohlcv_data "  # noqa: S608 - constants
        "WHERE pair_id = $1 AND timeframe = $2 AND time >= $3 AND time < $4 ORDER BY time",
        pair_id,
        timeframe.value,
        utc_from_ms(low_ms),
        utc_from_ms(high_ms),
        output=collect,
        format="binary",
    )
    return _pgcopy.decode(b"".join(chunks))
