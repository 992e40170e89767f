"""``StreamBus``: the ``MessageBus`` over any ``StreamTransport`` (in-process or Redis).

The delivery policy (retries, take-over, dead letters, alerts) lives here and in
``consumer.py`` once, so both transports behave the same and pass the same tests.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cryptotrader.bus import topics
from cryptotrader.bus.codec import (
    DATA_FIELD,
    TYPE_FIELD,
    MalformedMessageError,
    MessageFields,
    check_topic,
    decode,
    encode,
)
from cryptotrader.bus.consumer import ConsumerLoop
from cryptotrader.bus.leases import RedisLeases
from cryptotrader.bus.messages import AlertRaised, BusMessage
from cryptotrader.bus.partitions import (
    PARTITIONED_TOPICS,
    PartitionedSubscription,
    PartitionOptions,
    partition_of,
    partition_topic,
    work_fields,
    work_key,
)
from cryptotrader.bus.protocol import (
    ConsumerOptions,
    Delivery,
    Handler,
    HistoryPage,
    ManyHandler,
    entry_key,
)
from cryptotrader.bus.transport import Entry, StreamTransport
from cryptotrader.clock import Clock, LiveClock

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """A message moved aside: its original fields and why."""

    entry_id: str
    topic: str
    group: str
    consumer: str
    original_id: str
    deliveries: int
    reason: str
    fields: dict[str, str]


class _Subscription:
    def __init__(self, task: asyncio.Task[None], loop: ConsumerLoop) -> None:
        self._task = task
        self._loop = loop

    @property
    def loop(self) -> ConsumerLoop:
        """The consumer loop of this subscription."""
        return self._loop

    def reads(self, stream: str, delivery: Delivery) -> bool:
        """True when this subscription consumes ``stream`` in ``delivery``'s group."""
        return self._loop.stream == stream and self._loop.group == delivery.group

    async def stop(self) -> None:
        self._loop.stop_requested = True
        # Cancel until the task ends: on Python 3.11 a cancellation that races with a timeout
        # inside a client library can be swallowed, and a stop must never hang.
        while not self._task.done():
            self._task.cancel()
            await asyncio.wait({self._task}, timeout=1.0)
        if not self._task.cancelled() and self._task.exception() is not None:
            log.error("consumer ended with %r", self._task.exception())


def _text_fields(message: BusMessage, text: str) -> dict[str, str]:
    """The entry ``codec.encode`` makes of ``message``, its JSON ``text`` given."""
    fields = {DATA_FIELD: text}
    kind = getattr(message, "type", None)
    if isinstance(kind, str):
        fields[TYPE_FIELD] = kind
    return fields


