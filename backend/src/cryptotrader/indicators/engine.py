"""IndicatorEngine: every registered indicator over candle series, on one or several timeframes.

Multi-timeframe without look-ahead: a lower-timeframe candle is decided at its close, so it may
only see higher-timeframe candles whose bucket had **closed** by then. ``align`` maps each lower
candle to the last such higher candle; a higher candle still forming is never visible.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np

from cryptotrader.domain.market import CandleArrays, FloatArray, IntArray
from cryptotrader.domain.signals import IndicatorResult, IndicatorSignal, Reading
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.errors import StrategyError, UserInputError
from cryptotrader.indicators import Indicator
from cryptotrader.indicators._shared import stack_rows
from cryptotrader.indicators.base import plain_reading
from cryptotrader.indicators.defaults import default_indicators
from cryptotrader.indicators.streaming import SeriesStreams, attach
from cryptotrader.marketdata.resample import resample

if TYPE_CHECKING:  # pandas loads for frames only: a backtest on arrays never needs it
    import pandas as pd

CandleInput: TypeAlias = "pd.DataFrame | CandleArrays"
Shared: TypeAlias = "MutableMapping[Hashable, tuple[dict[str, FloatArray], FloatArray | None]]"
"""Values and strengths already computed on the same candles, by ``Indicator.identity``."""

Rows: TypeAlias = "tuple[dict[str, FloatArray], FloatArray | None]"
"""An indicator on several windows: its values' last rows stacked, their strengths."""
RowsShared: TypeAlias = "MutableMapping[Hashable, Rows]"
"""``compute_rows``'s ``shared``: an indicator's rows of every window, and their strengths."""

_INTERNED: dict[Hashable, int] = {}
"""Each ``Indicator.identity`` seen, as a small int: an identity holds pydantic parameters,
slow to hash and compare, and a live candle time looks every indicator of every pair up."""


def _interned(identity: Hashable) -> int:
    return _INTERNED.setdefault(identity, len(_INTERNED))


def as_arrays(candles: CandleInput) -> CandleArrays:
    """Candle arrays from a frame, or the arrays themselves."""
    if isinstance(candles, CandleArrays):
        return candles
    from cryptotrader.marketdata.frames import candle_arrays  # noqa: PLC0415 - pandas

    return candle_arrays(candles)


def align(lower: IntArray, lower_tf: Timeframe, higher: IntArray, higher_tf: Timeframe) -> IntArray:
    """For each lower candle, the index of the last higher candle closed at its close (or -1).

    Args:
        lower: open times (epoch ms) of the lower-timeframe candles.
        lower_tf: their timeframe.
        higher: open times of the higher-timeframe candles, sorted.
        higher_tf: their timeframe.
    """
    decided_at = lower_tf.bucket_end(lower_tf.bucket_start(lower))
    higher_closes = higher_tf.bucket_end(higher_tf.bucket_start(higher))
    return np.searchsorted(higher_closes, decided_at, side="right").astype(np.int64) - 1


@dataclass(frozen=True, slots=True)
class PendingReading:
    """One indicator's reading of the last candle, built later (``IndicatorEngine.compute``).

    What it reads is computed already; only the label and the plain values remain. The live
    engines build the readings (display and alerts) after the rule inputs are out, off the path
    to the orders.
    """

    indicator: Indicator[Any]
    values: dict[str, FloatArray]
    candles: CandleArrays
    timeframe: Timeframe
    strengths: FloatArray | None
    column: int | None = None
    """Set: ``values`` and ``strengths`` are several pairs' rows (``compute_rows``), this pair's
    the column; ``candles`` its last rows (a label reads the last row and the one before)."""
    rows: RowsReadings | None = None
    """Set (with ``column``): every pair's reading of this indicator, built together."""

    def read(self) -> Reading:
        """The reading, as ``IndicatorEngine.compute(..., plain=True)`` gives it."""
        p = self.column
        if p is None:
            return plain_reading(
                self.indicator, self.values, self.candles, self.timeframe, self.strengths
            )
        if self.rows is not None:
            return self.rows.read(p)
        values = {c: v[:, p] for c, v in self.values.items()}
        strengths = None if self.strengths is None else self.strengths[:, p]
        return plain_reading(self.indicator, values, self.candles, self.timeframe, strengths)


