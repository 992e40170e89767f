"""Concurrent clients on one database: 50 parallel logins, 50 parallel bot controls.

On the embedded SQLite these answered 503 "database is locked" (25 of 30 logins, 11 of 40
controls, and ``pause``, the emergency control); every one must now be answered as if alone,
on SQLite and on PostgreSQL. On PostgreSQL 100 requests share the pool's 15 connections and a
request that waits for a row lock (25 controls of one bot update one row) holds its connection
meanwhile; on a loaded machine the whole burst took 31 s, so some waited past the pool's 30 s
for a connection and answered 503 (as designed: "retry shortly"). That wait depends on the
machine's speed, so the test gives the pool a 600 s deadline: what it asserts is that nothing
fails for contention, however slowly the machine serves.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from sqlalchemy import func, select

from cryptotrader.bus import InProcessBus
from cryptotrader.clock import TestClock
from cryptotrader.persistence import Database
from cryptotrader.persistence.database import Pool
from cryptotrader.persistence.tables import AuditLogRow
from cryptotrader.persistence.uow import UnitOfWork
from tests.integration.api.harness import PASSWORDS, ApiHarness, running_api, seed_trading
from tests.integration.conftest import FAST

pytestmark = pytest.mark.asyncio

PARALLEL = 50
ACTIONS = ("pause", "resume", "stop", "start")


async def _audited(api: ApiHarness, prefix: str) -> int:
    async with UnitOfWork(api.database, read_only=True) as uow:
        statement = select(func.count()).where(AuditLogRow.action.startswith(prefix))
        return int((await uow.session.execute(statement)).scalar_one())


@pytest_asyncio.fixture
async def patient_api(any_db: Database, clock: TestClock) -> AsyncIterator[ApiHarness]:
    """The app on the same database through a pool that waits up to 600 s for a connection."""
    await seed_trading(any_db, clock)
    database = Database(
        any_db.url.render_as_string(hide_password=False),
        schema=any_db.schema,
        pool=Pool(timeout_s=600),
    )
    bus = InProcessBus(clock=clock, options=FAST)
    try:
        async with running_api(database, bus, clock) as harness:
            await harness.login("trader")
            yield harness
    finally:
        await bus.close()
        await database.dispose()


async def test_parallel_logins_and_bot_controls_are_all_answered(patient_api: ApiHarness) -> None:
    api = patient_api
    logins_before = await _audited(api, "auth.login")
    controls_before = await _audited(api, "bot.")

    logins = [
        api.client.post(
            "/auth/login",
            json={"username": who, "password": PASSWORDS[who]},
        )
        for who in ("trader", "viewer", "admin", "other") * (PARALLEL // 4)
    ] + [
        api.client.post("/auth/login", json={"username": "trader", "password": PASSWORDS["trader"]})
        for _ in range(PARALLEL % 4)
    ]
    controls = [
        api.post("trader", f"/api/bots/{bot}/{ACTIONS[i % 4]}")
        for i, bot in enumerate(("safe", "aggressive") * (PARALLEL // 2))
    ]
    answers = await asyncio.gather(*logins, *controls)

    statuses = [answer.status_code for answer in answers]
    assert statuses == [200] * (2 * PARALLEL), [a.text for a in answers if a.status_code != 200]
    assert await _audited(api, "auth.login") - logins_before == PARALLEL
    assert await _audited(api, "bot.") - controls_before == PARALLEL


async def test_every_pooled_connection_busy_is_503_database_busy_naming_the_setting(
    any_db: Database, clock: TestClock
) -> None:
    if any_db.dialect != "postgresql":
        pytest.skip("SQLite has no connection pool to wait for: writers queue on its writer lock")
    await seed_trading(any_db, clock)
    tiny = Database(
        any_db.url.render_as_string(hide_password=False),
        schema=any_db.schema,
        pool=Pool(size=1, overflow=0, timeout_s=1),
    )
    bus = InProcessBus(clock=clock, options=FAST)
    try:
        async with running_api(tiny, bus, clock) as api:
            await api.login("trader")
            async with tiny.engine.connect() as held:  # the pool's only connection, kept busy
                await held.execute(select(1))
                busy = await api.get("trader", "/api/bots")
            assert busy.status_code == 503
            assert busy.json()["detail"] == (
                "the database is busy (all 1 connections stayed in use for 1 s; "
                "CRYPTOTRADER_API__DATABASE_POOL_SIZE / _TIMEOUT_S); retry shortly"
            )
            assert busy.headers["Retry-After"] == "5"
            assert (await api.get("trader", "/api/bots")).status_code == 200  # free again
    finally:
        await bus.close()
        await tiny.dispose()
