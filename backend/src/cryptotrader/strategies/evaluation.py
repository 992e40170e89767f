"""Running a strategy: its indicators, its inputs, and its rule behind a safety wrapper.

``evaluate_rule`` is the only place a strategy's code is called. It hands the rule read-only
views (a rule cannot corrupt the engine's arrays), turns any exception into ``StrategyError``
naming the strategy, and checks what comes back (shapes, types, confidence range). A row that is
both an entry and an exit is an exit: selling wins.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from cryptotrader.domain.market import CandleArrays, FloatArray, IntArray
from cryptotrader.domain.signals import IndicatorResult
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.errors import StrategyError, UserInputError
from cryptotrader.indicators import Indicator, create_indicator, indicator_class
from cryptotrader.indicators._shared import stack_columns
from cryptotrader.indicators.engine import (
    CandleInput,
    IndicatorEngine,
    MultiTimeframeResult,
    PendingReading,
    RowsResult,
    Shared,
    take_aligned,
)
from cryptotrader.marketdata.resample import resample
from cryptotrader.strategies.base import BaseStrategy, Decisions, StrategyInputs
from cryptotrader.strategies.context import TREND_KEY, ContextArrays, context_arrays, nan_to_zero

logger = logging.getLogger(__name__)


def build_indicator_engine(strategy: BaseStrategy[Any], **dependencies: Any) -> IndicatorEngine:
    """An ``IndicatorEngine`` with the strategy's declared indicators.

    ``dependencies`` (e.g. ``fear_greed=DailySeries``) go to the indicators that accept them.
    """
    indicators: list[Indicator[Any]] = []
    for spec in strategy.indicators:
        accepted = inspect.signature(indicator_class(spec.name).__init__).parameters
        extra = {k: v for k, v in dependencies.items() if k in accepted}
        indicators.append(create_indicator(spec.name, spec.params, weight=spec.weight, **extra))
    return IndicatorEngine(indicators)


def warmup(strategy: BaseStrategy[Any], engine: IndicatorEngine) -> int:
    """Candles needed before the rule can fire: the indicators' warm-up plus its lookback."""
    return engine.warmup + strategy.lookback


def higher_timeframe(strategy: BaseStrategy[Any], timeframe: Timeframe) -> Timeframe | None:
    """The strategy's higher timeframe on ``timeframe`` candles, when it can be built from them."""
    higher = strategy.higher_timeframe(timeframe)
    if higher is not None and timeframe.divides(higher) and higher is not timeframe:
        return higher
    return None


