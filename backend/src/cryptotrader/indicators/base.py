"""The indicator plugin contract.

An indicator computes its series over a whole candle array in one vectorised pass, scores every
candle with a strength in [-1, 1] (the same rule for backtests and live bots), and labels its
latest reading. Parameters are a frozen pydantic model: unknown names are refused with a
"did you mean" hint, thresholds are documented fields.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Hashable, Mapping, Sequence
from typing import Any, ClassVar, Generic, TypeVar

import numpy as np
from pydantic import BaseModel, ConfigDict, ValidationError

from cryptotrader.domain.enums import Bias
from cryptotrader.domain.market import CandleArrays, FloatArray
from cryptotrader.domain.signals import IndicatorSignal, Reading
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.domain.values import utc_from_ms
from cryptotrader.errors import UserInputError
from cryptotrader.indicators._shared import stack_columns
from cryptotrader.plugins import did_you_mean

Series = dict[str, FloatArray]


class IndicatorParams(BaseModel):
    """Base of every indicator's parameters: frozen, and unknown names are errors."""

    model_config = ConfigDict(frozen=True, extra="forbid")


P = TypeVar("P", bound=IndicatorParams)


def parse_params(model: type[P], values: Mapping[str, Any] | P | None, owner: str) -> P:
    """Validate ``values`` against ``model``; a misspelt name gets a "did you mean" hint.

    Raises:
        UserInputError: a name is unknown or a value is invalid.
    """
    if isinstance(values, model):
        return values
    raw = dict(values or {})
    known = list(model.model_fields)
    for name in raw:
        if name not in known:
            expected = ", ".join(known) or "none"
            raise UserInputError(
                f"{owner}: unknown parameter {name!r} (expected {expected})"
                f"{did_you_mean(name, known)}"
            )
    try:
        return model(**raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise UserInputError(f"{owner}: parameter {where}: {first['msg']}") from None


SETTLED_BITS = 70
"""A recursive average counts as settled once its seed weighs less than 2^-70 of its value."""


def settled(alpha: float) -> int:
    """Steps after which a recursive average (``y = alpha x + (1 - alpha) y``) forgot its seed.

    After ``n`` steps two runs of the same average started apart differ by ``(1 - alpha)^n`` times
    their first difference; ``n`` here makes that factor at most 2^-70, 17 bits below a float's
    precision (2^-53), which leaves room for a seed up to 2^17 times off. This is the TA-Lib
    "unstable period" long enough that the window's values equal the full history's.
    """
    if alpha >= 1:
        return 0
    return math.ceil(SETTLED_BITS * math.log(2) / -math.log1p(-alpha))


def wilder_memory(period: int) -> int:
    """``memory`` of TA-Lib's ATR and RSI: a previous close, ``period`` values to seed, Wilder."""
    return period + settled(1 / period)


def ema_memory(period: int) -> int:
    """``memory`` of TA-Lib's EMA: seeded by the SMA of ``period`` values, then ``2/(p+1)``."""
    return period - 1 + settled(2 / (period + 1))


def bias_of(strength: float) -> Bias:
    """Direction of a strength: positive is bullish, negative bearish, zero or NaN neutral."""
    if strength > 0:
        return Bias.BULLISH
    if strength < 0:
        return Bias.BEARISH
    return Bias.NEUTRAL


def piecewise_extremes(
    values: FloatArray, low: float, high: float, floor: float, ceiling: float
) -> FloatArray:
    """Strength of an oscillator that is bullish below ``low`` and bearish above ``high``.

    Inside ``[low, high]`` the strength is 0; it grows linearly to +1 at ``floor`` and to -1 at
    ``ceiling`` (e.g. RSI: low 30, high 70, floor 0, ceiling 100). NaN stays NaN.
    """
    with np.errstate(invalid="ignore"):
        bull = np.clip((low - values) / (low - floor), 0.0, 1.0)
        bear = np.clip((values - high) / (ceiling - high), 0.0, 1.0)
    out: FloatArray = bull - bear
    return out


class Indicator(ABC, Generic[P]):
    """Base class of indicator plugins.

    Subclasses set ``name`` (the registry name), ``params_model`` and implement ``columns``,
    ``compute``, ``strength`` and ``label``. Register them with ``@register_indicator``.

    Args:
        params: parameter values (a mapping or a ``params_model`` instance); defaults otherwise.
        weight: how much the decision engine listens to this indicator (>= 0).

    Raises:
        UserInputError: unknown parameter or invalid value.

    Example:
        >>> from cryptotrader.indicators import create_indicator
        >>> create_indicator("rsi", {"period": 7}).columns
        ('rsi_7',)
    """

    name: ClassVar[str]
    params_model: ClassVar[type[IndicatorParams]]
    default_weight: ClassVar[float] = 1.0
    rows_strength: ClassVar[bool] = False
    """``strength`` is elementwise on rows, so it runs unchanged on arrays of shape (rows, pairs):
    the live engines score a candle time's pairs in one call (``IndicatorEngine.compute_rows``).
    It reads ``values[c][start:]``, ``candles.<field>[start - rows_pad:]`` and ``atr(candles, p)``
    only, and its rows do not depend on ``start`` once ``start >= rows_pad``."""

    def __init__(self, params: Mapping[str, Any] | P | None = None, *, weight: float | None = None):
        parsed = parse_params(self.params_model, params, f"indicator {self.name!r}")
        self.params: P = parsed  # type: ignore[assignment] # params_model is P's class
        chosen = self.default_weight if weight is None else float(weight)
        if not chosen >= 0:
            raise UserInputError(f"indicator {self.name!r}: weight must be >= 0, got {weight}")
        self.weight = chosen

    @property
    def key(self) -> str:
        """Unique name of this configured instance (``rsi_14``); the first column by default."""
        return self.columns[0]

    def identity(self) -> Hashable:
        """Equal for instances that compute equal values and strengths (weights aside)."""
        return (type(self), self.params)

    @property
    @abstractmethod
    def columns(self) -> tuple[str, ...]:
        """Names of the series ``compute`` returns, in order."""

    @property
    def warmup(self) -> int:
        """Number of leading candles whose values are undefined (NaN)."""
        return 0

    @property
    def memory(self) -> int | None:
        """Candles before a candle that its values and strength depend on; None: every one.

        Computed over the last ``memory + 1`` candles, a candle's values and strength equal
        those computed over the whole history (a recursive average: to float precision, see
        ``settled``), except the ``level_columns``. The live engines keep only that much
        history; an indicator that does not say keeps the whole of it.
        """
        return None

    @property
    def rows_pad(self) -> int:
        """Rows before ``start`` the strength reads or marks unknown (``rows_strength``)."""
        return 1

    @property
    def level_columns(self) -> tuple[str, ...]:
        """Cumulative columns (OBV, ADI) whose level depends on where the candles start.

        Their changes do not, and the strength reads only those; a rule that reads such a
        level makes the live engines keep the whole history (as a backtest reads it).
        """
        return ()

    @abstractmethod
    def compute(self, candles: CandleArrays) -> Series:
        """Every series over the whole candle array (float64, NaN during warm-up)."""

    def compute_rows(
        self, windows: Sequence[CandleArrays], take: int, stacked: CandleArrays
    ) -> Series:
        """The last ``take`` rows of ``compute`` over each window, as (take, pairs) arrays.

        ``stacked``: those rows of the windows' candles (``_shared.stack_rows``). By default
        each window is computed whole and its rows taken; an indicator whose own arithmetic is
        elementwise computes what needs the history (TA-Lib) over each window and the rest once,
        on the stacked rows (the same operations on the same numbers: the same values).
        """
        each = [self.compute(window) for window in windows]
        return {c: stack_columns([values[c][-take:] for values in each]) for c in each[0]}

    @abstractmethod
    def strength(self, values: Series, candles: CandleArrays, start: int = 0) -> FloatArray:
        """Strength in [-1, 1] of candles ``start:`` (NaN during warm-up); > 0 is bullish.

        ``start`` lets a live bot read only the newest candle without scoring the whole history;
        the values are identical to the same rows of a full computation.
        """

    @abstractmethod
    def label(self, values: Series, candles: CandleArrays, index: int, strength: float) -> str:
        """One word for the reading at ``index`` (``oversold``, ``bullish_cross`` ...)."""

    def reading(
        self,
        values: Series,
        candles: CandleArrays,
        index: int = -1,
        *,
        strengths: FloatArray | None = None,
    ) -> Reading:
        """The reading of candle ``index`` as plain values (``interpret`` without the model).

        The live engines read every pair's indicators on every candle: they validate the
        readings once, in the message that carries them (``IndicatorsComputed``), rather than
        each in an ``IndicatorSignal`` first. ``strengths`` as in ``interpret``.
        """
        if len(candles) == 0:
            raise UserInputError(f"indicator {self.name!r}: no candles to interpret")
        position = index % len(candles)
        skipped = len(candles) - (0 if strengths is None else len(strengths))
        if strengths is None or position < skipped:
            raw = float(self.strength(values, candles, start=position)[0])
        else:
            raw = float(strengths[position - skipped])
        ready = not math.isnan(raw)
        strength = raw if ready else 0.0
        label = self.label(values, candles, position, strength) if ready else "warming_up"
        read = {column: float(values[column][position]) for column in self.columns}
        return Reading(
            values={k: None if math.isnan(v) else v for k, v in read.items()},  # NaN: null
            signal=bias_of(strength),
            label=label,
            strength=strength,
            weight=self.weight,
        )

    def rows_labels(
        self, values: Series, candles: CandleArrays, strengths: list[float]
    ) -> list[str] | None:
        """Every pair's ``label`` of the last row at once (None: ``label`` pair by pair).

        ``values`` and ``candles``: the last rows of several pairs' windows, shape (rows, pairs)
        (``IndicatorEngine.compute_rows``; at least two rows); ``strengths``: the last row's,
        a NaN one as 0.0 (as ``reading`` passes it). Entry ``p`` must be ``label`` of column
        ``p`` at its last row wherever ``strengths``' NaN was not (a pair warming up is labelled
        ``warming_up`` whatever is returned for it).
        """
        return None

    def reads_plainly(self) -> bool:
        """Whether ``rows_readings`` may build the readings itself (``reading`` not overridden)."""
        cls = type(self)
        return cls.interpret is Indicator.interpret and cls.reading is Indicator.reading

    def rows_readings(
        self,
        values: Series,
        candles: CandleArrays,
        tails: Sequence[CandleArrays],
        timeframe: Timeframe,
        strengths: FloatArray,
    ) -> list[Reading]:
        """``plain_reading`` of each pair's last row, every pair at once.

        ``values``, ``candles`` and ``strengths``: (rows, pairs) arrays of ``compute_rows``;
        ``tails``: each pair's candles of those rows. Reading ``p`` equals ``plain_reading`` of
        column ``p`` (``PendingReading.read``): the same floats, taken from the last row in one
        ``tolist`` per column instead of a view and a scalar per pair, and the labels from
        ``rows_labels`` where the indicator has them. A plugin that reads its own way
        (``reads_plainly`` False) is read pair by pair, as before.
        """
        pairs = len(tails)
        if not self.reads_plainly():
            return [
                plain_reading(
                    self,
                    {c: v[:, p] for c, v in values.items()},
                    tails[p],
                    timeframe,
                    strengths[:, p],
                )
                for p in range(pairs)
            ]
        raw = strengths[-1].tolist()
        ready = [not math.isnan(s) for s in raw]
        scores = [s if r else 0.0 for s, r in zip(raw, ready, strict=True)]
        labels = self.rows_labels(values, candles, scores)
        if labels is None:
            labels = [
                self.label(
                    {c: v[:, p] for c, v in values.items()}, tails[p], len(tails[p]) - 1, scores[p]
                )
                if ready[p]
                else ""
                for p in range(pairs)
            ]
        columns = self.columns
        rows = [last_row(values[c]) for c in columns]
        pairs_values = zip(*rows, strict=True) if rows else [()] * pairs  # each pair's values
        weight = self.weight
        return [
            Reading(
                values={
                    c: None if math.isnan(v) else v  # NaN: null
                    for c, v in zip(columns, row, strict=True)
                },
                signal=bias_of(score),
                label=label if ok else "warming_up",
                strength=score,
                weight=weight,
            )
            for row, score, label, ok in zip(pairs_values, scores, labels, ready, strict=True)
        ]

    def interpret(
        self,
        values: Series,
        candles: CandleArrays,
        timeframe: Timeframe,
        index: int = -1,
        *,
        strengths: FloatArray | None = None,
    ) -> IndicatorSignal:
        """The reading of candle ``index`` as an ``IndicatorSignal``.

        ``strengths`` (from ``strength``: every candle's, or the last ``len(strengths)``
        candles') avoids recomputing when already known.
        """
        read = self.reading(values, candles, index, strengths=strengths)
        position = index % len(candles)
        return IndicatorSignal(
            name=self.key,
            timeframe=timeframe,
            timestamp=utc_from_ms(int(candles.timestamps[position])),
            **read,
        )


def last_row(values: FloatArray) -> list[float]:
    """The last row of (rows, pairs) values as floats (``float`` of each: a flag column too)."""
    row = values[-1]
    if row.dtype.kind != "f":
        row = row.astype(np.float64)
    floats: list[float] = row.tolist()
    return floats


def plain_reading(
    indicator: Indicator[Any],
    values: Series,
    candles: CandleArrays,
    timeframe: Timeframe,
    strengths: FloatArray | None,
) -> Reading:
    """The last candle's ``reading``; through ``interpret`` for a plugin that overrides it."""
    if type(indicator).interpret is Indicator.interpret:
        return indicator.reading(values, candles, strengths=strengths)
    signal = indicator.interpret(values, candles, timeframe, strengths=strengths)
    return Reading(
        values=dict(signal.values),
        signal=signal.signal,
        label=signal.label,
        strength=signal.strength,
        weight=signal.weight,
    )
