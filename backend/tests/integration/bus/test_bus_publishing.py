"""Publishing: ``publish_many`` on both buses; on Redis, concurrent publishes coalesced into
pipelined round trips, each publish still getting its own id, or its own error, in order."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Sequence

import pytest
import pytest_asyncio
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from sqlalchemy.engine import make_url

from cryptotrader.bus import Delivery, MalformedMessageError, RedisBus, StreamBus, topics
from cryptotrader.bus.codec import decode
from cryptotrader.bus.messages import AlertRaised, BusMessage
from tests.integration.bus.test_bus_delivery import T0, command, eventually, recorder
from tests.integration.conftest import FAST, REDIS_URL, close_bus, require_redis
from tests.support.tcp_proxy import TcpProxy


def entry_order(entry_id: str) -> tuple[int, int]:
    millis, seq = entry_id.split("-")
    return int(millis), int(seq)


async def stream_messages(bus: StreamBus, topic: str) -> list[tuple[str, str]]:
    """``(entry id, message id)`` of every entry of ``topic``, in stream order."""
    found = await bus.transport.entries(bus.stream(topic), 10_000)
    return [(entry_id, decode(topic, fields).message_id) for entry_id, fields in found]


@pytest_asyncio.fixture
async def proxy() -> AsyncIterator[TcpProxy]:
    """A TCP proxy in front of the test Redis."""
    require_redis()
    url = make_url(REDIS_URL)
    instance = TcpProxy(url.host or "127.0.0.1", url.port or 6379)
    await instance.start()
    yield instance
    await instance.close()


@pytest_asyncio.fixture
async def proxied_bus(proxy: TcpProxy) -> AsyncIterator[RedisBus]:
    """A Redis bus reaching Redis through ``proxy``, with the client's retries off, so that a
    lost connection surfaces as an error instead of being retried on a new one."""
    url = make_url(REDIS_URL)
    client: Redis = Redis(
        host="127.0.0.1",
        port=proxy.port,
        db=int(url.database or 0),
        username=url.username,
        password=url.password,
        decode_responses=True,
        protocol=2,
        retry=Retry(NoBackoff(), 0),
    )
    await client.ping()
    prefix = f"test:{uuid.uuid4().hex}:"
    bus = RedisBus(client, prefix=prefix, options=FAST)
    yield bus
    await proxy.release()
    await close_bus(bus, prefix)


@pytest.mark.asyncio
async def test_bus_publish_many_appends_in_order_and_returns_each_id(bus: StreamBus) -> None:
    seen: list[Delivery] = []
    await bus.subscribe(topics.COMMANDS, group="g", consumer="c", handler=recorder(seen))
    sent = [command(n) for n in range(30)]

    ids = await bus.publish_many(topics.COMMANDS, sent)

    assert len(ids) == len(set(ids)) == 30
    assert ids == sorted(ids, key=entry_order)
    await eventually(lambda: len(seen) == 30)
    assert [(d.entry_id, d.message) for d in seen] == list(zip(ids, sent, strict=True))
    assert await bus.publish_many(topics.COMMANDS, []) == []


@pytest.mark.asyncio
async def test_bus_publish_many_when_one_message_does_not_belong_appends_none(
    bus: StreamBus,
) -> None:
    alert = AlertRaised(timestamp=T0, kind="k", severity="info", text="t", details={})

    with pytest.raises(MalformedMessageError, match="does not belong on 'commands'"):
        await bus.publish_many(topics.COMMANDS, [command(1), alert, command(2)])

    assert await bus.transport.entries(bus.stream(topics.COMMANDS), 10) == []


@pytest.mark.asyncio
async def test_redis_bus_concurrent_publishes_share_one_connection_in_call_order(
    proxied_bus: RedisBus, proxy: TcpProxy
) -> None:
    called: list[str] = []
    returned: dict[str, str] = {}

    async def publisher(k: int) -> list[str]:
        ids = []
        for n in range(25):
            message = command(100 * k + n)
            called.append(message.message_id)  # publish queues it before its first await
            entry_id = await proxied_bus.publish(topics.COMMANDS, message)
            returned[message.message_id] = entry_id
            ids.append(entry_id)
        return ids

    per_publisher = await asyncio.gather(*(publisher(k) for k in range(8)))

    for ids in per_publisher:
        assert ids == sorted(ids, key=entry_order)
    stored = await stream_messages(proxied_bus, topics.COMMANDS)
    assert [message_id for _, message_id in stored] == called
    assert {m: e for e, m in stored} == returned
    # 200 publishes from 8 concurrent publishers, one connection: they were pipelined (one
    # command per connection at a time would have opened 8).
    assert proxy.connections == 1


@pytest.mark.asyncio
async def test_redis_bus_when_one_xadd_is_refused_only_that_publish_fails(
    proxied_bus: RedisBus,
) -> None:
    raw = Redis.from_url(REDIS_URL)
    try:
        await raw.set(proxied_bus.stream(topics.ALERTS), "not a stream")
    finally:
        await raw.aclose()
    alert = AlertRaised(timestamp=T0, kind="k", severity="info", text="t", details={})
    before, after = command(1), command(2)

    results = await asyncio.gather(
        proxied_bus.publish(topics.COMMANDS, before),
        proxied_bus.publish(topics.ALERTS, alert),
        proxied_bus.publish(topics.COMMANDS, after),
        return_exceptions=True,
    )

    assert isinstance(results[1], ResponseError)
    assert "WRONGTYPE" in str(results[1])
    stored = await stream_messages(proxied_bus, topics.COMMANDS)
    assert stored == [(results[0], before.message_id), (results[2], after.message_id)]


async def xlen(bus: RedisBus, topic: str) -> int:
    raw = Redis.from_url(REDIS_URL)
    try:
        return int(await raw.xlen(bus.stream(topic)))
    finally:
        await raw.aclose()


async def until_stored(bus: RedisBus, count: int) -> None:
    """Return once the commands stream holds ``count`` entries (Redis executed the XADDs)."""
    async with asyncio.timeout(60):
        while await xlen(bus, topics.COMMANDS) < count:  # noqa: ASYNC110 - state in Redis
            await asyncio.sleep(0.005)


def publishing(bus: RedisBus, messages: Sequence[BusMessage]) -> list[asyncio.Task[str]]:
    return [asyncio.create_task(bus.publish(topics.COMMANDS, m)) for m in messages]


@pytest.mark.asyncio
async def test_redis_bus_when_a_pipeline_is_lost_fails_exactly_the_publishes_it_carried(
    proxied_bus: RedisBus, proxy: TcpProxy
) -> None:
    sent = [command(n) for n in range(5)]
    proxy.hold()
    (alone,) = publishing(proxied_bus, sent[:1])  # the bus is idle: sent at once, alone
    await until_stored(proxied_bus, 1)
    lost = publishing(proxied_bus, sent[1:4])  # queued behind it, for one pipeline
    await asyncio.sleep(0.05)
    await proxy.let_one_through()  # the first reply: the pipeline of the next three leaves
    alone_id = await alone
    await until_stored(proxied_bus, 4)
    queued = publishing(proxied_bus, sent[4:])  # queued behind that pipeline
    await asyncio.sleep(0.05)
    assert not any(task.done() for task in [*lost, *queued])

    proxy.cut()
    await proxy.release()

    for task in lost:
        with pytest.raises(RedisConnectionError):
            await task
    (queued_id,) = [await task for task in queued]
    # Redis had appended the lost pipeline's entries: their publishers only cannot know it.
    # Publishing them again is safe, consumers being idempotent by message id.
    stored = await stream_messages(proxied_bus, topics.COMMANDS)
    assert [message_id for _, message_id in stored] == [m.message_id for m in sent]
    assert [stored[0][0], stored[4][0]] == [alone_id, queued_id]
    assert proxy.connections == 2


@pytest.mark.asyncio
async def test_redis_bus_publish_cancelled_before_its_pipeline_left_is_not_sent(
    proxied_bus: RedisBus, proxy: TcpProxy
) -> None:
    first, cancelled, last = command(1), command(2), command(3)
    proxy.hold()
    (sending,) = publishing(proxied_bus, [first])
    await until_stored(proxied_bus, 1)
    waiting, kept = publishing(proxied_bus, [cancelled, last])
    await asyncio.sleep(0.05)

    waiting.cancel()
    await proxy.release()

    first_id, last_id = await sending, await kept
    with pytest.raises(asyncio.CancelledError):
        await waiting
    stored = await stream_messages(proxied_bus, topics.COMMANDS)
    assert stored == [(first_id, first.message_id), (last_id, last.message_id)]


@pytest.mark.asyncio
async def test_redis_bus_close_sends_publishes_still_queued() -> None:
    require_redis()
    prefix = f"test:{uuid.uuid4().hex}:"
    bus = await RedisBus.connect(REDIS_URL, prefix=prefix, options=FAST)
    sent = [command(n) for n in range(5)]
    tasks = [asyncio.create_task(bus.publish(topics.COMMANDS, m)) for m in sent]
    await asyncio.sleep(0)  # the publishes are queued, not yet answered

    await bus.close()

    ids = [await task for task in tasks]
    raw = Redis.from_url(REDIS_URL, decode_responses=True)
    try:
        stored = await raw.xrange(bus.stream(topics.COMMANDS))
        assert [entry_id for entry_id, _ in stored or []] == ids
    finally:
        await raw.delete(bus.stream(topics.COMMANDS))
        await raw.aclose()


@pytest.mark.asyncio
async def test_redis_bus_publish_many_is_one_command_not_a_pipeline(
    proxied_bus: RedisBus, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Several entries go as one call of a script that adds each in turn (``_XADD_ALL``): a
    pipeline's packing and its replies read one by one cost the client ~3x as much."""
    client = proxied_bus.transport._redis  # type: ignore[attr-defined]  # the bus's own client

    def no_pipeline(*_: object, **__: object) -> None:
        raise AssertionError("a pipeline was used")

    monkeypatch.setattr(client, "pipeline", no_pipeline)
    alert = AlertRaised(timestamp=T0, kind="k", severity="info", text="t", details={})
    sent = [command(n) for n in range(30)]

    ids = await proxied_bus.publish_each(
        [(topics.COMMANDS, m) for m in sent[:15]]
        + [(topics.ALERTS, alert)]
        + [(topics.COMMANDS, m) for m in sent[15:]]
    )

    assert len(ids) == 31  # ids are per stream: an alert may share a command's
    stored = await stream_messages(proxied_bus, topics.COMMANDS)
    assert stored == [(i, m.message_id) for i, m in zip(ids[:15] + ids[16:], sent, strict=True)]
    assert [entry_id for entry_id, _ in await stream_messages(proxied_bus, topics.ALERTS)] == [
        ids[15]
    ]
