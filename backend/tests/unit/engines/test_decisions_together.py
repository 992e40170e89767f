"""Runs decided together (every pair of a candle time at once) decide as each run alone."""

from __future__ import annotations

import asyncio
import math
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from cryptotrader.bus import topics
from cryptotrader.bus.memory import InProcessBus
from cryptotrader.bus.messages import DecisionsMade, RuleInputs, StrategyInputsComputed
from cryptotrader.bus.protocol import Delivery
from cryptotrader.domain import BotKind, Pair, Timeframe
from cryptotrader.domain.market import CandleArrays
from cryptotrader.domain.values import utc_from_ms
from cryptotrader.engines.decision import DecisionEngine, row_contributions
from cryptotrader.engines.workers.decisions import (
    BUY,
    HOLD,
    SELL,
    DecisionWorker,
    decide,
    decide_together,
    rule_inputs,
)
from cryptotrader.engines.workers.indicators import _rule_inputs
from cryptotrader.engines.workers.runs import candle_run
from cryptotrader.marketdata.io import read_ohlcv
from cryptotrader.strategies import create_strategy
from cryptotrader.strategies.base import BaseStrategy, StrategyInputs
from cryptotrader.strategies.evaluation import build_indicator_engine, compute_inputs
from tests.support.builders import random_walk
from tests.unit.strategies.test_per_bar import PerBarCross

PAIR = Pair.parse("BTC/USDT")
STRATEGIES: dict[str, tuple[str, dict[str, Any]]] = {
    "conservative": ("conservative", {}),  # lookback 1, the higher timeframe's trend
    "aggressive": ("aggressive", {}),
    "sma_cross": ("sma_cross", {"fast": 3, "slow": 7}),  # lookback 2: reads the row before
}


def _strategy(name: str) -> BaseStrategy[Any]:
    if name == "per_bar_cross":
        return PerBarCross()
    registered, params = STRATEGIES[name]
    return create_strategy(registered, params)


def _inputs(strategy: BaseStrategy[Any], candles: CandleArrays) -> StrategyInputs:
    return compute_inputs(strategy, build_indicator_engine(strategy), candles, Timeframe.M1)


def _run(strategy: BaseStrategy[Any], inputs: StrategyInputs, end: int, length: int) -> RuleInputs:
    """The rule inputs of the run of ``length`` candles ending before ``end``, as live."""
    first = end - length
    lead = min(strategy.lookback - 1, first)
    return _rule_inputs(strategy, inputs.window(first - lead, end), lead)


@settings(max_examples=25, deadline=None)
@given(
    name=st.sampled_from([*STRATEGIES, "per_bar_cross"]),
    seeds=st.lists(st.integers(0, 10_000), min_size=2, max_size=6),
    lengths=st.lists(st.integers(1, 3), min_size=6, max_size=6),
    ends=st.lists(st.integers(60, 400), min_size=6, max_size=6),
)
def test_decide_together_when_runs_carry_their_lookback_decides_each_as_alone(
    name: str, seeds: list[int], lengths: list[int], ends: list[int]
) -> None:
    strategy = _strategy(name)
    engine = DecisionEngine(strategy=strategy, pair=PAIR)
    runs = [
        _run(strategy, _inputs(strategy, random_walk(400, seed=seed)), end, length)
        for seed, length, end in zip(seeds, lengths, ends, strict=False)
    ]
    assert decide_together(engine, runs) == [decide(engine, rows) for rows in runs]


def test_decide_together_on_fifty_real_candle_times_decides_each_as_alone(
    shared_data: Path,
) -> None:
    # 50 "pairs": the real BTC/USDT 1h candles seen at 50 different candle times, the last
    # candle of each decided together, as a live candle time of 50 pairs is
    history = read_ohlcv(shared_data / "binance_BTC-USDT_1h.csv.gz").arrays.slice(0, 3000)
    for name in ("conservative", "aggressive", "sma_cross"):
        strategy = _strategy(name)
        engine = DecisionEngine(strategy=strategy, pair=PAIR)
        inputs = compute_inputs(strategy, build_indicator_engine(strategy), history, Timeframe.H1)
        runs = [_run(strategy, inputs, end, 1) for end in range(2950, 3000)]
        together = decide_together(engine, runs)
        assert together == [decide(engine, rows) for rows in runs]
        assert {d.actions[-1] for d in together} != {0} or name == "conservative"


def _message(symbol: str, candles: CandleArrays, inputs: dict[BotKind, RuleInputs]) -> Any:
    close = int(Timeframe.M1.bucket_end(candles.timestamps[-1:])[0])
    return StrategyInputsComputed(
        timestamp=utc_from_ms(close),
        exchange="binance",
        pair=Pair.parse(symbol),
        timeframe=Timeframe.M1,
        candles=candle_run(candles),
        inputs=inputs,
    )


