"""The paper exchange's account: balances, orders and fills, kept in ``engine_checkpoints``.

One row per order (``order:<client id>``) plus one for the account (``account``: balances,
market clock, counters), under the engine name ``paper:<account>``. The paper exchange writes
the rows an operation changed in one transaction, so a restart continues from its last change.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from cryptotrader.persistence import deferred, driver
from cryptotrader.persistence.repositories.checkpoints import upsert_checkpoint
from cryptotrader.persistence.tables import EngineCheckpointRow

ACCOUNT_KEY = "account"
ORDER_PREFIX = "order:"


def _engine(account: str) -> str:
    return f"paper:{account}"


async def load_paper_account(
    *, session: AsyncSession, account: str
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """``(account document, order documents)``; ``(None, [])`` for an account never saved."""
    rows = await session.execute(
        select(EngineCheckpointRow.key, EngineCheckpointRow.value).where(
            EngineCheckpointRow.engine == _engine(account)
        )
    )
    state: dict[str, Any] | None = None
    orders: list[dict[str, Any]] = []
    for key, value in rows.all():
        if key == ACCOUNT_KEY:
            state = value
        elif key.startswith(ORDER_PREFIX):
            orders.append(value)
    return state, orders


async def save_paper_account(
    *,
    session: AsyncSession,
    account: str,
    state: dict[str, Any],
    orders: Iterable[tuple[str, dict[str, Any]]],
    at: datetime,
) -> None:
    """Write the account document and the given ``(client id, order document)`` pairs."""
    engine = _engine(account)
    rows = [{"engine": engine, "key": ACCOUNT_KEY, "value": state, "updated_at": at}]
    rows += [
        {"engine": engine, "key": f"{ORDER_PREFIX}{coid}", "value": doc, "updated_at": at}
        for coid, doc in orders
    ]
    statement = upsert_checkpoint(session)
    if deferred.deferring(session):  # with the transaction's other checkpoints: one executemany
        for row in rows:
            await deferred.write(session, statement, row, phase=deferred.CHECKPOINTS)
        return
    await driver.execute(session, statement, rows[0] if len(rows) == 1 else rows)
