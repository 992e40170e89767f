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

Parts (arguments; default ``grid workers``):

* ``grid``: the grid against vectorbt, and memory;
* ``workers``: rounds of 1 and of 2 workers, alternated (``BENCH_WORKER_PAIRS`` pairs of rounds,
  default 3; ``BENCH_WORKER_TRIALS`` trials per round, default 40). Wall trials/s on a shared
  machine measure the cores other work leaves free, so each worker also notes its clocks at every
  trial: process CPU time, and its main thread's time on a core and waiting for one
  (``/proc/thread-self/schedstat``). The verdict is the speed-up with a core per worker from CPU
  time: 2 x (CPU per trial of 1 worker / of 2), beside the time blocked on the storage per
  trial (1 and 2 workers) and the speed-up with it included (``workers_verdict``);
* ``portfolio``: CPU time of a portfolio trial (both bots, the real 8-year hourly BTC/USDT)
  against the same trial building every ``Trade`` and its figures from them (what a trial cost
  before it read the bots' exact outcomes instead).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bench._common import HOURS, btc_minutes_extended, load, machine, peak_rss_mib, today
from cryptotrader.domain import CandleArrays, Timeframe
from cryptotrader.domain.markets import MarketRules
from cryptotrader.engines.backtest import BacktestConfig
from cryptotrader.optimize.evaluate import Evaluator, TrialRun
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


def _thread_clocks() -> tuple[int, int]:
    """``(ns on a core, ns waiting for a core)`` of the calling thread so far (Linux)."""
    on_cpu, waited, _ = Path("/proc/thread-self/schedstat").read_text().split()
    return int(on_cpu), int(waited)


class ProbedEvaluator:
    """An evaluator noting this process's clocks as each trial's simulation starts.

    Each worker appends ``monotonic ns, process CPU ns, main thread on-core ns, main thread
    run-queue wait ns`` to ``<folder>/<pid>``; two consecutive lines bound one whole trial
    (simulation, Optuna's sampling and storage writes, callbacks).
    """

    def __init__(self, inner: Evaluator, folder: str) -> None:
        self.inner = inner
        self.folder = folder
        self.strategy = inner.strategy
        self.candles = inner.candles
        self.timeframe = inner.timeframe
        self.config = inner.config
        self.capital = inner.capital
        self.per_year = inner.per_year

    def run(
        self,
        params: Mapping[str, Any],
        protection: Mapping[str, Any] | None = None,
        *,
        start: int = 0,
        stop: int | None = None,
    ) -> TrialRun:
        """Note the clocks, then the inner evaluator's trial."""
        on_cpu, waited = _thread_clocks()
        line = f"{time.monotonic_ns()} {time.process_time_ns()} {on_cpu} {waited}\n"
        with (Path(self.folder) / str(os.getpid())).open("a") as log:
            log.write(line)
        return self.inner.run(params, protection, start=start, stop=stop)

    def exact(self, params: Mapping[str, Any], protection: Mapping[str, Any] | None = None,
              *, pair: Any = None) -> Any:  # fmt: skip
        """The inner evaluator's exact backtest."""
        return self.inner.exact(params, protection, pair=pair)

    def warmup(self, params: Mapping[str, Any] | None = None) -> int:
        """The inner evaluator's warm-up."""
        return self.inner.warmup(params)


@dataclass(frozen=True, slots=True)
class WorkerRound:
    """One study run by ``workers`` processes, measured while all of them were warm."""

    workers: int
    trials: int
    wall_rate: float
    """Trials/s as the clock on the wall saw them (``steady_rate``): depends on other load."""
    cpu_per_trial: float
    """Process CPU seconds per trial (every thread of the worker), averaged over trials."""
    free_rate: float
    """Trials/s with a core per worker: each worker's trials over its wall time minus the time
    its main thread waited for a core, summed over the workers."""
    waited: float
    """Share of the workers' wall time spent waiting for a core (other load)."""
    blocked_per_trial: float
    """Seconds per trial the main thread was neither on a core nor waiting for one: storage
    round trips and commits (including the database server's own waits for a core)."""


def read_round(folder: str, workers: int, wall_rate: float) -> WorkerRound:
    """The clocks the workers noted, over the span where every worker was warm.

    Each worker's first trial (caches, compilation) is left out; with two workers the span runs
    from the later one's second trial to the earlier one's last, so both always ran.
    """
    logs = [np.loadtxt(path, dtype=np.int64, ndmin=2) for path in Path(folder).iterdir()]
    counts = [rows.shape[0] for rows in logs]
    if len(logs) != workers or min(counts) < 3:
        raise RuntimeError(f"trials per worker {counts}: {workers} workers of 3 or more expected")
    begin = max(int(rows[1, 0]) for rows in logs)
    end = min(int(rows[-1, 0]) for rows in logs)
    trials = 0
    free_rate = wall = waited = cpu = blocked = 0.0
    for rows in logs:
        inside = rows[(rows[:, 0] >= begin) & (rows[:, 0] <= end)]
        if inside.shape[0] < 2:
            raise RuntimeError("a worker finished no trial while the others ran: more trials")
        spent = (inside[-1] - inside[0]) / 1e9
        n = inside.shape[0] - 1
        trials += n
        free_rate += n / (spent[0] - spent[3])
        wall, waited, cpu = wall + spent[0], waited + spent[3], cpu + spent[1]
        blocked += spent[0] - spent[2] - spent[3]
    return WorkerRound(
        workers, trials, wall_rate, cpu / trials, free_rate, waited / wall, blocked / trials
    )


def workers_rounds(evaluator: Evaluator, pairs: int, trials: int) -> list[WorkerRound] | None:
    """Rounds of 1 and 2 workers, alternated, each a fresh PostgreSQL study of ``trials``."""
    from cryptotrader.optimize.storage import open_storage

    try:
        open_storage(POSTGRES)
    except Exception as exc:  # noqa: BLE001 - a benchmark reports what it could not measure
        print(f"PostgreSQL unavailable ({exc}): no workers figure")
        return None
    fixed = {"stop_loss": str(SL), "take_profit": str(TP)}
    space = build_space(
        "sma_cross", ranges={"fast": "5:50", "slow": "60:240"}, fixed=fixed, sizing=False
    )
    rounds = []
    for workers in [1, 2] * pairs:
        with tempfile.TemporaryDirectory() as folder:
            plan = grid_plan(
                POSTGRES, f"bench-{uuid.uuid4().hex[:8]}", sampler="random", trials=trials,
                space=space,
            )  # fmt: skip
            study = run_study(plan, ProbedEvaluator(evaluator, folder), workers=workers)
            measured = read_round(folder, workers, steady_rate(study.trials))
        rounds.append(measured)
        print(
            f"  {workers} worker(s): {measured.trials} steady trials, wall "
            f"{measured.wall_rate:.2f} trials/s, CPU {measured.cpu_per_trial * 1000:.0f} ms/trial, "
            f"blocked {measured.blocked_per_trial * 1000:.0f} ms/trial, "
            f"waited for a core {measured.waited:.0%}, with a core each "
            f"{measured.free_rate:.2f} trials/s; {load()}"
        )
    return rounds


def spread(values: list[float]) -> str:
    """Median and range of ``values``."""
    return f"median {statistics.median(values):.2f}x (range {min(values):.2f}-{max(values):.2f})"


def workers_verdict(rounds: list[WorkerRound]) -> None:
    """The figures of each 1-worker round and the 2-worker round after it, and the verdict.

    The verdict reads CPU time, which other load hardly moves: with a core per worker, two do
    ``2 x efficiency`` the trials of one, where efficiency is one worker's CPU per trial over
    two workers' (what running side by side adds to each trial: shared caches and memory).
    That holds if the storage does not make two workers wait more per trial than one: the
    blocked time per trial is printed for both, and the speed-up with it included.
    """
    pairs = list(zip(rounds[::2], rounds[1::2], strict=True))
    efficiency = [one.cpu_per_trial / two.cpu_per_trial for one, two in pairs]
    blocked = [two.blocked_per_trial / one.blocked_per_trial for one, two in pairs]
    free = [two.free_rate / one.free_rate for one, two in pairs]
    wall = [two.wall_rate / one.wall_rate for one, two in pairs]
    n = len(pairs)
    print(f"CPU per trial, 1 worker / 2 (parallel efficiency): {spread(efficiency)}, {n} pairs")
    print(f"blocked per trial, 2 workers / 1 (> 1: the storage serialises them): {spread(blocked)}")
    print(f"2 workers / 1 with a core each, blocked time included: {spread(free)}")
    print(f"2 workers / 1, wall trials/s as measured (depends on other load): {spread(wall)}")
    speedup = 2 * statistics.median(efficiency)
    met = speedup >= 1.7
    print(f"verdict: 2 workers >= 1.7x one: {'met' if met else 'NOT met'} ({speedup:.2f}x "
          "= 2 x the median parallel efficiency)")  # fmt: skip


def main() -> None:
    """Print the figures of docs/BENCHMARKS.md (parts: ``grid``, ``workers``, ``portfolio``)."""
    parts = sys.argv[1:] or ["grid", "workers"]
    print(f"{today()}; {machine()}; {load()}")
    if "portfolio" in parts:
        portfolio_trials()
    if "grid" not in parts and "workers" not in parts:
        return
    candles, what = btc_minutes_extended()
    print(what)
    evaluator = Evaluator("sma_cross", candles, Timeframe.M1, config=CONFIG, capital=CAPITAL)
    evaluator.run({"fast": 10, "slow": 60}, {"stop_loss": SL, "take_profit": TP})  # compiles
    if "grid" in parts:
        grid(candles, evaluator)
    if "workers" in parts:
        pairs = int(os.environ.get("BENCH_WORKER_PAIRS", "3"))
        trials = int(os.environ.get("BENCH_WORKER_TRIALS", "40"))
        print(f"PostgreSQL study, random sampler, {trials} trials per round, rounds alternated:")
        rounds = workers_rounds(evaluator, pairs, trials)
        if rounds is not None:
            workers_verdict(rounds)
    print(f"peak memory of the run: {peak_rss_mib():.0f} MiB; {load()}")


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


PORTFOLIO_KNOBS = {"reallocation_ratio": 0.3, "losses_to_halve": 3, "losses_to_quarter": 5,
                   "wins_to_restore": 2}  # fmt: skip


def portfolio_trials(rounds: int = 7) -> None:
    """CPU ms of a portfolio trial, and of the same trial with every ``Trade`` built, alternated."""
    from cryptotrader.engines.backtest.metrics import TradeOutcomes
    from cryptotrader.marketdata import read_ohlcv
    from cryptotrader.optimize.portfolio import PortfolioEvaluator

    candles = read_ohlcv(HOURS).arrays
    evaluator = PortfolioEvaluator(candles, Timeframe.H1)

    def trial() -> None:
        evaluator.run(PORTFOLIO_KNOBS)

    def with_trades() -> None:
        result = evaluator.exact(PORTFOLIO_KNOBS)
        trades = sorted(result.safe.trades + result.aggressive.trades,
                        key=lambda t: (t.exit_time, t.entry_time))  # fmt: skip
        TradeOutcomes.of_trades(trades)
        np.array([float(t.pnl or 0) for t in trades])

    def cpu_ms(fn: Any, times: int = 3) -> float:
        start = time.process_time()
        for _ in range(times):
            fn()
        return (time.process_time() - start) / times * 1000

    trial()
    with_trades()  # warm: indicators, compilation
    ours, before = [], []
    for _ in range(rounds):
        ours.append(cpu_ms(trial))
        before.append(cpu_ms(with_trades))
    run = evaluator.run(PORTFOLIO_KNOBS)
    ratios = [b / o for o, b in zip(ours, before, strict=True)]
    print(
        f"portfolio trial, {len(candles):,} hourly candles, {run.metrics.trades} trades: "
        f"{statistics.median(ours):.1f} ms CPU (range {min(ours):.1f}-{max(ours):.1f}); with "
        f"every Trade built {statistics.median(before):.1f} ms (range {min(before):.1f}-"
        f"{max(before):.1f}); before / now {spread(ratios)}; {load()}"
    )


if __name__ == "__main__":
    main()
