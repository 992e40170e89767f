"""What runs in the backtest worker process: plain data in, a JSON-ready report out.

Top-level functions of a module with no event loop, so a ``ProcessPoolExecutor`` can pickle
them; the candles travel as arrays. The report is ``engines.backtest.report.result_dict``.

A job's stored request (``BacktestJob.as_json``) is read back with ``BacktestJob.from_json``
into the job the API queued: its market, costs, and the kind's typed request, the one the CLI
builds from its options (``SingleBacktest``, ``CompareBacktest``, ``PortfolioSweep``).
"""

from __future__ import annotations

import dataclasses
import os
import signal
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from cryptotrader.config import RuntimeSettings, TradingSettings
from cryptotrader.domain.market import CandleArrays
from cryptotrader.domain.pairs import Pair
from cryptotrader.engines.backtest import BacktestEngine, multipair
from cryptotrader.engines.backtest.engine import offset_progress
from cryptotrader.engines.backtest.job import BacktestJob, Kind
from cryptotrader.engines.backtest.multipair import PairSeries, PortfolioRequest
from cryptotrader.engines.backtest.portfolio_sweep import PortfolioSweep
from cryptotrader.engines.backtest.report import multipair_dict, portfolio_dict, result_dict
from cryptotrader.engines.backtest.requests import CompareBacktest, SingleBacktest


def ignore_interrupts() -> None:
    """Worker initializer: Ctrl-C is the API process's to handle; it stops the workers itself.

    A terminal sends SIGINT to its whole process group: without this every idle worker printed
    a ``KeyboardInterrupt`` traceback while the API was stopping cleanly.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def start_worker() -> None:
    """The API's pool initializer: ignore Ctrl-C (``ignore_interrupts``), then ``warm``."""
    ignore_interrupts()
    warm()


def ready() -> int:
    """A no-op job whose submission makes the pool start a worker; returns its process id.

    ``BacktestService.start`` submits one per worker: a spawn pool starts its processes only on
    demand, and each runs ``start_worker`` before taking a job.
    """
    return os.getpid()


def warm() -> None:
    """Pay a worker's first-job costs before any job.

    A spawned worker imports the engines, the strategies, TA-Lib and numpy on its first job; the
    API's workers do it at their start (``start_worker``), and the API starts them at its own
    start, so the first backtest launched from the app does not wait for a process to start and
    import (~1 s of CPU, 5-50 s of wall time on a loaded machine). A backtest of 400 synthetic
    candles runs every step once (indicators, decisions, the simulation, the report).
    Strategies that compile their own code with numba still load it on their first run.
    """
    count = 400
    close = 100.0 + np.sin(np.arange(count) / 7.0) * 5.0
    candles = CandleArrays(
        timestamps=1_600_000_000_000 + np.arange(count, dtype=np.int64) * 3_600_000,
        open=close,
        high=close + 1.0,
        low=close - 1.0,
        close=close,
        volume=np.full(count, 10.0),
    )
    request = {
        "pair": "BTC/USDT",
        "timeframe": "1h",
        "strategy": "sma_cross",
        "initial_capital": "1000",
    }
    run_single(request, candles, TradingSettings())
    global warmed  # noqa: PLW0603 - one flag per worker process
    warmed = True


warmed = False
"""Whether ``warm`` has run in this process (what a test can ask a worker)."""


CURVE_POINTS = 1000
"""Equity-curve points kept per result (evenly spaced, and the last one)."""


def read_job(kind: Kind, request: Mapping[str, Any], trading: TradingSettings) -> BacktestJob:
    """A job's stored request read back (``BacktestJob.from_json``), as the API read its body.

    Raises:
        UnknownNameError: unknown strategy.
        UserInputError: a field the job cannot run with.
    """
    return BacktestJob.from_json(kind, request, trading)


def _engine(job: BacktestJob, trading: TradingSettings) -> BacktestEngine:
    return BacktestEngine(config=job.config, trading=trading, pair=job.market.pair)


PROGRESS_EVERY_S = 0.2
"""Least time between two progress writes."""


def progress_writer(path: str | None) -> Callable[[int, int], None] | None:
    """A progress callback writing ``"done total"`` to ``path`` (atomically, throttled).

    A file is what a worker process and the API process running it both see, with no pipe to
    keep alive; the API reads it while the job runs.
    """
    if path is None:
        return None
    target = Path(path)
    temporary = target.with_suffix(".tmp")
    last = 0.0

    def write(done: int, total: int) -> None:
        nonlocal last
        now = time.monotonic()
        if done < total and now - last < PROGRESS_EVERY_S:
            return
        last = now
        temporary.write_text(f"{done} {total}")
        temporary.replace(target)

    return write


