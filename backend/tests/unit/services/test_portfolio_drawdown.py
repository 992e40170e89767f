"""The combined drawdown: worked examples and invariants over random P&L paths."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from cryptotrader.services.portfolio import drawdown

_PNL = st.decimals(min_value=-500, max_value=500, places=2, allow_nan=False, allow_infinity=False)


def test_drawdown_when_equity_falls_after_a_peak_is_the_fall_over_the_peak() -> None:
    view = drawdown(Decimal(1000), [Decimal(100), Decimal(-220)], Decimal(880))
    assert view.peak_equity == Decimal(1100)
    assert view.current == Decimal("0.200000")
    assert view.maximum == Decimal("0.200000")


def test_drawdown_when_recovered_keeps_the_deepest_and_is_zero_now() -> None:
    view = drawdown(Decimal(1000), [Decimal(-500), Decimal(600)], Decimal(1150))
    assert view.current == 0
    assert view.maximum == Decimal("0.500000")
    assert view.peak_equity == Decimal(1150)


def test_drawdown_when_no_trade_and_no_position_is_zero() -> None:
    view = drawdown(Decimal(1000), [], Decimal(1000))
    assert (view.current, view.maximum, view.peak_equity) == (Decimal(0), Decimal(0), Decimal(1000))


@given(st.lists(_PNL, max_size=40), _PNL)
def test_drawdown_invariants(pnls: list[Decimal], open_pnl: Decimal) -> None:
    start = Decimal(10_000)
    now = start + sum(pnls, Decimal(0)) + open_pnl
    view = drawdown(start, pnls, now)
    assert 0 <= view.current <= view.maximum
    assert view.peak_equity >= max(start, now)
    assert (view.current == 0) == (now >= view.peak_equity)
