"""A process that writes changes with their events and waits to be killed (``kill -9``).

``python -m tests.support.outbox_crash DATABASE_URL SCHEMA REDIS_URL PREFIX MODE``: three
transactions each save a checkpoint (the change) and stage two events, on ``alerts`` and
``rebalance``, through the outbox; then it prints ``ready`` and sleeps. ``MODE`` says where the
kill lands:

* ``committed``: the relay is held, so nothing reached the bus (killed between commit and
  publish);
* ``published``: every event is on the bus, and the rows are still in the table (killed between
  publish and delete), so a restart sends them again.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime
from decimal import Decimal

from cryptotrader.bus import RedisBus, topics
from cryptotrader.bus.messages import AlertRaised, CapitalReallocated
from cryptotrader.domain import BotKind
from cryptotrader.outbox import Outbox
from cryptotrader.persistence import Database, UnitOfWork
from cryptotrader.persistence.repositories import checkpoints

T0 = datetime(2026, 2, 11, 14, 30, tzinfo=UTC)
STEPS = 3


def events(step: int) -> list[tuple[str, AlertRaised | CapitalReallocated]]:
    """The two events of transaction ``step`` (ids say which, so a test can check the order)."""
    alert = AlertRaised(
        message_id=f"alert-{step}", timestamp=T0, kind="trade_closed", severity="info",
        text=f"step {step}",
    )  # fmt: skip
    moved = CapitalReallocated(
        message_id=f"moved-{step}", timestamp=T0, from_bot=BotKind.AGGRESSIVE,
        to_bot=BotKind.SAFE, amount=Decimal(step), ratio=Decimal("0.3"),
        profit=Decimal(step) / Decimal("0.3"),
    )  # fmt: skip
    return [(topics.ALERTS, alert), (topics.REBALANCE, moved)]


async def main(url: str, schema: str, redis_url: str, prefix: str, mode: str) -> None:
    database = Database(url, schema=schema or None)
    bus = await RedisBus.connect(redis_url, prefix=prefix)
    outbox = Outbox(database, bus, delete_every_s=3600.0)
    if mode == "committed":
        outbox.hold()
    for step in range(STEPS):
        async with UnitOfWork(database) as uow:
            await checkpoints.save_checkpoint(
                session=uow.session, engine="outbox-test", key=str(step), value={"step": step},
                at=T0,
            )  # fmt: skip
            await outbox.add(uow.session, events(step))
            await uow.commit()
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    await asyncio.sleep(3600)


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:6]))
