"""The classic indicators must equal TA-Lib's values (1e-9 relative) after warm-up."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import talib
from talib._ta_lib import MA_Type

from cryptotrader.domain import CandleArrays, Timeframe
from cryptotrader.indicators.engine import IndicatorEngine
from cryptotrader.marketdata import read_ohlcv
from tests.support.builders import random_walk

Reference = Callable[[CandleArrays], dict[str, np.ndarray]]


def _reference(c: CandleArrays) -> dict[str, np.ndarray]:
    macd, macd_signal, macd_hist = talib.MACD(c.close, 12, 26, 9)
    upper, middle, lower = talib.BBANDS(c.close, 20, 2.0, 2.0, MA_Type.SMA)
    k, d = talib.STOCHRSI(c.close, 14, 14, 3, MA_Type.SMA)
    return {
        "rsi_14": talib.RSI(c.close, 14),
        "macd": macd,
        "macd_signal": macd_signal,
        "macd_hist": macd_hist,
        "bb_upper": upper,
        "bb_middle": middle,
        "bb_lower": lower,
        "ema_50": talib.EMA(c.close, 50),
        "sma_200": talib.SMA(c.close, 200),
        "stochrsi_k": k,
        "stochrsi_d": d,
        "adi": talib.AD(c.high, c.low, c.close, c.volume),
        "obv": talib.OBV(c.close, c.volume),
        "atr_14": talib.ATR(c.high, c.low, c.close, 14),
    }


def _assert_parity(candles: CandleArrays, timeframe: Timeframe) -> None:
    result = IndicatorEngine.with_default_set().compute(candles, timeframe)
    for column, expected in _reference(candles).items():
        actual = result.series[column]
        warm = ~np.isnan(expected)
        assert np.array_equal(np.isnan(actual), ~warm), f"{column}: warm-up differs from TA-Lib"
        np.testing.assert_allclose(actual[warm], expected[warm], rtol=1e-9, atol=0, err_msg=column)


def test_engine_when_real_hourly_btc_matches_talib(shared_data: Path) -> None:
    candles = read_ohlcv(shared_data / "binance_BTC-USDT_1h.csv.gz").arrays
    _assert_parity(candles, Timeframe.H1)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_engine_when_synthetic_walk_matches_talib(seed: int) -> None:
    _assert_parity(random_walk(3_000, seed=seed), Timeframe.M1)
