"""Work partitions on real Redis (``bus.partitions``): workers share the pairs, a dead one's move.

Three subscriptions in one process stand for three workers (each its own bus, leases and
consumer name). A worker "dies" without a word: its lease thread and consumers stop, nothing is
released or acked. Leases of 5 s as in production: 1 s leases were lost under load (a renewal
thread starved past a second) and moved a live worker's partition, so a pair was seen by two.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime

import pytest
import pytest_asyncio

from cryptotrader.bus import Delivery, RedisBus, topics
from cryptotrader.bus.messages import CandleRun, CandlesClosed
from cryptotrader.bus.partitions import PartitionedSubscription, PartitionOptions, partition_of
from cryptotrader.clock import TestClock
from cryptotrader.domain.timeframes import Timeframe
from tests.integration.conftest import FAST, REDIS_URL, close_bus, require_redis

PARTITIONS = 6
LEASES = PartitionOptions(lease_ms=5000, tick_s=0.5)
PAIRS = [f"C{n}/USDT" for n in range(12)]
T0 = datetime(2026, 2, 11, 14, tzinfo=UTC)
HOUR = 3_600_000

pytestmark = pytest.mark.asyncio


def run(symbol: str, n: int) -> CandlesClosed:
    """The ``n``-th hourly candle of ``symbol``, as the market data publishes it."""
    return CandlesClosed(
        timestamp=T0,
        exchange="binance",
        pair=symbol,
        timeframe=Timeframe("1h"),
        candles=CandleRun(
            open_times=[n * HOUR], open=[1.0], high=[1.0], low=[1.0], close=[1.0], volume=[1.0]
        ),
        previous_open_ms=None if n == 0 else (n - 1) * HOUR,
    )


class Worker:
    """One worker: its bus, its subscription, what it handled (a handler may be held)."""

    def __init__(self, bus: RedisBus, name: str) -> None:
        self.bus, self.name = bus, name
        self.handled: list[tuple[str, int]] = []
        self.entered = 0
        self.hold: asyncio.Event | None = None
        self.subscription: PartitionedSubscription | None = None

    async def handle(self, delivery: Delivery) -> None:
        message = delivery.message
        assert isinstance(message, CandlesClosed)
        self.entered += 1
        if self.hold is not None:
            await self.hold.wait()  # never set: the run stays unacked, in this worker's hands
        self.handled.append((message.pair.symbol, message.candles.open_times[0] // HOUR))

    async def start(self) -> None:
        subscription = await self.bus.subscribe_partitioned(
            topics.CANDLES,
            group="indicator",
            consumer=self.name,
            handler=self.handle,
            partition_options=LEASES,
        )
        assert isinstance(subscription, PartitionedSubscription)
        self.subscription = subscription

    @property
    def owned(self) -> list[int]:
        return [] if self.subscription is None else self.subscription.owned

    async def die(self) -> None:
        """Stop as ``kill -9`` would: nothing renewed, released or acked any more."""
        subscription = self.subscription
        assert subscription is not None
        subscription._stopping.set()
        await asyncio.to_thread(subscription._thread.join)  # type: ignore[union-attr]
        subscription._reader.cancel()  # type: ignore[union-attr]
        self.subscription = None


@pytest_asyncio.fixture
async def workers() -> AsyncIterator[list[Worker]]:
    require_redis()
    prefix = f"test:{datetime.now(UTC).timestamp()}:"
    clock = TestClock(int(T0.timestamp() * 1000))
    buses = [
        await RedisBus.connect(
            REDIS_URL, prefix=prefix, clock=clock, options=FAST, partitions=PARTITIONS
        )
        for _ in range(3)
    ]
    yield [Worker(bus, f"w{i}") for i, bus in enumerate(buses)]
    for bus in buses[1:]:
        await bus.close()
    await close_bus(buses[0], prefix)


async def until(condition: object, within: float = 60.0) -> None:
    async with asyncio.timeout(within):
        while not condition():  # type: ignore[operator]  # noqa: ASYNC110 - polling workers
            await asyncio.sleep(0.05)


async def test_workers_share_the_partitions_and_each_pair_is_handled_by_one_in_order(
    workers: list[Worker],
) -> None:
    for worker in workers:
        await worker.start()
    await until(lambda: sorted(len(w.owned) for w in workers) == [2, 2, 2])
    owned = [p for w in workers for p in w.owned]
    assert sorted(owned) == list(range(PARTITIONS))  # each partition held by one worker
    for n in range(5):
        for symbol in PAIRS:
            await workers[0].bus.publish(topics.CANDLES, run(symbol, n))
    await until(lambda: sum(len(w.handled) for w in workers) == 5 * len(PAIRS))
    for symbol in PAIRS:
        by = [w for w in workers if any(s == symbol for s, _ in w.handled)]
        assert len(by) == 1, symbol  # one worker for the pair
        assert partition_of(symbol, PARTITIONS) in by[0].owned
        assert [n for s, n in by[0].handled if s == symbol] == list(range(5))  # in order


async def test_a_dead_worker_s_pairs_go_to_the_others_with_its_unacked_run_first(
    workers: list[Worker],
) -> None:
    for worker in workers:
        await worker.start()
    await until(lambda: sorted(len(w.owned) for w in workers) == [2, 2, 2])
    dying = workers[0]
    symbol = next(s for s in PAIRS if partition_of(s, PARTITIONS) in dying.owned)
    dying.hold = asyncio.Event()
    await dying.bus.publish(topics.CANDLES, run(symbol, 0))
    await until(lambda: dying.entered == 1)  # delivered, in its hands, unacked
    await dying.die()
    await dying.bus.publish(topics.CANDLES, run(symbol, 1))
    survivors = workers[1:]
    await until(lambda: sorted(len(w.owned) for w in survivors) == [3, 3])
    await until(lambda: sum(len(w.handled) for w in survivors) == 2)
    (heir,) = [w for w in survivors if w.handled]
    assert heir.handled == [(symbol, 0), (symbol, 1)]  # the dead's run first, none skipped
    assert dying.handled == []


async def test_one_read_serves_every_partition_held_and_many_gets_their_runs_together(
    workers: list[Worker],
) -> None:
    """A worker reads all its partitions at once (one ``XREADGROUP``), not one after another:
    its ``many`` handler gets the runs of several partitions in one call, each pair's in order."""
    bus = workers[0].bus
    calls: list[list[tuple[str, int]]] = []
    release = asyncio.Event()

    async def many(deliveries: Sequence[Delivery]) -> None:
        runs = []
        for delivery in deliveries:
            message = delivery.message
            assert isinstance(message, CandlesClosed)
            runs.append((message.pair.symbol, message.candles.open_times[0] // HOUR))
        calls.append(runs)
        await release.wait()  # the first call waits until every partition is held

    async def one(delivery: Delivery) -> None:
        await many([delivery])

    subscription = await bus.subscribe_partitioned(
        topics.CANDLES,
        group="indicator",
        consumer="w",
        handler=one,
        many=many,
        from_start=True,
        partition_options=LEASES,
    )
    assert isinstance(subscription, PartitionedSubscription)
    for n in range(3):
        for symbol in PAIRS:
            await bus.publish(topics.CANDLES, run(symbol, n))
    await until(lambda: len(subscription.owned) == PARTITIONS and calls)
    release.set()
    await until(lambda: sum(len(c) for c in calls) == 3 * len(PAIRS))
    spans = [len({partition_of(s, PARTITIONS) for s, _ in call}) for call in calls]
    assert max(spans) > 1, spans  # one read over several partitions
    handled = [r for call in calls for r in call]
    for symbol in PAIRS:
        assert [n for s, n in handled if s == symbol] == [0, 1, 2]


async def test_without_many_one_partition_s_slow_run_does_not_hold_the_others_of_its_read(
    workers: list[Worker],
) -> None:
    """Without a ``many`` handler the partitions of one read are applied side by side, each in
    order: a handler waiting (a round trip, a lock) on one pair lets the other pairs go on."""
    bus = workers[0].bus
    gate, hold = asyncio.Event(), asyncio.Event()
    handled: list[str] = []
    entered: list[str] = []

    async def handle(delivery: Delivery) -> None:
        message = delivery.message
        assert isinstance(message, CandlesClosed)
        symbol = message.pair.symbol
        entered.append(symbol)
        if symbol == gated:
            await gate.wait()  # keeps the reader busy while the others are published
        elif symbol == held:
            await hold.wait()
        handled.append(symbol)

    subscription = await bus.subscribe_partitioned(
        topics.CANDLES, group="indicator", consumer="w", handler=handle, partition_options=LEASES
    )
    assert isinstance(subscription, PartitionedSubscription)
    await until(lambda: len(subscription.owned) == PARTITIONS)
    order = list(subscription.held)  # the order of the streams in the reader's XREADGROUP
    gated = next(s for s in PAIRS if partition_of(s, PARTITIONS) == order[-1])
    held = next(s for s in PAIRS if partition_of(s, PARTITIONS) == order[0])
    others = [s for s in PAIRS if partition_of(s, PARTITIONS) not in {order[0], order[-1]}]
    await bus.publish(topics.CANDLES, run(gated, 0))
    await until(lambda: gated in entered)  # the reader is busy with the gated run
    for symbol in [held, *others]:
        await bus.publish(topics.CANDLES, run(symbol, 0))
    gate.set()  # the next read brings the held pair's run first, then the others'
    await until(lambda: set(others) <= set(handled))
    assert held not in handled  # still waiting, and the others went on
    hold.set()
    await until(lambda: held in handled)


async def test_without_many_the_pairs_of_one_partition_go_side_by_side_each_in_order(
    workers: list[Worker],
) -> None:
    """Order is kept per pair, not per partition: a run of one pair waiting does not hold the
    next pair of its partition (the work entries name their pair), and each pair's runs are
    applied in order."""
    bus = workers[0].bus
    first, second = next(
        (a, b)
        for a in PAIRS
        for b in PAIRS
        if a < b and partition_of(a, PARTITIONS) == partition_of(b, PARTITIONS)
    )
    hold = asyncio.Event()
    handled: list[tuple[str, int]] = []

    async def handle(delivery: Delivery) -> None:
        message = delivery.message
        assert isinstance(message, CandlesClosed)
        if message.pair.symbol == first:
            await hold.wait()
        handled.append((message.pair.symbol, message.candles.open_times[0] // HOUR))

    await bus.publish_many(
        topics.CANDLES, [run(symbol, n) for n in range(3) for symbol in (first, second)]
    )
    subscription = await bus.subscribe_partitioned(
        topics.CANDLES,
        group="indicator",
        consumer="w",
        handler=handle,
        from_start=True,
        partition_options=LEASES,
    )
    assert isinstance(subscription, PartitionedSubscription)
    await until(lambda: len(handled) == 3)  # the second pair's, while the first's waits
    assert handled == [(second, 0), (second, 1), (second, 2)]
    hold.set()
    await until(lambda: len(handled) == 6)
    assert handled[3:] == [(first, 0), (first, 1), (first, 2)]


async def test_a_candle_time_published_at_once_is_read_at_once_by_a_blocked_worker(
    workers: list[Worker],
) -> None:
    """Redis answers a blocked ``XREADGROUP`` at the first entry appended: a candle time's runs,
    appended in one pipeline while the worker waits, would come over two reads (the first with
    one run), each computed and published on its own. The rest of them joins the read."""
    bus = workers[0].bus
    calls: list[list[str]] = []

    async def many(deliveries: Sequence[Delivery]) -> None:
        calls.append(
            [d.message.pair.symbol for d in deliveries if isinstance(d.message, CandlesClosed)]
        )

    async def one(delivery: Delivery) -> None:
        await many([delivery])

    subscription = await bus.subscribe_partitioned(
        topics.CANDLES,
        group="indicator",
        consumer="w",
        handler=one,
        many=many,
        from_start=True,
        partition_options=LEASES,
    )
    assert isinstance(subscription, PartitionedSubscription)
    await until(lambda: len(subscription.owned) == PARTITIONS)
    await asyncio.sleep(0.3)  # the worker's read is blocked, waiting for entries
    await bus.publish_many(topics.CANDLES, [run(symbol, 0) for symbol in PAIRS])
    await until(lambda: sum(len(c) for c in calls) == len(PAIRS))
    assert [sorted(c) for c in calls] == [sorted(PAIRS)]  # one read, one call