class RowsReadings:
    """One indicator's readings of the last row of every pair of a ``compute_rows``.

    Built together at the first pair's read (``Indicator.rows_readings``: one ``tolist`` per
    column and the labels of every pair at once), then handed out pair by pair: the readings
    of a candle time's 50 pairs cost one pass instead of 50 (a view, a scalar and a label of
    numpy scalars per column and pair). Each equals ``plain_reading`` of its pair's column.

    Args:
        indicator: the indicator read.
        values: its rows, (rows, pairs) arrays.
        stacked: holds the candles' rows stacked (``stack_rows``) once an indicator of the
            ``compute_rows`` stacked them; stacked from ``tails`` here otherwise.
        tails: each pair's candles of those rows.
        timeframe: their timeframe.
        strengths: the rows' strengths, (rows, pairs).
    """

    __slots__ = ("_built", "indicator", "stacked", "strengths", "tails", "timeframe", "values")

    def __init__(  # noqa: PLR0917 - the parts of one indicator's rows
        self,
        indicator: Indicator[Any],
        values: dict[str, FloatArray],
        stacked: list[CandleArrays],
        tails: Sequence[CandleArrays],
        timeframe: Timeframe,
        strengths: FloatArray,
    ) -> None:
        self.indicator = indicator
        self.values = values
        self.stacked = stacked
        self.tails = tails
        self.timeframe = timeframe
        self.strengths = strengths
        self._built: list[Reading] | None = None

    def read(self, p: int) -> Reading:
        """Pair ``p``'s reading (every pair's built at the first call)."""
        built = self._built
        if built is None:
            if not self.stacked:
                self.stacked.append(stack_rows(self.tails, len(self.tails[0])))
            built = self._built = self.indicator.rows_readings(
                self.values, self.stacked[0], self.tails, self.timeframe, self.strengths
            )
        return built[p]


@dataclass(frozen=True, slots=True)
class RowsResult:
    """Every series and strength of the last rows of several pairs' windows, shape (rows, pairs).

    Column ``p`` of each array is what ``IndicatorEngine.compute`` gives over window ``p`` for
    those rows, bit for bit (``IndicatorEngine.compute_rows``).
    """

    series: dict[str, FloatArray]
    strengths: dict[str, FloatArray]
    weights: dict[str, float]


def _rows(  # noqa: PLR0917 - the parts of one ``compute_rows`` step
    indicator: Indicator[Any],
    windows: Sequence[CandleArrays],
    rows: int,
    pad: int,
    stacked: list[CandleArrays],
    with_strengths: bool,
) -> Rows:
    """One indicator's last ``pad + rows`` rows of each window, stacked, and the rows scored."""
    take = rows + pad
    if not stacked:
        stacked.append(stack_rows(windows, take))
    columns = dict(indicator.compute_rows(windows, take, stacked[0]))
    # scored even without ``with_strengths``: the readings read the last row's (a reading over
    # the whole window scores it alone, the same value: ``Indicator.rows_strength``)
    strength = indicator.strength(columns, stacked[0], pad)
    if strength.shape != (rows, len(windows)):
        raise StrategyError(
            f"indicator {indicator.key!r}: strength of shape {strength.shape} on rows"
        )
    return columns, strength


def take_aligned(values: FloatArray, positions: IntArray) -> FloatArray:
    """``values[positions]`` with NaN where ``positions`` is -1."""
    if values.shape[0] == 0:
        return np.full(positions.shape[0], np.nan)
    out: FloatArray = values[np.maximum(positions, 0)]
    out[positions < 0] = np.nan
    return out


