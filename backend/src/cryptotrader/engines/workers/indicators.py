"""Indicator worker: closed candles in, each bot's strategy inputs (and the latest readings) out.

Parity with the backtest: the inputs are computed by the backtest's indicators over a window
of the series long enough that every value the rule reads equals the one over the whole history
(``strategies.evaluation.history_needed``: a window for finite indicators, and for recursive
ones such as EMA, RSI or ATR until their seed weighs below 2^-70; a strategy reading a cumulative
level keeps the whole history). No indicator looks ahead
(``tests/unit/engines/backtest/test_no_lookahead.py``), so computing a run of candles at once
gives each candle the values it gets candle by candle, and the backtest's
(``tests/unit/strategies/test_windowed_inputs.py`` compares the decisions on real candles).
Memory stays bounded in a long live run: a series keeps the candles the window needs, in arrays
a new run is appended to (``CandleBuffer``). Both bots' identical indicators are computed once,
and the higher timeframe only when one of its candles closed.

The runs of one read (a candle time's pairs, ``handle_many``) give the inputs each gives alone,
and go out in one ``publish_many``: one round trip on Redis, not one per pair. Those of one
candle with the same strategies are computed together (``_compute_rows``): each pair's window
as alone, then the rows of every pair at once (``IndicatorEngine.compute_rows``), bit for bit.
A live candle is computed on the event loop: a hop to a thread and back cost more than the work
(and the GIL keeps the loop waiting anyway); a long run (a replay, catching up) goes to a thread.
The readings (``IndicatorsComputed``: labels for display and alerts, no rule reads them) are
built after the rule inputs are out, by a task of their own, ``READINGS_DELAY_S`` later and
one run at a time: the inputs of every pair of a candle time, then the decisions and orders
they lead to, are not kept waiting by the readings (those of an earlier candle time still
waiting when a later one comes are built first, then). The readings built go out together, in
one ``publish_many`` (one round trip on Redis; one awaited ``XADD`` per pair cost the indicator
engine about as much as building them).

A bot's strategy changed through the API (``BotReconfigured`` on ``commands``) is swapped in at
the start of the next run of candles, so both the inputs and the rule (the decision worker
builds it from the ``strategy`` and ``params`` the inputs carry) change at the same candle.

The history is kept in memory and reloaded from the candle store when a run does not follow the
last one (a restart, a gap in delivery, or candles computed before: a run delivered again, or
published again after Redis lost its streams, is computed again in full, so that its inputs go
out again): the store holds every candle the market data engine published, from
``history_from_ms`` on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
import zlib
from collections import deque
from collections.abc import Awaitable, Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from cryptotrader.bus import topics
from cryptotrader.bus.message_ids import run_message_id
from cryptotrader.bus.messages import (
    BotReconfigured,
    BusMessage,
    CandlesClosed,
    IndicatorsComputed,
    RuleInputs,
    StrategyInputsComputed,
)
from cryptotrader.bus.protocol import Delivery, MessageBus
from cryptotrader.domain.enums import BotKind
from cryptotrader.domain.market import CandleArrays
from cryptotrader.domain.signals import Reading
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.domain.trusted import trusted
from cryptotrader.domain.values import utc_from_ms
from cryptotrader.engines.workers.runs import run_arrays
from cryptotrader.errors import UserInputError
from cryptotrader.indicators.engine import IndicatorEngine, PendingReading, RowsShared, Shared
from cryptotrader.indicators.streaming import SeriesStreams
from cryptotrader.indicators.warm import warm_in_background
from cryptotrader.persistence.candles import SqlCandleStore
from cryptotrader.strategies import create_strategy
from cryptotrader.strategies.base import BaseStrategy, StrategyInputs
from cryptotrader.strategies.evaluation import (
    WINDOW_GRID,
    WindowedInputs,
    build_indicator_engine,
    context_rows,
    grid_start,
    higher_trends,
)

log = logging.getLogger(__name__)

SeriesKey = tuple[str, str, str]
INLINE_CANDLES = 256
"""A run of more candles is computed in a thread; a shorter one on the loop."""
READINGS_DELAY_S = 1.0
"""How long after its run a reading waits (the orders of a candle time go first)."""
READINGS_TURN_S = 0.0002
"""The readings built in one turn of the event loop (then the rest waits a turn)."""
READINGS_BATCH = 256
"""Most runs' readings published in one ``publish_many`` (the rest in the next)."""
_FIELDS = ("timestamps", "open", "high", "low", "close", "volume")


