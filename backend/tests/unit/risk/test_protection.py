"""Protection levels are the backtest kernel's floats, carried exactly."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from cryptotrader.risk.protection import exact, protection_levels


@given(st.floats(min_value=1e-6, max_value=1e7, allow_nan=False))
def test_exact_when_converted_back_gives_the_same_float(value: float) -> None:
    assert float(exact(value)) == value


@given(
    price=st.floats(min_value=0.01, max_value=1e6, allow_nan=False),
    sl=st.sampled_from(["0.02", "0.015", "0.1"]),
    tp=st.sampled_from(["0.04", "0.10", "0.333"]),
)
def test_protection_levels_when_computed_equal_the_kernels_floats(
    price: float, sl: str, tp: str
) -> None:
    stop, take = protection_levels(exact(price), stop_loss=Decimal(sl), take_profit=Decimal(tp))
    # engines/backtest/_kernel.py: stop = price * (1.0 - sl); take = price * (1.0 + tp)
    assert float(stop) == price * (1.0 - float(sl))
    assert float(take) == price * (1.0 + float(tp))
