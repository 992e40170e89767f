"""Optimisation benchmark against vectorbt, on 1,000,000 one-minute candles.

Run: ``.venv/bin/python -W ignore -m bench.optimize`` from backend/ (needs ../shared/data, the
``bench`` extra for vectorbt, and PostgreSQL on 127.0.0.1 for the workers figure; set
``CRYPTOTRADER_BENCH_POSTGRES_URL`` to use another). Issue "Strategy optimisation" targets, in
the same run:

* the same SMA-cross grid (10 fast x 10 slow periods, SL 2% / TP 10%, fee 0.1%, slippage 0.05%,
  all in, fills at the close) as a study of ``cryptotrader optimize`` (grid sampler, SQLite
  storage, every trial's metrics recorded) against vectorbt evaluating the grid in one vectorised
  call with its full statistics per column: our trials/s >= vectorbt's;
* memory bounded (peak < 2 GiB whatever the number of trials): resident memory after 100 and
  after 300 more trials;
* 2 worker processes on one PostgreSQL study >= 1.7x the trials/s of one.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bench._common import btc_minutes_extended, machine, peak_rss_mib
from cryptotrader.domain import CandleArrays, Timeframe
from cryptotrader.domain.markets import MarketRules
from cryptotrader.engines.backtest import BacktestConfig
from cryptotrader.optimize.evaluate import Evaluator
from cryptotrader.optimize.objectives import parse_objectives
from cryptotrader.optimize.space import build_space
from cryptotrader.optimize.study import StudyPlan, run_study, trial_metrics

FASTS = list(range(5, 55, 5))
SLOWS = list(range(60, 260, 20))
SL, TP, FEE, SLIP = 0.02, 0.10, 0.001, 0.0005
CAPITAL = 1_000_000_000.0
FREE = MarketRules(amount_step=Decimal("1e-8"), min_amount=Decimal(0), min_notional=Decimal(0))
CONFIG = BacktestConfig(stake=Decimal(1), fill="close", market=FREE)
POSTGRES = os.environ.get("CRYPTOTRADER_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1/test")


def rss_mib() -> float:
    """Current resident memory of this process, in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def grid_plan(storage: str, name: str, **changes: Any) -> StudyPlan:
    """The 10 x 10 grid with fixed protection, as ``cryptotrader optimize`` builds it."""
    values: dict[str, Any] = {
        "name": name,
        "storage": storage,
        "space": build_space(
            "sma_cross",
            ranges={"fast": "5:50:5", "slow": "60:240:20"},
            fixed={"stop_loss": str(SL), "take_profit": str(TP)},
            sizing=False,
        ),
        "objectives": parse_objectives(["sharpe"], min_trades=1),
        "sampler": "grid",
        "seed": 1,
        "trials": len(FASTS) * len(SLOWS),
    }
    values.update(changes)
    return StudyPlan(**values)


def ours(evaluator: Evaluator, storage: str) -> tuple[float, dict[tuple[int, int], float]]:
    """Seconds for the whole grid study, and each combination's total return."""
    start = time.perf_counter()
    study = run_study(grid_plan(storage, f"grid-{uuid.uuid4().hex[:8]}"), evaluator)
    seconds = time.perf_counter() - start
    returns = {}
    for trial in study.trials:
        metrics = trial_metrics(trial)
        if metrics is not None:
            returns[(trial.params["fast"], trial.params["slow"])] = metrics.total_return
    return seconds, returns


def vectorbt_grid(candles: CandleArrays) -> tuple[float, dict[tuple[int, int], float]]:
    """Seconds for vectorbt's grid (MAs, signals, portfolio, stats of every column)."""
    import vectorbt as vbt

    index = pd.DatetimeIndex(candles.timestamps.astype("datetime64[ms]"))
    close = pd.Series(candles.close, index=index)
    start = time.perf_counter()
    combos = [(f, s) for f in FASTS for s in SLOWS]
    fast = vbt.MA.run(close, window=[f for f, _ in combos], short_name="fast")
    slow = vbt.MA.run(close, window=[s for _, s in combos], short_name="slow")
    entries = fast.ma_crossed_above(slow)
    exits = fast.ma_crossed_below(slow)
    portfolio = vbt.Portfolio.from_signals(
        close, entries, exits, open=pd.Series(candles.open, index=index),
        high=pd.Series(candles.high, index=index), low=pd.Series(candles.low, index=index),
        sl_stop=SL, tp_stop=TP, fees=FEE, slippage=SLIP, init_cash=CAPITAL, freq="1min",
        stop_entry_price="fillprice",
    )  # fmt: skip
    stats = portfolio.stats(agg_func=None)
    seconds = time.perf_counter() - start
    total = portfolio.total_return()
    returns = {(int(f), int(s)): float(v) for (f, s), v in total.items()}
    assert len(stats) == len(combos)
    return seconds, returns