class CandleBuffer:
    """A series' recent candles, in arrays with room to grow.

    ``append`` copies the new run only (the arrays are compacted, or grown, when full), and
    keeps at most ``keep`` candles before the next run: memory is bounded by the window.

    Args:
        candles: the history to start from.
        keep: candles to keep before a run (None: all).
    """

    def __init__(self, candles: CandleArrays, keep: int | None) -> None:
        self.keep = keep
        size = max(2 * len(candles), 1024)
        self._arrays = [np.empty(size, dtype=getattr(candles, f).dtype) for f in _FIELDS]
        self._start, self._stop = 0, 0
        self.append(candles)

    def __len__(self) -> int:
        return self._stop - self._start

    @property
    def last_ms(self) -> int | None:
        """The open time of the newest candle (None: empty)."""
        return int(self._arrays[0][self._stop - 1]) if len(self) else None

    def view(self) -> CandleArrays:
        """The candles kept (views, valid until the next ``append``)."""
        return CandleArrays(*(a[self._start : self._stop] for a in self._arrays))

    def append(self, run: CandleArrays) -> CandleArrays:
        """The candles kept, then ``run`` (views, valid until the next ``append``)."""
        n = len(run)
        if self._stop + n > self._arrays[0].shape[0]:
            self._resize(max(self._arrays[0].shape[0], 2 * (len(self) + n)))
        for array, name in zip(self._arrays, _FIELDS, strict=True):
            array[self._stop : self._stop + n] = getattr(run, name)
        self._stop += n
        whole = self.view()
        if self.keep is not None:
            self._start = max(self._start, self._stop - self.keep)
            if self._arrays[0].shape[0] > 4 * max(len(self), 1024):  # a long history was cut
                self._resize(2 * max(len(self), 1024))
        return whole

    def _resize(self, size: int) -> None:
        """The kept candles at the start of new arrays of ``size`` (views given out stay valid)."""
        kept = len(self)
        arrays = [np.empty(size, dtype=a.dtype) for a in self._arrays]
        for new, old in zip(arrays, self._arrays, strict=True):
            new[:kept] = old[self._start : self._stop]
        self._arrays, self._start, self._stop = arrays, 0, kept


Pending = list[tuple[str, PendingReading]]
"""Readings of a run's last candle, by indicator key, still to build (``PendingReading``)."""

Applied = Callable[[BotReconfigured, int], Awaitable[list[tuple[str, BusMessage]]]]
"""Records a change applied from the candle opened at the given ms; returns events to publish."""


@dataclass(frozen=True, slots=True)
class _Computed:
    """A run's inputs to publish, then its readings to build and the strategy changes applied."""

    message: CandlesClosed
    inputs: StrategyInputsComputed
    first_ms: int
    pending: Pending
    applied: list[BotReconfigured]


