"""RiskReducer: DESIGN.md's streak rules, by hand and as properties of any sequence of trades."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from cryptotrader.risk import RiskReducer, RiskReducerConfig, RiskState

HALF, QUARTER = Decimal("0.5"), Decimal("0.25")


def play(outcomes: list[bool], reducer: RiskReducer | None = None) -> list[RiskState]:
    reducer = reducer or RiskReducer()
    states = [RiskState()]
    for won in outcomes:
        states.append(reducer.after_trade(states[-1], won=won)[0])
    return states


def test_after_trade_when_three_losses_in_a_row_halves_risk() -> None:
    assert [s.multiplier for s in play([False] * 3)] == [1, 1, 1, HALF]


def test_after_trade_when_five_losses_in_a_row_quarters_risk() -> None:
    assert play([False] * 5)[-1].multiplier == QUARTER


def test_after_trade_when_configured_to_pause_five_losses_pause_the_bot() -> None:
    reducer = RiskReducer(RiskReducerConfig(on_deep_streak="pause"))
    states = play([False] * 5 + [True] * 4, reducer)
    assert states[5].paused
    assert states[5].multiplier == 0
    assert states[-1] == states[5]  # paused stays paused until a person resumes it
    assert reducer.resume(states[-1]).multiplier == QUARTER


def test_after_trade_when_two_wins_in_a_row_restore_one_step() -> None:
    states = play([False] * 5 + [True, True, True, True])
    assert [s.multiplier for s in states[5:]] == [QUARTER, QUARTER, HALF, HALF, 1]


def test_after_trade_when_a_loss_interrupts_the_wins_restores_nothing() -> None:
    assert play([False] * 3 + [True, False, True])[-1].multiplier == HALF


def test_after_trade_when_level_changes_reports_the_change() -> None:
    reducer = RiskReducer()
    state = RiskState(losses=2)
    _, change = reducer.after_trade(state, won=False)
    assert change is not None
    assert (change.before, change.after) == (Decimal(1), HALF)
    assert change.reason == "3 consecutive losses"


def model(outcomes: list[bool]) -> Decimal:
    """An independent statement of the rules: the level after a sequence of outcomes."""
    level, losses, wins = 0, 0, 0
    for won in outcomes:
        if won:
            losses, wins = 0, wins + 1
            if wins == 2:
                level, wins = max(level - 1, 0), 0
        else:
            losses, wins = losses + 1, 0
            if losses >= 5:
                level = 2
            elif losses >= 3:
                level = max(level, 1)
    return (Decimal(1), HALF, QUARTER)[level]


@settings(max_examples=300)
@given(st.lists(st.booleans(), max_size=60))
def test_after_trade_when_any_sequence_follows_the_rules(outcomes: list[bool]) -> None:
    states = play(outcomes)
    assert states[-1].multiplier == model(outcomes)
    for before, after, won in zip(states, states[1:], outcomes, strict=False):
        assert after.multiplier in {1, HALF, QUARTER}
        if won:
            assert after.multiplier >= before.multiplier
        else:
            assert after.multiplier <= before.multiplier
    assert play(outcomes) == states  # deterministic
