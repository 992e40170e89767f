"""TA-Lib functions stepped one candle at a time, for every pair of a timeframe at once.

A live candle time brings one new candle per pair. Recomputing an indicator over a window of
history for each pair costs one TA-Lib call per pair and indicator, whatever the window: with 50
pairs and 15 indicators that fixed cost is most of the live indicator stage. TA-Lib (0.8, the C
library the ``talib`` wheel bundles) has a streaming tier, ``talib.stream``: a function's state
opened over a history (``open_and_fill``, which also returns the batch values over it) and
advanced by one bar (``update``), in about half a microsecond. ``PairStreams`` holds one such
state per pair and steps them all with one candle time's row.

Exactness: the library computes its streaming and batch tiers with the same arithmetic, in the
same order, so the values stepped over a pair's series are TA-Lib's batch values over the whole
series, bit for bit: ``tests/unit/indicators/test_streaming.py`` checks every function the
built-in indicators call, on hypothesis series (flat runs, jumps, NaN-led starts, histories too
short to open) and on thousands of real candles. (Repeating TA-Lib's arithmetic in numpy is not
exact against this build: its RSI keeps gain + loss and the loss doubled, multiplies by a
reciprocal, and its EMA is compiled with fused multiply-adds.)

A pair whose history is too short for a function (fewer bars than its lookback, or NaN-led)
gets what a batch call gives there (NaN; 0 for MAXINDEX and MININDEX) until it has enough; its
stream then opens over everything seen. Values come back as float64 (indexes too).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import talib
from talib import stream as talib_stream

from cryptotrader.domain.market import CandleArrays, FloatArray

Row = tuple[float, ...]


class PairStreams:
    """One TA-Lib function, with its parameters, streamed for many pairs.

    Args:
        function: the ``talib.stream`` name (``"RSI"``, ``"MACD"`` ...).
        inputs: how many input series it reads (ATR: high, low, close).
        outputs: how many series it returns (MACD: 3).
        params: its parameters, as ``talib`` names them (``timeperiod=14``).

    Example:
        >>> import numpy as np
        >>> streams = PairStreams("EMA", timeperiod=3)
        >>> streams.add(np.array([1.0, 2.0, 3.0, 4.0]))[0].tolist()
        [nan, nan, 2.0, 3.0]
        >>> streams.step(np.array([5.0]))[0].tolist()
        [4.0]
    """

    def __init__(self, function: str, *, inputs: int = 1, outputs: int = 1, **params: Any):
        self.function = function
        self.inputs = inputs
        self.outputs = outputs
        self.params = params
        self._kind: Any = getattr(talib_stream, function)
        self._streams: list[Any] = []
        self._waiting: dict[int, list[list[float]]] = {}
        """Inputs of each pair whose history is still too short to open its stream."""

    @property
    def pairs(self) -> int:
        """How many pairs are streamed."""
        return len(self._streams)

    def add(self, *history: FloatArray) -> tuple[FloatArray, ...]:
        """Add a pair from its history (one array per input); TA-Lib's values over it.

        The pair is the next index (``pairs`` before the call).
        """
        columns = [np.ascontiguousarray(h, dtype=np.float64) for h in history]
        if len(columns) != self.inputs:
            raise ValueError(f"{self.function} reads {self.inputs} inputs, got {len(columns)}")
        index = len(self._streams)
        self._streams.append(None)
        opened = self._open(index, columns)
        if opened is not None:
            return opened
        self._waiting[index] = [c.tolist() for c in columns]
        return self._batch(columns)

    def step(self, *row: FloatArray) -> tuple[FloatArray, ...]:
        """Advance every pair by one candle (``row``: one array of ``pairs`` per input)."""
        columns = [np.asarray(r, dtype=np.float64).tolist() for r in row]
        streams = self._streams
        values: list[Any]
        if not self._waiting:
            values = [
                s.update(*bar) for s, bar in zip(streams, zip(*columns, strict=True), strict=True)
            ]
        else:
            values = [
                self._waiting_step(i, bar) if s is None else s.update(*bar)
                for i, (s, bar) in enumerate(zip(streams, zip(*columns, strict=True), strict=True))
            ]
        if self.outputs == 1:
            return (np.array(values, dtype=np.float64),)
        return tuple(np.array(part, dtype=np.float64) for part in zip(*values, strict=True))

    def _open(self, index: int, columns: Sequence[FloatArray]) -> tuple[FloatArray, ...] | None:
        """Open pair ``index``'s stream over ``columns``; None while they are too short."""
        if not _has_bar(columns):
            return None  # no bar yet (TA-Lib would open some functions on NaN alone)
        try:
            stream, values = self._kind.open_and_fill(*columns, **self.params)
        except Exception:  # noqa: BLE001 - too few bars (TA-Lib says so as InsufficientHistory
            # or, for some functions, as a bad parameter): ``_batch`` raises a real error
            return None
        self._streams[index] = stream
        if self.outputs == 1:
            return (np.asarray(values, dtype=np.float64),)
        return tuple(np.asarray(v, dtype=np.float64) for v in values)

    def _batch(self, columns: Sequence[FloatArray]) -> tuple[FloatArray, ...]:
        """TA-Lib's batch values over ``columns`` (a history too short to open a stream)."""
        if not _has_bar(columns):  # only NaN so far: what the whole series' batch gives there
            fill = 0.0 if self.function.endswith("INDEX") else np.nan
            return tuple(np.full(len(columns[0]), fill) for _ in range(self.outputs))
        values = getattr(talib, self.function)(*columns, **self.params)
        if self.outputs == 1:
            return (np.asarray(values, dtype=np.float64),)
        return tuple(np.asarray(v, dtype=np.float64) for v in values)

    def _waiting_step(self, index: int, bar: Row) -> Any:
        """Record a too-short pair's bar; open its stream once it has enough."""
        kept = self._waiting[index]
        for column, value in zip(kept, bar, strict=True):
            column.append(value)
        columns = [np.array(c) for c in kept]
        opened = self._open(index, columns)
        if opened is None:
            opened = self._batch(columns)  # what a batch call gives there (NaN, 0 for an index)
        else:
            del self._waiting[index]
        last = tuple(float(v[-1]) for v in opened)
        return last[0] if self.outputs == 1 else last


