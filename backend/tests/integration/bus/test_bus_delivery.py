"""Delivery on both buses: groups, retries, dead letters, malformed entries, restarts."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import UTC, datetime

import pytest
import pytest_asyncio

from cryptotrader.bus import Delivery, MalformedMessageError, RedisBus, StreamBus, topics
from cryptotrader.bus.messages import AlertRaised, BotPairsChanged, ControlBot
from cryptotrader.clock import TestClock
from cryptotrader.domain import BotKind
from cryptotrader.errors import OperationalError
from tests.integration.conftest import BUSES, FAST, close_bus, open_bus

T0 = datetime(2026, 2, 11, 14, 30, tzinfo=UTC)


def command(n: int) -> ControlBot:
    return ControlBot(timestamp=T0, bot=BotKind.SAFE, action="pause", requested_by=f"user-{n}")


async def eventually(condition: Callable[[], bool], within: float = 60.0) -> None:
    async with asyncio.timeout(within):
        while not condition():  # noqa: ASYNC110 - polling state that handlers change
            await asyncio.sleep(0.01)


def recorder(seen: list[Delivery]) -> Callable[[Delivery], Awaitable[None]]:
    async def handle(delivery: Delivery) -> None:
        seen.append(delivery)

    return handle


@pytest.mark.asyncio
async def test_bus_when_published_every_group_gets_each_message_once_split_among_members(
    bus: StreamBus,
) -> None:
    seen: dict[str, list[Delivery]] = {"a1": [], "a2": [], "b1": []}
    for group, consumer in (("a", "a1"), ("a", "a2"), ("b", "b1")):
        await bus.subscribe(
            topics.COMMANDS, group=group, consumer=consumer, handler=recorder(seen[consumer])
        )

    sent = [command(n) for n in range(40)]
    for message in sent:
        await bus.publish(topics.COMMANDS, message)

    await eventually(lambda: len(seen["a1"]) + len(seen["a2"]) == 40 and len(seen["b1"]) == 40)
    group_a = [d.message for d in seen["a1"] + seen["a2"]]
    assert sorted(m.message_id for m in group_a) == sorted(m.message_id for m in sent)
    assert [d.message for d in seen["b1"]] == sent
    assert all(d.attempt == 1 for d in seen["b1"])


@pytest.mark.asyncio
async def test_bus_publish_when_the_channel_does_not_carry_the_type_refuses(bus: StreamBus) -> None:
    with pytest.raises(MalformedMessageError, match="does not belong on 'signals'"):
        await bus.publish(topics.SIGNALS, command(1))


@pytest.mark.asyncio
async def test_bus_when_handler_fails_once_delivers_again_and_then_acks(bus: StreamBus) -> None:
    attempts: list[int] = []

    async def flaky(delivery: Delivery) -> None:
        attempts.append(delivery.attempt)
        if delivery.attempt == 1:
            raise ConnectionError("database hiccup")

    await bus.subscribe(topics.COMMANDS, group="g", consumer="c", handler=flaky)
    await bus.publish(topics.COMMANDS, command(1))

    await eventually(lambda: attempts == [1, 2])
    await asyncio.sleep(0.1)
    assert attempts == [1, 2]
    assert await bus.dead_letters(topics.COMMANDS) == []


@pytest.mark.asyncio
async def test_bus_when_handler_keeps_failing_dead_letters_it_with_an_alert_and_moves_on(
    bus: StreamBus,
) -> None:
    handled: list[str] = []
    alerts: list[Delivery] = []

    async def poisoned(delivery: Delivery) -> None:
        assert isinstance(delivery.message, ControlBot)
        if delivery.message.requested_by == "user-1":
            raise ValueError("cannot apply")
        handled.append(delivery.message.requested_by)

    await bus.subscribe(topics.COMMANDS, group="g", consumer="c", handler=poisoned)
    await bus.subscribe(topics.ALERTS, group="watch", consumer="w", handler=recorder(alerts))
    for n in (1, 2):
        await bus.publish(topics.COMMANDS, command(n))

    await eventually(lambda: handled == ["user-2"] and len(alerts) == 1)
    (dead,) = await bus.dead_letters(topics.COMMANDS)
    assert dead.deliveries == 3
    assert dead.group == "g"
    assert "handler failed 3 times: ValueError('cannot apply')" in dead.reason
    assert "user-1" in dead.fields["data"]
    alert = alerts[0].message
    assert isinstance(alert, AlertRaised)
    assert (alert.kind, alert.severity, alert.timestamp) == (
        "message_dead_lettered",
        "critical",
        T0,
    )


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"payload": "{}"}, "no 'data' field"),
        ({"data": "not json"}, "Invalid JSON"),
        ({"data": '{"type": "order_updated"}'}, "invalid message"),
        ({"data": command(9).model_dump_json().replace("pause", "explode")}, "action"),
    ],
)
async def test_bus_when_an_entry_is_malformed_dead_letters_it_at_once_and_continues(
    bus: StreamBus, fields: dict[str, str], reason: str
) -> None:
    seen: list[Delivery] = []
    await bus.subscribe(topics.COMMANDS, group="g", consumer="c", handler=recorder(seen))

    await bus.transport.add(bus.stream(topics.COMMANDS), fields)
    good = command(2)
    await bus.publish(topics.COMMANDS, good)

    await eventually(lambda: len(seen) == 1)
    assert seen[0].message == good
    (dead,) = await bus.dead_letters(topics.COMMANDS)
    assert dead.reason.startswith("malformed: ")
    assert reason in dead.reason
    assert dead.deliveries == 1


@pytest.mark.asyncio
async def test_bus_when_subscribed_with_many_it_gets_a_read_at_once_malformed_ones_left_out(
    bus: StreamBus,
) -> None:
    sent = [command(n) for n in range(5)]
    for message in sent[:2]:
        await bus.publish(topics.COMMANDS, message)
    await bus.transport.add(bus.stream(topics.COMMANDS), {"data": "not json"})
    for message in sent[2:]:
        await bus.publish(topics.COMMANDS, message)
    reads: list[list[Delivery]] = []
    alone: list[Delivery] = []

    async def together(deliveries: Sequence[Delivery]) -> None:
        reads.append(list(deliveries))

    await bus.subscribe(
        topics.COMMANDS,
        group="g",
        consumer="c",
        handler=recorder(alone),
        many=together,
        from_start=True,
    )
    await eventually(lambda: len(reads) == 1)
    last = command(5)
    await bus.publish(topics.COMMANDS, last)  # a read of one goes to the handler
    await eventually(lambda: len(alone) == 1)
    await asyncio.sleep(0.2)  # acked: nothing comes again
    assert [[d.message for d in read] for read in reads] == [sent]
    assert [d.message for d in alone] == [last]
    (dead,) = await bus.dead_letters(topics.COMMANDS)
    assert dead.reason.startswith("malformed: ")


@pytest.mark.asyncio
async def test_bus_when_many_fails_each_message_goes_to_the_handler_alone_in_order(
    bus: StreamBus,
) -> None:
    sent = [command(n) for n in range(4)]
    for message in sent:
        await bus.publish(topics.COMMANDS, message)
    tried: list[int] = []
    alone: list[Delivery] = []

    async def together(deliveries: Sequence[Delivery]) -> None:
        tried.append(len(deliveries))
        raise ValueError("cannot apply them at once")

    await bus.subscribe(
        topics.COMMANDS,
        group="g",
        consumer="c",
        handler=recorder(alone),
        many=together,
        from_start=True,
    )
    await eventually(lambda: len(alone) == 4)
    await asyncio.sleep(0.2)
    assert tried == [4]
    assert [d.message for d in alone] == sent
    assert all(d.attempt == 1 for d in alone)
    assert await bus.dead_letters(topics.COMMANDS) == []


@pytest_asyncio.fixture(params=BUSES)
async def unclaimed_bus(
    request: pytest.FixtureRequest, clock: TestClock
) -> AsyncIterator[StreamBus]:
    """A bus whose idle messages are never claimed during a test: whatever a consumer gets
    again, it got by re-reading its own pending entries."""
    never = dataclasses.replace(FAST, claim_idle_ms=3_600_000)
    instance, prefix = await open_bus(request.param, clock, never)
    yield instance
    await close_bus(instance, prefix)


@pytest.mark.asyncio
async def test_bus_when_a_consumer_restarts_it_first_rereads_its_own_unacked_message(
    unclaimed_bus: StreamBus,
) -> None:
    bus = unclaimed_bus
    started = asyncio.Event()
    seen: list[Delivery] = []

    async def hangs(delivery: Delivery) -> None:
        started.set()
        await asyncio.Event().wait()  # never returns: stopped mid-message

    first = await bus.subscribe(topics.COMMANDS, group="g", consumer="c1", handler=hangs)
    message = command(1)
    await bus.publish(topics.COMMANDS, message)
    await asyncio.wait_for(started.wait(), 60)
    await first.stop()

    # Restarted under the same name; no claim can happen on this bus.
    await bus.subscribe(topics.COMMANDS, group="g", consumer="c1", handler=recorder(seen))

    await eventually(lambda: len(seen) == 1)
    assert seen[0].message == message
    assert seen[0].attempt == 2


@pytest.mark.asyncio
async def test_redis_bus_when_server_is_unreachable_raises_one_line() -> None:
    with pytest.raises(OperationalError) as caught:
        await RedisBus.connect("redis://:hunter2@127.0.0.1:9/0")

    message = str(caught.value)
    assert message.startswith("Redis at 127.0.0.1:9 cannot be reached")
    assert "\n" not in message
    assert "hunter2" not in message


@pytest.mark.asyncio
async def test_bus_a_subscription_to_some_kinds_acks_the_others_unread(bus: StreamBus) -> None:
    seen: list[Delivery] = []
    await bus.subscribe(
        topics.COMMANDS,
        group="g",
        consumer="c",
        handler=recorder(seen),
        kinds=frozenset({"control_bot"}),
    )
    other = BotPairsChanged(timestamp=T0, bot=BotKind.SAFE, requested_by="someone")
    await bus.publish(topics.COMMANDS, other)  # another kind: never handed over
    # says it holds another kind: not even decoded (decoded, it would be dead-lettered)
    await bus.transport.add(
        bus.stream(topics.COMMANDS), {"data": "not json", "type": "bot_pairs_changed"}
    )
    untyped = command(3)  # an entry that does not say its kind is decoded, as before
    await bus.transport.add(bus.stream(topics.COMMANDS), {"data": untyped.model_dump_json()})
    last = command(4)
    await bus.publish(topics.COMMANDS, last)

    await eventually(lambda: len(seen) == 2)
    await asyncio.sleep(0.3)
    assert [d.message for d in seen] == [untyped, last]
    assert await bus.dead_letters(topics.COMMANDS) == []
    # the others were acked with the rest: none left pending
    assert await bus.transport.read_pending(bus.stream(topics.COMMANDS), "g", "c", 10) == []
