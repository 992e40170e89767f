"""Trading worker: the step of each candle, in order, for both bots.

A step follows the backtest's order of events in a candle (docs/backtesting.md):

1. the paper market sees the candle: stops and take-profits it reached fill (gap at the open,
   stop first when both are touched), and their trades close and settle;
2. the market moves to the next candle's open (the first price after the close);
3. the decisions taken at the close act at that price: exits first (an aggressive winner's
   reallocation is in the safe bot's capital before the safe bot sizes an entry at that same
   open), then entries, each protected at once.

Decisions too old to act on (a live runtime catching up after downtime) are not acted on. A
step's effects are checkpointed as they happen (``Progress``) and each part of a step is
idempotent, so a restart resumes inside the step it died in; a run of candles ends with a
``complete`` checkpoint.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import numpy as np

from cryptotrader.bus.messages import BotDecisions, DecisionsMade
from cryptotrader.bus.protocol import Delivery
from cryptotrader.clock import Clock, MarketClock
from cryptotrader.domain.enums import BotKind, BotStatus, ExitReason
from cryptotrader.domain.signals import TradingSignal
from cryptotrader.domain.values import utc_from_ms
from cryptotrader.engines import client_ids
from cryptotrader.engines.order import OrderEngine
from cryptotrader.engines.reconcile import Reconciler
from cryptotrader.engines.workers.decisions import ACTIONS, BUY, SELL
from cryptotrader.errors import TraderError
from cryptotrader.exchanges.paper import PaperExchange
from cryptotrader.persistence.repositories import bots, trades
from cryptotrader.persistence.uow import UnitOfWork

log = logging.getLogger(__name__)

_ORDER = (BotKind.AGGRESSIVE, BotKind.SAFE)
_SAMPLE_EVERY_S = 1.0
"""The bots' money is reported after a run of candles, at most this often (wall clock): every
candle when trading live, about once a second in a replay at full speed (and at its end)."""
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Candle:
    """One candle of a run, and the first price after it (None at the end of a replay)."""

    open_ms: int
    close_ms: int
    open: float
    high: float
    low: float
    close: float
    next_open: float | None
    next_open_ms: int | None


class TradingWorker:
    """Consumes ``signals`` (``DecisionsMade``) and runs each candle's step.

    Args:
        engine: the order engine.
        reconciler: run before trading, and again at each candle while it fails.
        feed: the paper exchange, fed with the candles; None for a live venue (then protective
            orders are polled).
        clock: moved to each candle's close when it is a ``MarketClock`` (replays): the trading
            worker alone moves it, so that time-dependent rules (the daily loss limit) read the
            time of the candle being traded, never how far the market data has read ahead.
        max_decision_age_ms: decisions older than this (from their candle's close) are not acted
            on; None acts on all (replays).
    """

    def __init__(
        self,
        *,
        engine: OrderEngine,
        reconciler: Reconciler,
        feed: PaperExchange | None,
        clock: Clock,
        max_decision_age_ms: int | None,
    ) -> None:
        self.engine = engine
        self.reconciler = reconciler
        self.feed = feed
        self.clock = clock
        self.max_age = max_decision_age_ms
        self.resume_ms: int | None = None
        """Candles opened before this were done before a restart."""
        self.finished = asyncio.Event()
        """Set once the last run of a replay is done."""
        self.candles_done = 0
        self.progressed = asyncio.Condition()
        """Notified after each run of candles (``resume_ms`` moved)."""
        self._sampled = -_SAMPLE_EVERY_S

    async def start(self) -> int | None:
        """Reconcile, then say where to resume: the first candle (open time) not yet done."""
        progress = self.engine.ctx.progress
        step, _ = await progress.load(self.engine.ctx.database)
        if step is not None and isinstance(self.clock, MarketClock):
            self.clock.observe(step)  # a replay's time is where it stopped, not its start
        await self.reconciler.run()
        step, complete = progress.resume_point()
        self.engine.checked_through_ms = -1 if step is None else step
        self.resume_ms = None if step is None else step + (1 if complete else 0)
        return self.resume_ms

    async def handle(self, delivery: Delivery) -> None:
        """Run the steps of a run of candles, then checkpoint it complete."""
        message = delivery.message
        if not isinstance(message, DecisionsMade):
            return
        last: Candle | None = None
        done = self.candles_done
        for index, candle in enumerate(_candles(message)):
            if self.resume_ms is not None and candle.open_ms < self.resume_ms:
                continue
            await self.step(candle, {bot: (d, index) for bot, d in message.bots.items()}, message)
            last = candle
            self.resume_ms = candle.open_ms + 1
            self.candles_done += 1
        if last is not None:
            await self._complete(last.open_ms)
            await self._report(last, self.candles_done - done, final=message.final)
        async with self.progressed:
            self.progressed.notify_all()
        if message.final:
            self.finished.set()

    async def done_with(self, open_ms: int) -> None:
        """Return once the candle opened at ``open_ms`` is done."""
        async with self.progressed:
            await self.progressed.wait_for(
                lambda: self.resume_ms is not None and self.resume_ms > open_ms
            )

    async def step(
        self,
        candle: Candle,
        decisions: dict[BotKind, tuple[BotDecisions, int]],
        message: DecisionsMade,
    ) -> None:
        """One candle: the market, then the decisions (see the module docstring)."""
        engine = self.engine
        engine.ctx.progress.step_ms = candle.open_ms
        if isinstance(self.clock, MarketClock):
            self.clock.observe(candle.close_ms)
        await self._market(candle)
        if not engine.trading_allowed:
            await self.reconciler.run()
        if candle.next_open is None or candle.next_open_ms is None:
            return
        if self.feed is not None:
            moved = await self.feed.mark_price(
                engine.ctx.pair, candle.next_open, at_ms=candle.next_open_ms
            )
            if moved:
                await engine.apply_reports(moved)
        if self._stale(candle):
            await engine.expire_pending(candle.open_ms)
            return
        actions = {bot: d.actions[i] for bot, (d, i) in decisions.items()}
        if any(actions.values()) and engine.trading_allowed:
            try:
                await self._act(candle, actions, decisions, message)
            except TraderError as exc:
                log.error("step %s: %s", utc_from_ms(candle.open_ms), exc)
        if any(p.unprotected for p in engine.positions.values()):
            await engine.ensure_protection()

    async def _market(self, candle: Candle) -> None:
        engine = self.engine
        if self.feed is not None:
            reports = await self.feed.on_candle(
                engine.ctx.pair,
                open_ms=candle.open_ms,
                close_ms=candle.close_ms,
                open_=candle.open,
                high=candle.high,
                low=candle.low,
                close=candle.close,
            )
            if reports:
                await engine.apply_reports(reports)
        elif engine.positions:
            await engine.sync_protection()
        if engine.positions:
            await engine.watch_take_profit(candle.high, step_ms=candle.open_ms)

    async def _act(
        self,
        candle: Candle,
        actions: dict[BotKind, int],
        decisions: dict[BotKind, tuple[BotDecisions, int]],
        message: DecisionsMade,
    ) -> None:
        engine = self.engine
        for bot in _ORDER:
            if actions.get(bot) == SELL and bot in engine.positions:
                await engine.close_position(
                    bot,
                    reason=ExitReason.SIGNAL,
                    client_order_id=client_ids.decision_id(
                        bot, engine.ctx.pair.symbol, candle.open_ms, client_ids.EXIT
                    ),
                )
        for bot in _ORDER:
            if actions.get(bot) == BUY and bot not in engine.positions:
                bot_decisions, index = decisions[bot]
                signal = _signal(bot, bot_decisions, index, candle, message)
                await engine.open_position(signal, step_ms=candle.open_ms)

    def _stale(self, candle: Candle) -> bool:
        if self.max_age is None:
            return False
        return self.clock.timestamp_ms() - candle.close_ms > self.max_age

    async def _report(self, candle: Candle, steps: int, *, final: bool) -> None:
        """Report the steps, and each bot's money marked at ``candle``'s close (throttled)."""
        telemetry = self.engine.ctx.telemetry
        telemetry.candles_traded(steps)
        now = time.monotonic()
        if not final and now - self._sampled < _SAMPLE_EVERY_S:
            return
        self._sampled = now
        engine = self.engine
        mark = Decimal(repr(candle.close))
        async with UnitOfWork(engine.ctx.database) as uow:
            rows = await bots.list_bots(session=uow.session)
            if telemetry.realised_pnl is None:
                telemetry.realised_pnl = {
                    str(row.type): await trades.realised_since(
                        session=uow.session, bot=row.type, since=_EPOCH, bot_id=row.id
                    )
                    for row in rows
                }
        for row in rows:
            position = engine.positions.get(row.type)
            unrealised = (
                Decimal(0)
                if position is None
                else (mark - position.entry_price) * position.quantity
            )
            telemetry.bot_state(
                str(row.type),
                capital=row.capital,
                realised=telemetry.realised_pnl.get(str(row.type), Decimal(0)),
                unrealised=unrealised,
                risk_ratio=row.current_risk_ratio,
                active=row.status is BotStatus.RUNNING,
                open_positions=0 if position is None else 1,
                at_ms=candle.close_ms,
            )

    async def _complete(self, last_ms: int) -> None:
        ctx = self.engine.ctx
        async with UnitOfWork(ctx.database) as uow:
            await ctx.progress.complete(uow.session, step_ms=last_ms, at=self.clock.now())
            await uow.commit()


def _candles(message: DecisionsMade) -> list[Candle]:
    run = message.candles
    closes = message.timeframe.bucket_end(np.asarray(run.open_times, dtype=np.int64)).tolist()
    n = len(run.open_times)
    candles = []
    for i in range(n):
        last = i == n - 1
        candles.append(
            Candle(
                open_ms=run.open_times[i],
                close_ms=closes[i],
                open=run.open[i],
                high=run.high[i],
                low=run.low[i],
                close=run.close[i],
                next_open=message.next_open if last else run.open[i + 1],
                next_open_ms=message.next_open_ms if last else run.open_times[i + 1],
            )
        )
    return candles


def _signal(
    bot: BotKind, decisions: BotDecisions, index: int, candle: Candle, message: DecisionsMade
) -> TradingSignal:
    return TradingSignal(
        timestamp=utc_from_ms(candle.open_ms),
        pair=message.pair,
        timeframe=message.timeframe,
        action=ACTIONS[decisions.actions[index]],
        confidence=decisions.confidence[index],
        score=decisions.score[index],
        strategy=decisions.strategy,
        target_bot=bot,
        contributions=decisions.contributions.get(str(index), {}),
    )