class IndicatorWorker:
    """Consumes ``candles``, publishes ``StrategyInputsComputed`` and ``IndicatorsComputed``.

    Args:
        bus: the message bus.
        store: where the series' history is read from after a restart.
        strategies: each bot's strategy.
        dependencies: keyword dependencies of indicators (``fear_greed=DailySeries``).
        on_applied: records a strategy change when it takes effect (alert, audit row).
        applied_already: True for a ``BotReconfigured`` applied already (a copy the outbox
            sent again after Redis restarted empty: dropped, no second alert).
        window_grid: candles between two moves of a series' window start (``grid_start``).
    """

    def __init__(
        self,
        *,
        bus: MessageBus,
        store: SqlCandleStore,
        strategies: Mapping[BotKind, BaseStrategy[Any]],
        dependencies: Mapping[str, Any] | None = None,
        on_applied: Applied | None = None,
        applied_already: Callable[[BotReconfigured], Awaitable[bool]] | None = None,
        window_grid: int = WINDOW_GRID,
    ) -> None:
        self._bus = bus
        self._store = store
        self._strategies = dict(strategies)
        self._deps = dict(dependencies or {})
        self._engines: dict[BotKind, IndicatorEngine] = {
            bot: build_indicator_engine(strategy, **self._deps)
            for bot, strategy in strategies.items()
        }
        self._history: dict[SeriesKey, CandleBuffer] = {}
        self._windows: dict[SeriesKey, dict[BotKind, WindowedInputs]] = {}
        self._streams: dict[SeriesKey, SeriesStreams] = {}
        """Each series' TA-Lib streams, new with its windows (a restart, a gap, a change)."""
        self._grid = window_grid
        self._pending: dict[BotKind, tuple[BotReconfigured, BaseStrategy[Any]]] = {}
        self._on_applied = on_applied
        self._applied_already = applied_already
        self._readings: deque[tuple[CandlesClosed, int, Pending]] = deque()
        self._built: list[IndicatorsComputed] = []
        """Readings built, not published yet (in order: a late run's go after them)."""
        self._reader: asyncio.Task[None] | None = None
        self._hurry = asyncio.Event()

    @property
    def pending(self) -> frozenset[BotKind]:
        """Bots whose new strategy applies at the next run of candles."""
        return frozenset(self._pending)

    def warm_in_background(self) -> threading.Thread:
        """The compiled indicator loops loaded in a thread before the first live candle time.

        ``indicators.warm``, on engines of its own: the worker's stay with its event loop.
        """
        engines = [build_indicator_engine(s, **self._deps) for s in self._strategies.values()]
        return warm_in_background(engines)

    async def reconfigure(self, delivery: Delivery) -> None:
        """Take a bot's new strategy (``commands``); it applies from the next candle on.

        A change the registry refuses (the API validated it: a version mismatch between the
        processes) keeps the running strategy and says so.
        """
        message = delivery.message
        if not isinstance(message, BotReconfigured) or message.bot not in self._strategies:
            return
        if self._applied_already is not None and await self._applied_already(message):
            # sent again (the outbox, after Redis restarted empty): applied and announced once
            log.info("%s bot: change %s applied already: dropped", message.bot, message.message_id)
            return
        try:
            strategy = create_strategy(message.strategy, message.params)
        except UserInputError as exc:
            log.error("%s bot: cannot apply %s: %s", message.bot, message.strategy, exc)
            return
        self._pending[message.bot] = (message, strategy)

    async def handle(self, delivery: Delivery) -> None:
        """Compute the inputs of a run of closed candles and publish them."""
        message = delivery.message
        if not isinstance(message, CandlesClosed):
            return
        done = await self._computed(message)
        await self._bus.publish(topics.INDICATORS, done.inputs)
        await self._after(done)

    async def handle_many(self, deliveries: Sequence[Delivery]) -> None:
        """Compute the runs of one read (a candle time's pairs) as ``handle`` would, in order.

        The runs of one new candle each (a live candle time) are computed together
        (``_compute_rows``: the same inputs, bit for bit); every run's inputs go out in one
        ``publish_many`` (one round trip on Redis, not one per pair), then the readings and the
        strategy changes as after each run.
        """
        messages = [d.message for d in deliveries if isinstance(d.message, CandlesClosed)]
        keys = {(m.exchange, m.pair.symbol, m.timeframe.value) for m in messages}
        if len(keys) < len(messages):  # a series twice in one read: one run after the other
            done = [await self._computed(m) for m in messages]
        else:
            runs = [await self._prepared(m) for m in messages]
            computed = await self._compute_runs(runs)
            done = [self._finished(run, *c) for run, c in zip(runs, computed, strict=True)]
        if done:
            await self._bus.publish_many(topics.INDICATORS, [d.inputs for d in done])
        for one in done:
            await self._after(one)

    async def _computed(self, message: CandlesClosed) -> _Computed:
        """The inputs of a run (the series' history kept, the strategies changed swapped in)."""
        run = await self._prepared(message)
        return self._finished(run, *await self._compute_one(run))

    async def _prepared(self, message: CandlesClosed) -> _Run:
        """A run appended to its series' history (loaded when needed), the strategies swapped in."""
        key = (message.exchange, message.pair.symbol, message.timeframe.value)
        history = await self._loaded(key, message)
        run = run_arrays(message.candles)  # after ``history``, which ends before it
        applied = self._apply_pending()
        windows = self._windows_of(key, message.timeframe)
        history.keep = _keep(windows.values(), self._grid)
        first = len(history)
        full = history.append(run)
        tf = message.timeframe
        # a run of several candles is computed alone (its window slides as it needs): only the
        # candle times of one candle step streams, so only theirs keep a start on the grid
        grid = 1 if tf.is_calendar or len(run) > 1 else self._grid
        offset = zlib.crc32(f"{key[0]}:{key[1]}".encode()) % grid
        layout = _layout(windows, first, full, (tf.milliseconds, grid, offset))
        return _Run(message, run, full, first, windows, applied, layout, self._streams[key])

    async def _compute_one(self, run: _Run) -> tuple[dict[BotKind, RuleInputs], Pending]:
        """A run's inputs alone: on the loop when short, else in a thread."""
        if len(run.run) <= INLINE_CANDLES:
            return self._compute(run.full, run.first, run.layout)
        return await asyncio.to_thread(self._compute, run.full, run.first, run.layout)

    async def _compute_runs(
        self, runs: list[_Run]
    ) -> list[tuple[dict[BotKind, RuleInputs], Pending]]:
        """Each run's inputs: those of one candle with the same strategies together, in groups."""
        results: list[tuple[dict[BotKind, RuleInputs], Pending] | None] = [None] * len(runs)
        groups: dict[Hashable, list[int]] = {}
        for i, run in enumerate(runs):
            together = _together(run)
            if together is None:
                results[i] = await self._compute_one(run)
            else:
                groups.setdefault(together, []).append(i)
        for indexes in groups.values():
            computed = self._compute_rows([runs[i] for i in indexes])
            for i, one in zip(indexes, computed, strict=True):
                results[i] = one
        return [r for r in results if r is not None]

    @staticmethod
    def _finished(run: _Run, inputs: dict[BotKind, RuleInputs], pending: Pending) -> _Computed:
        """The run's ``StrategyInputsComputed``.

        Its candles are the message's own ``CandleRun`` (frozen, of floats and ints already):
        ``run.run`` is made from it, and ``candle_run`` of that gave back the same values.
        """
        message = run.message
        first_ms, last_ms = message.candles.open_times[0], message.candles.open_times[-1]
        series = (message.exchange, message.pair.symbol, message.timeframe.value, first_ms, last_ms)
        computed = StrategyInputsComputed(
            message_id=run_message_id("strategy_inputs_computed", *series),
            candles=message.candles,
            inputs=inputs,
            **message.carried(),
        )
        return _Computed(message, computed, first_ms, pending, run.applied)

    async def _after(self, done: _Computed) -> None:
        """After a run's inputs are out: queue its readings, record the strategies changed."""
        late, self._built = self._built, []  # built already: they go first
        while self._readings and self._readings[0][0].candles.open_times[-1] < done.first_ms:
            one = self._reading(*self._readings.popleft())  # late: an earlier time's
            if one is not None:
                late.append(one)
        await self._publish_readings(late)
        self._readings.append((done.message, done.first_ms, done.pending))
        if self._reader is None or self._reader.done():
            self._hurry = asyncio.Event()
            self._reader = asyncio.create_task(self._read_pending(), name="indicator-readings")
        for change in done.applied:
            events = (
                [] if self._on_applied is None else await self._on_applied(change, done.first_ms)
            )
            for topic, event in events:
                await self._bus.publish(topic, event)

    async def flush(self) -> None:
        """Publish the readings of every run handled so far now (not ``READINGS_DELAY_S`` on)."""
        self._hurry.set()
        while self._reader is not None and not self._reader.done():
            await asyncio.shield(self._reader)

    async def _read_pending(self) -> None:
        """Build the waiting readings, one run per turn of the event loop, and publish them.

        A turn is short (``READINGS_TURN_S``): whatever else is ready (the decisions, the orders)
        runs between two; those of an earlier candle time still waiting when a run
        of a later one is handled are published first, then (a burst never piles them up). The
        readings built go out together once the queue is empty (or ``READINGS_BATCH`` are
        built): one ``publish_many``, one round trip on Redis, not one per run. A failure
        loses those readings only (they are shown, not traded on).
        """
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._hurry.wait(), READINGS_DELAY_S)
        while self._readings:
            await asyncio.sleep(0)  # whatever else is ready goes first
            turn = time.perf_counter() + READINGS_TURN_S
            while self._readings and time.perf_counter() < turn:
                one = self._reading(*self._readings.popleft())
                if one is not None:
                    self._built.append(one)
            if len(self._built) >= READINGS_BATCH or not self._readings:
                built, self._built = self._built, []
                await self._publish_readings(built)

    async def _publish_readings(self, readings: list[IndicatorsComputed]) -> None:
        """Publish runs' readings in one ``publish_many`` (a failure loses these only)."""
        if not readings:
            return
        try:
            await self._bus.publish_many(topics.INDICATORS, readings)
        except Exception:
            log.exception("%d runs' readings were not published", len(readings))

    @staticmethod
    def _reading(
        message: CandlesClosed, first_ms: int, pending: Pending
    ) -> IndicatorsComputed | None:
        """A run's readings (``IndicatorsComputed``; None: they could not be built)."""
        last_ms = message.candles.open_times[-1]
        try:
            readings: dict[str, Reading] = {}
            for key, reading in pending:  # a later bot's reading replaces an earlier one's
                readings[key] = reading.read()
            return IndicatorsComputed(  # the readings validated here, once
                message_id=run_message_id(
                    "indicators_computed",
                    message.exchange,
                    message.pair.symbol,
                    message.timeframe.value,
                    first_ms,
                    last_ms,
                ),
                timestamp=message.timestamp,
                pair=message.pair,
                timeframe=message.timeframe,
                candle_time=utc_from_ms(last_ms),
                indicators=readings,
            )
        except Exception:
            log.exception(
                "%s %s: the readings of the candle at %d were not built",
                message.pair.symbol,
                message.timeframe.value,
                last_ms,
            )
            return None

    def _apply_pending(self) -> list[BotReconfigured]:
        """Swap in the strategies changed since the last run: they decide from this run on."""
        applied = []
        for bot, (change, strategy) in self._pending.items():
            self._strategies[bot] = strategy
            self._engines[bot] = build_indicator_engine(strategy, **self._deps)
            applied.append(change)
            log.info("%s bot: %s from the next candle on", bot, strategy.name)
        self._pending.clear()
        if applied:
            self._windows.clear()  # every series' windows follow the new strategies
        return applied

    def _windows_of(self, key: SeriesKey, timeframe: Timeframe) -> dict[BotKind, WindowedInputs]:
        windows = self._windows.get(key)
        if windows is None:
            windows = {
                bot: WindowedInputs(strategy, self._engines[bot], timeframe)
                for bot, strategy in self._strategies.items()
            }
            self._windows[key] = windows
            self._streams[key] = SeriesStreams()
        return windows

    async def _loaded(self, key: SeriesKey, message: CandlesClosed) -> CandleBuffer:
        """The history before the run: the one kept when the run follows it, else the store's."""
        kept = self._history.get(key)
        previous = message.previous_open_ms
        last = None if kept is None else kept.last_ms
        if kept is not None and previous is not None and last is not None and last == previous:
            return kept  # the run follows the kept history
        # Else a restart, a gap, or candles computed before (delivered again, or published
        # again after Redis lost its streams): computed again on the stored history before them.
        exchange, symbol, timeframe = key
        loaded = await self._store.read_arrays(
            exchange=exchange,
            pair=message.pair,
            timeframe=message.timeframe,
            start_ms=message.history_from_ms,
            end_ms=message.candles.open_times[0],
        )
        if previous is not None and (not len(loaded) or loaded.timestamps[-1] != previous):
            log.warning("%s %s %s: the stored history misses candles", exchange, symbol, timeframe)
        log.info("%s %s %s: %d candles of history loaded", exchange, symbol, timeframe, len(loaded))
        self._windows.pop(key, None)  # a higher timeframe's kept result may miss candles now
        buffer = CandleBuffer(loaded, None)
        self._history[key] = buffer
        return buffer

    @staticmethod
    def _compute(
        candles: CandleArrays, first: int, layout: Layout
    ) -> tuple[dict[BotKind, RuleInputs], Pending]:
        """Each bot's rule inputs from ``first`` on, and the readings of the last candle to build.

        A reading is the last bot's that has the indicator (as when each bot's were read in
        turn), so an earlier bot reads only what no later one does.
        """
        inputs: dict[BotKind, RuleInputs] = {}
        pending: Pending = []
        shared: dict[tuple[int, int], Shared] = {}
        order, wanted, start, leads, rows = layout
        for bot, window in order:
            _, computed = window.compute_window(
                candles, start, rows, readings=wanted[bot], plain=True, shared=shared, later=pending
            )
            skip = first - leads[bot] - start - rows
            own = computed.window(skip, len(computed))
            inputs[bot] = _rule_inputs(window.strategy, own, leads[bot])
        return inputs, pending

    @staticmethod
    def _compute_rows(runs: list[_Run]) -> list[tuple[dict[BotKind, RuleInputs], Pending]]:
        """The inputs of runs of one candle each, with the same strategies, computed together.

        Each as ``_compute`` computes it alone, bit for bit: each pair's window is the one
        ``_compute`` takes, its indicators computed over it as there; then the rows are scored,
        put in context and turned into rule inputs once for every pair
        (``IndicatorEngine.compute_rows``, ``context_rows``).
        """
        layouts = [run.layout for run in runs]
        order, wanted, _, leads, _ = layouts[0]
        most = max(leads.values(), default=0)
        rows = len(runs[0].run) + most
        windows = [
            run.full.slice(layout[2], len(run.full))
            for run, layout in zip(runs, layouts, strict=True)
        ]
        pending: list[Pending] = [[] for _ in runs]
        inputs: list[dict[BotKind, RuleInputs]] = [{} for _ in runs]
        shared: RowsShared = {}
        for bot, window in order:
            strategy = window.strategy
            result = window.engine.compute_rows(
                windows,
                runs[0].message.timeframe,
                rows,
                with_strengths=strategy.reads_strengths,
                shared=shared,
                later=pending if wanted[bot] else None,
                streams=[run.streams for run in runs],
            )
            higher = higher_trends([run.windows[bot] for run in runs], [r.full for r in runs], rows)
            together = StrategyInputs(
                series=result.series,
                strengths=result.strengths,
                weights=result.weights,
                context=context_rows(result, higher),
            )
            made = _rule_inputs_rows(strategy, together, leads[bot], most - leads[bot], len(runs))
            for one, rule_inputs in zip(inputs, made, strict=True):
                one[bot] = rule_inputs
        return list(zip(inputs, pending, strict=True))


