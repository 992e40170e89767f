"""The bus interface every engine codes against: publish, subscribe in a group, ack.

Threading rule: a bus belongs to the event loop it was first used on. Call ``publish``,
``subscribe``, ``ack`` and ``close`` only from coroutines running on that loop, never from
another thread (use ``asyncio.run_coroutine_threadsafe(bus.publish(...), loop)`` there).
Handlers run on that loop too, one message at a time per subscription: a handler that blocks
(CPU-bound work, a synchronous driver) stalls every consumer of the process, so such work goes
to ``asyncio.to_thread``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from cryptotrader.bus.messages import BusMessage


@dataclass(frozen=True, slots=True)
class Delivery:
    """One delivery of a message to a consumer; ``attempt`` counts deliveries (1 the first)."""

    topic: str
    group: str
    entry_id: str
    message: BusMessage
    attempt: int


def entry_key(entry_id: str) -> tuple[int, int]:
    """An entry id (``"<ms-or-seq>-<n>"``) as a sortable pair.

    Raises:
        ValueError: not an entry id.
    """
    first, _, second = entry_id.partition("-")
    key = (int(first), int(second or "0"))
    if key[0] < 0 or key[1] < 0:
        raise ValueError(f"not an entry id: {entry_id!r}")
    return key


@dataclass(frozen=True, slots=True)
class HistoryPage:
    """Retained messages of a channel after a cursor, oldest first.

    ``last_id`` is the id of the last entry read (malformed entries are skipped but counted),
    None when there was nothing; ``gap`` is True when entries after the cursor may already have
    been trimmed away (the reader may have missed some for good; exact in process, conservative
    on Redis, which does not record trimmed ids).
    """

    messages: list[tuple[str, BusMessage]]
    last_id: str | None
    gap: bool


Handler = Callable[[Delivery], Awaitable[None]]
"""Applies a message. It commits its effect before returning (the bus acks only then); raising
means "not applied", and the message is delivered again, up to the retry limit."""

ManyHandler = Callable[[Sequence[Delivery]], Awaitable[None]]
"""Applies the messages of one read at once (a subscription's optional ``many``), as the
``Handler`` would one after the other: the same effects, in the same order. Raising means
"none applied": each is then given to the ``Handler`` alone, with its usual retries."""


@dataclass(frozen=True, slots=True)
class ConsumerOptions:
    """How a subscription reads, retries and takes over.

    Args:
        batch_size: entries read per call.
        block_ms: how long a read waits for new entries.
        claim_idle_ms: a message delivered to another member of the group and not acked for
            this long is taken over (its consumer is presumed dead).
        claim_interval_s: how often to look for such messages.
        max_deliveries: after this many failed deliveries the message goes to the dead letters.
        retry_delay_s: pause before redelivering a message whose handler failed.
        resent_s: how far back the outbox sends its events again after Redis restarted
            empty (``outbox.RETAIN``): a consumer whose group vanished while it was further
            behind than this lost what was published in between, and says so (log, alert).
    """

    batch_size: int = 100
    block_ms: int = 1000
    claim_idle_ms: int = 60_000
    claim_interval_s: float = 5.0
    max_deliveries: int = 5
    retry_delay_s: float = 0.5
    resent_s: float = 300.0


class Subscription(Protocol):
    """A running consumer; ``stop`` ends it without acking what is in flight."""

    async def stop(self) -> None:
        """Stop consuming; an unacked message is redelivered to this consumer's next start."""
        ...


class MessageBus(Protocol):
    """Publish messages on channels; consume them as a named member of a consumer group.

    Every group receives every message published on a channel after the group was created;
    within a group each message goes to one member. Delivery is at least once: a message is
    acked after its handler returns, a restarted consumer first re-reads its own unacked
    messages, and those of a member that died are taken over after ``claim_idle_ms``. Handlers
    must therefore be idempotent (record ``message.message_id`` in the same transaction as the
    effect, see ``persistence.repositories.inbox``). A message that cannot be decoded, or whose
    handler fails ``max_deliveries`` times, is moved to the channel's dead letters with the
    reason, and an alert is published; it never blocks the channel.

    Threading rule: single event loop (see the module docstring).

    Example:
        async def on_signal(delivery: Delivery) -> None:
            ...  # apply and commit, idempotently

        subscription = await bus.subscribe(
            topics.SIGNALS, group="orders", consumer="orders-1", handler=on_signal
        )
        await bus.publish(topics.SIGNALS, SignalGenerated.from_domain(signal))
    """

    async def publish(self, topic: str, message: BusMessage) -> str:
        """Append ``message`` to ``topic``; returns the entry id.

        The messages published through one bus reach a channel in the order of the calls.

        Raises:
            MalformedMessageError: the channel does not carry this message type.
        """
        ...

    async def publish_many(self, topic: str, messages: Sequence[BusMessage]) -> list[str]:
        """Append ``messages`` to ``topic`` in order; returns their entry ids in the same order.

        The same as ``publish`` on each message in turn, in fewer round trips. Nothing is
        appended if one message does not belong on the channel. If the transport fails part
        way, the error is raised and a prefix of the messages may have been appended:
        publishing them again is safe, consumers being idempotent.

        Raises:
            MalformedMessageError: the channel does not carry one of these message types.
        """
        ...

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
    ) -> Subscription:
        """Start consuming ``topic`` as ``consumer`` of ``group`` (created on first use).

        A new group starts after the channel's last message; with ``from_start`` before its
        first retained one: an engine's durable group then also gets what was published while
        it did not exist (Redis restarted empty before the engine came back). A group found gone
        while consuming is always created again from the start (``bus.consumer``).

        ``many`` (optional) applies every message of a read at once (a candle time of many
        pairs decided together); ``handler`` still applies each one when ``many`` fails.
        ``kinds`` (optional): the message types (``type``) the handler acts on; the others are
        acked without being decoded or handled.
        """
        ...

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
    ) -> Subscription:
        """Consume ``topic`` as one of several workers sharing its pairs (``bus.partitions``).

        A pair's messages go to one worker at a time, in order; a dead worker's pairs move to
        the others (``bus.partitions``). Without partitions, the same as ``subscribe``.
        """
        ...

    async def history(self, topic: str, *, after: str, count: int) -> HistoryPage:
        """Up to ``count`` retained messages of ``topic`` published after the entry ``after``.

        Channels keep their recent entries (``maxlen``), so a reader that went away can catch
        up from the last id it saw; ``"0-0"`` reads from the oldest retained entry.
        """
        ...

    def keep(self, delivery: Delivery) -> None:
        """Keep ``delivery`` pending when its handler returns, until ``ack`` (see ``bus.consumer``).

        For an effect committed after the handler returns (runs gathered until a batch is
        complete): a consumer killed before then gets the delivery again at its restart.
        """
        ...

    async def ack(self, delivery: Delivery) -> None:
        """Mark a delivery as done (the subscription does it when the handler returns)."""
        ...

    async def ack_many(self, deliveries: Sequence[Delivery]) -> None:
        """``ack`` of each delivery, in one round trip (not one per delivery)."""
        ...

    async def drop_group(self, topic: str, group: str) -> None:
        """Delete ``group`` of ``topic`` with its pending list (stop its subscriptions first)."""
        ...

    async def groups(self, topic: str) -> list[str]:
        """The names of ``topic``'s consumer groups."""
        ...

    async def close(self) -> None:
        """Stop every subscription and release connections."""
        ...
