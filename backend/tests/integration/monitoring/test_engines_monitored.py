"""The engines' telemetry, end to end: real engine processes, a real Prometheus, a real influxd.

Five ``cryptotrader engine`` processes (PostgreSQL, Redis Streams) replay a real series, each
serving ``/metrics`` on a port of its own and writing points to influxd. Debian's Prometheus
scrapes them; its queries, the points read back from InfluxDB and the database must agree: as
many closed trades, the bots' final capital.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path

import pytest

from cryptotrader.domain.enums import BotKind, TradeStatus
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.repositories import bots, trades
from cryptotrader.persistence.uow import UnitOfWork
from tests.support.builders import read_shared_csv
from tests.support.monitoring_servers import (
    Influx,
    Prometheus,
    free_port,
    influxd,
    poll,
    prometheus,
)
from tests.support.processes import (
    LONG_RUNNING_ENGINES,
    engine_processes,
    process_env,
    replay_market_data,
    until_order_engine_done,
)

ORDER_CHECKPOINT = "paper:binance:BTC/USDT:4h"
REDIS_DB = 10  # a logical database of its own: the runtime's stream names are fixed
ENGINES = LONG_RUNNING_ENGINES
INFLUX_DB = "cryptotrader"


@pytest.mark.shared_data
@pytest.mark.timeout(3600)  # five processes and two servers: slow when the machine is loaded
def test_engine_processes_are_scraped_by_prometheus_and_write_points_to_influxdb(
    shared_data: Path, tmp_path: Path, postgres_url: str, redis_url: str
) -> None:
    series = tmp_path / "binance_BTC-USDT_4h.csv"
    read_shared_csv(shared_data / "binance_BTC-USDT_4h.csv", rows=1500).to_csv(series, index=False)
    ports = {name: free_port() for name in ENGINES}
    with influxd(tmp_path / "influx") as influx:
        influx.create_database(INFLUX_DB)
        env = process_env(
            postgres_url,
            redis_url,
            tmp_path,
            CRYPTOTRADER_MONITORING__INFLUX_URL=influx.url,
            CRYPTOTRADER_MONITORING__INFLUX_DATABASE=INFLUX_DB,
        )
        metrics_ports = {
            name: {"CRYPTOTRADER_MONITORING__METRICS_PORT": str(port)}
            for name, port in ports.items()
        }
        with engine_processes(series, env, metrics_ports):
            replay_market_data(series, env)
            last_open = int(read_shared_csv(series)["timestamp"].iloc[-1])
            asyncio.run(until_order_engine_done(postgres_url, last_open, ORDER_CHECKPOINT))
            closed, capital = asyncio.run(_closed_trades_and_capital(postgres_url))
            jobs = {"engines": [f"127.0.0.1:{port}" for port in ports.values()]}
            with prometheus(tmp_path / "prometheus", jobs) as prom:
                poll(
                    lambda: (
                        len(prom.targets()) == len(ENGINES)
                        and all(t["health"] == "up" for t in prom.targets())
                    ),
                    what="every engine scraped",
                )
                _check_prometheus(prom, closed, capital)
        _check_influx(influx, closed, capital)


def _check_prometheus(
    prom: Prometheus, closed: dict[BotKind, int], capital: dict[BotKind, Decimal]
) -> None:
    assert all(closed.values())
    for bot in BotKind:
        query = f'sum(cryptotrader_trades_closed_total{{bot="{bot}"}})'
        got = poll(lambda q=query: prom.value(q), what=f"{bot} trades scraped")  # type: ignore[misc]
        assert got == closed[bot]
        assert prom.value(f'cryptotrader_bot_capital{{bot="{bot}"}}') == float(capital[bot])
        assert prom.value(f'cryptotrader_bot_open_positions{{bot="{bot}"}}') is not None
    traded = prom.value("sum(cryptotrader_candles_traded_total)")
    assert traded is not None
    assert traded > 1000
    handled = prom.query("cryptotrader_engine_messages_total")
    assert {(s["metric"]["group"], s["metric"]["topic"]) for s in handled} >= {
        ("indicator", "candles"),
        ("decision", "indicators"),
        ("order", "signals"),
    }
    lag = prom.value('sum(cryptotrader_bus_lag_seconds_count{topic="signals"})')
    assert lag is not None
    assert lag > 0
    orders = prom.value("sum(cryptotrader_orders_total)")
    assert orders is not None
    assert orders >= 2 * sum(closed.values())
    assert prom.value("sum(cryptotrader_influx_points_written_total)") is not None


def _check_influx(
    influx: Influx, closed: dict[BotKind, int], capital: dict[BotKind, Decimal]
) -> None:
    series = influx.query(INFLUX_DB, 'SELECT count(pnl) FROM trade GROUP BY "bot"')
    assert {s["tags"]["bot"]: s["values"][0][1] for s in series} == {
        str(bot): count for bot, count in closed.items() if count
    }
    last = influx.query(INFLUX_DB, 'SELECT last(capital), last(equity) FROM bot GROUP BY "bot"')
    got = {s["tags"]["bot"]: s["values"][0][1] for s in last}
    assert got == {str(bot): float(value) for bot, value in capital.items()}
    assert influx.query(INFLUX_DB, "SELECT count(round_trip_s) FROM order_latency")


async def _closed_trades_and_capital(
    url: str,
) -> tuple[dict[BotKind, int], dict[BotKind, Decimal]]:
    database = Database(url)
    try:
        async with UnitOfWork(database) as uow:
            closed = {}
            for bot in BotKind:
                listed = await trades.list_trades(session=uow.session, bot=bot, limit=1_000_000)
                closed[bot] = sum(1 for _, t in listed if t.status is TradeStatus.CLOSED)
            capital = {row.type: row.capital for row in await bots.list_bots(session=uow.session)}
        return closed, capital
    finally:
        await database.dispose()
