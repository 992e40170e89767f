"""API benchmark: GET latency at a fixed rate, throughput against bare FastAPI, WS fan-out.

Run from backend/: ``../.venv/bin/python -m bench.api`` (Redis on 127.0.0.1:6379 for the
fan-out; PostgreSQL on 127.0.0.1:5432 database ``test`` for the production-shaped run).

Everything runs on loopback, bounded in count and time. The servers are separate uvicorn
processes (one worker each, as ``cryptotrader api`` runs); the load generator is an open-loop
client in this process: requests are scheduled at exactly ``--rate`` per second and each
latency is measured from its scheduled time, so a stalled server cannot hide queueing
(no coordinated omission). Throughput is closed-loop with 16 keep-alive connections, on
``GET /api/bots`` and on a bare FastAPI endpoint served the same way in the same run.
The fan-out sends one alert on the Redis bus and times until all 500 WebSocket clients have
it (the clients run in this process, so their own reading is included).

Targets (issue 6): p99 < 20 ms at 300 req/s for /api/bots and /api/portfolio; one event to
500 WebSocket clients in < 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text
from websockets.asyncio.client import ClientConnection, connect

from bench._common import machine, today

PG_URL = os.environ.get("CRYPTOTRADER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1/test")
REDIS_URL = os.environ.get("CRYPTOTRADER_BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
JWT_SECRET = "bench-" + "s" * 48
PASSWORD = "bench-password-123"  # noqa: S105 - a throwaway user of a temporary database
BACKEND = Path(__file__).resolve().parents[1]


# ---------------------------------------------------------------- servers


def _serve(kind: str, port: int) -> None:
    import uvicorn
    from fastapi import FastAPI

    from cryptotrader.api.app import create_app
    from cryptotrader.config import load_settings

    if kind == "bare":
        app = FastAPI()

        @app.get("/bare")
        async def bare() -> dict[str, bool]:
            return {"ok": True}

    else:
        app = create_app(load_settings())
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def server(kind: str, env: dict[str, str]) -> Iterator[str]:
    """A uvicorn process serving ``kind`` (``api`` or ``bare``); yields its base URL."""
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "bench.api", "--serve", kind, "--port", str(port)],
        cwd=BACKEND,
        env={**os.environ, **env},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/{'bare' if kind == 'bare' else 'health'}").status_code < 500:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"{kind} server did not start")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(15)


# ---------------------------------------------------------------- data


def _environment(database_url: str, redis_url: str | None, data_dir: str) -> dict[str, str]:
    env = {
        "CRYPTOTRADER_ENVIRONMENT": "test",
        "CRYPTOTRADER_DATA_DIR": data_dir,
        "CRYPTOTRADER_SECURITY__JWT_SECRET": JWT_SECRET,
        "CRYPTOTRADER_API__RATE_LIMIT_PER_MINUTE": "10000000",
        "CRYPTOTRADER_API__AUTH_RATE_LIMIT_PER_MINUTE": "10000",
        "CRYPTOTRADER_LOG_LEVEL": "WARNING",
        "DATABASE_URL": database_url,
    }
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


# ---------------------------------------------------------------- load


class Connection:
    """One keep-alive HTTP/1.1 connection speaking just enough HTTP for GET."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def open(cls, base: str) -> Connection:
        host, port = base.removeprefix("http://").split(":")
        reader, writer = await asyncio.open_connection(host, int(port))
        return cls(reader, writer)

    async def get(self, path: str, token: str | None) -> int:
        auth = f"Authorization: Bearer {token}\r\n" if token else ""
        self.writer.write(f"GET {path} HTTP/1.1\r\nHost: bench\r\n{auth}\r\n".encode())
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        await self.reader.readexactly(length)
        return status

    def close(self) -> None:
        self.writer.close()


