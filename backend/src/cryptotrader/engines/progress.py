"""Where the trading runtime stands: the candle whose step it is in, kept in ``engine_checkpoints``.

The order engine writes ``{"candle_ms": t, "complete": false}`` in the same transaction as every
effect of the step of candle ``t`` (an order stored, a fill recorded, a trade closed), and the
runtime writes ``complete: true`` when a run of candles is done. A restart resumes at ``t``
itself when it was not complete (each part of a step is idempotent: deterministic client order
ids, and a paper exchange that ignores a candle it already saw) and after it otherwise. Candles
without effects need no write: replaying them changes nothing.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession

from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.domain.values import utc_from_ms
from cryptotrader.persistence import driver
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.repositories import checkpoints
from cryptotrader.persistence.repositories.trade_queries import TradedSeries
from cryptotrader.persistence.uow import UnitOfWork, after_commit

ENGINE = "order"


def series_key(venue: str, source: str, pair: Pair, timeframe: Timeframe) -> str:
    """The checkpoint key of a traded series: ``<venue>:<source>:<pair>:<timeframe>``."""
    return f"{venue}:{source}:{pair}:{timeframe}"


async def traded_series(session: AsyncSession) -> list[TradedSeries]:
    """Every series a runtime has traded, with the newest candle it has stepped through.

    What the runtime has reached, not what is stored: a replay stores its whole file first.
    """
    found = []
    for key, value in await checkpoints.list_checkpoints(session=session, engine=ENGINE):
        parts = key.split(":")
        if len(parts) != 4 or not isinstance(value.get("candle_ms"), int):
            continue
        venue, source, symbol, timeframe = parts
        found.append(
            TradedSeries(venue, symbol, source, timeframe, utc_from_ms(value["candle_ms"]))
        )
    return found


class Progress:
    """The step checkpoint of one traded series.

    Args:
        key: names the series (``<venue>:<pair>:<timeframe>``).
        timeframe: its candles; a time inside a candle counts as that candle's step.
    """

    def __init__(self, *, key: str, timeframe: Timeframe) -> None:
        self.key = key
        self.timeframe = timeframe
        self.step_ms: int | None = None
        """The candle whose step runs now (set by the runtime before each step)."""
        self._written: tuple[int, bool] | None = None
        self._committed: tuple[int, bool] | None = None
        """The checkpoint known to be committed (``_written`` may have rolled back)."""
        self._written_in: tuple[AsyncSession, object] | None = None
        """The session and transaction (``driver.transaction_key``) that wrote ``_written``."""

    async def load(self, database: Database) -> tuple[int | None, bool]:
        """``(candle_ms, complete)`` of the last checkpoint; ``(None, True)`` before any."""
        async with UnitOfWork(database) as uow:
            value = await checkpoints.load_checkpoint(
                session=uow.session, engine=ENGINE, key=self.key
            )
        if value is None:
            return None, True
        self._written = (int(value["candle_ms"]), bool(value["complete"]))
        self._committed = self._written
        return self._written

    async def mark(
        self, session: AsyncSession, *, at: datetime, step_ms: int | None = None
    ) -> None:
        """Record in ``session`` that the step of ``step_ms`` (default: the current) has effects.

        Never moves the checkpoint back. Skipped when a committed transaction already marked
        this step (or a later one), or when this transaction did (a batch's exit marks it when
        its protection's cancel is recorded and again when its sale is written: one row, not
        two, the same value); written again otherwise, even when an earlier transaction of the
        step wrote it: that one may have rolled back.
        """
        step = self.step_ms if step_ms is None else self.floor(step_ms)
        written = self._written
        if step is None or (written is not None and written >= (step, True)):
            return
        if self._committed is not None and self._committed >= (step, False):
            return
        if written is not None and written >= (step, False) and self._in(session):
            return
        await self._save(session, step, complete=False, at=at)

    def _in(self, session: AsyncSession) -> bool:
        """True when ``_written`` was written by ``session``'s transaction going on."""
        written_in = self._written_in
        return (
            written_in is not None
            and written_in[0] is session
            and written_in[1] == driver.transaction_key(session)
        )

    async def complete(self, session: AsyncSession, *, step_ms: int, at: datetime) -> None:
        """Record in ``session`` that every step up to ``step_ms`` is done."""
        if self._written is not None and self._written >= (step_ms, True):
            return
        await self._save(session, step_ms, complete=True, at=at)

    def floor(self, timestamp_ms: int) -> int:
        """Open time of the candle ``timestamp_ms`` falls in."""
        return int(self.timeframe.bucket_start(np.array([timestamp_ms]))[0])

    def resume_point(self) -> tuple[int | None, bool]:
        """The last written ``(candle_ms, complete)``."""
        return self._written if self._written is not None else (None, True)

    async def _save(
        self, session: AsyncSession, step: int, *, complete: bool, at: datetime
    ) -> None:
        await checkpoints.save_checkpoint(
            session=session,
            engine=ENGINE,
            key=self.key,
            value={"candle_ms": step, "complete": complete},
            at=at,
        )
        written = self._written = (step, complete)
        self._written_in = (session, driver.transaction_key(session))

        def committed() -> None:
            if self._committed is None or self._committed < written:
                self._committed = written

        after_commit(session, committed)