def steady_rate(trials: list[Any]) -> float:
    """Trials/s while every worker was running and warm.

    The window runs from the last worker's first trial end (each worker's first trial loads its
    caches) to the first worker's last trial end; a trial crossing an edge counts for the share
    of its time inside, so the edges do not round the count up.
    """
    by_worker: dict[str, list[Any]] = {}
    for trial in trials:
        if trial.datetime_complete is not None:
            by_worker.setdefault(str(trial.user_attrs.get("worker")), []).append(trial)
    begin = max(min(t.datetime_complete for t in ts) for ts in by_worker.values())
    end = min(max(t.datetime_complete for t in ts) for ts in by_worker.values())
    inside = 0.0
    for ts in by_worker.values():
        for t in ts:
            took = (t.datetime_complete - t.datetime_start).total_seconds()
            overlap = (min(end, t.datetime_complete) - max(begin, t.datetime_start)).total_seconds()
            if took > 0 and overlap > 0:
                inside += overlap / took
    return float(inside / (end - begin).total_seconds())


def workers_figure(evaluator: Evaluator) -> tuple[float, float] | None:
    """Steady trials/s of one and of two worker processes on one PostgreSQL study."""
    from cryptotrader.optimize.storage import open_storage

    try:
        open_storage(POSTGRES)
    except Exception as exc:  # noqa: BLE001 - a benchmark reports what it could not measure
        print(f"PostgreSQL unavailable ({exc}): no workers figure")
        return None
    rates = []
    for workers in (1, 2):
        plan = grid_plan(
            POSTGRES, f"bench-{uuid.uuid4().hex[:8]}", sampler="random", trials=80,
            space=build_space("sma_cross", ranges={"fast": "5:50", "slow": "60:240"},
                              fixed={"stop_loss": str(SL), "take_profit": str(TP)}, sizing=False),
        )  # fmt: skip
        study = run_study(plan, evaluator, workers=workers)
        rates.append(steady_rate(study.trials))
    return rates[0], rates[1]


def main() -> None:
    """Print the figures of docs/BENCHMARKS.md (parts: ``grid``, ``workers``; default both)."""
    parts = sys.argv[1:] or ["grid", "workers"]
    candles, what = btc_minutes_extended()
    print(f"{what}; {machine()}; load {os.getloadavg()[0]:.2f}")
    evaluator = Evaluator("sma_cross", candles, Timeframe.M1, config=CONFIG, capital=CAPITAL)
    evaluator.run({"fast": 10, "slow": 60}, {"stop_loss": SL, "take_profit": TP})  # compiles
    if "grid" in parts:
        grid(candles, evaluator)
    if "workers" in parts:
        rates = workers_figure(evaluator)
        if rates is not None:
            print(
                f"PostgreSQL study, random sampler, steady state: 1 worker {rates[0]:.2f} "
                f"trials/s, 2 workers {rates[1]:.2f} trials/s = {rates[1] / rates[0]:.2f}x"
            )
    print(f"peak memory of the run: {peak_rss_mib():.0f} MiB; load {os.getloadavg()[0]:.2f}")


def grid(candles: CandleArrays, evaluator: Evaluator) -> None:
    """Our grid study against vectorbt's, and our memory over more trials."""
    with tempfile.TemporaryDirectory() as folder:
        storage = f"sqlite:///{folder}/bench.db"
        ours_s, our_returns = ours(evaluator, storage)
        after_100 = rss_mib()
        more = grid_plan(storage, "memory", sampler="random", trials=300, space=build_space(
            "sma_cross", ranges={"fast": "5:50", "slow": "60:240"}, sizing=False))  # fmt: skip
        run_study(more, evaluator)
        after_400 = rss_mib()
    ours_peak = peak_rss_mib()
    n = len(FASTS) * len(SLOWS)
    print(f"ours: {n} trials in {ours_s:.2f} s = {n / ours_s:.1f} trials/s")
    print(
        f"memory: {after_100:.0f} MiB after 100 trials, {after_400:.0f} MiB after 400, "
        f"peak {ours_peak:.0f} MiB (before vectorbt runs)"
    )
    vbt_s, vbt_returns = vectorbt_grid(candles)
    print(f"vectorbt: {n} combinations in {vbt_s:.2f} s = {n / vbt_s:.1f} trials/s")
    print(f"ours / vectorbt trials/s: {vbt_s / ours_s:.2f}x")
    common = sorted(set(our_returns) & set(vbt_returns))
    ours_r = np.array([our_returns[c] for c in common])
    vbt_r = np.array([vbt_returns[c] for c in common])
    order = np.corrcoef(np.argsort(np.argsort(ours_r)), np.argsort(np.argsort(vbt_r)))[0, 1]
    print(
        f"total return per combination, ours vs vectorbt: median |diff| "
        f"{np.median(np.abs(ours_r - vbt_r)):.4f}, rank correlation {order:.3f}"
    )


if __name__ == "__main__":
    main()