@dataclass(frozen=True, slots=True)
class _Run:
    """A run of candles appended to its series' history, to compute."""

    message: CandlesClosed
    run: CandleArrays
    full: CandleArrays
    """The history kept, then the run (views)."""
    first: int
    """The run's first row in ``full``."""
    windows: dict[BotKind, WindowedInputs]
    applied: list[BotReconfigured]
    layout: Layout
    """How its bots share one computation (``_layout``)."""
    streams: SeriesStreams
    """The series' TA-Lib streams (the rows path steps them)."""


Place = tuple[int, int, int]
"""Where a series' windows start (``grid_start``): its candles' ms, the grid, its offset."""


Layout = tuple[
    list[tuple[BotKind, WindowedInputs]], dict[BotKind, bool], int, dict[BotKind, int], int
]
"""A run's bots in order, which read, the window's start, each bot's lead, the first row."""


def _layout(
    windows: Mapping[BotKind, WindowedInputs], first: int, candles: CandleArrays, place: Place
) -> Layout:
    """How a run's bots share one computation.

    Their order, which read (``wanted``), the window's start, each bot's lead and the first row
    scored. A reading is the last bot's that has the indicator (as when each bot's were read
    in turn), so an earlier bot reads only what no later one does. One window and one first row
    serve every bot, so that their identical indicators are computed once: the longest reach
    back, the longest lead. The window starts on the series' grid (``grid_start``): it moves
    only every so many candles, so that the rows path may step TA-Lib's streams over it.
    """
    order = list(windows.items())
    wanted = {}
    later: set[str] = set()
    for bot, window in reversed(order):
        keys = window.engine.keys
        wanted[bot] = not keys <= later
        later |= keys
    reaches = [window.reach(first) for _, window in order]
    start = 0
    if None not in reaches:
        latest = max(0, first - max(r or 0 for r in reaches))
        start = grid_start(candles.timestamps, latest, *place)
    leads = {bot: min(window.strategy.lookback - 1, first) for bot, window in order}
    rows = first - max(leads.values(), default=0) - start
    return order, wanted, start, leads, rows


