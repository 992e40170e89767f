"""Bus benchmark: Redis Streams throughput (published and acked) and publish-to-handler latency.

Run: ``cd backend && ../.venv/bin/python -m bench.bus`` (needs Redis on 127.0.0.1:6379; loopback
only). Messages are ``ControlBot`` commands (about 200 bytes of JSON). One consumer in one group
(``XREADGROUP COUNT 500``, one ``XACK`` per batch read), either in the publishing process or in
a process of its own (``python -m bench.bus --consume ...``, started by this script). The first
line says whether redis-py parses replies with hiredis (the ``redis[hiredis]`` dependency).

Throughput: 50,000 messages, timed from the first publish until the group has read all of them
and none is pending (``XINFO GROUPS``: ``entries-read`` and ``pending``), best and median of 3
runs. Three ways of publishing:

- ``64 publishers``: 64 coroutines, each awaiting its own ``publish`` in turn (the bus coalesces
  concurrent publishes into pipelined round trips);
- ``publish_many``: one producer, ``publish_many`` of 100 messages at a time;
- ``1 publisher``: one coroutine awaiting each ``publish`` before the next (one round trip each).

Latency: 1,000 messages/s paced for 5 s, from just before ``publish`` to the handler's first
line (``time.monotonic_ns``, the same clock in both processes on Linux). Targets (issue 4):
Redis >= 20k msg/s, p99 < 5 ms at 1k msg/s; in-process p99 < 0.5 ms.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import numpy as np
from redis.asyncio import Redis

from bench._common import machine
from cryptotrader.bus import ConsumerOptions, Delivery, InProcessBus, RedisBus, StreamBus, topics
from cryptotrader.bus.messages import ControlBot
from cryptotrader.domain import BotKind

REDIS_URL = os.environ.get("CRYPTOTRADER_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
OPTIONS = ConsumerOptions(batch_size=500, block_ms=100)
T0 = datetime(2026, 11, 24, tzinfo=UTC)
MESSAGES = 50_000
REPEAT = 3
CONCURRENCY = 64
BATCH = 100
RATE = 1000
SECONDS = 5.0
GROUP = "bench"

Publisher = Callable[[StreamBus, list[ControlBot]], Awaitable[None]]


def message(n: int, sent_ns: int = 0) -> ControlBot:
    """A command; ``requested_by`` carries the send time for latency runs."""
    return ControlBot(timestamp=T0, bot=BotKind.SAFE, action="pause", requested_by=f"{n}:{sent_ns}")


def sent_at(delivery: Delivery) -> int:
    """The send time a latency message carries."""
    assert isinstance(delivery.message, ControlBot)
    return int(delivery.message.requested_by.split(":")[1])


async def concurrent_publishers(bus: StreamBus, messages: list[ControlBot]) -> None:
    """``CONCURRENCY`` coroutines, each awaiting its own publishes in turn."""

    async def publisher(offset: int) -> None:
        for i in range(offset, len(messages), CONCURRENCY):
            await bus.publish(topics.COMMANDS, messages[i])

    await asyncio.gather(*(publisher(k) for k in range(CONCURRENCY)))


async def batches(bus: StreamBus, messages: list[ControlBot]) -> None:
    """One producer, ``publish_many`` of ``BATCH`` messages at a time."""
    for start in range(0, len(messages), BATCH):
        await bus.publish_many(topics.COMMANDS, messages[start : start + BATCH])


async def one_publisher(bus: StreamBus, messages: list[ControlBot]) -> None:
    """One coroutine awaiting each publish before the next."""
    for msg in messages:
        await bus.publish(topics.COMMANDS, msg)


PUBLISHERS: dict[str, Publisher] = {
    f"{CONCURRENCY} publishers": concurrent_publishers,
    f"publish_many({BATCH})": batches,
    "1 publisher": one_publisher,
}


async def redis_bus(prefix: str) -> RedisBus:
    return await RedisBus.connect(REDIS_URL, prefix=prefix, options=OPTIONS)


async def all_acked(client: Redis, stream: str, n: int) -> None:
    """Return once ``GROUP`` has read ``n`` entries of ``stream`` and none is pending."""
    while True:
        groups = await client.xinfo_groups(stream)
        group = next(g for g in groups if g["name"] == GROUP)
        if group["entries-read"] >= n and group["pending"] == 0:
            return
        await asyncio.sleep(0.001)


async def consumer_process(prefix: str, args: list[str]) -> asyncio.subprocess.Process:
    """Start ``--consume`` in a new process; returns once it is subscribed."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.bus",
        "--consume",
        prefix,
        *args,
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), 30)
    if line.strip() != b"ready":
        raise RuntimeError(f"consumer process did not start: {line!r}")
    return process


async def delete_keys(client: Redis, prefix: str) -> None:
    """Delete the streams of one run."""
    keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
    if keys:
        await client.delete(*keys)


async def throughput_once(client: Redis, publish: Publisher, *, separate: bool) -> float:
    """Messages per second published and acked, one run on fresh streams (deleted after)."""
    prefix = f"bench:{uuid.uuid4().hex}:"
    bus = await redis_bus(prefix)
    process = None
    handled = 0
    if separate:
        process = await consumer_process(prefix, ["count", str(MESSAGES)])
    else:

        async def handle(delivery: Delivery) -> None:
            nonlocal handled
            handled += 1

        await bus.subscribe(topics.COMMANDS, group=GROUP, consumer="c1", handler=handle)
    messages = [message(i) for i in range(MESSAGES)]
    try:
        start = time.perf_counter()
        await publish(bus, messages)
        if not separate:
            while handled < MESSAGES:  # noqa: ASYNC110 - a counter the handler fills
                await asyncio.sleep(0.001)
        await all_acked(client, bus.stream(topics.COMMANDS), MESSAGES)
        elapsed = time.perf_counter() - start
    finally:
        await bus.close()
        if process is not None:
            await process.wait()
        await delete_keys(client, prefix)
    return MESSAGES / elapsed


