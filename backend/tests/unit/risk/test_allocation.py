"""The portfolio's money rules shared by the backtest and the live bots (``risk.allocation``)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cryptotrader.domain.enums import BotKind
from cryptotrader.errors import UserInputError
from cryptotrader.risk.allocation import (
    check_ratio,
    current_risk_ratio,
    reallocation_amount,
    settle_trade,
)
from cryptotrader.risk.reducer import RiskReducer, RiskState

RATIO = Decimal("0.30")


def test_reallocation_amount_when_aggressive_wins_is_ratio_times_profit_rounded_down() -> None:
    amount = reallocation_amount(kind=BotKind.AGGRESSIVE, pnl=Decimal("1.234567899"), ratio=RATIO)
    assert amount == Decimal("0.37037036")  # 0.3703703697 rounded down, never up


@pytest.mark.parametrize(
    ("kind", "pnl"),
    [
        (BotKind.SAFE, Decimal(10)),
        (BotKind.AGGRESSIVE, Decimal(0)),
        (BotKind.AGGRESSIVE, Decimal(-5)),
    ],
)
def test_reallocation_amount_when_not_an_aggressive_win_is_zero(
    kind: BotKind, pnl: Decimal
) -> None:
    assert reallocation_amount(kind=kind, pnl=pnl, ratio=RATIO) == 0


def test_reallocation_amount_when_below_one_step_moves_nothing() -> None:
    assert reallocation_amount(kind=BotKind.AGGRESSIVE, pnl=Decimal("1e-8"), ratio=RATIO) == 0


@pytest.mark.parametrize("ratio", [Decimal("0.09"), Decimal("0.51")])
def test_check_ratio_when_out_of_range_is_refused(ratio: Decimal) -> None:
    with pytest.raises(UserInputError, match=r"0\.10 - 0\.50"):
        check_ratio(ratio)


@given(
    pnl=st.decimals(min_value=-1000, max_value=1000, places=8),
    capital=st.decimals(min_value=1, max_value=10_000, places=8),
    kind=st.sampled_from(BotKind),
)
def test_settle_trade_moves_capital_by_pnl_and_gives_the_reallocation(
    pnl: Decimal, capital: Decimal, kind: BotKind
) -> None:
    settled = settle_trade(
        kind=kind, capital=capital, state=RiskState(), pnl=pnl, reducer=RiskReducer(), ratio=RATIO
    )
    assert settled.capital + settled.reallocation == capital + pnl  # money is conserved
    assert settled.reallocation == reallocation_amount(kind=kind, pnl=pnl, ratio=RATIO)
    assert settled.state == RiskReducer().after_trade(RiskState(), won=pnl > 0)[0]


def test_current_risk_ratio_when_reduced_is_base_times_multiplier() -> None:
    state = RiskState(level=2)
    assert current_risk_ratio(Decimal("0.03"), state) == Decimal("0.0075")
    assert current_risk_ratio(Decimal("0.03"), RiskState(paused=True)) == 0
