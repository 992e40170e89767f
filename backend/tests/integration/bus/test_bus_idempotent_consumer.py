"""Crash cases: the effect of every message happens exactly once, whatever the deliveries.

The handler is the pattern every engine uses: claim the message id in the inbox, apply the
effect (here: add the message's amount to the safe bot's capital), commit, return.
"""

from __future__ import annotations

import asyncio
import random
import tempfile
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cryptotrader.bus import Delivery, StreamBus, topics
from cryptotrader.bus.messages import CapitalReallocated
from cryptotrader.clock import TestClock
from cryptotrader.domain import BotKind, RiskLevel
from cryptotrader.persistence import Database, UnitOfWork
from cryptotrader.persistence.migrate import upgrade
from cryptotrader.persistence.repositories import bots, inbox
from tests.integration.bus.test_bus_delivery import eventually
from tests.integration.conftest import BUSES, close_bus, close_database, open_bus, open_database

T0 = datetime(2026, 2, 11, 14, 30, tzinfo=UTC)
CONSUMER = "portfolio"


def transfer(amount: str, message_id: str | None = None) -> CapitalReallocated:
    extra = {} if message_id is None else {"message_id": message_id}
    return CapitalReallocated(
        timestamp=T0,
        from_bot=BotKind.AGGRESSIVE,
        to_bot=BotKind.SAFE,
        amount=Decimal(amount),
        ratio=Decimal("0.3"),
        profit=Decimal(amount) / Decimal("0.3"),
        **extra,
    )


async def seed(database: Database) -> None:
    async with UnitOfWork(database) as uow:
        await bots.create_bot(
            session=uow.session,
            name="Safe Bot",
            kind=BotKind.SAFE,
            capital=Decimal(700),
            risk_level=RiskLevel.LOW,
            risk_ratio=Decimal("0.01"),
        )
        await uow.commit()


async def safe_capital(database: Database) -> Decimal:
    async with UnitOfWork(database) as uow:
        return (await bots.require_bot(session=uow.session, kind=BotKind.SAFE)).capital


def apply(
    database: Database,
    *,
    after_commit: Callable[[], Awaitable[None]] | None = None,
    before_commit: Callable[[], Awaitable[None]] | None = None,
) -> Callable[[Delivery], Awaitable[None]]:
    async def handle(delivery: Delivery) -> None:
        message = delivery.message
        assert isinstance(message, CapitalReallocated)
        async with UnitOfWork(database) as uow:
            if await inbox.claim_message(
                session=uow.session, consumer=CONSUMER, message_id=message.message_id, at=T0
            ):
                await bots.add_capital(session=uow.session, kind=BotKind.SAFE, delta=message.amount)
            if before_commit is not None:
                await before_commit()
            await uow.commit()
        if after_commit is not None:
            await after_commit()

    return handle


async def _die(reached: asyncio.Event) -> None:
    reached.set()
    await asyncio.Event().wait()  # this consumer is dead: it never returns, never acks


@pytest.mark.asyncio
@pytest.mark.parametrize("dies", ["before_commit", "after_commit"])
async def test_consumer_when_it_dies_before_acking_another_member_applies_the_message_once(
    bus: StreamBus, database: Database, dies: str
) -> None:
    await seed(database)
    reached = asyncio.Event()
    dying = apply(database, **{dies: lambda: _die(reached)})
    first = await bus.subscribe(topics.REBALANCE, group="pm", consumer="pm-1", handler=dying)
    await bus.publish(topics.REBALANCE, transfer("15.5"))
    await asyncio.wait_for(reached.wait(), 60)
    await first.stop()  # the process is gone: no ack, no cleanup beyond the transaction's end

    survivor_saw: list[int] = []
    survivor = apply(database)

    async def counted(delivery: Delivery) -> None:
        survivor_saw.append(delivery.attempt)
        await survivor(delivery)

    await bus.subscribe(topics.REBALANCE, group="pm", consumer="pm-2", handler=counted)

    await eventually(lambda: survivor_saw == [2])
    await asyncio.sleep(0.5)  # longer than a take-over: nothing is delivered again
    assert survivor_saw == [2]
    assert await safe_capital(database) == Decimal("715.50000000")


async def _deliver_all(bus_kind: str, plan: list[tuple[str, str]]) -> Decimal:
    with tempfile.TemporaryDirectory() as directory:
        database, schema = await open_database("sqlite", Path(directory))
        bus, prefix = await open_bus(bus_kind, TestClock(0))
        try:
            await upgrade(database)
            await seed(database)
            seen: list[str] = []
            handler = apply(database)

            async def handle(delivery: Delivery) -> None:
                await handler(delivery)
                seen.append(delivery.message.message_id)

            await bus.subscribe(topics.REBALANCE, group="pm", consumer="pm-1", handler=handle)
            for message_id, amount in plan:
                await bus.publish(topics.REBALANCE, transfer(amount, message_id))
            await eventually(lambda: len(seen) == len(plan))
            return await safe_capital(database)
        finally:
            await close_bus(bus, prefix)
            await close_database(database, schema)


_amounts = st.decimals(min_value=Decimal("0.00000001"), max_value=Decimal(1000), places=8)


@pytest.mark.parametrize("bus_kind", BUSES)
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(amounts=st.lists(_amounts, min_size=1, max_size=12), seed_=st.integers(0, 2**32 - 1))
def test_consumer_when_every_message_arrives_twice_shuffled_ends_as_with_single_delivery(
    bus_kind: str, amounts: list[Decimal], seed_: int
) -> None:
    if bus_kind == "redis":
        from tests.integration.conftest import require_redis

        require_redis()
    once = [(f"m{i}", str(amount)) for i, amount in enumerate(amounts)]
    twice = once * 2
    random.Random(seed_).shuffle(twice)

    single = asyncio.run(_deliver_all(bus_kind, once))
    doubled = asyncio.run(_deliver_all(bus_kind, twice))

    assert doubled == single == Decimal(700) + sum(amounts, Decimal(0))
