"""A candle time's readings built for every pair at once equal each pair's ``plain_reading``.

``IndicatorEngine.compute_rows`` hands the live engines one ``RowsReadings`` per indicator:
the first pair's read builds every pair's reading (``Indicator.rows_readings``: one ``tolist``
per column, the labels of every pair by ``rows_labels``), instead of a view, a scalar and a
label of numpy scalars per column and pair. Each must be, by ``repr`` (NaN as null, 0.0 told
from -0.0, float types), what ``plain_reading`` of that pair's column gives: on values drawn at
and around every label's thresholds (NaN, zeros, crosses), for every built-in indicator, and
for plugins that read their own way or have no ``rows_labels``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from cryptotrader.domain.market import CandleArrays, FloatArray
from cryptotrader.domain.signals import Reading
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.indicators import Indicator
from cryptotrader.indicators.base import IndicatorParams, Series, plain_reading
from cryptotrader.indicators.engine import IndicatorEngine, PendingReading
from tests.unit.indicators.test_rows import BUILT_IN, assert_rows_exact, daily, engine
from tests.unit.indicators.test_streaming import candles

#: Values at and around the built-ins' thresholds (RSI 30/70, %B 0/0.2/0.8/1, fear & greed
#: bands, volume 0.5/2, choppiness 38.2/61.8, ATR ratios, ±1 trends, NaN, signed zeros).
POOL = [
    np.nan, -1.0, -0.5, -0.0, 0.0, 1e-9, 0.0005, 0.002, 0.01, 0.03, 0.05, 0.2, 0.5, 0.8, 1.0,
    1.2, 1.5, 2.0, 3.0, 20.0, 25.0, 30.0, 38.2, 45.0, 50.0, 55.0, 61.8, 70.0, 75.0, 80.0,
    100.0, 101.0,
]  # fmt: skip


def one_by_one(
    indicator: Indicator[Any],
    values: dict[str, FloatArray],
    tails: list[CandleArrays],
    strengths: FloatArray,
) -> list[Reading]:
    """What each pair's ``PendingReading`` read before: its column, read alone."""
    return [
        plain_reading(
            indicator, {c: v[:, p] for c, v in values.items()}, tail, Timeframe.M1, strengths[:, p]
        )
        for p, tail in enumerate(tails)
    ]


def stacked(tails: list[CandleArrays]) -> CandleArrays:
    return CandleArrays(
        *(
            np.ascontiguousarray(np.stack([getattr(t, f) for t in tails], axis=1))
            for f in ("timestamps", "open", "high", "low", "close", "volume")
        )
    )


@settings(max_examples=60, deadline=None)
@given(data=st.data(), pairs=st.integers(1, 6), take=st.integers(2, 4))
def test_every_built_ins_readings_of_a_candle_time_equal_each_pairs_read_alone(
    data: st.DataObject, pairs: int, take: int
) -> None:
    deps = {"fear_greed": daily(0, 40, 1), "google_trends": daily(-30 * 86_400_000, 12, 2)}
    values_of = st.sampled_from(POOL) | st.floats(-2.0, 110.0)
    for name, params, weight in BUILT_IN:
        indicator = engine(name, params, weight, **deps).indicators[0]
        values = {
            c: np.array(
                data.draw(st.lists(values_of, min_size=take * pairs, max_size=take * pairs))
            ).reshape(take, pairs)
            for c in indicator.columns
        }
        strengths = np.array(
            data.draw(
                st.lists(
                    st.sampled_from([np.nan, -1.0, -0.3, -0.0, 0.0, 0.4, 1.0]),
                    min_size=(take - 1) * pairs,
                    max_size=(take - 1) * pairs,
                )
            )
        ).reshape(take - 1, pairs)
        tails = [
            candles(data.draw(st.integers(0, 2**32 - 1)), take, 0, 0, 1.0) for _ in range(pairs)
        ]
        got = indicator.rows_readings(values, stacked(tails), tails, Timeframe.M1, strengths)
        assert repr(got) == repr(one_by_one(indicator, values, tails, strengths)), name


class _FlagParams(IndicatorParams):
    pass


class _Flag(Indicator[_FlagParams]):
    """A plugin scored on rows, with a label but no ``rows_labels``."""

    name = "test_rows_flag"
    params_model = _FlagParams
    rows_strength = True

    @property
    def columns(self) -> tuple[str, ...]:
        return ("flag_close", "flag_change")

    def compute(self, candles: CandleArrays) -> Series:
        change = np.r_[np.nan, np.diff(candles.close)]
        return {"flag_close": candles.close.copy(), "flag_change": change}

    def strength(self, values: Series, candles: CandleArrays, start: int = 0) -> FloatArray:
        result: FloatArray = np.sign(values["flag_change"][start:])
        return result

    def label(self, values: Series, candles: CandleArrays, index: int, strength: float) -> str:
        before = values["flag_close"][index - 1]
        return f"{'up' if strength > 0 else 'flat_or_down'}_{candles.close[index] > before}"


class _OwnReading(_Flag):
    """A plugin that reads its own way (``reading`` overridden): read pair by pair."""

    name = "test_rows_own_reading"

    def reading(
        self,
        values: Series,
        candles: CandleArrays,
        index: int = -1,
        *,
        strengths: FloatArray | None = None,
    ) -> Reading:
        read = super().reading(values, candles, index, strengths=strengths)
        read["label"] = f"own_{candles.close[index] > candles.open[index]}_{read['label']}"
        return read


def test_plugins_without_rows_labels_or_with_their_own_reading_read_as_alone() -> None:
    windows = [candles(k, 30 + k, 0, 0, 1.0) for k in range(5)]
    assert _Flag().reads_plainly()
    assert not _OwnReading().reads_plainly()
    for plugin in (_Flag(), _OwnReading()):
        for rows in (1, 2):
            assert_rows_exact(IndicatorEngine([plugin]), windows, rows, Timeframe.M1)


def test_a_candle_times_readings_are_built_once_per_indicator_not_per_pair(
    monkeypatch: Any,
) -> None:
    """The first pair's read builds every pair's; the others are handed theirs."""
    built: list[str] = []
    original = Indicator.rows_readings

    def counted(self: Indicator[Any], *args: Any) -> list[Reading]:
        built.append(self.key)
        return original(self, *args)

    monkeypatch.setattr(Indicator, "rows_readings", counted)
    whole = IndicatorEngine(
        [engine(n, p, w).indicators[0] for n, p, w in BUILT_IN[:12] if n != "fear_greed"]
    )
    windows = [candles(k, 260 + k, 0, 0, 1.0) for k in range(6)]
    later: list[list[tuple[str, PendingReading]]] = [[] for _ in windows]
    whole.compute_rows(windows, Timeframe.M1, 1, later=later)
    readings = [[reading.read() for _, reading in pending] for pending in later]
    assert sorted(built) == sorted(i.key for i in whole.indicators)  # once each, not 6 times
    assert all(len(r) == len(whole.indicators) for r in readings)
