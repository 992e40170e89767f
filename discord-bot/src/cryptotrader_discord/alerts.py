"""Posting alerts: to the routed channel through the bot account, or through a webhook.

Reading never waits for Discord. The stream hands each alert to ``AlertPoster.post``, which only
queues it; one sender per channel empties its queue as fast as Discord lets it. Discord allows
a channel about five messages every five seconds (discord.py waits out what the rate-limit
headers and 429 answers say), so the sender packs up to ten embeds into one message, and when
its queue still holds more than ``merge_after`` alerts it is falling behind: it then posts the
critical alerts one embed each and merges everything else queued into one summary embed
(counts per kind, the P&L of the sells). A queue past ``max_backlog`` drops its oldest
non-critical alerts (counted in the next summary). So a burst of 100 alerts a second costs a
few messages, a critical alert is never merged or dropped, and the stream is never blocked.

The cursor kept for resuming moves only past alerts that were posted (alone or merged) or
dropped on purpose, in stream order (``CursorTracker``): after a restart nothing posted is
posted again and nothing queued is lost.

A ``trade_closed`` alert carries the reallocation it caused (read from the API by trade id), so
the separate ``reallocation`` alert is folded into the sell and not posted on its own, unless
``ALERT_CHANNELS`` routes ``reallocation`` explicitly.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import discord

from cryptotrader_discord.api import ApiClient, ApiError, ReallocationPublic
from cryptotrader_discord.config import Routing
from cryptotrader_discord.embeds import alert_embed, merged_embed
from cryptotrader_discord.events import Alert, CursorFile

log = logging.getLogger(__name__)
Send = Callable[[int | None, Sequence[discord.Embed]], Awaitable[None]]
"""Sends embeds (1 to 10) in one message to a channel id (None: the webhook's own channel)."""

EMBEDS_PER_MESSAGE = 10  # Discord's limits for one message
CHARACTERS_PER_MESSAGE = 6000


class CursorTracker:
    """Stores the cursor of the newest alert such that every older one is done.

    Alerts finish out of order (several channels post at once); the stored cursor only moves
    over a contiguous run of finished ones.
    """

    def __init__(self, cursors: CursorFile | None) -> None:
        self._cursors = cursors
        self._next = 0
        self._pending: deque[tuple[int, str | None]] = deque()
        self._done: dict[int, str | None] = {}
        self.handled: list[str] = []
        """Message ids of the alerts behind the stored cursor, in stream order."""
        self.idle = asyncio.Event()
        """Set while every alert taken is handled."""
        self.idle.set()

    def add(self, message_id: str | None = None) -> int:
        """A new alert (its message id, if readable), in stream order; returns its ticket."""
        ticket = self._next
        self._next += 1
        self._pending.append((ticket, message_id))
        self.idle.clear()
        return ticket

    def done(self, ticket: int, cursor: str | None) -> None:
        """The alert of ``ticket`` (stream position ``cursor``) is handled."""
        self._done[ticket] = cursor
        newest: str | None = None
        while self._pending and self._pending[0][0] in self._done:
            first, message_id = self._pending.popleft()
            newest = self._done.pop(first) or newest
            if message_id is not None:
                self.handled.append(message_id)
        if newest is not None and self._cursors is not None:
            self._cursors.write(newest)
        if not self._pending:
            self.idle.set()

    @property
    def waiting(self) -> int:
        """Alerts taken but not yet handled."""
        return len(self._pending)


@dataclass(frozen=True, slots=True)
class _Queued:
    alert: Alert
    ticket: int
    cursor: str | None

    @property
    def critical(self) -> bool:
        return self.alert.severity == "critical"


@dataclass(frozen=True, slots=True)
class _Batch:
    """One message: its alerts (in stream order), embeds, and how many are only counted."""

    alerts: list[_Queued]
    embeds: list[discord.Embed]
    merged: int
    dropped: int


class AlertPoster:
    """Queues alerts and posts them where the routing says, within Discord's rate limits.

    Args:
        api: reads the reallocation of a closed trade.
        routing: channel per alert kind (None: off).
        send: the transport (bot channel or webhook).
        language: ``en`` or ``fr``, asked per message (the guild's locale may change).
        webhook: True when every alert goes to one webhook (the routing then only says on/off).
        cursors: where the resume cursor is kept (None: not kept).
        merge_after: a queue longer than this is behind: non-critical alerts are merged.
        max_backlog: a queue longer than this drops its oldest non-critical alerts.

    """

    def __init__(
        self,
        *,
        api: ApiClient,
        routing: Routing,
        send: Send,
        language: Callable[[], str],
        webhook: bool = False,
        cursors: CursorFile | None = None,
        merge_after: int = 30,
        max_backlog: int = 5000,
    ) -> None:
        self._api = api
        self._routing = routing
        self._send = send
        self._language = language
        self._webhook = webhook
        self._tracker = CursorTracker(cursors)
        self._merge_after = merge_after
        self._max_backlog = max_backlog
        self._queues: dict[int | None, deque[_Queued]] = {}
        self._wake: dict[int | None, asyncio.Event] = {}
        self._senders: dict[int | None, asyncio.Task[None]] = {}
        self._dropped: Counter[int | None] = Counter()
        self.posted = 0
        """Alerts shown, alone or in a summary."""
        self.messages = 0
        """Discord messages sent."""
        self.merged = 0
        """Alerts shown only as a count in a summary embed."""
        self.dropped = 0
        """Alerts dropped because the queue was full."""

    def wanted(self, alert: Alert) -> bool:
        """False when ``alert``'s kind is routed off (or folded into another embed)."""
        if alert.kind == "reallocation" and "reallocation" not in self._routing.channels:
            return False  # shown in the sell embed
        if self._webhook:  # one channel: only an explicit "off" silences a kind
            return not self._routing.silenced(alert.kind)
        return self._routing.channel(alert.kind) is not None

    async def post(self, alert: Alert | None, cursor: str | None = None) -> None:
        """Take ``alert`` (None: an unreadable one, only its cursor counts); returns at once."""
        ticket = self._tracker.add(None if alert is None else alert.message_id)
        if alert is None or not self.wanted(alert):
            self._tracker.done(ticket, cursor)
            return
        channel = None if self._webhook else self._routing.channel(alert.kind)
        queue = self._queues.setdefault(channel, deque())
        queue.append(_Queued(alert, ticket, cursor))
        if len(queue) > self._max_backlog:
            self._drop_oldest(channel, queue)
        self._wake.setdefault(channel, asyncio.Event()).set()
        if channel not in self._senders:
            self._senders[channel] = asyncio.create_task(
                self._sender(channel), name=f"alerts-to-{channel}"
            )

    @property
    def handled(self) -> list[str]:
        """Message ids of the alerts behind the stored cursor, in stream order.

        Posted, merged, dropped or routed off: for tests and logs.
        """
        return self._tracker.handled

    @property
    def backlog(self) -> int:
        """Alerts taken and not yet handled."""
        return self._tracker.waiting

    async def flush(self) -> None:
        """Until every queued alert is handled (a sender keeps going while this waits)."""
        await self._tracker.idle.wait()

    async def close(self, within_s: float = 10.0) -> None:
        """Post what is queued (for at most ``within_s``), then stop the senders.

        What is still queued then is not lost: its cursor was not stored, the next start
        receives it again.
        """
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(within_s):
                await self.flush()
        senders, self._senders = list(self._senders.values()), {}
        for sender in senders:
            sender.cancel()
        await asyncio.gather(*senders, return_exceptions=True)

    # --- the senders ----------------------------------------------------------------------------

    async def _sender(self, channel: int | None) -> None:
        queue, wake = self._queues[channel], self._wake[channel]
        while True:
            if not queue:
                wake.clear()
                await wake.wait()
                continue
            batch = await self._compose(channel, queue)
            try:
                await self._send(channel, batch.embeds)
            except asyncio.CancelledError:
                self._put_back(channel, batch)  # not posted: the next start receives them again
                raise
            except discord.HTTPException as exc:
                if exc.status >= 500 or exc.status == 429:
                    # discord.py already retried: Discord is unwell, keep them and wait
                    log.warning("Discord answered %s; retrying in 5 s", exc.status)
                    self._put_back(channel, batch)
                    await asyncio.sleep(5.0)
                    continue
                # Discord refused the message itself (a bad channel, missing permissions):
                # retrying would fail the same way and hold every later alert back.
                log.exception("alerts to channel %s could not be posted; skipped", channel)
            except (OSError, TimeoutError):
                log.warning("Discord unreachable; retrying in 5 s", exc_info=True)
                self._put_back(channel, batch)
                await asyncio.sleep(5.0)
                continue
            self.messages += 1
            self.merged += batch.merged
            for queued in batch.alerts:
                self._tracker.done(queued.ticket, queued.cursor)
            self.posted += len(batch.alerts)

    async def _compose(self, channel: int | None, queue: deque[_Queued]) -> _Batch:
        """Take the next message's alerts off ``queue``.

        Up to ten embeds; when behind, the critical alerts and a summary of the rest.
        """
        lang = self._language()
        behind = len(queue) > self._merge_after
        taken: list[_Queued] = []
        embeds: list[discord.Embed] = []
        size = 0
        merged: list[_Queued] = []
        room = EMBEDS_PER_MESSAGE - (1 if behind else 0)
        for queued in list(queue):
            if behind and not queued.critical:
                merged.append(queued)
                continue
            if len(embeds) >= room:
                break
            embed = await self._embed(queued.alert, lang)
            if size + len(embed) > CHARACTERS_PER_MESSAGE - (1000 if behind else 0) and embeds:
                break
            embeds.append(embed)
            taken.append(queued)
            size += len(embed)
        dropped = self._dropped.pop(channel, 0)
        if merged or dropped:
            embeds.append(merged_embed([q.alert for q in merged], dropped, lang))
        gone = {q.ticket for q in [*taken, *merged]}
        for _ in range(len(queue)):
            queued = queue.popleft()
            if queued.ticket not in gone:
                queue.append(queued)
        alerts = sorted([*taken, *merged], key=lambda q: q.ticket)
        return _Batch(alerts=alerts, embeds=embeds, merged=len(merged), dropped=dropped)

    def _put_back(self, channel: int | None, batch: _Batch) -> None:
        self._queues[channel].extendleft(reversed(batch.alerts))
        self._dropped[channel] += batch.dropped

    async def _embed(self, alert: Alert, lang: str) -> discord.Embed:
        reallocation = await self._reallocation(alert) if alert.kind == "trade_closed" else None
        return alert_embed(alert, lang, reallocation)

    def _drop_oldest(self, channel: int | None, queue: deque[_Queued]) -> None:
        """Drop the oldest non-critical alert (the queue is full); counted in the next summary."""
        for queued in queue:
            if not queued.critical:
                queue.remove(queued)
                self._dropped[channel] += 1
                self.dropped += 1
                self._tracker.done(queued.ticket, queued.cursor)
                log.warning("alert queue full: a %s alert was dropped", queued.alert.kind)
                return

    async def _reallocation(self, alert: Alert) -> ReallocationPublic | None:
        trade_id = alert.details.get("trade_id")
        if trade_id is None or alert.bot != "aggressive":
            return None
        try:
            page = await self._api.reallocations(limit=20)
        except ApiError as exc:
            log.warning("reallocation of trade %s unknown: %s", trade_id, exc)
            return None
        return next((r for r in page.data if str(r.trigger_trade_id) == trade_id), None)
