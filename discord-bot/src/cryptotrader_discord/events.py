"""The ``/ws`` event stream, as the bot consumes it: alerts, resumed from the last one posted.

Each event frame carries a ``cursor``; the bot keeps the cursor of the last alert it posted in a
file and sends it back in ``subscribe.resume`` when it connects, so after a restart or a lost
connection it first receives what it missed, oldest first, and nothing twice (the API replays
the retained events after the cursor, then live ones). The poster writes the cursor once the
alerts up to it are posted (``alerts.CursorTracker``); reading never waits for Discord.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
from collections.abc import Awaitable, Callable
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

log = logging.getLogger(__name__)


class Alert(BaseModel):
    """An ``alert_raised`` message (``docs/asyncapi.json``: ``AlertRaised``)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    type: Literal["alert_raised"] = "alert_raised"
    message_id: str
    timestamp: datetime
    kind: str
    severity: Literal["info", "warning", "critical"] = "info"
    text: str
    bot: Literal["safe", "aggressive"] | None = None
    pair: str | None = None
    side: str | None = None
    price: Decimal | None = None
    risk: Decimal | None = None
    potential_gain: Decimal | None = None
    rr_ratio: Decimal | None = None
    details: dict[str, str] = Field(default_factory=dict)


class CursorFile:
    """The cursor of the last alert handled, kept across restarts (written atomically)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> str | None:
        """The stored cursor, None on a first start."""
        try:
            value = self.path.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return value or None

    def write(self, cursor: str) -> None:
        """Replace the stored cursor (a crash leaves the old or the new one, never half)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(".tmp")
        partial.write_text(cursor, encoding="utf-8")
        os.replace(partial, self.path)


OnAlert = Callable[[Alert | None, str | None], Awaitable[None]]
"""Takes an alert (None: unreadable) and its cursor; stores the cursor once it is handled."""


def ws_url(api_url: str) -> str:
    """``/ws`` of the API at ``api_url`` (http -> ws, https -> wss)."""
    scheme, _, rest = api_url.partition("://")
    return f"{'wss' if scheme == 'https' else 'ws'}://{rest}/ws"


class AlertStream:
    """Reads alerts from ``/ws`` forever, reconnecting with a backoff, resuming from the cursor.

    Args:
        api_url: the API.
        token: the service token (``read`` scope).
        cursors: where the last handled cursor is kept (read here when connecting; written by
            whoever handles the alerts, ``alerts.AlertPoster``, once they are posted).
        on_alert: takes one alert and its cursor, without waiting for Discord.
        start_at: the cursor to start from when none is stored: ``"$"`` (only new alerts) or
            ``"0-0"`` (every retained one).

    """

    def __init__(
        self,
        *,
        api_url: str,
        token: str,
        cursors: CursorFile,
        on_alert: OnAlert,
        start_at: str = "$",
        max_backoff_s: float = 30.0,
    ) -> None:
        self._url = ws_url(api_url)
        self._token = token
        self._cursors = cursors
        self._on_alert = on_alert
        self._start_at = start_at
        self._max_backoff_s = max_backoff_s
        self.connected = asyncio.Event()
        self.replayed = asyncio.Event()
        self._received: str | None = None
        self.sessions = 0
        """Connections made to ``/ws`` (more than one: it was lost or dropped and resumed)."""
        self._current: asyncio.Task[None] | None = None

    async def drain(self) -> None:
        """Wait for the alert being posted (if any) and its cursor write, after a cancel.

        Cancelling ``run`` never cuts a post in half: the post and the cursor write finish in
        their own task, so a graceful stop posts nothing twice.
        """
        if self._current is not None:
            await asyncio.gather(self._current, return_exceptions=True)

    async def run(self) -> None:
        """Consume until cancelled; a lost connection is retried, a refusal is raised."""
        backoff = 0.5
        while True:
            try:
                await self._session()
                backoff = 0.5
            except InvalidStatus as exc:
                raise PermissionError(
                    f"/ws refused the service token (HTTP {exc.response.status_code})"
                ) from None
            except (OSError, ConnectionClosed, TimeoutError) as exc:
                if isinstance(exc, ConnectionClosed) and exc.rcvd and exc.rcvd.code == 1008:
                    raise PermissionError(f"/ws closed: {exc.rcvd.reason}") from None
                log.warning("alert stream lost (%s); reconnecting in %.1fs", exc, backoff)
            self.connected.clear()
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, self._max_backoff_s)

    async def _session(self) -> None:
        headers = {"Authorization": f"Bearer {self._token}"}
        async with connect(self._url, additional_headers=headers, max_size=2**22) as socket:
            welcome = json.loads(await socket.recv())
            if welcome.get("type") != "welcome":
                raise ConnectionClosed(None, None)
            subscribe: dict[str, object] = {"type": "subscribe", "topics": ["alerts"]}
            # After a lost connection, go on from the last alert received: the ones still queued
            # for Discord are not lost (only a restart resumes from the stored cursor, which
            # moves once they are posted), and receiving them again would post them twice.
            cursor = (
                self._received
                or self._cursors.read()
                or (None if self._start_at == "$" else self._start_at)
            )
            if cursor is not None:
                subscribe["resume"] = {"alerts": cursor}
            else:
                self.replayed.set()
            await socket.send(json.dumps(subscribe))
            self.sessions += 1
            self.connected.set()
            async for raw in socket:
                self._current = asyncio.create_task(self._frame(json.loads(raw)))
                await asyncio.shield(self._current)

    async def _frame(self, frame: dict[str, object]) -> None:
        kind = frame.get("type")
        if kind == "replayed":
            if frame.get("gap"):
                log.warning("some alerts were no longer retained by the API: they were missed")
            self.replayed.set()
        elif kind == "error":
            log.error("/ws refused a frame: %s", frame.get("detail"))
        elif kind == "event" and frame.get("topic") == "alerts":
            alert: Alert | None = None
            try:
                alert = Alert.model_validate(frame["data"])
            except (ValidationError, KeyError):
                log.exception("an alert could not be read; skipped")
            cursor = frame.get("cursor")
            if isinstance(cursor, str):
                self._received = cursor
            await self._on_alert(alert, cursor if isinstance(cursor, str) else None)


async def run_until_cancelled(stream: AlertStream) -> None:
    """``stream.run()``; cancellation is the normal way out."""
    with contextlib.suppress(asyncio.CancelledError):
        await stream.run()
