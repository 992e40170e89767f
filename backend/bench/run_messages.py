"""The run messages' JSON: CPU to decode and encode each kind, per message.

Run from ``backend/``: ``../.venv/bin/python -m bench.run_messages [PAIRS TIMED PASSES]``
(needs ../shared/data; default 100 pairs, 20 timed candle times, 7 passes).

``bench.decision_worker`` captures a live stage's ``StrategyInputsComputed`` (every pair's run of
each candle time, both bots' rule inputs, the batch naming every pair); from each one a
``DecisionsMade`` (both bots' decisions on its candle) and a ``CandlesClosed`` (its candles) are
made. Each kind is encoded (``codec.encode``) and decoded (``codec.decode``, as a consumer on Redis
does) message by message; printed: the least CPU per message over the passes, and the JSON's
size. For an A/B, run it with the other checkout's ``PYTHONPATH`` too (the script file of either:
it imports ``bench`` and ``cryptotrader`` from the path), interleaved.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from bench._common import load, machine, today
from bench.decision_worker import _reads
from cryptotrader import collector
from cryptotrader.bus import codec, topics
from cryptotrader.bus.messages import (
    BotDecisions,
    BusMessage,
    CandlesClosed,
    DecisionsMade,
    StrategyInputsComputed,
)
from cryptotrader.domain import BotKind

PAIRS, TIMED, PASSES = 100, 20, 7


def _cpu_us(work: Callable[[Any], object], items: Sequence[Any], passes: int) -> float:
    best = float("inf")
    for _ in range(passes):
        started = time.process_time()
        for item in items:
            work(item)
        best = min(best, (time.process_time() - started) / len(items) * 1e6)
    return best


def main() -> None:
    pairs = int(sys.argv[1]) if len(sys.argv) > 1 else PAIRS
    timed = int(sys.argv[2]) if len(sys.argv) > 2 else TIMED
    passes = int(sys.argv[3]) if len(sys.argv) > 3 else PASSES
    print(f"run messages' JSON, {today()}, {machine()}")
    inputs = [
        StrategyInputsComputed.model_validate_json(text)
        for read in _reads(pairs, timed)[1:]  # the live candle times (the history aside)
        for text in read
    ]
    collector.settle(owned=True)  # as the engines once up
    decided = BotDecisions(
        strategy="conservative",
        actions=[0],
        confidence=[0.0],
        score=[0.25],
        contributions={"0": {"rsi_14": 0.125, "macd": -0.0625}},
    )
    bots = {BotKind.SAFE: decided, BotKind.AGGRESSIVE: decided}
    kinds: list[tuple[str, str, list[BusMessage]]] = [
        ("strategy_inputs_computed", topics.INDICATORS, list(inputs)),
        (
            "decisions_made",
            topics.SIGNALS,
            [DecisionsMade.of_run(m, message_id=m.message_id, bots=bots) for m in inputs],
        ),
        (
            "candles_closed",
            topics.CANDLES,
            [CandlesClosed(**m.carried(), candles=m.candles) for m in inputs],
        ),
    ]
    print(f"  {len(inputs):,} runs of {pairs} pairs ({load()})")
    for name, topic, messages in kinds:
        entries = [codec.encode(m) for m in messages]
        size = sum(len(e[codec.DATA_FIELD]) for e in entries) / len(entries)
        decode = _cpu_us(partial(codec.decode, topic), entries, passes)
        encode = _cpu_us(codec.encode, messages, passes)
        print(f"  {name}: {size:,.0f} bytes, decode {decode:.1f} us, encode {encode:.1f} us")
    print(f"  ({load()})")


if __name__ == "__main__":
    main()