def _together(run: _Run) -> Hashable | None:
    """What a run of one candle shares with the others it is computed with (None: alone).

    Runs of several candles (a replay, catching up), windows too short for the rows' pad, and
    strategies with an indicator not scored on rows (a plugin's) are computed alone.
    """
    if len(run.run) != 1 or not run.windows:
        return None
    if not all(w.engine.rows_ready for w in run.windows.values()):
        return None
    _, _, _, leads, rows = run.layout
    if rows < max(w.engine.rows_pad for w in run.windows.values()):
        return None
    bots = tuple((bot, id(w.strategy), id(w.engine), leads[bot]) for bot, w in run.windows.items())
    return (run.message.timeframe, bots)


def _keep(windows: Iterable[WindowedInputs], grid: int) -> int | None:
    """Candles a series keeps before a run: the most any bot's window needs (None: all).

    And ``grid`` more: a window starts up to that many candles before what it needs.
    """
    needed = [w.keep for w in windows]
    if any(n is None for n in needed):
        return None
    return max((n for n in needed if n is not None), default=0) + grid


def _rule_inputs(strategy: BaseStrategy[Any], rows: StrategyInputs, lead: int) -> RuleInputs:
    """A strategy's rows (the run's, after ``lead`` rows its lookback reads) for the message.

    Built without validating again where every column is a float array (``trusted``, as
    ``_rule_inputs_rows``): a replay's runs carry thousands of rows per column, which
    validation walked float by float to give back the same floats. A column of another
    dtype (validation turns its values into floats) makes the message validated as before.
    """
    wanted = strategy.series_read()
    arrays = [
        {name: values for name, values in rows.series.items() if wanted is None or name in wanted},
        dict(rows.strengths) if strategy.reads_strengths else {},
        {name: getattr(rows.context, name) for name in _CONTEXT},
    ]
    floats = all(values.dtype.kind == "f" for columns in arrays for values in columns.values())
    series, strengths, context = (
        {name: values.tolist() for name, values in columns.items()} for columns in arrays
    )
    build = _trusted_rule_inputs if floats and lead >= 0 else RuleInputs
    return build(
        strategy=strategy.name,
        params=strategy.params.model_dump(mode="json"),
        lead=lead,
        series=series,
        strengths=strengths,
        weights={name: float(weight) for name, weight in rows.weights.items()},
        context=context,
    )


