"""The decision worker alone: CPU per 50-pair read, and a digest of every message it publishes.

Run from ``backend/``: ``../.venv/bin/python -m bench.decision_worker [PAIRS TIMED ROUNDS]``
(needs ../shared/data; default 50 pairs, 40 timed candle times, 5 rounds).

``bench.indicator_stage`` is run once to take the decision worker's reads as the runtime hands
them (each a candle time's ``StrategyInputsComputed`` of every pair: both bots' rule inputs,
conservative with its 1h trend and ``bench_flip``), through JSON as they would come from Redis.
Then a fresh ``DecisionWorker`` decides them read by read, ``ROUNDS`` times, on a bus that only
keeps what is published. Printed: the CPU per read (the first, the history, not counted), and a
digest of every published message's JSON (ids included; a run's batch written as the list it
was before 2026-12-05, ``_as_before``), so that two trees' runs show they published the same
``DecisionsMade`` and ``SignalGenerated``, bit for bit.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import sys
import time
from collections.abc import Sequence

import bench.runtime_flip  # noqa: F401 - registers bench_flip
from bench import indicator_stage
from bench._common import load, machine, today
from cryptotrader import collector
from cryptotrader.bus.messages import Batch, BusMessage, StrategyInputsComputed
from cryptotrader.bus.protocol import Delivery
from cryptotrader.domain import BotKind, Pair
from cryptotrader.engines.decision import DecisionEngine
from cryptotrader.engines.workers.decisions import DecisionWorker
from cryptotrader.strategies import create_strategy

PAIRS, TIMED, ROUNDS = 50, 40, 5


class _Kept:
    """A bus that keeps what is published."""

    def __init__(self) -> None:
        self.out: list[BusMessage] = []

    async def publish_many(self, topic: str, messages: Sequence[BusMessage]) -> None:
        self.out.extend(messages)


def _reads(pairs: int, timed: int) -> list[list[str]]:
    """The decision worker's reads in ``bench.indicator_stage``, each message as JSON."""
    reads: list[list[str]] = []
    handle_many = DecisionWorker.handle_many

    async def taking(worker: DecisionWorker, deliveries: Sequence[Delivery]) -> None:
        runs = [d.message for d in deliveries if isinstance(d.message, StrategyInputsComputed)]
        if runs:
            reads.append([m.model_dump_json() for m in runs])
        await handle_many(worker, deliveries)

    setattr(DecisionWorker, "handle_many", taking)  # noqa: B010 - the stage builds its worker
    try:
        asyncio.run(indicator_stage.run(pairs, timed, indicator_stage.HISTORY))
    finally:
        setattr(DecisionWorker, "handle_many", handle_many)  # noqa: B010
    return reads


def _as_before(message: BusMessage) -> str:
    """The message's JSON with a run's batch written as a list (format 1, before 2026-12-05).

    The digest is of that form, so that it compares with the digests printed before the batch
    became one string on the wire: the same digest, the same messages.
    """
    text = message.model_dump_json()
    batch = getattr(message, "batch", None)
    if isinstance(batch, Batch):
        listed = json.dumps(list(batch), separators=(",", ":"))
        text = text.replace(f'"batch":{json.dumps(batch.text)}', f'"batch":{listed}', 1)
    return text


def _deliveries(read: list[StrategyInputsComputed]) -> list[Delivery]:
    return [Delivery("indicators", "d", f"{i}-0", m, 1) for i, m in enumerate(read)]


def main() -> None:
    pairs = int(sys.argv[1]) if len(sys.argv) > 1 else PAIRS
    timed = int(sys.argv[2]) if len(sys.argv) > 2 else TIMED
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else ROUNDS
    print(f"decision worker alone, {today()}, {machine()}")
    reads = [
        [StrategyInputsComputed.model_validate_json(text) for text in read]
        for read in _reads(pairs, timed)
    ]
    collector.settle(owned=True)  # as `cryptotrader run` once it is up
    strategies = {
        BotKind.SAFE: create_strategy("conservative"),
        BotKind.AGGRESSIVE: create_strategy("bench_flip"),
    }
    pair = Pair.parse("C00/USDT")
    cpu: list[float] = []
    bus = _Kept()
    for _ in range(rounds):
        engines = {
            bot: DecisionEngine(strategy=rule, pair=pair, target_bot=bot)
            for bot, rule in strategies.items()
        }
        bus = _Kept()
        worker = DecisionWorker(bus=bus, engines=engines)  # type: ignore[arg-type]

        async def decide(worker: DecisionWorker = worker) -> float:
            await worker.handle_many(_deliveries(reads[0]))  # the history
            started = time.process_time()
            for read in reads[1:]:
                await worker.handle_many(_deliveries(read))
            return time.process_time() - started

        cpu.append(asyncio.run(decide()) / (len(reads) - 1) * 1000)
    digest = hashlib.sha256()
    for message in bus.out:
        digest.update(_as_before(message).encode())
    shown = ", ".join(f"{c:.2f}" for c in cpu)
    print(
        f"  {len(reads) - 1} reads of {pairs} runs (both bots): CPU per read {shown} ms "
        f"(min {min(cpu):.2f}); {len(bus.out):,} messages, digest {digest.hexdigest()[:16]} "
        f"({load()})"
    )


if __name__ == "__main__":
    main()
