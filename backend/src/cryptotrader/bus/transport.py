"""The stream primitives a bus needs, modelled on Redis Streams consumer groups.

``StreamBus`` implements the whole delivery policy once on top of these; ``InMemoryTransport``
and ``RedisTransport`` only store entries. Entry ids are strings ordered like Redis ids.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol


class GroupMissing(Exception):  # noqa: N818 - a state, not a failure of the caller
    """The consumer group (or its whole stream) is gone: Redis restarted empty, or it was dropped.

    A consumer recreates its group from the stream's first entry and goes on (``ConsumerLoop``).
    """


@dataclass(frozen=True, slots=True)
class Entry:
    """A stream entry as delivered; ``fields`` is None when it was trimmed while pending."""

    entry_id: str
    fields: Mapping[str, str] | None
    deliveries: int


class StreamTransport(Protocol):
    """Append-only streams with consumer groups and per-consumer pending lists."""

    async def add(self, stream: str, fields: Mapping[str, str]) -> str:
        """Append an entry (the stream is trimmed to about its maximum length)."""
        ...

    async def add_many(self, stream: str, entries: Sequence[Mapping[str, str]]) -> list[str]:
        """Append entries in order, like ``add`` on each; returns their ids in the same order."""
        ...

    async def add_each(self, entries: Sequence[tuple[str, Mapping[str, str]]]) -> list[str]:
        """Append each ``(stream, fields)`` in order (several streams); returns their ids."""
        ...

    async def ensure_group(self, stream: str, group: str, *, from_start: bool = False) -> None:
        """Create ``group`` unless it exists (and the stream): at its end, or its start."""
        ...

    async def read_new(
        self, stream: str, group: str, consumer: str, count: int, block_ms: int
    ) -> list[Entry]:
        """Entries never delivered to the group, waiting up to ``block_ms`` for one.

        Raises:
            GroupMissing: the group or the stream is gone (as ``read_pending``, ``claim_idle``).
        """
        ...

    async def read_new_many(
        self, streams: Sequence[str], group: str, consumer: str, count: int, block_ms: int
    ) -> list[tuple[str, Entry]]:
        """``read_new`` on several streams in one call, each entry with its stream.

        Up to ``count`` entries per stream, each stream's in order; waits up to ``block_ms``
        for any (0: does not wait).

        Raises:
            GroupMissing: the group is gone on one of the streams (which one is not said).
        """
        ...

    async def read_pending(self, stream: str, group: str, consumer: str, count: int) -> list[Entry]:
        """This consumer's delivered but unacked entries, delivered again."""
        ...

    async def claim_idle(
        self, stream: str, group: str, consumer: str, min_idle_ms: int, count: int
    ) -> list[Entry]:
        """Take over entries of any member left unacked for ``min_idle_ms``."""
        ...

    async def ack(self, stream: str, group: str, entry_ids: Sequence[str]) -> None:
        """Remove entries from the group's pending list (nothing when the group is gone)."""
        ...

    async def ack_many(self, group: str, acks: Sequence[tuple[str, Sequence[str]]]) -> None:
        """``ack`` of each ``(stream, entry ids)``, in one round trip."""
        ...

    async def entries(self, stream: str, count: int) -> list[tuple[str, dict[str, str]]]:
        """The first ``count`` entries of a stream (dead letters are read this way)."""
        ...

    async def entries_after(
        self, stream: str, after: str, count: int
    ) -> list[tuple[str, dict[str, str]]]:
        """Up to ``count`` entries whose id is greater than ``after``, oldest first."""
        ...

    async def trimmed_through(self, stream: str) -> str | None:
        """The greatest id that may have been trimmed from the stream (None when none was)."""
        ...

    async def drop_group(self, stream: str, group: str) -> None:
        """Delete a group and its pending list (nothing when there is none)."""
        ...

    async def groups(self, stream: str) -> list[str]:
        """The names of the stream's groups."""
        ...

    async def epoch(self) -> str:
        """An id of the store's life: another one after Redis restarted (and lost it all)."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...