@dataclass(frozen=True, slots=True)
class MultiTimeframeResult:
    """Results per timeframe, and their alignment onto the lowest one without look-ahead."""

    base: Timeframe
    results: Mapping[Timeframe, IndicatorResult]

    def positions(self, timeframe: Timeframe) -> IntArray:
        """Index into ``results[timeframe]`` visible at each base candle (-1: none yet)."""
        base = self.results[self.base]
        other = self.results[timeframe]
        return align(base.timestamps, self.base, other.timestamps, timeframe)

    def aligned(self, timeframe: Timeframe, column: str) -> FloatArray:
        """Series ``column`` of ``timeframe`` as seen from each base candle."""
        return take_aligned(self.results[timeframe].series[column], self.positions(timeframe))

    def aligned_strength(self, timeframe: Timeframe, key: str) -> FloatArray:
        """Strength of indicator ``key`` of ``timeframe`` as seen from each base candle."""
        return take_aligned(self.results[timeframe].strengths[key], self.positions(timeframe))

    def to_frame(self) -> pd.DataFrame:
        """Base-timeframe frame; higher-timeframe columns are prefixed ``<tf>_`` and aligned."""
        frame = self.results[self.base].to_frame()
        extra: dict[str, FloatArray] = {}
        for tf, result in self.results.items():
            if tf is self.base:
                continue
            positions = self.positions(tf)
            for column, values in result.series.items():
                extra[f"{tf.value}_{column}"] = take_aligned(values, positions)
        import pandas as pd  # noqa: PLC0415

        return pd.concat([frame, pd.DataFrame(extra, index=frame.index)], axis=1)