async def latency(publisher_bus: StreamBus, *, prefix: str | None) -> np.ndarray:
    """Publish-to-handler delays in ms at ``RATE`` messages/s for ``SECONDS``."""
    total = int(RATE * SECONDS)
    delays: list[float] = []
    process = None
    if prefix is not None:
        process = await consumer_process(prefix, ["latency", str(total)])
    else:

        async def handle(delivery: Delivery) -> None:
            delays.append((time.monotonic_ns() - sent_at(delivery)) / 1e6)

        await publisher_bus.subscribe(topics.COMMANDS, group=GROUP, consumer="c1", handler=handle)
    start = time.perf_counter()
    for i in range(total):
        pause = start + i / RATE - time.perf_counter()
        if pause > 0:
            await asyncio.sleep(pause)
        await publisher_bus.publish(topics.COMMANDS, message(i, time.monotonic_ns()))
    if process is not None:
        assert process.stdout is not None
        out = await asyncio.wait_for(process.stdout.read(), 60)
        await process.wait()
        return np.array(json.loads(out))
    while len(delays) < total:  # noqa: ASYNC110 - a list the handler fills
        await asyncio.sleep(0.05)
    return np.array(delays)


async def consume(prefix: str, mode: str, n: int) -> None:
    """The consumer process: subscribe, say ``ready``, handle ``n`` messages, exit.

    ``count`` only counts (the parent times the acks); ``latency`` prints the delays as JSON.
    """
    bus = await redis_bus(prefix)
    delays: list[float] = []
    finished = asyncio.Event()

    async def handle(delivery: Delivery) -> None:
        if mode == "latency":
            delays.append((time.monotonic_ns() - sent_at(delivery)) / 1e6)
        else:
            delays.append(0.0)
        if len(delays) >= n:
            finished.set()

    await bus.subscribe(topics.COMMANDS, group=GROUP, consumer="c1", handler=handle)
    print("ready", flush=True)  # the parent waits for this line
    await asyncio.wait_for(finished.wait(), 300)
    await asyncio.sleep(0.3)  # let the last batch's XACK go out before stopping
    await bus.close()
    if mode == "latency":
        print(json.dumps(delays), flush=True)


def percentiles(label: str, ms: np.ndarray, digits: int) -> str:
    p50, p99 = np.percentile(ms, 50), np.percentile(ms, 99)
    return (
        f"{label}: p50 {p50:.{digits}f} ms, p99 {p99:.{digits}f} ms, max {ms.max():.{digits}f} ms"
    )


async def run_redis() -> None:
    client = Redis.from_url(REDIS_URL, decode_responses=True)
    hiredis = _hiredis()
    print(f"Redis Streams (hiredis parser: {'yes' if hiredis else 'no'}), {MESSAGES:,} messages")
    try:
        for separate in (False, True):
            where = "consumer in its own process" if separate else "one process"
            for name, publish in PUBLISHERS.items():
                rates = [
                    await throughput_once(client, publish, separate=separate) for _ in range(REPEAT)
                ]
                print(
                    f"  {name}, {where}: best {max(rates):,.0f} msg/s, "
                    f"median {statistics.median(rates):,.0f} msg/s "
                    f"({', '.join(f'{r:,.0f}' for r in rates)})"
                )
        for separate in (False, True):
            prefix = f"bench:{uuid.uuid4().hex}:"
            bus = await redis_bus(prefix)
            try:
                ms = await latency(bus, prefix=prefix if separate else None)
            finally:
                await bus.close()
                await delete_keys(client, prefix)
            where = "consumer in its own process" if separate else "one process"
            print(f"  {percentiles(f'at {RATE:,} msg/s, {where}', ms, 2)}")
    finally:
        await client.aclose()


def _hiredis() -> bool:
    from redis.utils import HIREDIS_AVAILABLE

    return bool(HIREDIS_AVAILABLE)


async def run_memory() -> None:
    rates = []
    for _ in range(REPEAT):
        bus = InProcessBus(maxlen=MESSAGES, options=OPTIONS)
        handled = 0

        async def handle(delivery: Delivery) -> None:
            nonlocal handled
            handled += 1

        await bus.subscribe(topics.COMMANDS, group=GROUP, consumer="c1", handler=handle)
        messages = [message(i) for i in range(MESSAGES)]
        start = time.perf_counter()
        await concurrent_publishers(bus, messages)
        while handled < MESSAGES:  # noqa: ASYNC110 - a counter the handler fills
            await asyncio.sleep(0.001)
        rates.append(MESSAGES / (time.perf_counter() - start))
        await bus.close()
    bus = InProcessBus(maxlen=MESSAGES, options=OPTIONS)
    ms = await latency(bus, prefix=None)
    await bus.close()
    print(
        f"In-process, {CONCURRENCY} publishers: best {max(rates):,.0f} msg/s, "
        f"median {statistics.median(rates):,.0f} msg/s"
    )
    print(f"  {percentiles(f'at {RATE:,} msg/s', ms, 3)}")


def main() -> None:
    if sys.argv[1:2] == ["--consume"]:
        prefix, mode, n = sys.argv[2:5]
        asyncio.run(consume(prefix, mode, int(n)))
        return
    print(f"machine: {machine()}")
    asyncio.run(run_redis())
    asyncio.run(run_memory())


if __name__ == "__main__":
    main()