def _rule_inputs_rows(
    strategy: BaseStrategy[Any], rows: StrategyInputs, lead: int, skip: int, pairs: int
) -> list[RuleInputs]:
    """``_rule_inputs`` of each pair of rows of shape (rows, pairs), after ``skip`` rows.

    Built without validating again (``trusted``; validating was half the cost here): every
    value is of its field's type already, the columns' floats from float arrays (a column of
    another dtype, which validation would turn into floats, makes the pairs' messages
    validated as ``_rule_inputs`` builds them). (``model_construct`` was tried before: no
    faster than validating, its per-field default handling.)
    """
    wanted = strategy.series_read()
    floats = True

    def columns(arrays: Mapping[str, Any]) -> dict[str, list[list[float | None]]]:
        nonlocal floats
        floats = floats and all(values.dtype.kind == "f" for values in arrays.values())
        return {name: values[skip:].T.tolist() for name, values in arrays.items()}

    series = columns({n: v for n, v in rows.series.items() if wanted is None or n in wanted})
    strengths = columns(rows.strengths) if strategy.reads_strengths else {}
    context = columns({name: getattr(rows.context, name) for name in _CONTEXT})
    params = strategy.params.model_dump(mode="json")
    weights = {name: float(weight) for name, weight in rows.weights.items()}
    build = _trusted_rule_inputs if floats and lead >= 0 else RuleInputs
    return [
        build(
            strategy=strategy.name,
            params=dict(params),
            lead=lead,
            series={name: column[p] for name, column in series.items()},
            strengths={name: column[p] for name, column in strengths.items()},
            weights=dict(weights),
            context={name: column[p] for name, column in context.items()},
        )
        for p in range(pairs)
    ]


_RULE_INPUTS_GIVEN = frozenset(RuleInputs.model_fields)


def _trusted_rule_inputs(**values: Any) -> RuleInputs:
    """``RuleInputs(**values)`` of values already valid (every field given, in field order)."""
    return trusted(RuleInputs, values, _RULE_INPUTS_GIVEN)


_CONTEXT = ("fear_greed", "volatility", "relative_volume", "choppiness", "trend", "higher_trend")
