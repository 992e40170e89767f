"""OHLCV storage benchmark: ingest rows/s (PostgreSQL, SQLite) and 1M rows into a DataFrame.

Run: ``.venv/bin/python backend/bench/storage.py`` (needs ../shared/data, PostgreSQL on
127.0.0.1:5432 with database ``test``). Data: 1,000,000 one-minute candles = the real BTC/USDT
2024 year (527,040 rows) extended by replaying its moves (``bench._common.btc_minutes_extended``).
Targets (issue 4): ingest >= 150k rows/s into PostgreSQL and >= 50k rows/s into SQLite; reading
1M rows from PostgreSQL into a DataFrame under 1 s.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import text

from bench._common import btc_minutes_extended, machine
from cryptotrader.domain import CandleArrays, Pair, Timeframe
from cryptotrader.marketdata.frames import candle_frame
from cryptotrader.persistence import Database, SqlCandleStore
from cryptotrader.persistence.migrate import upgrade

PG_URL = os.environ.get("CRYPTOTRADER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1/test")
BTC = Pair.parse("BTC/USDT")


async def _ingest(store: SqlCandleStore, candles: CandleArrays, timeframe: Timeframe) -> float:
    start = time.perf_counter()
    await store.write(exchange="binance", pair=BTC, timeframe=timeframe, candles=candles)
    return len(candles) / (time.perf_counter() - start)


async def postgres(candles: CandleArrays) -> None:
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = Database(PG_URL)
    async with admin.engine.begin() as connection:
        await connection.execute(text(f"CREATE SCHEMA {schema}"))
    database = Database(PG_URL, schema=schema)
    try:
        await upgrade(database)
        store = SqlCandleStore(database)
        fresh = await _ingest(store, candles, Timeframe.M1)
        again = await _ingest(store, candles, Timeframe.M1)
        async with admin.engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text(f"VACUUM ANALYZE {schema}.ohlcv_data"))
        reads = []
        for _ in range(3):
            start = time.perf_counter()
            frame = candle_frame(
                await store.read_arrays(exchange="binance", pair=BTC, timeframe=Timeframe.M1)
            )
            reads.append(time.perf_counter() - start)
        assert len(frame) == len(candles)
        print(f"PostgreSQL ingest, new range (COPY):            {fresh:>12,.0f} rows/s")
        print(f"PostgreSQL ingest, same range again (upsert):   {again:>12,.0f} rows/s")
        print(f"PostgreSQL read {len(frame):,} rows -> DataFrame: best {min(reads):.3f} s")
    finally:
        await database.dispose()
        async with admin.engine.begin() as connection:
            await connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        await admin.dispose()


async def sqlite(candles: CandleArrays) -> None:
    with tempfile.TemporaryDirectory() as directory:
        database = Database(f"sqlite:///{Path(directory) / 'bench.db'}")
        try:
            await upgrade(database)
            store = SqlCandleStore(database)
            fresh = await _ingest(store, candles, Timeframe.M1)
            again = await _ingest(store, candles, Timeframe.M1)
            start = time.perf_counter()
            frame = candle_frame(
                await store.read_arrays(exchange="binance", pair=BTC, timeframe=Timeframe.M1)
            )
            read = time.perf_counter() - start
            print(f"SQLite ingest, new range:                       {fresh:>12,.0f} rows/s")
            print(f"SQLite ingest, same range again (upsert):       {again:>12,.0f} rows/s")
            print(f"SQLite read {len(frame):,} rows -> DataFrame:     {read:.3f} s")
        finally:
            await database.dispose()


def main() -> None:
    candles, what = btc_minutes_extended()
    print(f"machine: {machine()}")
    print(f"data: {what}")
    asyncio.run(postgres(candles))
    asyncio.run(sqlite(candles))


if __name__ == "__main__":
    main()
