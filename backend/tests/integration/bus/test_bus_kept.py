"""A delivery kept pending by its handler (``MessageBus.keep``) is acked only when told.

The order engine gathers the runs of a batch of pairs and trades them once all have come: a run
acked when gathered was lost for good if the engine died before the batch was traded. Kept, it
stays pending: a consumer killed meanwhile (its subscription stopped without acking, as a
``kill -9`` leaves it) gets it again from its own pending entries when it restarts. On the
in-process bus and on Redis.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Sequence

import pytest

from cryptotrader.bus import ConsumerOptions, Delivery, StreamBus, topics
from cryptotrader.bus.messages import ControlBot
from tests.integration.bus.test_bus_delivery import command, eventually, recorder

SOLE = ConsumerOptions(claim_idle_ms=0, claim_interval_s=math.inf)
"""The group's only member (the order engine's): takes over what is pending once, at start."""


def who(seen: list[Delivery]) -> list[str]:
    return [d.message.requested_by for d in seen if isinstance(d.message, ControlBot)]


@pytest.mark.asyncio
async def test_bus_when_a_delivery_is_kept_it_comes_back_after_a_kill_until_acked(
    bus: StreamBus,
) -> None:
    first: list[Delivery] = []

    async def gathering(delivery: Delivery) -> None:  # keeps user-0's, applies user-1's
        first.append(delivery)
        if who([delivery]) == ["user-0"]:
            bus.keep(delivery)

    subscription = await bus.subscribe(
        topics.COMMANDS, group="order", consumer="order-1", handler=gathering, options=SOLE
    )
    await bus.publish(topics.COMMANDS, command(0))
    await bus.publish(topics.COMMANDS, command(1))
    await eventually(lambda: len(first) == 2)
    await asyncio.sleep(0.3)  # neither is delivered again while it runs
    assert who(first) == ["user-0", "user-1"]
    await subscription.stop()  # killed before user-0's effect was committed

    again: list[Delivery] = []

    async def restarted(delivery: Delivery) -> None:
        again.append(delivery)
        bus.keep(delivery)

    subscription = await bus.subscribe(
        topics.COMMANDS, group="order", consumer="order-1", handler=restarted, options=SOLE
    )
    await eventually(lambda: len(again) == 1)
    assert who(again) == ["user-0"]  # the kept one comes back; the applied one does not
    await bus.ack(again[0])  # now committed
    await subscription.stop()

    last: list[Delivery] = []
    subscription = await bus.subscribe(
        topics.COMMANDS, group="order", consumer="order-1", handler=recorder(last), options=SOLE
    )
    await bus.publish(topics.COMMANDS, command(2))
    await eventually(lambda: len(last) == 1)
    await asyncio.sleep(0.3)
    assert who(last) == ["user-2"]  # acked: never delivered again
    await subscription.stop()


@pytest.mark.asyncio
async def test_bus_kept_deliveries_acked_together_take_one_round_trip_and_never_come_back(
    bus: StreamBus,
) -> None:
    kept: list[Delivery] = []

    async def gathering(delivery: Delivery) -> None:  # a batch of pairs: all kept
        kept.append(delivery)
        bus.keep(delivery)

    subscription = await bus.subscribe(
        topics.COMMANDS, group="order", consumer="order-1", handler=gathering, options=SOLE
    )
    for n in range(5):
        await bus.publish(topics.COMMANDS, command(n))
    await eventually(lambda: len(kept) == 5)

    calls: list[str] = []
    transport = bus.transport
    ack, ack_many = transport.ack, transport.ack_many

    async def one(stream: str, group: str, entry_ids: Sequence[str]) -> None:
        calls.append("ack")
        await ack(stream, group, entry_ids)

    async def many(group: str, acks: Sequence[tuple[str, Sequence[str]]]) -> None:
        calls.append("ack_many")
        await ack_many(group, acks)

    transport.ack, transport.ack_many = one, many  # type: ignore[method-assign]
    try:
        await bus.ack_many(kept)  # the batch is traded
    finally:
        transport.ack, transport.ack_many = ack, ack_many  # type: ignore[method-assign]
    assert calls == ["ack_many"]  # one round trip for the five, not five
    await subscription.stop()

    again: list[Delivery] = []
    subscription = await bus.subscribe(
        topics.COMMANDS, group="order", consumer="order-1", handler=recorder(again), options=SOLE
    )
    await bus.publish(topics.COMMANDS, command(5))
    await eventually(lambda: len(again) == 1)
    await asyncio.sleep(0.3)
    assert who(again) == ["user-5"]  # the five acked: none delivered again at the restart
    await subscription.stop()
