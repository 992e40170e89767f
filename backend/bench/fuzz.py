"""Fuzz the real app with hostile requests and count the 5xx answers (target: none).

Usage (from backend/): ``python -m bench.fuzz --cases 50000 [--seed 19] [--postgresql]``

The app is ``create_app`` with its lifespan, on a fresh migrated database (an SQLite file, or a
schema of its own on the PostgreSQL of ``CRYPTOTRADER_TEST_POSTGRES_URL``) seeded with the
suite's users, bots, trades and candles, and the in-process bus; requests go through httpx's
ASGI transport (in process, no socket: the app's own code is what is measured). The cases are
``tests/support/hostile.py``'s: every operation but logout, password change and the test
notification, with lone surrogates, NUL, control characters, non-finite numbers and huge
exponents in bodies, paths and query strings, as an admin, without a token and with a forged
one. Hypothesis draws pools of 2,000 hostile values and 2,000 hostile strings from ``--seed``;
a generator seeded alike combines them into the requests (drawing every request with Hypothesis
costs about 30 ms each on a loaded machine: 25 minutes for 50,000). A run is reproducible.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text
from tests.integration.api.harness import (
    PASSWORDS,
    create_users,
    make_settings,
    seed_candles,
    seed_trading,
)
from tests.integration.conftest import FAST, POSTGRES_URL
from tests.support.hostile import combine, operations, pools, send

from bench._common import machine, today
from cryptotrader.api.app import create_app
from cryptotrader.bus import InProcessBus
from cryptotrader.clock import LiveClock
from cryptotrader.persistence import Database
from cryptotrader.persistence.migrate import upgrade


async def _open(postgresql: bool, directory: Path) -> tuple[Database, str | None]:
    if not postgresql:
        return Database(f"sqlite:///{directory / 'fuzz.db'}"), None
    schema = f"fuzz_{uuid.uuid4().hex[:12]}"
    admin = Database(POSTGRES_URL)
    async with admin.engine.begin() as connection:
        await connection.execute(text(f"CREATE SCHEMA {schema}"))
    await admin.dispose()
    return Database(POSTGRES_URL, schema=schema), schema


async def _drop(schema: str | None) -> None:
    if schema is None:
        return
    admin = Database(POSTGRES_URL)
    async with admin.engine.begin() as connection:
        await connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    await admin.dispose()


async def run(cases: int, seed: int, chunk: int, postgresql: bool) -> dict[str, Any]:
    """Send ``cases`` hostile requests; the counts by status and the 5xx found."""
    clock = LiveClock()
    with tempfile.TemporaryDirectory() as directory:
        database, schema = await _open(postgresql, Path(directory))
        try:
            await upgrade(database)
            await create_users(database, clock)  # type: ignore[arg-type]
            await seed_trading(database, clock)  # type: ignore[arg-type]
            await seed_candles(database, 600)
            storage = Path(directory) / "optuna.db"
            return await _fuzz(database, clock, storage, cases=cases, seed=seed, chunk=chunk)
        finally:
            await database.dispose()
            await _drop(schema)


async def _fuzz(
    database: Database, clock: LiveClock, storage: Path, *, cases: int, seed: int, chunk: int
) -> dict[str, Any]:
    bus = InProcessBus(options=FAST)
    settings = make_settings(
        rate_limit_per_minute=10**9,
        auth_rate_limit_per_minute=10**9,
        optimize_storage=f"sqlite:///{storage}",
    )
    pool = ThreadPoolExecutor(max_workers=1)
    app = create_app(settings, database=database, bus=bus, clock=clock, backtest_executor=pool)
    statuses: Counter[int] = Counter()
    per_operation: Counter[str] = Counter()
    failures: list[dict[str, Any]] = []
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
            async with httpx.AsyncClient(transport=transport, base_url="http://fuzz") as client:
                token = await _login(client)
                ops = operations(app.openapi())
                started = time.perf_counter()
                values, texts = pools(seed)
                generating = time.perf_counter() - started
                started = time.perf_counter()
                for done, case in enumerate(combine(ops, values, texts, cases, seed), 1):
                    answer = await send(client, case, token)
                    statuses[answer.status_code] += 1
                    per_operation[case.operation] += 1
                    if answer.status_code >= 500:
                        failures.append({"case": repr(case)[:500], "status": answer.status_code})
                    if answer.status_code == 401 and case.auth == "admin":
                        token = await _login(client)
                    if done % chunk == 0:
                        five = sum(c for s, c in statuses.items() if s >= 500)
                        print(f"  {done} cases, {five} 5xx", flush=True)
                sending = time.perf_counter() - started
    finally:
        pool.shutdown(wait=True)
        await bus.close()
    return {
        "cases": sum(statuses.values()),
        "statuses": dict(sorted(statuses.items())),
        "operations": len(per_operation),
        "fewest_per_operation": min(per_operation.values()),
        "failures": failures,
        "generate_s": round(generating, 1),
        "send_s": round(sending, 1),
    }


async def _login(client: httpx.AsyncClient) -> str:
    body = {"username": "admin", "password": PASSWORDS["admin"]}
    answer = await client.post("/auth/login", json=body)
    answer.raise_for_status()
    return str(answer.json()["access_token"])


def main() -> None:
    """Run and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--chunk", type=int, default=1_000, help="progress every this many")
    parser.add_argument("--postgresql", action="store_true")
    args = parser.parse_args()
    started = time.perf_counter()
    result = asyncio.run(run(args.cases, args.seed, args.chunk, args.postgresql))
    elapsed = time.perf_counter() - started
    five = sum(count for status, count in result["statuses"].items() if status >= 500)
    print(f"fuzz {today()} on {machine()}, {'PostgreSQL' if args.postgresql else 'SQLite'}")
    print(
        f"{result['cases']} hostile cases over {result['operations']} operations "
        f"(at least {result['fewest_per_operation']} each), seed {args.seed}: {five} answered 5xx"
    )
    print(f"statuses: {result['statuses']}")
    print(f"time: {elapsed:.0f} s (generating {result['generate_s']} s, app {result['send_s']} s)")
    for failure in result["failures"][:20]:
        print("5xx:", failure)


if __name__ == "__main__":
    main()