class StreamBus:
    """A ``MessageBus`` on a stream transport; see ``protocol.MessageBus`` for the contract.

    Args:
        transport: where entries live.
        prefix: prepended to every stream name (one Redis per deployment, or per test).
        clock: timestamps of the alerts this bus raises.
        options: default consumer options.
        partitions: work streams per partitioned channel (``bus.partitions``); 0: none, the
            workers share the channel itself (one process, or leases unavailable).
        leases: where partition leases live (Redis); needed for ``partitions``.
    """

    def __init__(
        self,
        transport: StreamTransport,
        *,
        prefix: str = "",
        clock: Clock | None = None,
        options: ConsumerOptions | None = None,
        partitions: int = 0,
        leases: RedisLeases | None = None,
    ) -> None:
        self.transport = transport
        self.partitions = partitions if leases is not None else 0
        self.leases = leases
        self.prefix = prefix
        self._clock = clock or LiveClock()
        self._options = options or ConsumerOptions()
        self._subscriptions: list[_Subscription | PartitionedSubscription] = []
        self._objects = getattr(transport, "carries_messages", False)

    def _fields(self, message: BusMessage) -> Mapping[str, str]:
        """The entry of ``message``: the object itself in process, its JSON elsewhere."""
        return MessageFields(message) if self._objects else encode(message)

    def stream(self, topic: str) -> str:
        """The stream name of a channel."""
        return f"{self.prefix}{topic}"

    async def publish(self, topic: str, message: BusMessage) -> str:
        """Append ``message`` to ``topic`` (and its work partition); returns the entry id."""
        check_topic(topic, message)
        key = work_key(topic, message) if self.partitions else None
        if key is None:
            return await self.transport.add(self.stream(topic), self._fields(message))
        fields = self._fields(message)
        work = self.stream(partition_topic(topic, partition_of(key, self.partitions)))
        ids = await self.transport.add_each(
            [(self.stream(topic), fields), (work, work_fields(fields, key))]
        )
        return ids[0]

    async def publish_many(self, topic: str, messages: Sequence[BusMessage]) -> list[str]:
        """Append ``messages`` to ``topic`` in order; returns their entry ids in order."""
        for message in messages:
            check_topic(topic, message)
        if not self.partitions or topic not in PARTITIONED_TOPICS:
            entries = [self._fields(m) for m in messages]
            return await self.transport.add_many(self.stream(topic), entries)
        return await self._add_each([(topic, message) for message in messages])

    async def publish_each(
        self, events: Sequence[tuple[str, BusMessage]], texts: Sequence[str] | None = None
    ) -> list[str]:
        """Append each ``(topic, message)`` in order, channels mixed; their entry ids in order.

        As ``publish`` on each in turn, in one round trip on Redis: the outbox sends a
        transaction's events (orders, alerts, positions ...) this way, where one ``XADD`` round
        trip per event was most of the order engine's time on the bus. Nothing is appended if
        one message does not belong on its channel; a transport failed part way may have
        appended a prefix (publishing again is safe: consumers are idempotent).

        ``texts``: each message's JSON as ``model_dump_json()`` writes it, already made (the
        outbox's row holds it): the entries' ``data`` then, not encoded again (in process, the
        entries are the messages themselves, and the text is what they are encoded to once
        acked: ``bus.memory``).

        Raises:
            MalformedMessageError: a channel does not carry its message's type.
        """
        for topic, message in events:
            check_topic(topic, message)
        if texts is not None and len(texts) != len(events):
            raise ValueError(f"{len(texts)} texts for {len(events)} messages")
        return await self._add_each(events, texts)

    async def _add_each(
        self, events: Sequence[tuple[str, BusMessage]], texts: Sequence[str] | None = None
    ) -> list[str]:
        """One ``add_each``: each message on its channel (and its work partition, if any)."""
        if not self.partitions:  # one entry per message: its id is the message's
            prefix = self.prefix
            if texts is None:
                make = self._fields
                return await self.transport.add_each(
                    [(prefix + topic, make(message)) for topic, message in events]
                )
            text = self._text
            return await self.transport.add_each(
                [
                    (prefix + topic, text(message, data))
                    for (topic, message), data in zip(events, texts, strict=True)
                ]
            )
        each: list[tuple[str, Mapping[str, str]]] = []
        public: list[int] = []
        for i, (topic, message) in enumerate(events):
            fields = self._fields(message) if texts is None else self._text(message, texts[i])
            public.append(len(each))
            each.append((self.stream(topic), fields))
            key = work_key(topic, message)
            if key is not None:
                partition = partition_of(key, self.partitions)
                each.append(
                    (self.stream(partition_topic(topic, partition)), work_fields(fields, key))
                )
        ids = await self.transport.add_each(each)
        return [ids[i] for i in public]

    def _text(self, message: BusMessage, text: str) -> Mapping[str, str]:
        """The entry of ``message`` whose JSON ``text`` is made already."""
        return MessageFields(message, text) if self._objects else _text_fields(message, text)

    async def subscribe(
        self,
        topic: str,
        *,
        group: str,
        consumer: str,
        handler: Handler,
        options: ConsumerOptions | None = None,
        from_start: bool = False,
        many: ManyHandler | None = None,
        kinds: frozenset[str] | None = None,
    ) -> _Subscription:
        """Start consuming ``topic`` as ``consumer`` of ``group``; the group exists on return.

        A new group starts at the stream's end, or before its first entry with ``from_start``.
        ``kinds``: the message types handled; other entries are acked unread.
        """
        stream = self.stream(topic)
        await self.transport.ensure_group(stream, group, from_start=from_start)
        loop = ConsumerLoop(
            transport=self.transport,
            topic=topic,
            stream=stream,
            group=group,
            consumer=consumer,
            handler=handler,
            many=many,
            options=options or self._options,
            dead_letter=self._dead_letter,
            lost=self._lost_alert if topic in topics.RESENT_TOPICS else None,
            kinds=kinds,
        )
        task = asyncio.create_task(loop.run(), name=f"bus:{topic}:{group}:{consumer}")
        subscription = _Subscription(task, loop)
        self._subscriptions.append(subscription)
        return subscription

    async def subscribe_partitioned(
        self,
        topic: str,
        *,
        group: str,
        consumer: str,
        handler: Handler,
        options: ConsumerOptions | None = None,
        many: ManyHandler | None = None,
        from_start: bool = False,
        partition_options: PartitionOptions | None = None,
    ) -> _Subscription | PartitionedSubscription:
        """Consume ``topic``'s work partitions held by this worker (``bus.partitions``).

        Without partitions (the in-process bus) this is ``subscribe``: one process has them all.
        """
        if not self.partitions or self.leases is None or topic not in PARTITIONED_TOPICS:
            return await self.subscribe(
                topic,
                group=group,
                consumer=consumer,
                handler=handler,
                options=options,
                many=many,
                from_start=from_start,
            )
        for partition in range(self.partitions):  # every run published from now on is kept
            stream = self.stream(partition_topic(topic, partition))
            await self.transport.ensure_group(stream, group, from_start=from_start)
        subscription = PartitionedSubscription(
            transport=self.transport,
            leases=self.leases,
            topic=topic,
            stream=self.stream,
            partitions=self.partitions,
            group=group,
            consumer=consumer,
            handler=handler,
            many=many,
            options=options or self._options,
            dead_letter=self._dead_letter,
            partition_options=partition_options or PartitionOptions(),
        )
        subscription.start()
        self._subscriptions.append(subscription)
        return subscription

    async def history(self, topic: str, *, after: str, count: int) -> HistoryPage:
        """Up to ``count`` retained messages of ``topic`` after the entry ``after``."""
        stream = self.stream(topic)
        trimmed = await self.transport.trimmed_through(stream)
        gap = trimmed is not None and entry_key(trimmed) > entry_key(after)
        found = await self.transport.entries_after(stream, after, count)
        messages: list[tuple[str, BusMessage]] = []
        for entry_id, fields in found:
            try:
                messages.append((entry_id, decode(topic, fields)))
            except MalformedMessageError:
                continue  # already moved to the dead letters by its consumers
        last_id = found[-1][0] if found else None
        return HistoryPage(messages=messages, last_id=last_id, gap=gap)

    def keep(self, delivery: Delivery) -> None:
        """Keep ``delivery`` pending when its handler returns: ``ack`` acks it later.

        Its subscription neither acks nor delivers it again meanwhile; a consumer restarted
        before the ``ack`` gets it again (its own pending entries). Plain subscriptions only (a
        partitioned one acks at the handler's return, as before).
        """
        stream = self.stream(delivery.topic)
        for subscription in self._subscriptions:
            if isinstance(subscription, _Subscription) and subscription.reads(stream, delivery):
                subscription.loop.kept.add(delivery.entry_id)

    async def ack(self, delivery: Delivery) -> None:
        """Mark a delivery as done (one kept by ``keep`` too)."""
        await self.ack_many([delivery])

    async def ack_many(self, deliveries: Sequence[Delivery]) -> None:
        """Mark deliveries as done (kept ones too), one round trip per group.

        One ``XACK`` per stream, pipelined: the order engine's batch of pairs is acked in one
        round trip, not one per pair.
        """
        by_group: dict[str, dict[str, list[str]]] = {}
        for delivery in deliveries:
            streams = by_group.setdefault(delivery.group, {})
            streams.setdefault(self.stream(delivery.topic), []).append(delivery.entry_id)
        for group, streams in by_group.items():
            await self.transport.ack_many(group, list(streams.items()))
        for delivery in deliveries:
            stream = self.stream(delivery.topic)
            for subscription in self._subscriptions:
                if isinstance(subscription, _Subscription) and subscription.reads(stream, delivery):
                    subscription.loop.kept.discard(delivery.entry_id)

    async def drop_group(self, topic: str, group: str) -> None:
        """Delete ``group`` of ``topic`` (stop its subscriptions first)."""
        await self.transport.drop_group(self.stream(topic), group)

    async def groups(self, topic: str) -> list[str]:
        """The names of ``topic``'s consumer groups."""
        return await self.transport.groups(self.stream(topic))

    async def epoch(self) -> str:
        """An id of the streams' life: another one once Redis restarted (and lost them)."""
        return await self.transport.epoch()

    async def close(self) -> None:
        """Stop every subscription and release the transport."""
        subscriptions, self._subscriptions = self._subscriptions, []
        for subscription in subscriptions:
            await subscription.stop()
        await self.transport.close()
        if self.leases is not None:
            self.leases.close()

    async def dead_letters(self, topic: str, count: int = 1000) -> list[DeadLetter]:
        """The messages of ``topic`` moved aside, oldest first."""
        found = await self.transport.entries(self.stream(topics.dead_letter_topic(topic)), count)
        return [
            DeadLetter(
                entry_id=entry_id,
                topic=fields.pop("dl_topic", topic),
                group=fields.pop("dl_group", ""),
                consumer=fields.pop("dl_consumer", ""),
                original_id=fields.pop("dl_entry_id", ""),
                deliveries=int(fields.pop("dl_deliveries", "0")),
                reason=fields.pop("dl_reason", ""),
                fields=fields,
            )
            for entry_id, fields in found
        ]

    async def _lost_alert(self, topic: str, group: str, consumer: str, behind_s: float) -> None:
        """A critical alert: ``group`` lost the events of ``topic`` it had not read.

        See ``consumer.py``; the operator's remedy is in docs/runtime.md.
        """
        alert = AlertRaised(
            timestamp=self._clock.now(),
            kind="events_lost",
            severity="critical",
            text=f"consumer group {group} of {topic} was {behind_s:.0f} s behind when Redis "
            f"restarted empty: the outbox sends again only the last {self._options.resent_s:.0f}"
            " s, what it had not read before that is lost for it (docs/runtime.md, 'Faults "
            "survived': restart its engine, which reads the state from the database)",
            details={
                "topic": topic,
                "group": group,
                "consumer": consumer,
                "behind_s": f"{behind_s:.0f}",
            },
        )
        await self.publish(topics.ALERTS, alert)

    async def _dead_letter(
        self, topic: str, group: str, consumer: str, entry: Entry, reason: str
    ) -> None:
        fields = dict(entry.fields or {})
        fields.update(
            dl_topic=topic,
            dl_group=group,
            dl_consumer=consumer,
            dl_entry_id=entry.entry_id,
            dl_deliveries=str(entry.deliveries),
            dl_reason=reason,
        )
        await self.transport.add(self.stream(topics.dead_letter_topic(topic)), fields)
        log.error("%s entry %s moved to dead letters: %s", topic, entry.entry_id, reason)
        if topic == topics.ALERTS:
            return  # an alert about a failed alert could fail the same way, forever
        alert = AlertRaised(
            timestamp=self._clock.now(),
            kind="message_dead_lettered",
            severity="critical",
            text=f"a {topic} message was moved to the dead letters: {reason}",
            details={"topic": topic, "group": group, "entry_id": entry.entry_id},
        )
        await self.publish(topics.ALERTS, alert)