async def _published(runs: list[StrategyInputsComputed], together: bool) -> list[DecisionsMade]:
    bus = InProcessBus()
    got: list[DecisionsMade] = []
    all_in = asyncio.Event()

    async def collect(delivery: Delivery) -> None:
        if isinstance(delivery.message, DecisionsMade):
            got.append(delivery.message)
            if len(got) == len(runs):
                all_in.set()

    await bus.subscribe(topics.SIGNALS, group="t", consumer="t", handler=collect)
    engines = {
        BotKind.SAFE: DecisionEngine(strategy=_strategy("conservative"), pair=PAIR),
        BotKind.AGGRESSIVE: DecisionEngine(strategy=_strategy("sma_cross"), pair=PAIR),
    }
    worker = DecisionWorker(bus=bus, engines=engines)
    deliveries = [Delivery(topics.INDICATORS, "d", f"{i}-0", m, 1) for i, m in enumerate(runs)]
    if together:
        await worker.handle_many(deliveries)
    else:
        for delivery in deliveries:
            await worker.handle(delivery)
    async with asyncio.timeout(10):
        await all_in.wait()
    await bus.close()
    return got


def test_handle_many_when_a_series_starts_in_the_read_publishes_what_handle_does() -> None:
    # a pair whose series starts (no row before its first: decided alone) among pairs that
    # carry their lookback: the same DecisionsMade, in the same order, as one by one
    safe, aggressive = _strategy("conservative"), _strategy("sma_cross")
    runs = []
    for k, (end, length) in enumerate([(1, 1), (300, 1), (250, 3), (5, 5), (400, 1)]):
        candles = random_walk(400, seed=k)
        rows = {
            BotKind.SAFE: _run(safe, _inputs(safe, candles), end, length),
            BotKind.AGGRESSIVE: _run(aggressive, _inputs(aggressive, candles), end, length),
        }
        runs.append(_message(f"C{k:02d}/USDT", candles.slice(end - length, end), rows))
    alone = asyncio.run(_published(runs, together=False))
    together = asyncio.run(_published(runs, together=True))
    exclude = {"message_id"}
    assert [m.model_dump(exclude=exclude) for m in together] == [
        m.model_dump(exclude=exclude) for m in alone
    ]


def _reference(engine: DecisionEngine, rows: RuleInputs) -> dict[str, Any]:
    """One run's decisions computed plainly, row by row: what ``decide`` must give."""
    decisions = engine.decide(rule_inputs(rows))
    lead = rows.lead
    actions, confidence, score, contributions = [], [], [], {}
    inputs = rule_inputs(rows)
    for row in range(lead, len(decisions)):
        if decisions.exits[row]:
            action = SELL
        elif decisions.entries[row]:
            action = BUY
        else:
            action = HOLD
        actions.append(action)
        confidence.append(float(decisions.confidence[row]))
        value = float(decisions.score[row])
        score.append(0.0 if math.isnan(value) else min(1.0, max(-1.0, value)))
        if action == BUY or row == len(decisions) - 1:
            contributions[str(row - lead)] = row_contributions(
                inputs.strengths, inputs.weights, row
            )
    return {
        "strategy": engine.strategy.name,
        "actions": actions,
        "confidence": confidence,
        "score": score,
        "contributions": contributions,
    }


def test_decisions_of_fifty_real_runs_together_equal_each_computed_plainly(
    shared_data: Path,
) -> None:
    """The batched bookkeeping (actions, scores, shown rows cut from arrays of every run)
    against each run's decisions computed row by row, bit for bit: runs of 1 to 40 candles of
    real BTC/USDT 1h, as a candle time's pairs and a catching-up pair mixed."""
    history = read_ohlcv(shared_data / "binance_BTC-USDT_1h.csv.gz").arrays.slice(0, 4000)
    lengths = [1, 1, 3, 40, 1, 7, 1, 1, 25, 2] * 5
    for name in ("conservative", "aggressive", "sma_cross", "per_bar_cross"):
        strategy = _strategy(name)
        engine = DecisionEngine(strategy=strategy, pair=PAIR)
        inputs = compute_inputs(strategy, build_indicator_engine(strategy), history, Timeframe.H1)
        runs = [_run(strategy, inputs, 3990 - 61 * k, length) for k, length in enumerate(lengths)]
        together = decide_together(engine, runs)
        plain = [_reference(engine, rows) for rows in runs]
        assert [d.model_dump() for d in together] == plain
        assert [list(d.contributions) for d in together] == [
            list(p["contributions"]) for p in plain
        ]
        assert any(BUY in d.actions for d in together) or name == "conservative"
        assert any(SELL in d.actions for d in together)