def read_progress(path: str) -> tuple[int, int] | None:
    """What ``progress_writer`` last wrote, or None before its first write."""
    try:
        done, total = Path(path).read_text().split()
        return int(done), int(total)
    except (FileNotFoundError, ValueError):
        return None


def run_single(
    request: Mapping[str, Any],
    candles: CandleArrays,
    trading: TradingSettings,
    progress_file: str | None = None,
) -> dict[str, Any]:
    """One strategy; returns ``{"results": [report]}``; progress in ``progress_file``.

    Raises:
        UserInputError: bad parameter or too few candles.
        StrategyError: the strategy failed.
    """
    job = read_job("single", request, trading)
    assert isinstance(job.asked, SingleBacktest)
    result = job.asked.run(
        _engine(job, trading),
        candles,
        job.market.timeframe,
        progress=progress_writer(progress_file),
    )
    return {"results": [result_dict(result, curve_limit=CURVE_POINTS)]}


def run_compare(
    request: Mapping[str, Any],
    candles: CandleArrays,
    trading: TradingSettings,
    progress_file: str | None = None,
) -> dict[str, Any]:
    """Several strategies on the same candles; returns ``{"results": [report, ...]}``.

    Raises:
        UserInputError: bad parameter or too few candles.
        StrategyError: a strategy failed.
    """
    job = read_job("compare", request, trading)
    assert isinstance(job.asked, CompareBacktest)
    results = job.asked.run(
        _engine(job, trading),
        candles,
        job.market.timeframe,
        progress=progress_writer(progress_file),
    )
    return {"results": [result_dict(r, curve_limit=CURVE_POINTS) for r in results]}


PairCandles = tuple[tuple[str, CandleArrays], ...]
"""The series of a multi-pair job: ``(pair symbol, candles)`` per pair."""


def run_portfolio(
    request: Mapping[str, Any],
    candles: CandleArrays | PairCandles,
    trading: TradingSettings,
    progress_file: str | None = None,
    runtime: RuntimeSettings | None = None,
) -> dict[str, Any]:
    """Both bots with reallocation, at each ratio asked; ``{"results": [], "portfolio": [...]}``.

    Each entry of ``portfolio`` is what ``backtest portfolio --json`` prints for that ratio.
    Several pairs (the job's ``pairs``, their candles as ``PairCandles``) run together through
    ``multipair.run_portfolio`` under ``runtime``'s risk limits, as ``backtest portfolio
    --stored PAIR`` repeated: ``{"results": [], "multipair": [...]}``.

    Raises:
        UserInputError: bad parameter or too few candles.
        StrategyError: a strategy failed.
    """
    job = read_job("portfolio", request, trading)
    assert isinstance(job.asked, PortfolioSweep)
    if isinstance(candles, tuple):
        return _run_pairs(
            job, job.asked, candles, trading, progress_file=progress_file, runtime=runtime
        )
    results = job.asked.run(
        _engine(job, trading),
        candles,
        job.market.timeframe,
        progress=progress_writer(progress_file),
    )
    return {
        "results": [],
        "portfolio": [portfolio_dict(r, curve_limit=CURVE_POINTS) for r in results],
    }


def _run_pairs(
    job: BacktestJob,
    sweep: PortfolioSweep,
    candles: PairCandles,
    trading: TradingSettings,
    *,
    progress_file: str | None,
    runtime: RuntimeSettings | None,
) -> dict[str, Any]:
    safe, aggressive = sweep.strategies()
    config = job.config
    asked = PortfolioRequest(
        series=tuple(PairSeries(Pair.parse(symbol), arrays) for symbol, arrays in candles),
        timeframe=job.market.timeframe,
        safe=safe,
        aggressive=aggressive,
        capital=sweep.capital,
        config=config,
        trading=trading,
        runtime=runtime or RuntimeSettings(),
        on_deep_streak=sweep.on_deep_streak,
    )
    progress = progress_writer(progress_file)
    per_ratio = sum(len(arrays) for _, arrays in candles)
    total = per_ratio * len(sweep.ratios)
    results = []
    for i, ratio in enumerate(sweep.ratios):
        each = None if progress is None else offset_progress(progress, i * per_ratio, total)
        results.append(
            multipair.run_portfolio(
                dataclasses.replace(asked, reallocation_ratio=ratio), progress=each
            )
        )
    return {
        "results": [],
        "multipair": [multipair_dict(r, fee=config.fee, curve_limit=CURVE_POINTS) for r in results],
    }