def _has_bar(columns: Sequence[FloatArray]) -> bool:
    """Whether some bar has every input (TA-Lib's history starts at the first such bar)."""
    if len(columns[0]) and not any(math.isnan(c[-1]) for c in columns):
        return True  # the last bar has (the live case, without a pass over the window)
    return bool(np.any(~np.logical_or.reduce([np.isnan(c) for c in columns])))


Key = tuple[Hashable, ...]
"""A TA-Lib call with its parameters and the rows taken (``talib_rows``)."""

TRIM = 64
"""Values a call keeps beyond the rows taken before it drops the oldest (append-only between)."""


class _Call:
    """One TA-Lib call's stream over a series' window, and its values so far (a list per output).

    The lists only grow between two trims; the rows taken are their last ones.
    """

    __slots__ = ("last", "start", "stream", "values")

    def __init__(self, start: int, last: int, stream: Any, values: list[list[float]]) -> None:
        self.start, self.last, self.stream, self.values = start, last, stream, values


class SeriesStreams:
    """A series' TA-Lib calls streamed over its live window, one candle at a time.

    The live engines compute a series' indicators over a window whose start moves only every so
    many candles (``strategies.evaluation.grid_start``). Between two moves a stream opened over
    the window and stepped with each new candle gives TA-Lib's batch values over the window,
    bit for bit (the streaming tier's promise, ``PairStreams``), so the window's last rows
    come from a step of half a microsecond instead of a call over the whole window. A call whose
    window started elsewhere, or that missed a candle (a run of several computed alone, a
    restart, a gap), is opened again over the window: what the batch call gives.
    """

    def __init__(self) -> None:
        self._calls: dict[Key, _Call] = {}


class _Block:
    """A call's rows over a group of series as last given: one (take, pairs) array per output."""

    __slots__ = ("firsts", "lasts", "rows")

    def __init__(self, rows: list[FloatArray], firsts: list[int], lasts: list[int]) -> None:
        self.rows, self.firsts, self.lasts = rows, firsts, lasts


BLOCKS = 8
"""Groups of series whose rows are kept between candle times (a timeframe's, a partition's ...)."""
_BLOCKS: dict[tuple[SeriesStreams | None, ...], dict[Key, _Block]] = {}


