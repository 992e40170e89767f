"""Concurrent clients on one database: 50 parallel logins, 50 parallel bot controls.

On the embedded SQLite these answered 503 "database is locked" (25 of 30 logins, 11 of 40
controls, and ``pause``, the emergency control); every one must now be answered as if alone.
(On PostgreSQL the answer also depends on the connection pool's size and wait, i.e. on the
machine's speed, so it is not asserted here.)
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from cryptotrader.persistence.tables import AuditLogRow
from cryptotrader.persistence.uow import UnitOfWork
from tests.integration.api.harness import PASSWORDS, ApiHarness

pytestmark = pytest.mark.asyncio

PARALLEL = 50
ACTIONS = ("pause", "resume", "stop", "start")


async def _audited(api: ApiHarness, prefix: str) -> int:
    async with UnitOfWork(api.database, read_only=True) as uow:
        statement = select(func.count()).where(AuditLogRow.action.startswith(prefix))
        return int((await uow.session.execute(statement)).scalar_one())


async def test_parallel_logins_and_bot_controls_are_all_answered(api: ApiHarness) -> None:
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
