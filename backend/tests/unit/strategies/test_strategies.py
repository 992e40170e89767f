"""Strategies: parameters, registry, the safety wrapper, and one rule for backtest and live."""

from __future__ import annotations

import numpy as np
import pytest

from cryptotrader.domain import MarketContext, Pair, SignalAction, Timeframe
from cryptotrader.engines.decision import DecisionEngine
from cryptotrader.errors import StrategyError, UnknownNameError, UserInputError
from cryptotrader.indicators.engine import IndicatorEngine
from cryptotrader.strategies import ContextArrays, StrategyInputs, create_strategy
from cryptotrader.strategies.evaluation import build_indicator_engine, compute_inputs, evaluate_rule
from cryptotrader.strategies.schema import plain_summary, strategy_specs
from cryptotrader.strategies.weighted import TREND_TIMEFRAME
from tests.support.builders import random_walk
from tests.support.scripted import ScriptedStrategy

PAIR = Pair.parse("BTC/USDT")


def test_create_strategy_when_name_misspelt_suggests_the_closest() -> None:
    with pytest.raises(UnknownNameError, match="did you mean 'sma_cross'"):
        create_strategy("sma_crss")


def test_create_strategy_when_parameter_unknown_suggests_the_closest() -> None:
    with pytest.raises(UserInputError, match=r"unknown parameter 'slwo'.*did you mean 'slow'"):
        create_strategy("sma_cross", {"slwo": 30})


def test_create_strategy_when_value_invalid_names_the_rule() -> None:
    with pytest.raises(UserInputError, match="fast must be shorter than slow"):
        create_strategy("sma_cross", {"fast": 50, "slow": 20})


def test_create_strategy_when_defaults_are_the_documented_ones() -> None:
    sma = create_strategy("sma_cross")
    assert (sma.params.fast, sma.params.slow) == (20, 50)
    conservative = create_strategy("conservative", {"buy_threshold": "0.4"})
    assert conservative.params.buy_threshold == 0.4
    assert conservative.params.require_trend_agreement
    assert not create_strategy("aggressive").params.require_trend_agreement


def live_context(strategy_name: str, candles, t: int, timeframe: Timeframe):  # type: ignore[no-untyped-def]
    """What a live bot at candle t computes: indicators on the history up to t only."""
    strategy = create_strategy(strategy_name)
    engine = build_indicator_engine(strategy)
    history = candles.slice(0, t + 1)
    higher = strategy.higher_timeframe(timeframe)
    if higher is not None:
        multi = engine.compute_from_base(history, timeframe, [higher])
        result = multi.results[timeframe]
        from cryptotrader.strategies import context_arrays

        return result, context_arrays(multi, higher).at(-1)
    result = engine.compute(history, timeframe)
    from cryptotrader.strategies import context_arrays

    return result, context_arrays(result).at(-1)


@pytest.mark.parametrize("name", ["sma_cross", "conservative", "aggressive"])
def test_decision_engine_when_replayed_candle_by_candle_matches_the_vectorised_rule(
    name: str,
) -> None:
    candles = random_walk(900, seed=7, step_ms=3_600_000)
    strategy = create_strategy(name)
    backtest = evaluate_rule(
        strategy, compute_inputs(strategy, build_indicator_engine(strategy), candles, Timeframe.H1)
    )
    engine = DecisionEngine(strategy=strategy, pair=PAIR)
    # Every row where the rule fires, plus a spread of others.
    fired = np.flatnonzero(backtest.entries | backtest.exits)
    rows = sorted({*fired[fired > 300][:12].tolist(), *range(300, 900, 97), 899})
    assert len(fired) > 0
    for t in rows:
        result, context = live_context(name, candles, t, Timeframe.H1)
        signal = engine.evaluate(result, context)
        expected = (
            SignalAction.SELL
            if backtest.exits[t]
            else SignalAction.BUY
            if backtest.entries[t]
            else SignalAction.HOLD
        )
        assert signal.action is expected, t
        assert signal.confidence == backtest.confidence[t]
        assert signal.score == np.nan_to_num(backtest.score[t])


