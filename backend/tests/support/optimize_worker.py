"""A worker process of a shared study, for the distributed tests: ``python -m`` this module.

Its strategy is the SMA cross made slow (a pause in every evaluation, as a heavy strategy
would take), so that a test can kill the worker while it is inside a trial.
Arguments: storage URL, study name, trial budget, heartbeat seconds, candle file.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from cryptotrader.domain.market import FloatArray
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.marketdata.io import read_ohlcv
from cryptotrader.optimize.evaluate import Evaluator
from cryptotrader.optimize.objectives import parse_objectives
from cryptotrader.optimize.space import build_space
from cryptotrader.optimize.study import StudyPlan, run_worker
from cryptotrader.strategies import StrategyInputs, register_strategy
from cryptotrader.strategies.sma_cross import SmaCrossStrategy

PAUSE_S = 0.4


@register_strategy("slow_sma_cross")
class SlowSmaCross(SmaCrossStrategy):
    """``sma_cross`` taking ``PAUSE_S`` longer per evaluation."""

    def score(self, inputs: StrategyInputs) -> FloatArray:
        """The SMA cross score, after a pause."""
        time.sleep(PAUSE_S)
        return super().score(inputs)


def plan(storage: str, name: str, trials: int, heartbeat_s: int) -> StudyPlan:
    """The shared study every worker joins."""
    return StudyPlan(
        name=name,
        storage=storage,
        space=build_space(
            "slow_sma_cross", ranges={"fast": "5:20", "slow": "25:80"}, protection=False
        ),
        objectives=parse_objectives(["sharpe"], min_trades=1),
        sampler="random",
        trials=trials,
        heartbeat_s=heartbeat_s,
    )


def main() -> None:
    """Join the study and run trials until it is complete."""
    storage, name, trials, heartbeat, data = sys.argv[1:6]
    candles = read_ohlcv(Path(data)).arrays.slice(0, 3_000)
    evaluator = Evaluator("slow_sma_cross", candles, Timeframe.H1)
    run_worker(plan(storage, name, int(trials), int(heartbeat)), evaluator)


if __name__ == "__main__":
    main()
