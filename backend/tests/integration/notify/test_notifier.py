"""The notifier end to end: alerts on a real bus, deliveries in a real database, pushes to
local providers speaking Expo's, ntfy's and Web Push's protocols (the Web Push payload is
decrypted with the subscription's private key by the local push service)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest
import pytest_asyncio
from cryptography.fernet import Fernet
from prometheus_client import CollectorRegistry
from sqlalchemy import func, select

from cryptotrader.bus import StreamBus, topics
from cryptotrader.bus.messages import AlertRaised
from cryptotrader.bus.protocol import Delivery
from cryptotrader.clock import TestClock
from cryptotrader.config import NotifySettings
from cryptotrader.domain.enums import BotKind
from cryptotrader.domain.pairs import Pair
from cryptotrader.monitoring.telemetry import Telemetry
from cryptotrader.notify.dispatcher import Dispatcher
from cryptotrader.notify.notifier import CONSUMER, Notifier, open_dispatcher
from cryptotrader.notify.platform import NOTIFICATIONS_KEY
from cryptotrader.notify.vapid import ensure_vapid
from cryptotrader.persistence import Database
from cryptotrader.persistence.repositories import notifications as records
from cryptotrader.persistence.repositories import settings, users
from cryptotrader.persistence.tables import (
    NotificationDeliveryRow,
    NotificationDeviceRow,
    ProcessedMessageRow,
)
from cryptotrader.persistence.uow import UnitOfWork
from cryptotrader.security.keys import KeyRing
from tests.support.push_servers import (
    ExpoServer,
    NtfyServer,
    NtfyState,
    WebPushService,
    expo_server,
    ntfy_server,
    web_push_service,
)

pytestmark = pytest.mark.timeout(900)

TOKEN = "ExponentPushToken[alice-phone-000000000]"
NTFY_TOKEN = "tk_alicesecrettoken"
RING = KeyRing([Fernet.generate_key().decode()])


def closed_alert(clock: TestClock, *, message_id: str = "a" * 32) -> AlertRaised:
    return AlertRaised(
        message_id=message_id,
        timestamp=clock.now(),
        kind="trade_closed",
        text="aggressive bot sold 0.01 BTC at 67450 (take_profit): P&L 12.50",
        bot=BotKind.AGGRESSIVE,
        pair=Pair.parse("BTC/USDT"),
        price="67450.00",
        details={
            "pnl": "12.50",
            "pnl_pct": "+2.50",
            "entry_price": "65800.00",
            "quantity": "0.01",
            "reason": "take_profit",
            "duration_s": "11000",
            "trade_id": "42",
        },
    )


@dataclass
class World:
    database: Database
    clock: TestClock
    expo: ExpoServer
    ntfy: NtfyServer
    push: WebPushService
    subscription_id: str
    user_id: int
    client: httpx.AsyncClient

    def dispatcher(self, telemetry: Telemetry | None = None, **overrides: object) -> Dispatcher:
        config = NotifySettings(
            expo_push_url=self.expo.url,
            vapid_subject="mailto:ops@example.org",
            retry_base_s=30,
            **overrides,
        )
        return open_dispatcher(
            database=self.database, clock=self.clock, config=config, ring=RING,
            client=self.client, telemetry=telemetry,
        )  # fmt: skip

    def notifier(self, dispatcher: Dispatcher) -> Notifier:
        return Notifier(
            database=self.database,
            clock=self.clock,
            dispatcher=dispatcher,
            config=NotifySettings(),
        )

    async def deliveries(self) -> list[NotificationDeliveryRow]:
        async with UnitOfWork(self.database) as uow:
            found = await uow.session.execute(
                select(NotificationDeliveryRow).order_by(NotificationDeliveryRow.id)
            )
            return list(found.scalars())

    async def devices(self) -> list[str]:
        async with UnitOfWork(self.database) as uow:
            return [d.channel for d in await records.list_devices(
                session=uow.session, user_id=self.user_id
            )]  # fmt: skip

    async def set_preferences(self, preferences: dict[str, dict[str, bool]]) -> None:
        async with UnitOfWork(self.database) as uow:
            row = await records.ensure_settings(
                session=uow.session, user_id=self.user_id, at=self.clock.now()
            )
            row.preferences = preferences
            await uow.commit()

    async def set_platform(self, **values: object) -> None:
        async with UnitOfWork(self.database) as uow:
            await settings.put_setting(
                session=uow.session, key=NOTIFICATIONS_KEY, value=values, at=self.clock.now()
            )
            await uow.commit()


@pytest.fixture
def servers() -> Iterator[tuple[ExpoServer, NtfyServer, WebPushService]]:
    with ExitStack() as stack:
        expo = stack.enter_context(expo_server())
        ntfy = stack.enter_context(ntfy_server(NtfyState(tokens={"alice": NTFY_TOKEN})))
        push = stack.enter_context(web_push_service())
        yield expo, ntfy, push


@pytest_asyncio.fixture
async def world(
    database: Database,
    clock: TestClock,
    servers: tuple[ExpoServer, NtfyServer, WebPushService],
) -> AsyncIterator[World]:
    """Alice has a phone (Expo), a browser (Web Push) and an ntfy topic with a token."""
    expo, ntfy, push = servers
    sid, subscription = push.subscribe()
    async with UnitOfWork(database) as uow:
        session = uow.session
        alice = await users.add_user(
            session=session, username="alice", password_hash="x", role="viewer", email=None
        )
        await records.register_device(
            session=session, user_id=alice.id, channel="expo", address=TOKEN, label="phone"
        )
        await records.register_device(
            session=session,
            user_id=alice.id,
            channel="webpush",
            address=subscription.endpoint,
            p256dh=subscription.p256dh,
            auth=subscription.auth,
        )
        row = await records.ensure_settings(session=session, user_id=alice.id, at=clock.now())
        row.ntfy_url, row.ntfy_topic = ntfy.url, "alice"
        row.ntfy_token_ciphertext = RING.encrypt(NTFY_TOKEN)
        await ensure_vapid(session, RING, at=clock.now())
        await settings.put_setting(
            session=session, key=NOTIFICATIONS_KEY, value={"push_enabled": True}, at=clock.now()
        )
        await uow.commit()
        user_id = alice.id
    async with httpx.AsyncClient(timeout=60) as client:
        yield World(database, clock, expo, ntfy, push, sid, user_id, client)


async def eventually(condition: Callable[[], bool], within: float = 60.0) -> None:
    async with asyncio.timeout(within):
        while not condition():  # noqa: ASYNC110 - polling what the servers' threads record
            await asyncio.sleep(0.02)


@pytest.mark.asyncio
async def test_notifier_when_a_trade_closes_pushes_it_on_every_channel_once(
    world: World, bus: StreamBus
) -> None:
    dispatcher = world.dispatcher()
    notifier = world.notifier(dispatcher)
    stop = asyncio.Event()
    running = asyncio.create_task(dispatcher.run(stop))
    await bus.subscribe(topics.ALERTS, group=CONSUMER, consumer="n-1", handler=notifier.handle)
    alert = closed_alert(world.clock)
    try:
        await bus.publish(topics.ALERTS, alert)
        await eventually(
            lambda: bool(
                world.expo.state.messages_to(TOKEN)
                and world.ntfy.state.on("alice")
                and world.push.state.payloads(world.subscription_id)
            )
        )
        await bus.publish(topics.ALERTS, alert)  # delivered again: nothing more is sent
        await bus.publish(topics.ALERTS, closed_alert(world.clock, message_id="b" * 32))
        await eventually(lambda: len(world.expo.state.messages_to(TOKEN)) == 2)
        await eventually(lambda: len(world.push.state.payloads(world.subscription_id)) == 2)
    finally:
        stop.set()
        dispatcher.kick()
        await running
    [phone, _] = world.expo.state.messages_to(TOKEN)
    assert phone["title"] == "Aggressive bot sold BTC/USDT: +12.50 USDT (+2.50%)"
    assert phone["body"] == "Take-profit hit at 67,450.00 USDT after 3 h 03 min"
    assert phone["data"]["trade_id"] == "42"
    [browser, _] = world.push.state.payloads(world.subscription_id)
    assert browser["title"] == phone["title"]
    assert browser["data"]["pnl"] == "12.50"
    assert len(world.ntfy.state.on("alice")) == 2
    assert world.ntfy.state.on("alice")[0]["priority"] == 3
    rows = await world.deliveries()
    assert sorted((r.message_id[0], r.channel, r.status) for r in rows) == [
        ("a", "expo", "sent"), ("a", "ntfy", "sent"), ("a", "webpush", "sent"),
        ("b", "expo", "sent"), ("b", "ntfy", "sent"), ("b", "webpush", "sent"),
    ]  # fmt: skip
    assert all(r.attempts == 1 for r in rows)


@pytest.mark.asyncio
async def test_dispatcher_when_restarted_resumes_the_unsent_and_never_resends(
    world: World, bus: StreamBus
) -> None:
    # The first process records the deliveries, then dies before sending anything.
    await bus.subscribe(
        topics.ALERTS,
        group=CONSUMER,
        consumer="n-1",
        handler=world.notifier(world.dispatcher()).handle,
    )
    await bus.publish(topics.ALERTS, closed_alert(world.clock))
    async with asyncio.timeout(60):
        while len(await world.deliveries()) < 3:  # noqa: ASYNC110 - rows another task writes
            await asyncio.sleep(0.02)
    assert world.expo.state.accepted == []

    assert await world.dispatcher().send_due() == 3  # the next process sends them
    assert await world.dispatcher().send_due() == 0  # and the one after sends nothing again
    assert len(world.expo.state.messages_to(TOKEN)) == 1
    assert len(world.ntfy.state.on("alice")) == 1
    assert len(world.push.state.payloads(world.subscription_id)) == 1


@pytest.mark.asyncio
async def test_dispatcher_when_a_send_was_in_flight_at_a_crash_retries_after_the_lease(
    world: World,
) -> None:
    await world.notifier(world.dispatcher()).handle(_delivery(closed_alert(world.clock)))
    rows = await world.deliveries()
    async with UnitOfWork(world.database) as uow:  # leased by a process that then died
        for row in rows:
            await records.lease_delivery(
                session=uow.session, delivery_id=row.id, now=world.clock.now(),
                until=world.clock.now() + timedelta(seconds=120),
            )  # fmt: skip
        await uow.commit()
    assert await world.dispatcher().send_due() == 0
    world.clock.advance(121_000)
    assert await world.dispatcher().send_due() == 3
    assert {r.status for r in await world.deliveries()} == {"sent"}


@pytest.mark.asyncio
async def test_dispatcher_when_devices_are_dead_removes_them(world: World) -> None:
    world.expo.state.dead_tokens.add(TOKEN)
    world.push.state.gone.add(world.subscription_id)
    await world.notifier(world.dispatcher()).handle(_delivery(closed_alert(world.clock)))
    assert await world.dispatcher().send_due() == 3

    by_channel = {r.channel: r for r in await world.deliveries()}
    assert by_channel["expo"].status == "gone"
    assert "DeviceNotRegistered" in (by_channel["expo"].last_error or "")
    assert by_channel["webpush"].status == "gone"
    assert by_channel["ntfy"].status == "sent"
    assert await world.devices() == []


@pytest.mark.asyncio
async def test_dispatcher_when_rate_limited_backs_off_then_sends(world: World) -> None:
    world.expo.state.throttle_requests = 1
    world.expo.state.retry_after = "45"
    world.ntfy.state.throttle_requests = 1
    await world.notifier(world.dispatcher()).handle(_delivery(closed_alert(world.clock)))
    telemetry = Telemetry(registry=CollectorRegistry())
    dispatcher = world.dispatcher(telemetry)
    assert await dispatcher.send_due() == 3
    by_channel = {r.channel: r for r in await world.deliveries()}
    assert by_channel["webpush"].status == "sent"
    assert by_channel["expo"].status == "pending"
    assert "429" in (by_channel["expo"].last_error or "")
    # Expo asked for 45 s, more than the first back-off (30 s); ntfy gets the back-off.
    assert by_channel["expo"].next_attempt_at == world.clock.now() + timedelta(seconds=45)
    assert by_channel["ntfy"].next_attempt_at == world.clock.now() + timedelta(seconds=30)

    world.clock.advance(30_000)
    assert await dispatcher.send_due() == 1  # ntfy
    world.expo.state.rate_limited[TOKEN] = 1  # then the device itself gets too much
    world.clock.advance(15_000)
    assert await dispatcher.send_due() == 1
    expo = {r.channel: r for r in await world.deliveries()}["expo"]
    assert expo.status == "pending"
    assert "MessageRateExceeded" in (expo.last_error or "")
    world.clock.advance(60_000)
    assert await dispatcher.send_due() == 1
    assert {r.status for r in await world.deliveries()} == {"sent"}
    assert len(world.expo.state.messages_to(TOKEN)) == 1
    counted = {
        (s.labels["channel"], s.labels["outcome"]): s.value
        for metric in telemetry.registry.collect()
        if metric.name == "cryptotrader_notifications"
        for s in metric.samples
        if s.name.endswith("_total")
    }
    assert counted == {
        ("webpush", "sent"): 1, ("expo", "retry"): 2, ("expo", "sent"): 1,
        ("ntfy", "retry"): 1, ("ntfy", "sent"): 1,
    }  # fmt: skip


@pytest.mark.asyncio
async def test_dispatcher_when_retries_run_out_gives_up(world: World) -> None:
    world.expo.state.throttle_requests = 100
    await world.notifier(world.dispatcher()).handle(_delivery(closed_alert(world.clock)))
    dispatcher = world.dispatcher(max_attempts=2)
    await dispatcher.send_due()
    world.clock.advance(3_600_000)
    await dispatcher.send_due()
    expo = {r.channel: r for r in await world.deliveries()}["expo"]
    assert (expo.status, expo.attempts) == ("failed", 2)
    world.clock.advance(3_600_000)
    assert await dispatcher.send_due() == 0


@pytest.mark.asyncio
async def test_notifier_follows_user_choices_and_platform_switches(world: World) -> None:
    notifier = world.notifier(world.dispatcher())
    await world.set_preferences({"trade_closed": {"expo": False}, "trade_opened": {"ntfy": False}})
    await notifier.handle(_delivery(closed_alert(world.clock, message_id="1" * 32)))
    assert sorted(r.channel for r in await world.deliveries()) == ["ntfy", "webpush"]

    await world.set_platform(push_enabled=True, muted_kinds=["trade_closed"])
    await notifier.handle(_delivery(closed_alert(world.clock, message_id="2" * 32)))
    await world.set_platform(push_enabled=False)
    await notifier.handle(_delivery(closed_alert(world.clock, message_id="3" * 32)))
    await world.set_platform(push_enabled=True, min_severity="warning")
    await notifier.handle(_delivery(closed_alert(world.clock, message_id="4" * 32)))
    await world.set_platform(push_enabled=True)
    stale = closed_alert(world.clock, message_id="5" * 32)
    world.clock.advance(7 * 3600 * 1000)  # older than max_age_s when it is read
    await notifier.handle(_delivery(stale))
    assert len(await world.deliveries()) == 2

    async with UnitOfWork(world.database) as uow:  # each alert was claimed all the same
        claims = await uow.session.execute(
            select(func.count()).where(ProcessedMessageRow.consumer == CONSUMER)
        )
        assert claims.scalar_one() == 5
        devices = await uow.session.execute(select(func.count(NotificationDeviceRow.id)))
        assert devices.scalar_one() == 2


def _delivery(alert: AlertRaised) -> Delivery:
    return Delivery(topics.ALERTS, CONSUMER, "1-0", alert, 1)


@pytest.mark.asyncio
async def test_dispatcher_when_a_receipt_says_device_not_registered_removes_it(
    world: World,
) -> None:
    await world.notifier(world.dispatcher()).handle(_delivery(closed_alert(world.clock)))
    dispatcher = world.dispatcher()
    await dispatcher.send_due()
    expo = {r.channel: r for r in await world.deliveries()}["expo"]
    assert expo.status == "sent"
    assert expo.receipt is not None
    assert await dispatcher.check_receipts() == 0  # too early to ask
    with world.expo.state.lock:  # Apple dropped the token after Expo took the message
        world.expo.state.receipts[expo.receipt] = {
            "status": "error",
            "message": "The device cannot receive push notifications anymore",
            "details": {"error": "DeviceNotRegistered"},
        }
    world.clock.advance(16 * 60_000)

    assert await dispatcher.check_receipts() == 1

    after = {r.channel: r for r in await world.deliveries()}
    assert after["expo"].status == "gone"
    assert after["expo"].receipt is None
    assert "DeviceNotRegistered" in (after["expo"].last_error or "")
    assert await world.devices() == ["webpush"]
    assert await dispatcher.check_receipts() == 0  # asked once


@pytest.mark.asyncio
async def test_dispatcher_when_a_receipt_is_ok_stops_asking(world: World) -> None:
    await world.notifier(world.dispatcher()).handle(_delivery(closed_alert(world.clock)))
    dispatcher = world.dispatcher()
    await dispatcher.send_due()
    world.clock.advance(16 * 60_000)
    assert await dispatcher.check_receipts() == 1
    expo = {r.channel: r for r in await world.deliveries()}["expo"]
    assert (expo.status, expo.receipt) == ("sent", None)
    assert await world.devices() == ["expo", "webpush"]


@pytest.mark.asyncio
async def test_dispatcher_prunes_finished_deliveries_after_a_month(world: World) -> None:
    world.expo.state.throttle_requests = 100  # expo stays pending
    await world.notifier(world.dispatcher()).handle(_delivery(closed_alert(world.clock)))
    dispatcher = world.dispatcher()
    await dispatcher.send_due()
    world.clock.advance(16 * 60_000)
    await dispatcher.check_receipts()
    assert await dispatcher.prune() == 0
    world.clock.advance(31 * 24 * 3_600_000)
    assert await dispatcher.prune() == 2  # web push and ntfy, sent; expo is still due
    assert [r.channel for r in await world.deliveries()] == ["expo"]


@pytest.mark.asyncio
async def test_notifier_when_an_alert_is_malformed_sets_it_aside_and_goes_on(
    world: World, bus: StreamBus
) -> None:
    dispatcher = world.dispatcher()
    notifier = world.notifier(dispatcher)
    await bus.subscribe(topics.ALERTS, group=CONSUMER, consumer="n-1", handler=notifier.handle)
    poison = closed_alert(world.clock).model_dump_json().replace('"trade_closed"', '""')

    await bus.transport.add(bus.stream(topics.ALERTS), {"data": poison})
    await bus.publish(topics.ALERTS, closed_alert(world.clock, message_id="c" * 32))
    async with asyncio.timeout(60):
        while len(await world.deliveries()) < 3:  # noqa: ASYNC110 - rows another task writes
            await asyncio.sleep(0.02)

    dead = await bus.dead_letters(topics.ALERTS)
    assert [d.group for d in dead] == [CONSUMER]
    assert dead[0].reason.startswith("malformed: ")
    assert {r.message_id for r in await world.deliveries()} == {"c" * 32}
    assert await dispatcher.send_due() == 3