def test_decision_engine_when_weighted_strategy_contributions_add_up_to_the_score() -> None:
    strategy = create_strategy("aggressive")
    result = IndicatorEngine(build_indicator_engine(strategy).indicators).compute(
        random_walk(400, seed=3), Timeframe.M1
    )
    signal = DecisionEngine(strategy=strategy, pair=PAIR).evaluate(result, MarketContext())
    assert signal.contributions
    assert sum(signal.contributions.values()) == pytest.approx(signal.score, abs=1e-12)
    assert signal.strategy == "aggressive"
    assert signal.target_bot == "aggressive"
    assert 0 <= signal.confidence <= 1
    assert {"rsi_14", "macd", "fear_greed"} <= set(signal.indicators)


def test_context_when_round_tripped_through_market_context_is_unchanged() -> None:
    strategy = create_strategy("conservative")
    inputs = compute_inputs(
        strategy,
        build_indicator_engine(strategy),
        random_walk(600, seed=1, step_ms=3_600_000),
        Timeframe.H1,
    )
    context = inputs.context
    for t in (10, 250, 599):
        back = ContextArrays.broadcast(context.at(t), 1)
        for field in (
            "fear_greed",
            "volatility",
            "relative_volume",
            "choppiness",
            "trend",
            "higher_trend",
        ):
            np.testing.assert_array_equal(
                getattr(back, field), getattr(context, field)[t : t + 1], err_msg=field
            )


def inputs_of(n: int) -> StrategyInputs:
    return StrategyInputs(
        series={"x": np.arange(n, dtype=float)},
        strengths={},
        weights={},
        context=ContextArrays.unknown(n),
    )


def test_evaluate_rule_when_strategy_raises_reports_strategy_error() -> None:
    class Broken(ScriptedStrategy):
        def score(self, inputs: StrategyInputs):  # type: ignore[no-untyped-def]
            raise ZeroDivisionError("oops")

    with pytest.raises(StrategyError, match="strategy 'scripted' failed: ZeroDivisionError"):
        evaluate_rule(Broken(), inputs_of(5))


def test_evaluate_rule_when_strategy_writes_its_inputs_refuses() -> None:
    class Writer(ScriptedStrategy):
        def score(self, inputs: StrategyInputs):  # type: ignore[no-untyped-def]
            inputs.series["x"][0] = 42.0
            return np.zeros(len(inputs))

    original = inputs_of(5)
    with pytest.raises(StrategyError, match="read-only"):
        evaluate_rule(Writer(), original)
    assert original.series["x"][0] == 0.0


def test_evaluate_rule_when_confidence_outside_unit_interval_refuses() -> None:
    class Overconfident(ScriptedStrategy):
        def confidence(self, score, inputs):  # type: ignore[no-untyped-def]
            return np.full(len(inputs), 1.5)

    with pytest.raises(StrategyError, match=r"confidence outside \[0, 1\]"):
        evaluate_rule(Overconfident(), inputs_of(3))


def test_evaluate_rule_when_a_row_is_entry_and_exit_it_is_an_exit() -> None:
    decisions = evaluate_rule(ScriptedStrategy({"entries": (1, 2), "exits": (2,)}), inputs_of(4))
    assert decisions.entries.tolist() == [False, True, False, False]
    assert decisions.exits.tolist() == [False, False, True, False]


def test_weighted_strategy_when_trend_timeframe_not_given_uses_the_default_map() -> None:
    strategy = create_strategy("conservative")
    assert strategy.higher_timeframe(Timeframe.H1) is TREND_TIMEFRAME[Timeframe.H1] is Timeframe.H4
    assert (
        create_strategy("conservative", {"trend_timeframe": "1d"}).higher_timeframe(Timeframe.H1)
        is Timeframe.D1
    )
    assert create_strategy("aggressive").higher_timeframe(Timeframe.H1) is None


def test_every_strategy_description_is_plain_text_for_a_trader() -> None:
    """The app and the CLI show the description: no reStructuredText markup or module pointer."""
    for spec in strategy_specs():
        assert spec.description, spec.name
        assert "``" not in spec.description, spec.name
        assert "(see " not in spec.description, spec.name
    assert (
        plain_summary("Weighted vote (see ``strategies.weighted``) of ``rsi``.\n\nMore.")
        == "Weighted vote of rsi."
    )
