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

from collections.abc import Sequence
from typing import Any

import numpy as np
import talib
from talib import stream as talib_stream

from cryptotrader.domain.market import FloatArray

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
    return bool(np.any(~np.logical_or.reduce([np.isnan(c) for c in columns])))
