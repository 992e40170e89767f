"""Each engine in its own process (``cryptotrader engine NAME``) over Redis and PostgreSQL.

Five real processes share a PostgreSQL database and Redis Streams; the market data engine
replays a real series and exits when it ends; the others run until SIGTERM, which must stop them
cleanly. The trades must be exactly the backtest's: the pipeline across processes decides and
trades as it does in one.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from cryptotrader.domain.enums import BotKind
from cryptotrader.persistence.database import Database
from tests.support.builders import read_shared_csv
from tests.support.parity import (
    backtest,
    backtest_pairs,
    expected_pair_rows,
    expected_rows,
    stored_pair_rows,
    stored_rows,
)
from tests.support.processes import (
    engine_processes,
    process_env,
    replay_market_data,
    until_order_engine_done,
)

ORDER_CHECKPOINT = "paper:binance:BTC/USDT:4h"
REDIS_DB = 9  # a logical database of its own: the runtime's stream names are fixed


@pytest.mark.shared_data
@pytest.mark.timeout(3600)  # five processes: slow when the machine is loaded
def test_engines_when_each_runs_in_its_own_process_trade_as_the_backtest(
    shared_data: Path, tmp_path: Path, postgres_url: str, redis_url: str
) -> None:
    series = tmp_path / "binance_BTC-USDT_4h.csv"
    read_shared_csv(shared_data / "binance_BTC-USDT_4h.csv", rows=2500).to_csv(series, index=False)
    env = process_env(postgres_url, redis_url, tmp_path)
    with engine_processes(series, env):
        replay_market_data(series, env)
        last_open = int(read_shared_csv(series)["timestamp"].iloc[-1])
        asyncio.run(until_order_engine_done(postgres_url, last_open, ORDER_CHECKPOINT))
    got = asyncio.run(_rows(postgres_url))
    want = expected_rows(backtest(series))
    assert sum(len(rows) for rows in want.values()) > 20
    for bot in BotKind:
        assert got[bot] == want[bot], bot


async def _rows(url: str) -> dict[BotKind, list[tuple[object, ...]]]:
    database = Database(url)
    try:
        return await stored_rows(database)
    finally:
        await database.dispose()


@pytest.mark.shared_data
@pytest.mark.timeout(3600)  # five processes over two pairs: slow when the machine is loaded
def test_engines_in_processes_over_two_pairs_trade_as_the_multi_pair_backtest(
    shared_data: Path, tmp_path: Path, postgres_url: str, redis_url: str
) -> None:
    """``engine NAME --replay A --replay B``: the files merged by candle time, as ``run`` does."""
    files = []
    for name in ("binance_ETH-USDT_1d.csv", "binance_BTC-USDT_1d.csv"):
        path = tmp_path / name
        read_shared_csv(shared_data / name, rows=900).to_csv(path, index=False)
        files.append(path)
    env = process_env(postgres_url, redis_url, tmp_path)
    with engine_processes(files, env):
        replay_market_data(files, env)
        for path in files:
            symbol = "ETH/USDT" if "ETH" in path.name else "BTC/USDT"
            last_open = int(read_shared_csv(path)["timestamp"].iloc[-1])
            checkpoint = f"paper:binance:{symbol}:1d"
            asyncio.run(until_order_engine_done(postgres_url, last_open, checkpoint))
    got = asyncio.run(_pair_rows(postgres_url))
    want = expected_pair_rows(backtest_pairs(files))
    assert {symbol for symbol, _ in want} == {"BTC/USDT", "ETH/USDT"}
    assert sum(len(rows) for rows in want.values()) > 20
    for series, rows in want.items():
        assert got.get(series, []) == rows, series
    assert set(got) <= set(want)


async def _pair_rows(url: str) -> dict[tuple[str, BotKind], list[tuple[object, ...]]]:
    database = Database(url)
    try:
        return await stored_pair_rows(database)
    finally:
        await database.dispose()