class _Group:
    """The windows of one ``attach`` (a candle time's pairs), their series' streams and bars."""

    __slots__ = ("bars", "blocks", "done", "firsts", "lasts", "previous", "series", "windows")

    def __init__(
        self, windows: Sequence[CandleArrays], series: Sequence[SeriesStreams | None]
    ) -> None:
        self.windows, self.series = windows, list(series)
        stamps = [w.timestamps for w in windows]
        self.firsts = [int(ts[0]) for ts in stamps]
        self.lasts = [int(ts[-1]) for ts in stamps]
        self.previous = [int(ts[-2]) if len(ts) > 1 else int(ts[-1]) for ts in stamps]
        self.bars: dict[str, list[float]] = {}
        """Each field's last candle, one value per window (read once per candle time)."""
        self.done: dict[Key, tuple[FloatArray, ...]] = {}
        """The calls given this candle time (the same call again: the same rows)."""
        ident = tuple(self.series)
        blocks = _BLOCKS.pop(ident, None)
        if blocks is None:
            blocks = {}
            while len(_BLOCKS) >= BLOCKS:
                del _BLOCKS[next(iter(_BLOCKS))]
        _BLOCKS[ident] = blocks  # the most recent last
        self.blocks = blocks

    def bar(self, field: str) -> list[float]:
        values = self.bars.get(field)
        if values is None:
            if field == TRUE_RANGE:
                highs, lows = self.bar("high"), self.bar("low")
                before = [float(w.close[-2]) if len(w) > 1 else math.nan for w in self.windows]
                values = [_true_range_of(*bar) for bar in zip(highs, lows, before, strict=True)]
            else:
                values = [float(getattr(w, field)[-1]) for w in self.windows]
            self.bars[field] = values
        return values


class _Attached(threading.local):
    group: _Group | None = None


_ATTACHED = _Attached()
"""The windows ``talib_rows`` steps streams for (the last ``attach``'s in this thread)."""


def attach(windows: Sequence[CandleArrays], streams: Sequence[SeriesStreams | None] | None) -> None:
    """Let ``talib_rows`` read these windows' last rows from their series' streams (if any).

    Until the next ``attach``; for this very sequence of windows (another is computed by batch).
    """
    group = _ATTACHED.group
    if (
        group is not None
        and group.windows is windows
        and streams is not None
        and all(a is b for a, b in zip(group.series, streams, strict=True))
    ):
        return  # another bot's engine on the same windows: the same group
    _ATTACHED.group = None if streams is None else _Group(windows, streams)


def talib_rows(
    windows: Sequence[CandleArrays],
    take: int,
    function: str,
    fields: tuple[str, ...],
    outputs: int = 1,
    **params: Any,
) -> tuple[FloatArray, ...]:
    """The last ``take`` values of ``talib.<function>`` over each window, shape (take, pairs).

    From the window's series' streams when it has some (``attach``), else by the batch call:
    the same values either way, bit for bit. Every window holds at least ``take`` candles.

    Example:
        >>> import numpy as np
        >>> w = CandleArrays(np.arange(4), *(np.array([1.0, 2.0, 3.0, 4.0]),) * 5)
        >>> talib_rows([w], 2, "SMA", ("close",), timeperiod=2)[0].tolist()
        [[2.5], [3.5]]
    """
    spec = _Spec(function, fields, outputs, params)
    group = _ATTACHED.group
    if group is None or group.windows is not windows:
        columns = [_batch(spec, _columns(window, fields)) for window in windows]
        return tuple(
            np.array([c[o][-take:] for c in columns], dtype=np.float64).T.copy()
            for o in range(outputs)
        )
    key: Key = (function, fields, take, *sorted(params.items()))
    done = group.done.get(key)
    if done is None:
        done = group.done[key] = _group_rows(group, key, spec, take)
    return tuple(rows.copy() for rows in done)


def _group_rows(  # noqa: C901, PLR0912 - one loop over the pairs, kept flat for its speed
    group: _Group, key: Key, spec: _Spec, take: int
) -> tuple[FloatArray, ...]:
    """``talib_rows`` over a group's windows: each series' stream stepped, or opened again.

    The rows of the block given at the previous candle time move up by one and take the new
    values as their last row; a column whose stream was opened again is written whole.
    """
    outputs = spec.outputs
    bars = zip(*[group.bar(f) for f in spec.fields], strict=True)
    block = group.blocks.get(key)
    in_block = block is not None  # whether every pair stepped continues the block's column
    block_firsts, block_lasts = (block.firsts, block.lasts) if block is not None else ([], [])
    news = [[math.nan] * len(group.lasts) for _ in range(outputs)]
    new = news[0]
    whole: list[int] = []  # pairs whose column is written from their values
    calls: list[_Call] = []
    limit = take + TRIM
    places = zip(group.series, bars, group.firsts, group.previous, group.lasts, strict=True)
    for p, (series, bar, first, previous, last) in enumerate(places):
        call = None if series is None else series._calls.get(key)
        if call is not None and call.start == first:
            if call.last == last:  # given already (another group of the same candle time)
                whole.append(p)
                calls.append(call)
                continue
            if call.stream is not None and call.last == previous != last:
                value = call.stream.update(*bar)
                kept = call.values
                if outputs == 1:
                    kept[0].append(value)
                    new[p] = value
                else:
                    for o, v in enumerate(value):
                        kept[o].append(v)
                        news[o][p] = v
                if len(kept[0]) > limit:
                    for values in kept:
                        del values[:-take]
                call.last = last
                calls.append(call)
                if in_block and not (block_lasts[p] == previous and block_firsts[p] == first):
                    in_block = False
                continue
        call = _open(group.windows[p], first, last, spec, take)
        if series is not None:
            series._calls[key] = call
        whole.append(p)
        calls.append(call)
    if block is None or not in_block:
        rows = [
            np.ascontiguousarray(np.array([c.values[o][-take:] for c in calls], np.float64).T)
            for o in range(outputs)
        ]
        block = group.blocks[key] = _Block(rows, group.firsts, group.lasts)
        return tuple(block.rows)
    rows = []
    for o, before in enumerate(block.rows):
        array = np.empty_like(before)  # (not moved up in place: an overlapping copy is slower)
        array[:-1] = before[1:]
        array[-1] = news[o]
        for p in whole:
            array[:, p] = calls[p].values[o][-take:]
        rows.append(array)
    block.rows, block.firsts, block.lasts = rows, group.firsts, group.lasts
    return tuple(rows)