class IndicatorEngine:
    """Computes a set of indicator plugins over candle series.

    Args:
        indicators: the plugins to run; see ``with_default_set`` for the full built-in set.

    Raises:
        UserInputError: two indicators would write the same column.

    Example:
        >>> engine = IndicatorEngine.with_default_set()
        >>> result = engine.compute(frame, Timeframe.H1)  # doctest: +SKIP
        >>> result.signals["rsi_14"].label  # doctest: +SKIP
        'oversold'
    """

    def __init__(self, indicators: Iterable[Indicator[Any]] = ()) -> None:
        self._indicators: dict[str, Indicator[Any]] = {}
        self._columns: dict[str, str] = {}
        self._identities: dict[str, int] = {}
        self._known: tuple[frozenset[str], int, bool] | None = None
        """``keys``, ``rows_pad``, ``rows_ready``, once asked (a live candle time asks per pair)."""
        for indicator in indicators:
            self.register_indicator(indicator)

    @classmethod
    def with_default_set(
        cls, names: Iterable[str] | None = None, /, **dependencies: Any
    ) -> IndicatorEngine:
        """The built-in set (or the named subset); ``dependencies`` go to indicators needing them.

        Raises:
            UnknownNameError: a name in ``names`` is not a registered indicator.
        """
        return cls(default_indicators(names, **dependencies))

    @property
    def indicators(self) -> list[Indicator[Any]]:
        """The registered plugins, in registration order."""
        return list(self._indicators.values())

    @property
    def warmup(self) -> int:
        """Candles needed before every indicator is defined."""
        return max((i.warmup for i in self._indicators.values()), default=0)

    @property
    def memory(self) -> int | None:
        """The longest ``Indicator.memory`` (None when one indicator needs every candle)."""
        memories = [i.memory for i in self._indicators.values()]
        if any(m is None for m in memories):
            return None
        return max((m for m in memories if m is not None), default=0)

    @property
    def level_columns(self) -> frozenset[str]:
        """Every ``Indicator.level_columns``: series whose level depends on the first candle."""
        return frozenset(c for i in self._indicators.values() for c in i.level_columns)

    @property
    def keys(self) -> frozenset[str]:
        """Every indicator's ``key``."""
        return self._facts()[0]

    @property
    def rows_ready(self) -> bool:
        """Whether ``compute_rows`` may score these indicators (every ``rows_strength``)."""
        return self._facts()[2]

    @property
    def rows_pad(self) -> int:
        """Rows before the rows scored that ``compute_rows`` stacks (the most a strength reads)."""
        return self._facts()[1]

    def _facts(self) -> tuple[frozenset[str], int, bool]:
        known = self._known
        if known is None:
            indicators = self._indicators.values()
            known = self._known = (
                frozenset(self._indicators),
                max((i.rows_pad for i in indicators), default=1),
                all(i.rows_strength for i in indicators),
            )
        return known

    def register_indicator(self, indicator: Indicator[Any]) -> None:
        """Add a plugin.

        Raises:
            UserInputError: its key or one of its columns is already taken.
        """
        if indicator.key in self._indicators:
            raise UserInputError(f"indicator {indicator.key!r} is already registered")
        for column in indicator.columns:
            owner = self._columns.get(column)
            if owner is not None:
                raise UserInputError(
                    f"column {column!r} of {indicator.key!r} is already {owner!r}'s"
                )
        self._indicators[indicator.key] = indicator
        self._known = None
        self._identities[indicator.key] = _interned(indicator.identity())
        for column in indicator.columns:
            self._columns[column] = indicator.key

    def compute(
        self,
        candles: CandleInput,
        timeframe: Timeframe,
        *,
        with_strengths: bool = True,
        readings: bool = True,
        plain: bool = False,
        start: int = 0,
        shared: Shared | None = None,
        later: list[tuple[str, PendingReading]] | None = None,
    ) -> IndicatorResult:
        """Every series, and every indicator's reading of the last candle.

        Args:
            candles: a candle frame or arrays, sorted, of ``timeframe``.
            timeframe: their timeframe (labels the signals).
            with_strengths: score every candle (backtests need it); otherwise only the last
                candle is scored, for its reading.
            readings: read the last candle (``signals``); False leaves them out.
            plain: the readings as plain values (``readings``, ``Indicator.reading``) instead
                of ``signals``: what the live engines send on, validated once in the message.
            start: the result covers candles ``start:`` only (series as views, strengths
                scored there only): the live engines compute a window and read its newest rows.
            shared: values and strengths of identical indicators (``Indicator.identity``)
                already computed on these candles with this ``start`` (another bot's engine);
                used, and completed with this engine's.
            later: with ``plain``, the readings are appended there as ``PendingReading``
                (by key, in order) instead of built: the caller builds them when it chooses.

        Raises:
            StrategyError: a plugin raised; the message names it.
        """
        arrays = as_arrays(candles)
        series: dict[str, FloatArray] = {}
        strengths: dict[str, FloatArray] = {}
        signals: dict[str, IndicatorSignal] = {}
        plain_readings: dict[str, Reading] = {}
        for key, indicator in self._indicators.items():
            try:
                identity = (self._identities[key], with_strengths)
                known = None if shared is None else shared.get(identity)
                if known is None:
                    values = indicator.compute(arrays)
                    strength = indicator.strength(values, arrays, start) if with_strengths else None
                    if shared is not None:
                        shared[identity] = (values, strength)
                else:
                    values, strength = known
                if strength is not None:
                    strengths[key] = strength
                if readings and plain and len(arrays) and later is not None:
                    later.append(
                        (key, PendingReading(indicator, values, arrays, timeframe, strength))
                    )
                elif readings and plain and len(arrays):
                    plain_readings[key] = plain_reading(
                        indicator, values, arrays, timeframe, strength
                    )
                elif readings and len(arrays):
                    signals[key] = indicator.interpret(
                        values, arrays, timeframe, strengths=strength
                    )
            except (UserInputError, StrategyError):
                raise
            except Exception as exc:
                raise StrategyError(f"indicator {key!r} failed: {exc!r}") from exc
            series.update(values if not start else {k: v[start:] for k, v in values.items()})
        return IndicatorResult(
            timeframe=timeframe,
            timestamps=arrays.timestamps[start:],
            series=series,
            signals=signals,
            strengths=strengths,
            weights={key: ind.weight for key, ind in self._indicators.items()},
            readings=plain_readings,
        )

    def compute_rows(
        self,
        windows: Sequence[CandleArrays],
        timeframe: Timeframe,
        rows: int,
        *,
        with_strengths: bool = True,
        shared: RowsShared | None = None,
        later: Sequence[list[tuple[str, PendingReading]]] | None = None,
        streams: Sequence[SeriesStreams | None] | None = None,
    ) -> RowsResult:
        """``compute(window, start=len(window) - rows)`` of each window, as (rows, pairs) arrays.

        The live engines' candle time: one new candle for each of many pairs. What needs a
        window's history (TA-Lib) is computed over each window as ``compute`` computes it; the
        rest, elementwise arithmetic, on the last rows of every window stacked
        (``Indicator.compute_rows``), and the rows are scored once for every pair
        (``Indicator.rows_strength``): the same operations on the same numbers give the same
        values, instead of one call per pair and indicator. Every window needs
        ``rows + rows_pad`` candles, and every indicator ``rows_strength`` (``rows_ready``).
        The readings are built from the last rows (a label reads the last and the one before).

        Args:
            windows: each pair's window (as ``compute``'s ``candles``).
            timeframe: their timeframe (labels the readings).
            rows: the rows wanted, the last of each window.
            with_strengths: score the rows (as ``compute``).
            shared: as ``compute``'s, for these windows and rows (another bot's engine).
            later: one list per window: its readings are appended there (``PendingReading``),
                as ``compute(..., plain=True, later=)`` appends them.
            streams: one per window (None: none), its series' TA-Lib streams: the indicators'
                TA-Lib series over the window are stepped there (``streaming.talib_rows``:
                the same values) instead of computed again over the whole window.

        Raises:
            StrategyError: a plugin raised; the message names it.
        """
        pad = self.rows_pad
        attach(windows, streams)
        stacked: list[CandleArrays] = []  # stacked once, when an indicator first needs it
        tails: list[CandleArrays] = []  # each window's rows, for the readings
        series: dict[str, FloatArray] = {}
        strengths: dict[str, FloatArray] = {}
        for key, indicator in self._indicators.items():
            try:
                identity = (self._identities[key], with_strengths)
                known = None if shared is None else shared.get(identity)
                if known is None:
                    known = _rows(indicator, windows, rows, pad, stacked, with_strengths)
                    if shared is not None:
                        shared[identity] = known
            except (UserInputError, StrategyError):
                raise
            except Exception as exc:
                raise StrategyError(f"indicator {key!r} failed: {exc!r}") from exc
            columns, strength = known
            if with_strengths and strength is not None:
                strengths[key] = strength
            if later is not None:
                if not tails:
                    tails.extend(w.slice(len(w) - pad - rows, len(w)) for w in windows)
                together = (
                    None
                    if strength is None
                    else RowsReadings(indicator, columns, stacked, tails, timeframe, strength)
                )
                for p, tail in enumerate(tails):
                    later[p].append(
                        (
                            key,
                            PendingReading(
                                indicator, columns, tail, timeframe, strength, p, together
                            ),
                        )
                    )
            series.update({c: v[pad:] for c, v in columns.items()})
        weights = {key: ind.weight for key, ind in self._indicators.items()}
        return RowsResult(series=series, strengths=strengths, weights=weights)

    def compute_multi_timeframe(
        self, datasets: Mapping[Timeframe, CandleInput], *, with_strengths: bool = True
    ) -> MultiTimeframeResult:
        """``compute`` on each timeframe; the lowest one is the base for alignment.

        Each dataset's last candle is taken as closed; use ``compute_from_base`` to build the
        higher timeframes from one base series (incomplete buckets excluded).

        Raises:
            UserInputError: no dataset was given.
        """
        if not datasets:
            raise UserInputError("compute_multi_timeframe needs at least one dataset")
        order = [tf for tf in Timeframe if tf in datasets]
        results = {
            tf: self.compute(datasets[tf], tf, with_strengths=with_strengths) for tf in order
        }
        return MultiTimeframeResult(base=order[0], results=results)

    def compute_from_base(
        self,
        candles: CandleInput,
        base: Timeframe,
        higher: Iterable[Timeframe],
        *,
        with_strengths: bool = True,
    ) -> MultiTimeframeResult:
        """Resample ``candles`` of ``base`` into each ``higher`` timeframe, then compute all."""
        arrays = as_arrays(candles)
        datasets: dict[Timeframe, CandleInput] = {base: arrays}
        for tf in higher:
            datasets[tf] = resample(arrays, base, tf)
        return self.compute_multi_timeframe(datasets, with_strengths=with_strengths)
