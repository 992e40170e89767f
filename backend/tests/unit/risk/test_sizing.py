"""Position sizing: DESIGN.md's formula by hand, refusals, and the kernel's float twin."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cryptotrader.domain.markets import MarketRules
from cryptotrader.engines.backtest import _kernel
from cryptotrader.errors import UserInputError
from cryptotrader.risk import size_position, size_stake

RULES = MarketRules(
    amount_step=Decimal("0.001"), min_amount=Decimal("0.001"), min_notional=Decimal(10)
)


def sized(**overrides: Decimal):  # type: ignore[no-untyped-def]
    values = {"capital": Decimal(1000), "risk_ratio": Decimal("0.01"), "confidence": Decimal(1),
              "entry": Decimal(100), "stop_loss": Decimal(98),
              "available": Decimal(1000)}  # fmt: skip
    values.update(overrides)
    return size_position(**values, rules=RULES)


def test_size_position_when_uncapped_risks_capital_times_ratio_times_confidence() -> None:
    # 1000 x 1% x 0.8 = 8 at risk, 2 per unit of distance to the stop -> 4 units
    assert sized(confidence=Decimal("0.8")).quantity == Decimal(4)


def test_size_position_when_quantity_exceeds_available_caps_it_fee_included() -> None:
    size = size_position(
        capital=Decimal(1000),
        risk_ratio=Decimal("0.05"),
        confidence=Decimal(1),
        entry=Decimal(100),
        stop_loss=Decimal(99),
        available=Decimal(300),
        rules=RULES,
        fee_rate=Decimal("0.001"),
    )
    # 300 / (100 x 1.001) = 2.997002... -> rounded down to 2.997
    assert size.quantity == Decimal("2.997")
    assert size.notional + size.notional * Decimal("0.001") <= 300


def test_size_position_when_not_a_whole_step_rounds_down() -> None:
    assert sized(stop_loss=Decimal(97)).quantity == Decimal("3.333")


def test_size_position_when_notional_below_minimum_refuses() -> None:
    size = sized(capital=Decimal(10))  # 0.1 at risk -> 0.05 units = 5 of notional < 10
    assert not size.accepted
    assert size.quantity == 0
    assert "below the minimum 10" in (size.refused or "")


def test_size_position_when_amount_below_minimum_refuses() -> None:
    rules = MarketRules(
        amount_step=Decimal("0.001"), min_amount=Decimal(1), min_notional=Decimal(0)
    )
    size = size_position(
        capital=Decimal(50),
        risk_ratio=Decimal("0.01"),
        confidence=Decimal(1),
        entry=Decimal(100),
        stop_loss=Decimal(98),
        available=Decimal(50),
        rules=rules,
    )
    assert not size.accepted
    assert "minimum amount" in (size.refused or "")


def test_size_position_when_stop_not_below_entry_refuses() -> None:
    with pytest.raises(UserInputError, match="stop-loss"):
        sized(stop_loss=Decimal(100))


def test_size_stake_when_all_in_spends_the_cash_fee_included() -> None:
    size = size_stake(
        stake=Decimal(1),
        entry=Decimal(100),
        available=Decimal(1000),
        rules=RULES,
        fee_rate=Decimal("0.001"),
    )
    assert size.quantity == Decimal("9.990")


prices = st.decimals(min_value=Decimal("0.5"), max_value=Decimal(150_000), places=2)
fractions = st.decimals(min_value=Decimal("0.001"), max_value=Decimal(1), places=3)


@settings(max_examples=300, deadline=None)
@given(
    cash=st.decimals(min_value=Decimal(1), max_value=Decimal(10**7), places=2),
    entry=prices,
    stop_fraction=st.decimals(min_value=Decimal("0.001"), max_value=Decimal("0.5"), places=3),
    ratio=fractions,
    confidence=fractions,
    stake=st.one_of(st.none(), fractions),
    fee=st.decimals(min_value=Decimal(0), max_value=Decimal("0.01"), places=4),
    step=st.sampled_from([Decimal("0.00001"), Decimal("0.001"), Decimal("0.1"), Decimal(1)]),
    min_notional=st.sampled_from([Decimal(0), Decimal(5), Decimal(100)]),
)
def test_kernel_sizing_when_compared_with_risk_sizing_buys_the_same_quantity(  # noqa: PLR0917 - hypothesis draws
    cash: Decimal,
    entry: Decimal,
    stop_fraction: Decimal,
    ratio: Decimal,
    confidence: Decimal,
    stake: Decimal | None,
    fee: Decimal,
    step: Decimal,
    min_notional: Decimal,
) -> None:
    stop = entry * (1 - stop_fraction)
    rules = MarketRules(amount_step=step, min_amount=step, min_notional=min_notional)
    if stake is None:
        expected = size_position(
            capital=cash,
            risk_ratio=ratio,
            confidence=confidence,
            entry=entry,
            stop_loss=stop,
            available=cash,
            rules=rules,
            fee_rate=fee,
        )
        exact = min(cash * ratio * confidence / (entry - stop), cash / (entry * (1 + fee)))
    else:
        expected = size_stake(stake=stake, entry=entry, available=cash, rules=rules, fee_rate=fee)
        exact = cash * stake / (entry * (1 + fee))
    # Floats and Decimals may round a quotient lying within 1e-9 of a step boundary differently.
    fraction = (exact / step) % 1
    assume(Decimal("1e-9") < fraction < 1 - Decimal("1e-9"))
    steps = _kernel.size_steps(
        float(cash),
        float(cash),
        float(entry),
        float(stop),
        float(confidence),
        float(ratio),
        float(stake or 0),
        float(fee),
        float(step),
        float(step),
        float(min_notional),
    )
    assert steps * step == expected.quantity
