"""The heartbeat of the runtime that drives the bots (see ``domain.presence``).

Beats are wall-clock time even when the runtime replays history on a market clock: they say
whether a process is alive now, not where the market is. A failed write is logged and retried at
the next beat; it never stops trading.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from dataclasses import replace
from datetime import UTC, datetime

from cryptotrader.domain.presence import HEARTBEAT_KEY, HEARTBEAT_S, RuntimePresence
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.repositories import settings
from cryptotrader.persistence.uow import UnitOfWork

log = logging.getLogger(__name__)


class Heartbeat:
    """Stores ``RuntimePresence`` every ``interval_s`` until stopped, then its stop time."""

    def __init__(
        self,
        database: Database,
        *,
        mode: str,
        market: str,
        markets: tuple[tuple[str, str, str], ...] = (),
        interval_s: float = HEARTBEAT_S,
    ) -> None:
        self._database = database
        self._interval_s = interval_s
        now = datetime.now(UTC)
        self.presence = RuntimePresence(
            started_at=now,
            seen_at=now,
            stopped_at=None,
            pid=os.getpid(),
            mode=mode,
            market=market,
            markets=markets,
        )
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """First beat now (the API shows the bots driven at once), then one per interval."""
        await self.write()
        self._task = asyncio.create_task(self._beat(), name="heartbeat")

    async def stop(self) -> None:
        """A clean stop is said at once: readers need not wait for the beat to go stale."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self.presence = replace(self.presence, stopped_at=datetime.now(UTC))
        await self.write()

    async def trades(self, *, market: str, markets: tuple[tuple[str, str, str], ...]) -> None:
        """The markets changed while running (a live pair joined or left): stored at once."""
        self.presence = replace(self.presence, market=market, markets=markets)
        await self.write()

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(self._interval_s)
            self.presence = replace(self.presence, seen_at=datetime.now(UTC))
            await self.write()

    async def write(self) -> None:
        """Store the current presence (a failure is logged, never raised)."""
        try:
            async with UnitOfWork(self._database) as uow:
                await settings.put_setting(
                    session=uow.session,
                    key=HEARTBEAT_KEY,
                    value=self.presence.to_json(),
                    at=self.presence.seen_at,
                    updated_by="runtime",
                )
                await uow.commit()
        except Exception:
            log.warning("heartbeat not stored; retrying at the next beat", exc_info=True)