def _open(window: CandleArrays, first: int, last: int, spec: _Spec, take: int) -> _Call:
    """A call's stream opened over ``window`` (None while too short: the batch's values)."""
    stream, outputs = _opened(spec, _columns(window, spec.fields))
    values = [np.asarray(o, dtype=np.float64)[-take:].tolist() for o in outputs]
    return _Call(first, last, stream, values)


def attached(windows: Sequence[CandleArrays]) -> bool:
    """Whether ``talib_rows`` steps streams for ``windows`` (the last ``attach``'s)."""
    group = _ATTACHED.group
    return group is not None and group.windows is windows


TRUE_RANGE = "true_range"
"""A field ``talib_rows`` reads besides the candles': TA-Lib TRANGE of the window, its first
candle's range high - low (``indicators.atr.true_range``)."""


def _columns(window: CandleArrays, fields: tuple[str, ...]) -> list[FloatArray]:
    return [
        _true_range(window)
        if f == TRUE_RANGE
        else np.ascontiguousarray(getattr(window, f), dtype=np.float64)
        for f in fields
    ]


def _true_range(window: CandleArrays) -> FloatArray:
    """TA-Lib TRANGE, the first candle's range high - low (as ``atr.true_range``)."""
    ranges: FloatArray = talib.TRANGE(window.high, window.low, window.close)
    if ranges.shape[0]:
        ranges[0] = window.high[0] - window.low[0]
    return np.asarray(ranges, dtype=np.float64)


def _true_range_of(high: float, low: float, before: float) -> float:
    """TA-Lib TRANGE of a candle after the close ``before``: its comparisons, as it makes them.

    ``_true_range(window)[-1]``; a NaN ``before`` (no candle before) leaves high - low.
    """
    greatest = high - low
    above = abs(before - high)
    if above > greatest:  # noqa: PLR1730 - TA-Lib's comparisons (a NaN never wins)
        greatest = above
    below = abs(before - low)
    if below > greatest:  # noqa: PLR1730 - as above
        greatest = below
    return greatest


class _Spec:
    """A TA-Lib call: its function, the candle fields it reads, its outputs and parameters."""

    __slots__ = ("fields", "function", "outputs", "params")

    def __init__(
        self, function: str, fields: tuple[str, ...], outputs: int, params: dict[str, Any]
    ) -> None:
        self.function, self.fields, self.outputs, self.params = function, fields, outputs, params


def _outputs(value: Any, outputs: int) -> tuple[Any, ...]:
    return (value,) if outputs == 1 else tuple(value)


def _opened(spec: _Spec, columns: Sequence[FloatArray]) -> tuple[Any, tuple[FloatArray, ...]]:
    """A stream opened over ``columns`` and its values; no stream while they are too short."""
    if _has_bar(columns):
        try:
            stream, values = getattr(talib_stream, spec.function).open_and_fill(
                *columns, **spec.params
            )
        except Exception:  # noqa: BLE001, S110 - too few bars: the batch call says what it gives
            pass
        else:
            return stream, _outputs(values, spec.outputs)
    return None, _batch(spec, columns)


def _batch(spec: _Spec, columns: Sequence[FloatArray]) -> tuple[FloatArray, ...]:
    """TA-Lib's batch values over ``columns`` (NaN where it has no bar yet, 0 for an index)."""
    if not _has_bar(columns):
        fill = 0.0 if spec.function.endswith("INDEX") else np.nan
        return tuple(np.full(len(columns[0]), fill) for _ in range(spec.outputs))
    values = getattr(talib, spec.function)(*columns, **spec.params)
    return tuple(np.asarray(v, dtype=np.float64) for v in _outputs(values, spec.outputs))
