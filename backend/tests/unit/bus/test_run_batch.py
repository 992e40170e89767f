"""The batch of a run message: one string on the wire (format 2), a list still read (format 1)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from cryptotrader.bus import topics
from cryptotrader.bus.codec import MalformedMessageError, decode, encode
from cryptotrader.bus.messages import (
    Batch,
    BotDecisions,
    CandleRun,
    CandlesClosed,
    DecisionsMade,
    RuleInputs,
    StrategyInputsComputed,
)
from cryptotrader.domain import BotKind, Timeframe
from cryptotrader.domain.values import utc_from_ms

SYMBOLS = ["BTC/USDT", "C00/USDT", "ETH/USDT"]


def _run(kind: type[CandlesClosed] | type[StrategyInputsComputed], **extra: Any) -> Any:
    fields: dict[str, Any] = {
        "timestamp": utc_from_ms(1_704_067_260_000),
        "exchange": "binance",
        "pair": "ETH/USDT",
        "timeframe": Timeframe.M1,
        "candles": CandleRun(
            open_times=[1_704_067_200_000], open=[1.0], high=[2.0], low=[0.5], close=[2.0],
            volume=[10.0],
        ),
        "batch_ms": 1_704_067_200_000,
        **extra,
    }  # fmt: skip
    if kind is StrategyInputsComputed:
        rows = RuleInputs(
            strategy="conservative", lead=0, series={}, strengths={"rsi_14": [0.1]},
            weights={"rsi_14": 1.0}, context={"trend": [1.0]},
        )  # fmt: skip
        fields["inputs"] = {BotKind.SAFE: rows}
    return kind(**fields)


@pytest.mark.parametrize("kind", [CandlesClosed, StrategyInputsComputed])
def test_a_runs_batch_goes_out_as_one_string_of_its_symbols(kind: type[Any]) -> None:
    run = _run(kind, batch=SYMBOLS)
    data = json.loads(encode(run)["data"])
    assert data["batch"] == "BTC/USDT,C00/USDT,ETH/USDT"
    assert json.loads(encode(_run(kind))["data"])["batch"] == ""  # one pair: no batch
    back: Any = decode(topics.CANDLES if kind is CandlesClosed else topics.INDICATORS, encode(run))
    assert back == run
    assert back.batch == SYMBOLS
    assert tuple(back.batch) == tuple(SYMBOLS)
    assert back.batch.members() == frozenset(SYMBOLS)
    assert "C00/USDT" in back.batch
    assert "C01/USDT" not in back.batch
    assert len(back.batch) == 3
    assert back.batch[1] == "C00/USDT"
    assert run.model_dump()["batch"] == SYMBOLS  # a Python dump: the list, as before


@pytest.mark.parametrize("kind", [CandlesClosed, StrategyInputsComputed])
def test_a_run_written_with_a_list_of_symbols_is_still_read(kind: type[Any]) -> None:
    """Format 1 (before 2026-12-05): a stream may hold such messages across an upgrade."""
    run = _run(kind, batch=SYMBOLS)
    data = json.loads(encode(run)["data"])
    data["batch"] = SYMBOLS
    old = {"data": json.dumps(data), "type": data["type"]}
    back: Any = decode(topics.CANDLES if kind is CandlesClosed else topics.INDICATORS, old)
    assert back == run
    assert encode(back) == encode(run)  # written on in format 2
    data["batch"] = []
    empty: Any = decode(
        topics.CANDLES if kind is CandlesClosed else topics.INDICATORS, {"data": json.dumps(data)}
    )
    assert not empty.batch


@pytest.mark.parametrize("text", [",BTC/USDT", "BTC/USDT,", "BTC/USDT,,ETH/USDT"])
def test_a_batch_with_an_empty_symbol_is_malformed(text: str) -> None:
    data = json.loads(encode(_run(CandlesClosed, batch=SYMBOLS))["data"])
    data["batch"] = text
    with pytest.raises(MalformedMessageError, match="batch"):
        decode(topics.CANDLES, {"data": json.dumps(data)})
    with pytest.raises(ValidationError):
        _run(CandlesClosed, batch=["BTC/USDT", "ETH,USDT"])


def test_decisions_carry_the_inputs_batch_as_it_came() -> None:
    """The decision worker passes the batch on without splitting or copying it."""
    run = decode(topics.INDICATORS, encode(_run(StrategyInputsComputed, batch=SYMBOLS)))
    assert isinstance(run, StrategyInputsComputed)
    bots = {
        BotKind.SAFE: BotDecisions(
            strategy="conservative", actions=[0], confidence=[0.0], score=[0.0]
        )
    }
    made = DecisionsMade.of_run(run, message_id="ab" * 16, bots=bots)
    assert made.batch is run.batch
    assert json.loads(encode(made)["data"])["batch"] == "BTC/USDT,C00/USDT,ETH/USDT"


def test_a_batch_compares_as_the_sequence_of_its_symbols() -> None:
    batch = Batch.of(SYMBOLS)
    assert batch == Batch("BTC/USDT,C00/USDT,ETH/USDT")
    assert batch == SYMBOLS
    assert batch == tuple(SYMBOLS)
    assert hash(batch) == hash(tuple(SYMBOLS))
    assert batch != ["BTC/USDT"]
    assert not Batch()
    assert Batch() == []
    assert len(Batch()) == 0
    assert list(Batch()) == []
    assert Batch.of([]) == Batch()
