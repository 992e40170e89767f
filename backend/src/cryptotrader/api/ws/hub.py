"""The fan-out hub: one bus subscription per channel and per process, bounded client queues.

Every API process subscribes once to each channel, in a consumer group of its own (so every
process sees every event). A hub holds a lease in the shared store while it runs and deletes its
groups when it stops; the groups of a process that died without stopping (its lease expired)
are deleted by the next hub to start. The hub turns each event into one JSON frame and offers
it to the queue of each client subscribed to its topic without ever waiting. A client whose
queue is full is too slow: it is dropped (closed with 1013) and the others never notice. Each
client has its own sender task, so a stalled socket only stalls itself.

The hub also runs the process's other per-process consumers (``listeners``: the revocations
that every API process must hear) in the same group, with the same lease and clean-up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import typing
import uuid
from collections.abc import Callable, Mapping, Sequence

from cryptotrader.api.metrics import ApiMetrics
from cryptotrader.api.ws.frames import EVENT_FRAMES, WS_TOPICS, ReplayedFrame
from cryptotrader.bus.messages import BusMessage
from cryptotrader.bus.protocol import Delivery, Handler, MessageBus, Subscription, entry_key
from cryptotrader.services.ephemeral import EphemeralStore
from cryptotrader.services.latest_events import LatestEvents

log = logging.getLogger(__name__)

_BY_CHANNEL = {channel: topic for topic, channel in WS_TOPICS.items()}


def _frame_data(topic: str) -> tuple[type, ...]:
    annotation = EVENT_FRAMES[topic].model_fields["data"].annotation
    return typing.get_args(annotation) or (annotation,)


_SHOWN: dict[str, tuple[type, ...]] = {topic: _frame_data(topic) for topic in EVENT_FRAMES}
"""The messages each topic's frame carries; a channel's other messages are engine-internal
(``commands`` also carries ``BotReconfigured`` to the indicator engine): never sent."""


def event_frame(topic: str, entry_id: str, message: BusMessage) -> str:
    """The ``event`` frame of a bus message (built as text: one serialisation per event)."""
    data = message.model_dump_json()
    return f'{{"type":"event","topic":"{topic}","cursor":"{entry_id}","data":{data}}}'


class Client:
    """One connected socket: its topics, its queue of frames, and whether it was dropped.

    ``cursors`` holds, per topic, the key of the last event queued, so that an event is never
    sent twice (replayed then live); while a topic is being replayed, its live events wait in
    ``held`` (bounded: on overflow they are forgotten and read again from the stream).
    """

    def __init__(self, queue_size: int, user_id: int | None = None) -> None:
        self.queue: asyncio.Queue[str] = asyncio.Queue(maxsize=queue_size)
        self.topics: set[str] = set()
        self.dropped = asyncio.Event()
        self.user_id = user_id
        """Whose socket this is: events that name a user (``user_id``) go to that user only."""
        self.cursors: dict[str, tuple[int, int]] = {}
        self.held: dict[str, list[tuple[tuple[int, int], str]]] = {}
        self.overflowed: set[str] = set()
        self._queue_size = queue_size

    def offer_event(self, topic: str, key: tuple[int, int], frame: str) -> bool:
        """Queue a live event unless already sent; False (and dropped) when too slow."""
        held = self.held.get(topic)
        if held is not None:
            if len(held) >= self._queue_size:
                held.clear()
                self.overflowed.add(topic)
            held.append((key, frame))
            return True
        last = self.cursors.get(topic)
        if last is not None and key <= last:
            return True
        if not self.offer(frame):
            return False
        self.cursors[topic] = key
        return True

    def offer(self, frame: str) -> bool:
        """Queue ``frame`` without waiting; False (and dropped) when the queue is full."""
        if self.dropped.is_set():
            return False
        try:
            self.queue.put_nowait(frame)
        except asyncio.QueueFull:
            self.dropped.set()
            return False
        return True


GROUP_PREFIX = "api-ws-"
LEASE_S = 60
"""A hub renews its lease every third of this; a group whose lease is gone has no process."""


def _lease_key(group: str) -> str:
    return f"ws-hub:{group}"


def group_name() -> str:
    """A consumer group of this process alone (every API process sees every event)."""
    return f"{GROUP_PREFIX}{socket.gethostname()[:32]}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


class Hub:
    """Receives bus events and hands them to the subscribed clients.

    Args:
        bus: where events come from.
        latest: remembers the latest indicator readings and signals (for ``/api/market``).
        metrics: client, drop and event counters.
        queue_size: frames buffered per client before it is dropped.
        store: where the hub's lease lives (groups are swept only when it is shared).
        lease_s: lifetime of the lease, renewed every third of it.
        observers: also shown every event (the alert watchdog notes candle arrivals).
        listeners: other channels every process consumes, with their handler.
    """

    def __init__(
        self,
        *,
        bus: MessageBus,
        latest: LatestEvents,
        metrics: ApiMetrics,
        queue_size: int,
        store: EphemeralStore,
        lease_s: int = LEASE_S,
        observers: Sequence[Callable[[BusMessage], None]] = (),
        listeners: Mapping[str, Handler] | None = None,
    ) -> None:
        self._bus = bus
        self._handlers: dict[str, Handler] = dict.fromkeys(WS_TOPICS.values(), self._on_event)
        self._handlers.update(listeners or {})
        self._store = store
        self._lease_s = lease_s
        self._lease: asyncio.Task[None] | None = None
        self._latest = latest
        self._observers = tuple(observers)
        self._metrics = metrics
        self.queue_size = queue_size
        self._clients: set[Client] = set()
        self._subscriptions: list[Subscription] = []
        self.group = group_name()

    async def start(self) -> None:
        """Take the lease, delete dead processes' groups, subscribe to every channel."""
        await self._take_lease()
        self._lease = asyncio.create_task(self._renew(), name="ws-hub-lease")
        for channel, handler in self._handlers.items():
            try:
                await self._drop_orphaned(channel)
            except Exception:  # housekeeping only: never keeps the API from starting
                log.warning(
                    "deleting orphaned WebSocket groups of %s failed", channel, exc_info=True
                )
            subscription = await self._bus.subscribe(
                channel, group=self.group, consumer="hub", handler=handler
            )
            self._subscriptions.append(subscription)

    async def stop(self) -> None:
        """Stop consuming, delete this hub's groups, drop every client."""
        if self._lease is not None:
            self._lease.cancel()
            await asyncio.gather(self._lease, return_exceptions=True)
            self._lease = None
        subscriptions, self._subscriptions = self._subscriptions, []
        for subscription in subscriptions:
            await subscription.stop()
        if subscriptions:
            with contextlib.suppress(Exception):  # Redis may be down: the next hub cleans up
                for channel in self._handlers:
                    await self._bus.drop_group(channel, self.group)
                await self._store.take(_lease_key(self.group))
        for client in list(self._clients):
            client.dropped.set()
        self._clients.clear()

    async def _drop_orphaned(self, channel: str) -> None:
        if not self._store.shared:
            return  # another process's lease would be invisible here
        for group in await self._bus.groups(channel):
            if not group.startswith(GROUP_PREFIX) or group == self.group:
                continue
            if await self._store.peek(_lease_key(group)) is None:
                await self._bus.drop_group(channel, group)
                log.info("deleted the WebSocket group %s of a stopped API process", group)

    async def _renew(self) -> None:
        while True:
            await asyncio.sleep(self._lease_s / 3)
            await self._take_lease()

    async def _take_lease(self) -> None:
        try:
            await self._store.put(_lease_key(self.group), "1", self._lease_s)
        except Exception:  # Redis down for a while: the next renewal tries again
            log.warning("renewing the WebSocket hub's lease failed", exc_info=True)

    def connect(self, user_id: int | None = None) -> Client:
        """A new client of ``user_id`` (subscribed to nothing yet)."""
        client = Client(self.queue_size, user_id)
        self._clients.add(client)
        self._metrics.clients(len(self._clients))
        return client

    def disconnect(self, client: Client) -> None:
        """Forget a client."""
        self._clients.discard(client)
        self._metrics.clients(len(self._clients))

    async def replay(
        self, client: Client, topic: str, after: str, page: int = 200
    ) -> ReplayedFrame:
        """Queue ``topic``'s retained events after ``after``, then its held live ones.

        Waits on the client's queue (its sender drains it) rather than dropping it: a client
        catching up is slow on purpose. The topic must already be in ``client.held``.
        """
        channel = WS_TOPICS[topic]
        cursor, count, gap = after, 0, False
        while True:
            found = await self._bus.history(channel, after=cursor, count=page)
            gap = gap or found.gap
            for entry_id, message in found.messages:
                owner = getattr(message, "user_id", None)
                if owner is not None and owner != client.user_id:
                    continue  # another user's event
                if not isinstance(message, _SHOWN[topic]):
                    continue  # engine-internal
                await client.queue.put(event_frame(topic, entry_id, message))
                count += 1
            if found.last_id is not None:
                cursor = found.last_id
                client.cursors[topic] = entry_key(cursor)
            if found.last_id is None:
                if topic not in client.overflowed:
                    break
                client.overflowed.discard(topic)  # live events were forgotten: read again
        client.cursors.setdefault(topic, entry_key(after))
        last = client.cursors[topic]
        for key, frame in client.held.pop(topic, []):
            if key > last and client.offer(frame):
                last = client.cursors[topic] = key
        return ReplayedFrame(
            topic=topic,
            count=count,
            cursor=None if count == 0 else cursor,
            gap=gap,
        )

    @property
    def clients(self) -> int:
        """How many clients are connected."""
        return len(self._clients)

    async def _on_event(self, delivery: Delivery) -> None:
        topic = _BY_CHANNEL.get(delivery.topic)
        if topic is None:
            return
        message = delivery.message
        self._latest.observe(message)
        for observe in self._observers:
            observe(message)
        if not isinstance(message, _SHOWN[topic]):
            return  # engine-internal
        frame = event_frame(topic, delivery.entry_id, message)
        owner = getattr(message, "user_id", None)
        self.publish_frame(topic, entry_key(delivery.entry_id), frame, owner=owner)

    def publish_frame(
        self, topic: str, key: tuple[int, int], frame: str, *, owner: int | None = None
    ) -> int:
        """Offer the event ``frame`` to the clients of ``topic`` (only ``owner``'s if given)."""
        delivered = 0
        for client in list(self._clients):
            if topic not in client.topics or (owner is not None and client.user_id != owner):
                continue
            if client.offer_event(topic, key, frame):
                delivered += 1
            else:
                self._metrics.ws_dropped.inc()
                self._clients.discard(client)
                log.warning("WebSocket client dropped: %d events behind", self.queue_size)
        self._metrics.ws_events.labels(topic).inc()
        self._metrics.clients(len(self._clients))
        return delivered