def history_needed(
    strategy: BaseStrategy[Any], engine: IndicatorEngine, timeframe: Timeframe
) -> int | None:
    """Candles before a run that the rule's inputs on it depend on; None: the whole history.

    The rule (the live engines keep this much, docs/strategies.md "History kept live"): each
    row's values depend on the ``engine.memory`` candles before it (``Indicator.memory``: a
    window, or a recursive average until its seed weighs below 2^-70); the rule reads
    ``lookback`` rows, and a reading also the row before the last, so ``memory + lookback``
    candles before a run are enough. A higher timeframe needs ``memory + 2`` of its own candles
    (its memory, the one forming and a first one the history may cut), each worth ``ratio``
    base candles (a month: 31 days). A rule that reads a cumulative level (ADI, OBV:
    ``level_columns``), or does not say which series it reads while some are cumulative,
    depends on where the history starts: it keeps all of it, as a backtest does.
    """
    memory = engine.memory
    if memory is None:
        return None
    levels = engine.level_columns
    read = strategy.series_read()
    if levels and (read is None or not levels.isdisjoint(read)):
        return None
    needed = memory + strategy.lookback
    higher = higher_timeframe(strategy, timeframe)
    if higher is not None:
        width = 31 * 86_400_000 if higher.is_calendar else higher.milliseconds
        ratio = -(-width // timeframe.milliseconds)
        needed = max(needed, (memory + 2) * ratio)
    return needed


WINDOW_GRID = 64
"""Candles between two moves of a live window's start (``grid_start``)."""


def grid_start(timestamps: IntArray, latest: int, step_ms: int, grid: int, offset: int) -> int:
    """The first candle of a live window that must hold candle ``latest``: on a grid.

    The window starts at the last grid point (every ``grid`` candles of ``step_ms``, from
    ``offset``) at or before candle ``latest``, so it moves only once every ``grid`` candles:
    in between, TA-Lib's streams opened over it and stepped a candle at a time give the batch
    values over it bit for bit (``indicators.streaming.SeriesStreams``), and the path computing
    a series alone takes the same window. A window longer than needed keeps every value equal
    to the whole history's to float precision, as the shortest does (``history_needed``).
    ``offset`` staggers the series, so that not all of them move on the same candle time.

    Example:
        >>> import numpy as np
        >>> grid_start(np.arange(10, 20) * 60_000, 5, 60_000, 4, 1)
        3
    """
    if grid <= 1:
        return latest
    candle = int(timestamps[latest]) // step_ms
    point = (candle - offset) // grid * grid + offset
    return int(np.searchsorted(timestamps, point * step_ms, side="left"))


class WindowedInputs:
    """One strategy's inputs on a growing series, from a bounded window: the live engines' way.

    The rows asked for equal ``compute_strategy_indicators`` over the whole series (to float
    precision; ``history_needed`` says why, tests/unit/strategies/test_windowed_inputs.py shows
    it on real candles), at a cost that does not grow with the history: the base timeframe is
    computed over the rows asked for and the ``memory`` candles before them, scored on those
    rows only; the higher timeframe only when one of its candles closed (kept until the next).

    Args:
        strategy: the rule.
        engine: its indicators (``build_indicator_engine``).
        timeframe: the series' timeframe.
    """

    def __init__(
        self, strategy: BaseStrategy[Any], engine: IndicatorEngine, timeframe: Timeframe
    ) -> None:
        self.strategy = strategy
        self.engine = engine
        self.timeframe = timeframe
        self.higher = higher_timeframe(strategy, timeframe)
        self.keep = history_needed(strategy, engine, timeframe)
        """Candles to keep before the next run (None: all)."""
        self._memory = engine.memory
        self._higher: tuple[int, IndicatorResult] | None = None
        self._trend: tuple[IndicatorResult, IntArray, FloatArray] | None = None
        """The higher result ``higher_trend`` last read: its candles' close times, trend signs."""
        self._closed: HigherCandles | None = None
        if self.higher is not None:
            self._closed = HigherCandles(timeframe, self.higher)
        # The context reads one thing of the higher timeframe: the trend key's strength
        # (``context_arrays``); the rest of the set would be computed for nothing, every hour.
        trend = {i.key: i for i in engine.indicators}.get(TREND_KEY)
        reads_trend = trend is not None and strategy.reads_strengths
        self._higher_engine = IndicatorEngine([trend]) if reads_trend and trend else engine

    def reach(self, first: int) -> int | None:
        """Candles before row ``first`` that the rows from ``first`` on read (None: all)."""
        if self._memory is None:
            return None
        return min(self.strategy.lookback - 1, first) + self._memory + 1

    def compute(
        self,
        candles: CandleArrays,
        first: int,
        *,
        readings: bool = True,
        shared: dict[tuple[int, int], Shared] | None = None,
    ) -> tuple[IndicatorResult, StrategyInputs]:
        """The inputs of rows ``first - lead:`` of ``candles`` (``lead``: the rule's lookback)."""
        reach = self.reach(first)
        start = 0 if reach is None else max(0, first - reach)
        rows = first - min(self.strategy.lookback - 1, first) - start
        return self.compute_window(candles, start, rows, readings=readings, shared=shared)

    def compute_window(
        self,
        candles: CandleArrays,
        start: int,
        rows: int,
        *,
        readings: bool = True,
        plain: bool = False,
        shared: dict[tuple[int, int], Shared] | None = None,
        later: list[tuple[str, PendingReading]] | None = None,
    ) -> tuple[IndicatorResult, StrategyInputs]:
        """The inputs of rows ``rows:`` of the window ``candles[start:]``.

        The window must begin at least ``reach`` candles before the rows read. ``shared``
        (one per series and run, for every bot) lets identical indicators of another bot's
        engine on the same window and rows be computed once; ``plain``: the readings as plain
        values (``IndicatorEngine.compute``), or with ``later`` left to build later.
        """
        base = self.engine.compute(
            candles.slice(start, len(candles)),
            self.timeframe,
            with_strengths=self.strategy.reads_strengths,
            readings=readings,
            plain=plain,
            start=rows,
            shared=None if shared is None else shared.setdefault((start, rows), {}),
            later=later,
        )
        results = {self.timeframe: base}
        if self.higher is not None:
            results[self.higher] = self._higher_result(candles)
        context = context_arrays(MultiTimeframeResult(self.timeframe, results), self.higher)
        inputs = StrategyInputs(
            series=base.series, strengths=base.strengths, weights=base.weights, context=context
        )
        return base, inputs

    def higher_trend(self, candles: CandleArrays, rows: int) -> FloatArray | None:
        """The context's ``higher_trend`` of the last ``rows`` of ``candles`` (None: no higher).

        What ``compute_window`` puts in the context for those rows (``context_arrays``), at
        the cost of a ``searchsorted`` a minute (``align`` converted every higher candle's
        time: 1,264 at the live window of a 1h trend). ``higher_trends``: several pairs'.
        """
        if self.higher is None:
            return None
        return self._trend_at(candles, *self._times(candles, rows))

    def _times(self, candles: CandleArrays, rows: int) -> tuple[int, IntArray]:
        """The higher bucket forming at the last candle's close, and the rows' decision times."""
        assert self.higher is not None
        closes = self.timeframe.bucket_end(candles.timestamps[-1:])
        forming = int(self.higher.bucket_start(closes)[0])
        lower = candles.timestamps[-rows:]
        return forming, self.timeframe.bucket_end(self.timeframe.bucket_start(lower))

    def _trend_at(self, candles: CandleArrays, forming: int, decided_at: IntArray) -> FloatArray:
        """``higher_trend`` from ``_times``' (shared by the pairs of a candle time)."""
        assert self.higher is not None
        higher = self._higher_result(candles, forming)
        if self._trend is None or self._trend[0] is not higher:
            # once per higher result: ``align``'s close times of the higher candles, and the
            # trend's sign (``sign(take(x)) == take(sign(x))``, NaN staying NaN)
            closes = self.higher.bucket_end(self.higher.bucket_start(higher.timestamps))
            self._trend = (higher, closes, np.sign(higher.strengths[TREND_KEY]))
        _, closes, signs = self._trend
        positions = np.searchsorted(closes, decided_at, side="right").astype(np.int64) - 1
        return take_aligned(signs, positions)

    def _higher_result(self, candles: CandleArrays, forming: int | None = None) -> IndicatorResult:
        """The higher timeframe's closed candles' result, computed again once one more closed.

        Its candles are ``resample(candles, ...)`` (``HigherCandles``: only the buckets closed
        since the last time are built); its indicators, those the context reads (the trend
        key's, when the rule reads strengths; else the whole set), over all of them as before,
        so the values are the same bit for bit (tests/unit/strategies/test_higher_candles.py).
        ``forming``: the higher bucket forming at the last candle's close, if known.
        """
        assert self.higher is not None
        assert self._closed is not None
        if forming is None:
            closes = self.timeframe.bucket_end(candles.timestamps[-1:])
            forming = int(self.higher.bucket_start(closes)[0])
        if self._higher is None or self._higher[0] != forming:
            higher = self._closed.of(candles)
            result = self._higher_engine.compute(
                higher, self.higher, with_strengths=self.strategy.reads_strengths, readings=False
            )
            self._higher = (forming, result)
        return self._higher[1]


def higher_trends(
    windows: Sequence[WindowedInputs], candles: Sequence[CandleArrays], rows: int
) -> list[FloatArray | None]:
    """``WindowedInputs.higher_trend`` of several pairs' ``candles`` (a candle time's).

    The same values; the bucket arithmetic of the rows' times is done once for the pairs whose
    last ``rows`` times are the same (a live candle time's), not once per pair.
    """
    times: dict[tuple[Timeframe, Timeframe, bytes], tuple[int, IntArray]] = {}
    trends: list[FloatArray | None] = []
    for window, series in zip(windows, candles, strict=True):
        if window.higher is None:
            trends.append(None)
            continue
        key = (window.timeframe, window.higher, series.timestamps[-rows:].tobytes())
        known = times.get(key)
        if known is None:
            known = times[key] = window._times(series, rows)
        trends.append(window._trend_at(series, *known))
    return trends


def _named(series: Mapping[str, FloatArray], prefix: str, suffix: str) -> FloatArray | None:
    """The first series named ``prefix...suffix`` (as ``context_arrays`` looks it up)."""
    for name, values in series.items():
        if name.startswith(prefix) and name.endswith(suffix):
            return values
    return None


def context_rows(result: RowsResult, higher_trend: Sequence[FloatArray | None]) -> ContextArrays:
    """``context_arrays`` of several pairs' rows (``IndicatorEngine.compute_rows``), (rows, pairs).

    The same arithmetic on the same values, column by column: ``higher_trend`` is each pair's
    (``WindowedInputs.higher_trend``; None: unknown, as without a higher timeframe).
    """
    series, strengths = result.series, result.strengths
    shape = next(iter(series.values())).shape
    unknown = np.full(shape, np.nan)
    unknown.flags.writeable = False
    fear_greed = series.get("fear_greed")
    volatility = _named(series, "atr_", "_pct")
    chop = _named(series, "chop_", "")
    trend = strengths.get(TREND_KEY)
    higher = unknown
    if any(h is not None for h in higher_trend):
        higher = stack_columns(
            [np.full(shape[0], np.nan) if h is None else h for h in higher_trend]
        )
    return ContextArrays(
        fear_greed=np.round(fear_greed) if fear_greed is not None else unknown,
        volatility=unknown if volatility is None else volatility,
        relative_volume=series.get("volume_rel", unknown),
        choppiness=unknown if chop is None else np.clip(chop, 0.0, 100.0),
        trend=nan_to_zero(np.sign(trend)) if trend is not None else np.zeros(shape),
        higher_trend=higher,
    )


def _joined(parts: list[CandleArrays]) -> CandleArrays:
    """``parts`` end to end (new arrays)."""
    return CandleArrays(*(np.concatenate([getattr(p, f) for p in parts]) for f in _FIELDS))


_FIELDS = ("timestamps", "open", "high", "low", "close", "volume")


class HigherCandles:
    """``resample`` of a live window of candles, building only the buckets closed since last.

    The window moves forward (a ``CandleBuffer``'s view: the newest candles, the oldest let go):
    every bucket after its first holds all of its candles, the same in every window that holds
    it, so it is built once and kept. The first bucket is built again each time (the window's
    start may cut it), and the last one is kept only when the candles reach its end, as
    ``resample`` decides. A window that starts before the last one did (another series) is
    built whole again.

    Args:
        source: the candles' timeframe.
        target: the higher timeframe; ``source`` divides it.
    """

    def __init__(self, source: Timeframe, target: Timeframe) -> None:
        self.source, self.target = source, target
        self._kept: CandleArrays | None = None
        """Whole buckets after an earlier window's first, up to ``_until`` (exclusive)."""
        self._first = 0
        self._until = 0

    def of(self, candles: CandleArrays) -> CandleArrays:
        """``resample(candles, source, target)``, bit for bit."""
        ts = candles.timestamps
        n = len(ts)
        if not n:
            return resample(candles, self.source, self.target)
        first = self.target.bucket_start(ts[:1])
        after_first = int(self.target.bucket_end(first)[0])
        split = int(np.searchsorted(ts, after_first, side="left"))
        if split == n:  # one bucket: resample decides whether it is closed
            self._kept, self._first, self._until = None, int(first[0]), after_first
            return resample(candles, self.source, self.target)
        kept = self._kept
        if kept is None or int(first[0]) < self._first:
            kept, until = None, after_first
        else:
            kept = kept.slice(int(np.searchsorted(kept.timestamps, after_first)), len(kept))
            until = max(self._until, after_first)
        head = resample(candles.slice(0, split), self.source, self.target, include_incomplete=True)
        new = resample(
            candles.slice(int(np.searchsorted(ts, until, side="left")), n),
            self.source,
            self.target,
        )
        closed = [kept] if kept is not None and len(kept) else []
        if len(new):
            closed.append(new)
            until = int(self.target.bucket_end(new.timestamps[-1:])[0])
        self._kept = _joined(closed) if len(closed) > 1 else (closed[0] if closed else None)
        self._first, self._until = int(first[0]), until
        return _joined([head, *closed])


def compute_inputs(
    strategy: BaseStrategy[Any],
    engine: IndicatorEngine,
    candles: CandleInput,
    timeframe: Timeframe,
) -> StrategyInputs:
    """Every indicator over ``candles`` (and the strategy's higher timeframe), as rule inputs."""
    return compute_strategy_indicators(strategy, engine, candles, timeframe)[1]


def compute_strategy_indicators(
    strategy: BaseStrategy[Any],
    engine: IndicatorEngine,
    candles: CandleInput,
    timeframe: Timeframe,
) -> tuple[IndicatorResult, StrategyInputs]:
    """``compute_inputs``, with the base timeframe's result (its readings of the last candle)."""
    higher = higher_timeframe(strategy, timeframe)
    strengths = strategy.reads_strengths
    if higher is not None:
        multi = engine.compute_from_base(candles, timeframe, [higher], with_strengths=strengths)
        base = multi.results[timeframe]
        context = context_arrays(multi, higher)
    else:
        base = engine.compute(candles, timeframe, with_strengths=strengths)
        context = context_arrays(MultiTimeframeResult(timeframe, {timeframe: base}))
    inputs = StrategyInputs(
        series=base.series, strengths=base.strengths, weights=base.weights, context=context
    )
    return base, inputs


def _read_only(values: FloatArray) -> FloatArray:
    view = values.view()
    view.flags.writeable = False
    return view


def _guarded(inputs: StrategyInputs) -> StrategyInputs:
    context = inputs.context
    return StrategyInputs(
        series={k: _read_only(v) for k, v in inputs.series.items()},
        strengths={k: _read_only(v) for k, v in inputs.strengths.items()},
        weights=dict(inputs.weights),
        context=ContextArrays(*(_read_only(getattr(context, f)) for f in context.__slots__)),
    )


def _checked(name: str, what: str, values: Any, length: int, dtype: type) -> Any:
    array = np.asarray(values)
    if array.shape != (length,):
        raise StrategyError(
            f"strategy {name!r}: {what} has shape {array.shape}, expected ({length},)"
        )
    return array.astype(dtype, copy=False)


def evaluate_rule(strategy: BaseStrategy[Any], inputs: StrategyInputs) -> Decisions:
    """The strategy's decisions for every row of ``inputs``.

    Raises:
        StrategyError: the strategy raised or returned malformed arrays.
    """
    guarded = _guarded(inputs)
    n = len(inputs)
    name = strategy.name
    try:
        score = strategy.score(guarded)
        buy = strategy.should_buy(score, guarded)
        sell = strategy.should_sell(score, guarded)
        confidence = strategy.confidence(score, guarded)
    except (StrategyError, UserInputError):
        raise
    except Exception as exc:
        logger.exception("strategy %s raised", name)
        raise StrategyError(f"strategy {name!r} failed: {exc!r}") from exc
    score = _checked(name, "score", score, n, np.float64)
    exits = _checked(name, "should_sell", sell, n, np.bool_)
    entries = _checked(name, "should_buy", buy, n, np.bool_) & ~exits
    confidence = _checked(name, "confidence", confidence, n, np.float64)
    if not np.all((confidence >= 0) & (confidence <= 1)):
        raise StrategyError(f"strategy {name!r}: confidence outside [0, 1]")
    return Decisions(score=score, entries=entries, exits=exits, confidence=confidence)