async def open_loop(
    base: str, path: str, token: str, rate: int, seconds: float
) -> dict[str, float]:
    """``rate`` requests per second for ``seconds``; latency percentiles in ms."""
    pool: asyncio.Queue[Connection] = asyncio.Queue()
    for _ in range(32):
        pool.put_nowait(await Connection.open(base))
    loop = asyncio.get_running_loop()
    count = int(rate * seconds)
    start = loop.time() + 0.2
    latencies: list[float] = []
    errors = 0

    async def one(index: int) -> None:
        nonlocal errors
        scheduled = start + index / rate
        await asyncio.sleep(max(0.0, scheduled - loop.time()))
        connection = await pool.get()
        status = await connection.get(path, token)
        latencies.append((loop.time() - scheduled) * 1000)
        errors += status != 200
        pool.put_nowait(connection)

    await asyncio.gather(*(one(i) for i in range(count)))
    while not pool.empty():
        pool.get_nowait().close()
    ordered = sorted(latencies)
    return {
        "requests": count,
        "errors": errors,
        "p50": ordered[len(ordered) // 2],
        "p99": ordered[int(len(ordered) * 0.99) - 1],
        "max": ordered[-1],
        "achieved_rps": count / (max(latencies) / 1000 + seconds),
    }


async def closed_loop(base: str, path: str, token: str | None, seconds: float) -> float:
    """Requests per second with 16 connections, each sending as fast as answers come."""
    connections = [await Connection.open(base) for _ in range(16)]
    loop = asyncio.get_running_loop()
    for connection in connections:  # warm up
        await connection.get(path, token)
    deadline = loop.time() + seconds
    done = 0

    async def worker(connection: Connection) -> None:
        nonlocal done
        while loop.time() < deadline:
            await connection.get(path, token)
            done += 1

    started = loop.time()
    await asyncio.gather(*(worker(c) for c in connections))
    elapsed = loop.time() - started
    for connection in connections:
        connection.close()
    return done / elapsed


async def fan_out(base: str, token: str, clients: int, events: int) -> list[float]:
    """Milliseconds from publishing one alert until every client received it, per event."""
    from cryptotrader.bus import RedisBus, topics
    from cryptotrader.bus.messages import AlertRaised
    from cryptotrader.clock import LiveClock

    ws_url = base.replace("http://", "ws://") + "/ws"
    headers = {"Authorization": f"Bearer {token}"}
    sockets: list[ClientConnection] = []
    for _ in range(clients):
        socket_ = await connect(ws_url, additional_headers=headers, compression=None)
        await socket_.recv()  # welcome
        await socket_.send(json.dumps({"type": "subscribe", "topics": ["alerts"]}))
        await socket_.recv()  # subscribed
        sockets.append(socket_)
    bus = await RedisBus.connect(REDIS_URL)
    loop = asyncio.get_running_loop()
    results = []
    try:
        for number in range(events):
            arrivals: list[float] = []

            async def receive(client: ClientConnection, into: list[float]) -> None:
                await client.recv()
                into.append(loop.time())

            receivers = [asyncio.create_task(receive(s, arrivals)) for s in sockets]
            await asyncio.sleep(0.05)
            alert = AlertRaised(timestamp=LiveClock().now(), kind="bench", text=f"event {number}")
            sent = loop.time()
            await bus.publish(topics.ALERTS, alert)
            await asyncio.wait_for(asyncio.gather(*receivers), 30)
            results.append((max(arrivals) - sent) * 1000)
            await asyncio.sleep(0.1)
    finally:
        await bus.close()
        for socket_ in sockets:
            await socket_.close()
    return results


# ---------------------------------------------------------------- main


async def _login(base: str) -> str:
    async with httpx.AsyncClient(base_url=base) as client:
        answer = await client.post("/auth/login", json={"username": "bench", "password": PASSWORD})
        answer.raise_for_status()
        return str(answer.json()["access_token"])


async def _measure(base: str, rate: int, seconds: float) -> dict[str, Any]:
    token = await _login(base)
    figures: dict[str, Any] = {}
    for path in ("/api/bots", "/api/portfolio"):
        figures[path] = await open_loop(base, path, token, rate, seconds)
    figures["throughput_bots"] = await closed_loop(base, "/api/bots", token, seconds / 2)
    figures["token"] = token
    return figures


def _report(name: str, figures: dict[str, Any]) -> None:
    for path in ("/api/bots", "/api/portfolio"):
        f = figures[path]
        print(
            f"{name:30} GET {path:15} {f['requests']} req at {ARGS.rate}/s: p50 {f['p50']:.2f} ms"
            f"  p99 {f['p99']:.2f} ms  max {f['max']:.2f} ms  errors {f['errors']}"
        )
    throughput = figures["throughput_bots"]
    print(f"{name:30} GET /api/bots closed-loop throughput: {throughput:.0f} req/s")


def main() -> None:
    with tempfile.TemporaryDirectory() as data_dir:
        sqlite_url = f"sqlite:///{data_dir}/bench.db"
        schema = f"bench_api_{uuid.uuid4().hex[:8]}"
        asyncio.run(_seed(sqlite_url, None))
        print(f"machine: {machine()}; date {today()}")
        with server("api", _environment(sqlite_url, None, data_dir)) as base:
            embedded = asyncio.run(_measure(base, ARGS.rate, ARGS.seconds))
        _report("embedded (SQLite, memory)", embedded)
        uncached_env = _environment(sqlite_url, None, data_dir)
        uncached_env["CRYPTOTRADER_API__READ_CACHE_TTL_S"] = "0"
        with server("api", uncached_env) as base:
            uncached = asyncio.run(_measure(base, ARGS.rate, ARGS.seconds))
        _report("embedded, read cache off", uncached)
        with server("bare", {}) as base:
            bare = asyncio.run(closed_loop(base, "/bare", None, ARGS.seconds / 2))
        print(f"{'bare FastAPI':30} GET /bare closed-loop throughput: {bare:.0f} req/s")
        for name, figures in (("read cache on", embedded), ("read cache off", uncached)):
            ratio = figures["throughput_bots"] / bare
            print(f"throughput ratio GET /api/bots / bare FastAPI ({name}): {ratio:.3f}")
        pg_url = PG_URL.rsplit("/", 1)[0] + f"/{schema}"
        asyncio.run(_create_database(schema))
        try:
            asyncio.run(_seed(pg_url, None))
            with server("api", _environment(pg_url, REDIS_URL, data_dir)) as base:
                production = asyncio.run(_measure(base, ARGS.rate, ARGS.seconds))
                _report("production (PostgreSQL, Redis)", production)
                fan = asyncio.run(fan_out(base, production["token"], ARGS.clients, ARGS.events))
            print(
                f"fan-out of one alert to {ARGS.clients} WebSocket clients over {ARGS.events} "
                f"events: median {statistics.median(fan):.1f} ms, max {max(fan):.1f} ms"
            )
        finally:
            asyncio.run(_drop(schema))


async def _create_database(name: str) -> None:
    from cryptotrader.persistence import Database

    admin = Database(PG_URL)
    async with admin.engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(text(f"CREATE DATABASE {name}"))
    await admin.dispose()


async def _seed(url: str, schema: str | None) -> None:
    from datetime import timedelta
    from decimal import Decimal

    from cryptotrader.clock import LiveClock
    from cryptotrader.domain import BotKind, ExitReason, Pair, RiskLevel, Trade, TradeStatus
    from cryptotrader.persistence import Database, UnitOfWork
    from cryptotrader.persistence.migrate import upgrade
    from cryptotrader.persistence.repositories import bots, reallocations, trades
    from cryptotrader.services.context import Role
    from cryptotrader.services.users import UserService

    if schema is not None:
        admin = Database(url)
        async with admin.engine.begin() as connection:
            await connection.execute(text(f"CREATE SCHEMA {schema}"))
        await admin.dispose()
    database = Database(url, schema=schema)
    await upgrade(database)
    clock = LiveClock()
    await UserService(database=database, clock=clock).create_user("bench", PASSWORD, Role.ADMIN)
    pair = Pair.parse("BTC/USDT")
    async with UnitOfWork(database) as uow:
        for kind, capital in ((BotKind.SAFE, 700), (BotKind.AGGRESSIVE, 300)):
            await bots.create_bot(
                session=uow.session,
                name=kind.value,
                kind=kind,
                capital=Decimal(capital),
                risk_level=RiskLevel.LOW,
                risk_ratio=Decimal("0.01"),
            )
        start = clock.now() - timedelta(days=400)
        for index in range(1000):  # a year of trading: 1,000 closed trades
            opened = start + timedelta(hours=9 * index)
            won = index % 3 == 0
            trade = Trade(
                bot=BotKind.AGGRESSIVE if index % 2 else BotKind.SAFE,
                pair=pair,
                quantity=Decimal("0.01"),
                entry_price=Decimal(30000),
                entry_time=opened,
                exit_price=Decimal(30300 if won else 29850),
                exit_time=opened + timedelta(hours=4),
                exit_reason=ExitReason.SIGNAL,
                fees=Decimal("0.6"),
                status=TradeStatus.CLOSED,
            )
            trade_id = await trades.add_trade(session=uow.session, trade=trade, exchange="binance")
            if won and index % 2:
                await reallocations.apply_reallocation(
                    session=uow.session,
                    from_bot=BotKind.AGGRESSIVE,
                    to_bot=BotKind.SAFE,
                    amount=Decimal("0.72"),
                    ratio=Decimal("0.30"),
                    trigger_trade_id=trade_id,
                    at=opened + timedelta(hours=4),
                )
        await uow.commit()
    await database.dispose()


async def _drop(name: str) -> None:
    from cryptotrader.persistence import Database

    admin = Database(PG_URL)
    async with admin.engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    await admin.dispose()


parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--serve", choices=["api", "bare"], help=argparse.SUPPRESS)
parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
parser.add_argument("--rate", type=int, default=300, help="requests per second (open loop)")
parser.add_argument("--seconds", type=float, default=10.0, help="duration of each load phase")
parser.add_argument("--clients", type=int, default=500, help="WebSocket clients")
parser.add_argument("--events", type=int, default=20, help="events fanned out")
ARGS = parser.parse_args()

if __name__ == "__main__":
    if ARGS.serve:
        _serve(ARGS.serve, ARGS.port)
    else:
        main()
