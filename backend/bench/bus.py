"""Bus benchmark: Redis Streams throughput (published and acked) and publish-to-handler latency.

Run: ``.venv/bin/python backend/bench/bus.py`` (needs Redis on 127.0.0.1:6379; loopback only).
Messages are ``ControlBot`` commands (about 200 bytes of JSON). Throughput: one publisher
coroutine group and one consumer in the same process, 20,000 messages, timed until every
message is acked. Latency: 1,000 messages/s paced for 5 s, measured from just before
``publish`` to the handler's first line. Targets (issue 4): Redis >= 20k msg/s, p99 < 5 ms at
1k msg/s; in-process p99 < 0.5 ms.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
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


def message(n: int) -> ControlBot:
    return ControlBot(timestamp=T0, bot=BotKind.SAFE, action="pause", requested_by=f"bench-{n}")


async def throughput(bus: StreamBus, n: int = 20_000, concurrency: int = 64) -> float:
    done = asyncio.Event()
    count = 0

    async def handle(delivery: Delivery) -> None:
        nonlocal count
        count += 1
        if count == n:
            done.set()

    await bus.subscribe(topics.COMMANDS, group="bench", consumer="c1", handler=handle)
    messages = [message(i) for i in range(n)]
    start = time.perf_counter()

    async def publisher(offset: int) -> None:
        for i in range(offset, n, concurrency):
            await bus.publish(topics.COMMANDS, messages[i])

    await asyncio.gather(*(publisher(k) for k in range(concurrency)))
    await done.wait()
    await asyncio.sleep(0.2)  # the last batch's XACK
    elapsed = time.perf_counter() - start
    return n / elapsed


async def latency(bus: StreamBus, rate: int = 1000, seconds: float = 5.0) -> np.ndarray:
    sent: dict[str, float] = {}
    delays: list[float] = []

    async def handle(delivery: Delivery) -> None:
        delays.append(time.perf_counter() - sent[delivery.message.message_id])

    await bus.subscribe(topics.COMMANDS, group="latency", consumer="c1", handler=handle)
    total = int(rate * seconds)
    start = time.perf_counter()
    for i in range(total):
        target = start + i / rate
        pause = target - time.perf_counter()
        if pause > 0:
            await asyncio.sleep(pause)
        msg = message(i)
        sent[msg.message_id] = time.perf_counter()
        await bus.publish(topics.COMMANDS, msg)
    while len(delays) < total:  # noqa: ASYNC110 - polling a counter the handler fills
        await asyncio.sleep(0.05)
    return np.array(delays) * 1000


async def run_redis() -> None:
    prefix = f"bench:{uuid.uuid4().hex}:"
    try:
        bus = await RedisBus.connect(REDIS_URL, prefix=prefix, options=OPTIONS)
        rate = await throughput(bus)
        await bus.close()
        bus = await RedisBus.connect(REDIS_URL, prefix=prefix + "l:", options=OPTIONS)
        ms = await latency(bus)
        await bus.close()
    finally:
        client = Redis.from_url(REDIS_URL)
        keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()
    print(f"Redis Streams: {rate:,.0f} messages/s published and acked (20,000 messages)")
    print(
        f"Redis Streams at 1k msg/s: p50 {np.percentile(ms, 50):.2f} ms, "
        f"p99 {np.percentile(ms, 99):.2f} ms, max {ms.max():.2f} ms"
    )


async def run_memory() -> None:
    bus = InProcessBus(maxlen=100_000, options=OPTIONS)
    rate = await throughput(bus)
    await bus.close()
    bus = InProcessBus(maxlen=100_000, options=OPTIONS)
    ms = await latency(bus)
    await bus.close()
    print(f"In-process: {rate:,.0f} messages/s published and acked")
    print(
        f"In-process at 1k msg/s: p50 {np.percentile(ms, 50):.3f} ms, "
        f"p99 {np.percentile(ms, 99):.3f} ms, max {ms.max():.3f} ms"
    )


def main() -> None:
    print(f"machine: {machine()}")
    asyncio.run(run_redis())
    asyncio.run(run_memory())


if __name__ == "__main__":
    main()
