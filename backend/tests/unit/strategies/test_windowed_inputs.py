"""The live engines' bounded window gives the decisions of the whole history, on real candles.

``WindowedInputs`` computes a run's rows from the last ``history_needed`` candles (the worker's
``CandleBuffer`` keeps no more); ``compute_strategy_indicators`` over the whole series is what a
backtest reads. Fed the same long real series in runs of varied length (a live candle is a run
of one), both must take the same decision on every candle, and the values the rule reads must
agree to float precision: a window too short for a recursive indicator (an EMA's seed not yet
forgotten) shows up here as a difference far above it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import numpy as np
import pytest

from cryptotrader.domain.market import CandleArrays
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.engines.workers.indicators import CandleBuffer
from cryptotrader.indicators import create_indicator
from cryptotrader.indicators.engine import IndicatorEngine
from cryptotrader.marketdata import read_ohlcv
from cryptotrader.sentiment.fear_greed import load_fear_greed_csv
from cryptotrader.strategies import create_strategy
from cryptotrader.strategies.base import BaseStrategy, StrategyInputs
from cryptotrader.strategies.evaluation import (
    WindowedInputs,
    build_indicator_engine,
    compute_strategy_indicators,
    evaluate_rule,
    history_needed,
)

RELATIVE, ABSOLUTE = 1e-9, 1e-9
"""Values may differ in their last bits (TA-Lib's running sums start elsewhere, and a ratio such
as Bollinger's %B on a narrow band scales that up), never more."""


def _runs(total: int, first: int, seed: int) -> list[tuple[int, int]]:
    """``[first, total)`` cut in runs of 1 to 90 candles, mostly single candles (live)."""
    rng = np.random.default_rng(seed)
    cuts, at = [], first
    while at < total:
        size = 1 if rng.random() < 0.6 else int(rng.integers(2, 91))
        cuts.append((at, min(total, at + size)))
        at += size
    return cuts


def _live(
    strategy: BaseStrategy[Any],
    candles: CandleArrays,
    timeframe: Timeframe,
    history: int,
    **deps: Any,
) -> tuple[dict[int, tuple[bool, bool]], list[tuple[int, StrategyInputs]], int]:
    """Decisions per candle index as the worker takes them: a buffer, the window, runs."""
    engine = build_indicator_engine(strategy, **deps)
    window = WindowedInputs(strategy, engine, timeframe)
    buffer = CandleBuffer(candles.slice(0, history), None)
    decided: dict[int, tuple[bool, bool]] = {}
    samples: list[tuple[int, StrategyInputs]] = []
    longest = 0
    for i, (start, stop) in enumerate(_runs(len(candles), history, seed=len(candles))):
        buffer.keep = window.keep
        first = len(buffer)
        full = buffer.append(candles.slice(start, stop))
        if i:  # the first run comes after the whole starting history; later ones after the cut
            longest = max(longest, len(full))
        _, inputs = window.compute(full, first)
        decisions = evaluate_rule(strategy, inputs)
        lead = min(strategy.lookback - 1, first)
        for row in range(lead, len(inputs)):
            decided[start + row - lead] = (
                bool(decisions.entries[row]),
                bool(decisions.exits[row]),
            )
        if i % 97 == 0:
            samples.append((stop - (len(inputs) - lead), inputs.window(lead, len(inputs))))
    return decided, samples, longest


def _whole(
    strategy: BaseStrategy[Any], candles: CandleArrays, timeframe: Timeframe, **deps: Any
) -> tuple[StrategyInputs, Any]:
    engine = build_indicator_engine(strategy, **deps)
    _, inputs = compute_strategy_indicators(strategy, engine, candles, timeframe)
    return inputs, evaluate_rule(strategy, inputs)


def _same_values(
    whole: StrategyInputs, at: int, part: StrategyInputs, levels: frozenset[str]
) -> None:
    """Equal values, but for cumulative levels (no rule reading them gets a window)."""
    rows = whole.window(at, at + len(part))
    for name in ("series", "strengths"):
        for key, values in getattr(part, name).items():
            if key in levels:
                continue
            np.testing.assert_allclose(
                values, getattr(rows, name)[key], rtol=RELATIVE, atol=ABSOLUTE, err_msg=key
            )
    for field in part.context.__slots__:
        np.testing.assert_allclose(
            getattr(part.context, field), getattr(rows.context, field), rtol=RELATIVE, atol=ABSOLUTE
        )


@pytest.mark.parametrize(
    ("strategy", "file", "timeframe", "length", "live"),
    [
        ("conservative", "binance_BTC-USDT_1h.csv.gz", Timeframe.H1, 20_000, 8_000),  # H4 trend
        ("aggressive", "binance_ETH-USDT_1h.csv.gz", Timeframe.H1, 12_000, 6_000),
        ("conservative", "binance_BTC-USDT_1m.csv.gz", Timeframe.M1, 82_000, 4_000),  # H1 trend
        ("sma_cross", "binance_BTC-USDT_1h.csv.gz", Timeframe.H1, 6_000, 3_000),
    ],
)
def test_window_decides_as_the_whole_history(  # noqa: PLR0917 - one case per row above
    shared_data: Path, strategy: str, file: str, timeframe: Timeframe, length: int, live: int
) -> None:
    """The last ``live`` candles are decided in runs, from a buffer started on the rest."""
    rule = create_strategy(strategy)
    candles = read_ohlcv(shared_data / file).arrays.slice(0, length)
    deps = {"fear_greed": load_fear_greed_csv(shared_data / "alternative-me_fear-greed_1d.csv")}
    engine = build_indicator_engine(rule, **deps)
    keep = history_needed(rule, engine, timeframe)
    assert keep is not None
    history = length - live
    assert history > keep, "the buffer must start longer than the window, to be cut"

    decided, samples, longest = _live(rule, candles, timeframe, history, **deps)
    whole, decisions = _whole(rule, candles, timeframe, **deps)

    assert sorted(decided) == list(range(history, length))
    taken = np.array([decided[i] for i in range(history, length)])
    np.testing.assert_array_equal(taken[:, 0], decisions.entries[history:])
    np.testing.assert_array_equal(taken[:, 1], decisions.exits[history:])
    assert decisions.entries[history:].any() or decisions.exits[history:].any()
    for at, part in samples:
        _same_values(whole, at, part, engine.level_columns)
    assert longest <= keep + 90, "the buffer kept more than the window"


class _Reads:
    """Just what ``history_needed`` asks of a strategy."""

    lookback = 1

    def __init__(self, read: tuple[str, ...] | None) -> None:
        self.read = read

    def series_read(self) -> tuple[str, ...] | None:
        return self.read

    def higher_timeframe(self, base: Timeframe) -> Timeframe | None:
        return None


@pytest.mark.parametrize(
    ("read", "bounded"), [(("volume_rel",), True), (("obv",), False), (None, False)]
)
def test_a_cumulative_level_read_keeps_the_whole_history(
    read: tuple[str, ...] | None, bounded: bool
) -> None:
    """``obv`` depends on the first candle: a rule reading it (or not saying) keeps everything."""
    engine = IndicatorEngine([create_indicator("volume", {})])
    needed = history_needed(cast("BaseStrategy[Any]", _Reads(read)), engine, Timeframe.H1)
    assert (needed is not None) is bounded
    if bounded:
        assert needed == 20 + 1  # the volume average's window and the previous close, one row


def test_the_buffer_keeps_its_window_and_gives_back_memory() -> None:
    """After a long history is cut to the window, the arrays shrink; later runs reuse them."""
    n = 100_000
    stamps = np.arange(n, dtype=np.int64) * 60_000
    values = np.arange(n, dtype=np.float64)
    candles = CandleArrays(stamps, values, values, values, values, values)
    buffer = CandleBuffer(candles.slice(0, 90_000), None)
    buffer.keep = 1_300
    for at in range(90_000, n, 7):
        whole = buffer.append(candles.slice(at, min(n, at + 7)))
        assert whole.timestamps[-1] == stamps[min(n, at + 7) - 1]
        np.testing.assert_array_equal(np.diff(whole.timestamps), 60_000)  # no candle lost
        assert len(buffer) == min(1_300, len(whole))
        assert buffer.view().close[-1] == values[min(n, at + 7) - 1]
    assert buffer._arrays[0].shape[0] <= 4 * 1_300 + 16
