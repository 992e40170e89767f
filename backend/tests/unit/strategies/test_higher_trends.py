"""Several pairs' higher trends at once (``higher_trends``) equal each pair's ``higher_trend``.

The bucket arithmetic of a candle time's rows is shared by the pairs with the same last times;
each pair's trend must stay its own: real 1m candles of different periods stamped onto the same
minutes (as a live candle time's pairs), one pair on other minutes, one strategy without a
higher timeframe, stepped a minute at a time across hour closes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cryptotrader.domain.market import CandleArrays
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.engines.workers.indicators import CandleBuffer
from cryptotrader.marketdata import read_ohlcv
from cryptotrader.strategies import create_strategy
from cryptotrader.strategies.evaluation import (
    WindowedInputs,
    build_indicator_engine,
    higher_trends,
)


def _restamped(candles: CandleArrays, first_ms: int) -> CandleArrays:
    stamps = first_ms + np.arange(len(candles), dtype=np.int64) * 60_000
    return CandleArrays(
        stamps, candles.open, candles.high, candles.low, candles.close, candles.volume
    )


def _window(name: str) -> WindowedInputs:
    rule = create_strategy(name)
    return WindowedInputs(rule, build_indicator_engine(rule), Timeframe.M1)


@pytest.mark.shared_data
@pytest.mark.parametrize("rows", [1, 2])
def test_the_pairs_trends_equal_each_pairs_own(shared_data: Path, rows: int) -> None:
    minutes = read_ohlcv(shared_data / "binance_BTC-USDT_1m.csv.gz").arrays
    common = int(minutes.timestamps[0]) + 600 * 86_400_000
    series = [_restamped(minutes.slice(s, s + 5_000), common) for s in (0, 40_000, 90_000, 150_000)]
    series.append(_restamped(minutes.slice(7, 5_007), common + 17 * 60_000))  # other minutes
    names = ["conservative"] * 4 + ["conservative", "aggressive"]
    series.append(series[1])  # a strategy without a higher timeframe, on the same minutes
    together = [_window(n) for n in names]
    alone = [_window(n) for n in names]
    buffers = [CandleBuffer(s.slice(0, 4_000), None) for s in series]
    for buffer in buffers:
        buffer.keep = 3_600
    seen: set[float] = set()
    for minute in range(4_000, 4_200):
        fulls = [
            b.append(s.slice(minute, minute + 1)) for b, s in zip(buffers, series, strict=True)
        ]
        got = higher_trends(together, fulls, rows)
        for g, window, full in zip(got, alone, fulls, strict=True):
            want = window.higher_trend(full, rows)
            if want is None:
                assert g is None
                continue
            assert g is not None
            assert g.tobytes() == want.tobytes()
            seen.update(np.unique(g).tolist())
    assert got[-1] is None
    assert {-1.0, 1.0} <= seen
