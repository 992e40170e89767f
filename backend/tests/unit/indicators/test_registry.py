"""Registry and parameter validation: unknown names get a hint, bad values a clear error."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cryptotrader.domain import Bias, CandleArrays, Timeframe
from cryptotrader.errors import UnknownNameError, UserInputError
from cryptotrader.indicators import available_indicators, create_indicator, register_indicator
from cryptotrader.indicators.rsi import Rsi
from tests.support.builders import random_walk

CLASSIC = [
    "adi",
    "atr",
    "bollinger",
    "choppiness",
    "ema",
    "fibonacci",
    "macd",
    "rsi",
    "sma",
    "stoch_rsi",
    "support_resistance",
    "volume",
]


def test_registry_when_listing_has_the_full_built_in_set() -> None:
    assert set(CLASSIC) <= set(available_indicators())


def test_registry_when_name_misspelt_suggests_the_closest() -> None:
    with pytest.raises(UnknownNameError, match="did you mean 'macd'"):
        create_indicator("mcad")


def test_registry_when_name_taken_by_another_class_refuses() -> None:
    with pytest.raises(ValueError, match="already registered"):
        register_indicator("rsi")(type("OtherRsi", (Rsi,), {}))


def test_params_when_unknown_name_suggests_the_closest() -> None:
    with pytest.raises(UserInputError, match=r"unknown parameter 'perod'.*did you mean 'period'"):
        create_indicator("rsi", {"perod": 7})


@pytest.mark.parametrize(
    ("name", "params", "message"),
    [
        ("rsi", {"period": 1}, "greater than or equal to 2"),
        ("rsi", {"oversold": 80, "overbought": 70}, "oversold must be below overbought"),
        ("macd", {"fast": 30, "slow": 26}, "fast must be shorter than slow"),
        ("bollinger", {"std_dev": 0}, "greater than 0"),
    ],
)
def test_params_when_value_invalid_raises_clear_error(
    name: str, params: dict[str, float], message: str
) -> None:
    with pytest.raises(UserInputError, match=message):
        create_indicator(name, params)


def test_weight_when_negative_refused() -> None:
    with pytest.raises(UserInputError, match="weight must be >= 0"):
        create_indicator("rsi", weight=-1)


def test_columns_when_non_default_periods_are_named_after_them() -> None:
    assert create_indicator("rsi", {"period": 7}).columns == ("rsi_7",)
    assert (
        create_indicator("macd", {"fast": 8, "slow": 21, "signal": 5}).columns[0] == "macd_8_21_5"
    )
    assert create_indicator("ema", {"period": 20}).columns == ("ema_20",)


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 1000), n=st.integers(1, 400), name=st.sampled_from(CLASSIC), data=st.data()
)
def test_reading_when_any_series_strength_bounded_and_signal_follows_its_sign(
    seed: int, n: int, name: str, data: st.DataObject
) -> None:
    candles = random_walk(n, seed=seed)
    indicator = create_indicator(name)
    values = indicator.compute(candles)
    strength = indicator.strength(values, candles)
    assert strength.shape == candles.close.shape
    finite = strength[~np.isnan(strength)]
    assert np.all((finite >= -1) & (finite <= 1))
    index = data.draw(st.integers(0, n - 1))
    signal = indicator.interpret(values, candles, Timeframe.M1, index)
    if not np.isnan(strength[index]):
        assert signal.strength == strength[index]  # scoring one candle == scoring them all
    expected = (
        Bias.BULLISH
        if signal.strength > 0
        else Bias.BEARISH
        if signal.strength < 0
        else Bias.NEUTRAL
    )
    assert signal.signal is expected
    assert set(signal.values) == set(indicator.columns)


@pytest.mark.parametrize("name", CLASSIC)
def test_reading_when_market_flat_is_defined_after_warm_up(name: str) -> None:
    n = 400
    flat = np.full(n, 100.0)
    candles = CandleArrays(
        1_704_067_200_000 + 60_000 * np.arange(n, dtype=np.int64),
        flat,
        flat,
        flat,
        flat,
        np.ones(n),
    )
    indicator = create_indicator(name)
    strength = indicator.strength(indicator.compute(candles), candles)
    assert not np.isnan(strength[indicator.warmup + 50 :]).any()
