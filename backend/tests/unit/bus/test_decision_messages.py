"""The decision worker's messages, built without validating again, equal the validated ones.

``BotDecisions.of_rows``, ``DecisionsMade.of_run`` and ``SignalGenerated.of_verdict`` trust
values of their fields' types (a 50-pair candle time builds 250 of them; validating cost about as
much as deciding): each must be what validation builds, field for field, fields set and JSON.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import BaseModel

from cryptotrader.bus.messages import (
    BotDecisions,
    CandleRun,
    DecisionsMade,
    RuleInputs,
    SignalGenerated,
    StrategyInputsComputed,
)
from cryptotrader.domain import BotKind, Pair, SignalAction, Timeframe
from cryptotrader.domain.signals import TradingSignal
from cryptotrader.domain.values import utc_from_ms


def _same(built: BaseModel, validated: BaseModel) -> None:
    assert type(built) is type(validated)
    assert built == validated
    assert built.model_fields_set == validated.model_fields_set
    assert built.model_dump_json() == validated.model_dump_json()
    assert built.model_dump() == validated.model_dump()
    assert list(built.__dict__) == list(validated.__dict__)  # the field order (the JSON's)


def _rows() -> dict[str, Any]:
    """A run's decisions as the worker has them: numpy's ``tolist`` of each column."""
    shares = np.array([0.125, -0.03125, 0.0]) * 0.4
    return {
        "strategy": "conservative",
        "actions": np.array([0, -1, 1], dtype=np.int64).tolist(),
        "confidence": np.array([0.0, 0.0, 0.71]).tolist(),
        "score": np.array([0.05, -0.2, 1.0]).tolist(),
        "contributions": {
            "2": dict(zip(["rsi_14", "macd", "ema_50"], shares.tolist(), strict=True))
        },
    }


def _run(**extra: Any) -> StrategyInputsComputed:
    inputs = RuleInputs(
        strategy="conservative",
        lead=0,
        series={},
        strengths={"rsi_14": [0.1, None]},
        weights={"rsi_14": 1.0},
        context={"trend": [1.0, -1.0]},
    )
    return StrategyInputsComputed(
        timestamp=utc_from_ms(1_704_067_320_000),
        exchange="binance",
        pair="ETH/USDT",
        timeframe=Timeframe.M1,
        candles=CandleRun(
            open_times=[1_704_067_200_000, 1_704_067_260_000],
            open=[1.0, 2.0],
            high=[2.0, 3.0],
            low=[0.5, 1.5],
            close=[2.0, 2.5],
            volume=[10.0, 0.0],
        ),
        inputs={BotKind.SAFE: inputs},
        **extra,
    )


def test_bot_decisions_of_rows_equals_the_validated() -> None:
    _same(BotDecisions.of_rows(**_rows()), BotDecisions(**_rows()))


def test_decisions_made_of_run_equals_the_validated() -> None:
    bots = {
        BotKind.SAFE: BotDecisions(**_rows()),
        BotKind.AGGRESSIVE: BotDecisions(**{**_rows(), "strategy": "bench_flip"}),
    }
    live = {
        "batch": ["C00/USDT", "ETH/USDT"],
        "batch_ms": 1_704_067_200_000,
        "previous_open_ms": 1_704_067_140_000,
        "next_open": 2.5,
        "next_open_ms": 1_704_067_320_000,
        "pass_ms": 7,
    }
    for run in (_run(), _run(**live), _run(final=True)):
        built = DecisionsMade.of_run(run, message_id="ab" * 16, bots=bots)
        validated = DecisionsMade(
            message_id="ab" * 16, candles=run.candles, bots=bots, **run.carried()
        )
        _same(built, validated)
        assert built.batch == run.batch  # the run's (immutable: shared, not copied)


def test_signal_generated_of_verdict_equals_the_validated_and_the_former_path() -> None:
    pair = Pair.parse("ETH/USDT")
    at = utc_from_ms(1_704_067_260_000)
    verdict: dict[str, Any] = {
        "timestamp": at,
        "pair": pair,
        "timeframe": Timeframe.M1,
        "action": SignalAction.BUY,
        "confidence": 0.71,
        "score": 0.355,
        "strategy": "conservative",
        "target_bot": BotKind.SAFE,
        "contributions": _rows()["contributions"]["2"],
    }
    built = SignalGenerated.of_verdict(message_id="cd" * 16, **verdict)
    _same(built, SignalGenerated(message_id="cd" * 16, indicators={}, **verdict))
    former = SignalGenerated.from_domain(TradingSignal(**verdict)).model_copy(
        update={"message_id": "cd" * 16}
    )
    _same(built, former)
    assert built.contributions is not verdict["contributions"]
