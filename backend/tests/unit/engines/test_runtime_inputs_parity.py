"""The live engines' parity traps, on real candles.

* Indicators computed over the whole loaded history for a run of candles at once equal, to the
  bit, the values computed candle by candle over the history growing one candle at a time: the
  indicator worker's choice (keep the full history) is exact. A rolling window is not: EMA-like
  memories differ, which is why the runtime never uses one.
* ``DecisionEngine.decide`` on a run gives on each candle what ``evaluate`` gives on that candle
  alone, from its window and its market context.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from cryptotrader.domain.enums import BotKind, SignalAction
from cryptotrader.domain.market import CandleArrays
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.signals import IndicatorResult
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.engines.decision import DecisionEngine
from cryptotrader.marketdata.io import read_ohlcv
from cryptotrader.strategies import BaseStrategy, StrategyInputs, create_strategy
from cryptotrader.strategies.evaluation import build_indicator_engine, compute_inputs

H1 = Timeframe.H1
ROWS = (650, 1001, 1460, 1999)


@pytest.fixture(scope="module")
def candles(shared_data: Path) -> CandleArrays:
    return read_ohlcv(shared_data / "binance_BTC-USDT_1h.csv.gz").arrays.slice(0, 2000)


def inputs(strategy: BaseStrategy[Any], candles: CandleArrays) -> StrategyInputs:
    return compute_inputs(strategy, build_indicator_engine(strategy), candles, H1)


def row(values: StrategyInputs, index: int) -> dict[str, float]:
    flat = {f"s:{k}": v[index] for k, v in values.strengths.items()}
    flat |= {f"v:{k}": v[index] for k, v in values.series.items()}
    flat |= {f"c:{name}": getattr(values.context, name)[index] for name in values.context.__slots__}
    return {k: float(v) for k, v in flat.items()}


def same(a: dict[str, float], b: dict[str, float]) -> bool:
    return a.keys() == b.keys() and all(
        x == y or (np.isnan(x) and np.isnan(y)) for x, y in zip(a.values(), b.values(), strict=True)
    )


@pytest.mark.shared_data
@pytest.mark.parametrize("name", ["conservative", "aggressive", "sma_cross"])
def test_inputs_when_computed_on_the_whole_history_equal_candle_by_candle(
    candles: CandleArrays, name: str
) -> None:
    strategy = create_strategy(name)
    full = inputs(strategy, candles)
    for index in ROWS:
        prefix = inputs(strategy, candles.slice(0, index + 1))
        assert same(row(prefix, index), row(full, index)), (name, index)


@pytest.mark.shared_data
def test_inputs_when_computed_on_a_rolling_window_differ_which_is_why_none_is_used(
    candles: CandleArrays,
) -> None:
    strategy = create_strategy("aggressive")
    full = inputs(strategy, candles)
    index = ROWS[-1]
    window = inputs(strategy, candles.slice(index - 499, index + 1))
    assert not same(row(window, 499), row(full, index))


@pytest.mark.shared_data
@pytest.mark.parametrize("name", ["conservative", "aggressive", "sma_cross"])
def test_decide_when_given_a_run_says_on_each_candle_what_evaluate_says(
    candles: CandleArrays, name: str
) -> None:
    strategy = create_strategy(name)
    full = inputs(strategy, candles)
    engine = DecisionEngine(strategy=strategy, pair=Pair.parse("BTC/USDT"), target_bot=BotKind.SAFE)
    start = 1500
    run = full.window(start - strategy.lookback + 1, len(candles))
    decided = engine.decide(run)
    lead = strategy.lookback - 1
    timestamps = candles.timestamps
    for index in range(start, len(candles), 7):
        low = index - strategy.lookback + 1
        result = IndicatorResult(
            timeframe=H1,
            timestamps=timestamps[low : index + 1],
            series={k: v[low : index + 1] for k, v in full.series.items()},
            signals={},
            strengths={k: v[low : index + 1] for k, v in full.strengths.items()},
            weights=full.weights,
        )
        signal = engine.evaluate(result, full.context.at(index))
        i = index - start + lead
        expected = (
            SignalAction.SELL
            if decided.exits[i]
            else SignalAction.BUY
            if decided.entries[i]
            else SignalAction.HOLD
        )
        assert signal.action is expected, (name, index)
        assert signal.confidence == pytest.approx(float(decided.confidence[i]), abs=0)
