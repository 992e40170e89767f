"""What runs in the backtest worker process: plain data in, a JSON-ready report out.

Top-level functions of a module with no event loop, so a ``ProcessPoolExecutor`` can pickle
them; the candles travel as arrays. The report is ``engines.backtest.report.result_dict``.

A job's stored request (the API body as JSON) is read into the typed request the CLI builds
from its options, one reader per kind: ``single_backtest`` (``SingleBacktest``),
``compare_backtest`` (``CompareBacktest``), ``portfolio_sweep`` (``PortfolioSweep``).
"""

from __future__ import annotations

import dataclasses
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from cryptotrader.config import RuntimeSettings, TradingSettings
from cryptotrader.domain.market import CandleArrays
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.engines.backtest import BacktestConfig, BacktestEngine, multipair
from cryptotrader.engines.backtest.engine import offset_progress
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


CONFIG_FIELDS = ("fee", "slippage", "stop_loss", "take_profit", "risk_ratio", "stake", "fill")
"""The request's fields that make its ``BacktestConfig`` (absent: the default)."""


def backtest_config(request: dict[str, Any]) -> BacktestConfig:
    """Costs, protection and fill convention of a request.

    Raises:
        UserInputError: a value out of range.
    """
    return BacktestConfig.parse(**{name: request.get(name) for name in CONFIG_FIELDS})


def single_backtest(request: dict[str, Any]) -> SingleBacktest:
    """A single job's strategy, parameters and capital, as ``backtest run`` reads them.

    Raises:
        UnknownNameError: unknown strategy.
        UserInputError: bad parameter or capital.
    """
    return SingleBacktest.parse(
        strategy=request["strategy"],
        capital=request["initial_capital"],
        params=request.get("params") or {},
    )


def compare_backtest(request: dict[str, Any]) -> CompareBacktest:
    """A compare job's strategies and capital, as ``backtest compare`` reads them.

    Raises:
        UnknownNameError: unknown strategy.
        UserInputError: bad capital.
    """
    return CompareBacktest.parse(
        strategies=request["strategies"], capital=request["initial_capital"]
    )


def portfolio_sweep(request: dict[str, Any], trading: TradingSettings) -> PortfolioSweep:
    """A portfolio request's strategies, capitals and ratios, as ``backtest portfolio`` reads them.

    Raises:
        UserInputError: unknown strategy, capital or ratio out of range.
    """
    return PortfolioSweep.parse(
        trading,
        **{
            name: request[name]
            for name in (
                "safe_strategy",
                "aggressive_strategy",
                "safe_capital",
                "aggressive_capital",
                "reallocation",
                "sweep",
                "on_deep_streak",
            )
            if request.get(name) is not None
        },
    )


def _engine(request: dict[str, Any], trading: TradingSettings) -> BacktestEngine:
    return BacktestEngine(
        config=backtest_config(request), trading=trading, pair=Pair.parse(request["pair"])
    )


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
    request: dict[str, Any],
    candles: CandleArrays,
    trading: TradingSettings,
    progress_file: str | None = None,
) -> dict[str, Any]:
    """One strategy; returns ``{"results": [report]}``; progress in ``progress_file``.

    Raises:
        UserInputError: bad parameter or too few candles.
        StrategyError: the strategy failed.
    """
    result = single_backtest(request).run(
        _engine(request, trading),
        candles,
        Timeframe(request["timeframe"]),
        progress=progress_writer(progress_file),
    )
    return {"results": [result_dict(result, curve_limit=CURVE_POINTS)]}


def run_compare(
    request: dict[str, Any],
    candles: CandleArrays,
    trading: TradingSettings,
    progress_file: str | None = None,
) -> dict[str, Any]:
    """Several strategies on the same candles; returns ``{"results": [report, ...]}``.

    Raises:
        UserInputError: bad parameter or too few candles.
        StrategyError: a strategy failed.
    """
    results = compare_backtest(request).run(
        _engine(request, trading),
        candles,
        Timeframe(request["timeframe"]),
        progress=progress_writer(progress_file),
    )
    return {"results": [result_dict(r, curve_limit=CURVE_POINTS) for r in results]}


PairCandles = tuple[tuple[str, CandleArrays], ...]
"""The series of a multi-pair job: ``(pair symbol, candles)`` per pair."""


def run_portfolio(
    request: dict[str, Any],
    candles: CandleArrays | PairCandles,
    trading: TradingSettings,
    progress_file: str | None = None,
    runtime: RuntimeSettings | None = None,
) -> dict[str, Any]:
    """Both bots with reallocation, at each ratio asked; ``{"results": [], "portfolio": [...]}``.

    Each entry of ``portfolio`` is what ``backtest portfolio --json`` prints for that ratio.
    Several pairs (``request["pairs"]``, their candles as ``PairCandles``) run together through
    ``multipair.run_portfolio`` under ``runtime``'s risk limits, as ``backtest portfolio
    --stored PAIR`` repeated: ``{"results": [], "multipair": [...]}``.

    Raises:
        UserInputError: bad parameter or too few candles.
        StrategyError: a strategy failed.
    """
    if isinstance(candles, tuple):
        return _run_pairs(request, candles, trading, progress_file, runtime or RuntimeSettings())
    sweep = portfolio_sweep(request, trading)
    results = sweep.run(
        _engine(request, trading),
        candles,
        Timeframe(request["timeframe"]),
        progress=progress_writer(progress_file),
    )
    return {
        "results": [],
        "portfolio": [portfolio_dict(r, curve_limit=CURVE_POINTS) for r in results],
    }


def _run_pairs(
    request: dict[str, Any],
    candles: PairCandles,
    trading: TradingSettings,
    progress_file: str | None,
    runtime: RuntimeSettings,
) -> dict[str, Any]:
    sweep = portfolio_sweep(request, trading)
    safe, aggressive = sweep.strategies()
    config = backtest_config(request)
    asked = PortfolioRequest(
        series=tuple(PairSeries(Pair.parse(symbol), arrays) for symbol, arrays in candles),
        timeframe=Timeframe(request["timeframe"]),
        safe=safe,
        aggressive=aggressive,
        capital=sweep.capital,
        config=config,
        trading=trading,
        runtime=runtime,
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
