"""The kernel run by Python (short runs, cold processes) and by numba give the same floats.

A cold backtest of a few hundred thousand bars walks them in Python rather than wait for numba
(``_kernel.for_bars``); this holds the two to the same trade table and cash, bit for bit, in
every mode: next-open and close fills, finer candles, and event-by-event portfolio steps.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pytest

from cryptotrader.domain.enums import BotKind
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.engines.backtest import BacktestConfig, BacktestEngine, Detail, _kernel
from cryptotrader.engines.backtest.simulation import KernelRun
from cryptotrader.marketdata import read_ohlcv, resample
from cryptotrader.strategies import create_strategy


def _both(
    run: Callable[..., KernelRun], monkeypatch: pytest.MonkeyPatch, **kwargs: Any
) -> tuple[KernelRun, KernelRun]:
    compiled = _kernel.compiled()  # replaces the helpers by their compiled twins
    with monkeypatch.context() as plain:  # a cold process: Python helpers, Python loop
        for helper in _kernel.HELPERS:
            plain.setattr(_kernel, helper, getattr(_kernel, helper).py_func)
        plain.setattr(_kernel, "for_bars", lambda _bars: _kernel.simulate)
        python = run(**kwargs)
    monkeypatch.setattr(_kernel, "for_bars", lambda _bars: compiled)
    return python, run(**kwargs)


@pytest.mark.parametrize("fill", ["open", "close"])
@pytest.mark.parametrize("strategy", ["sma_cross", "aggressive"])
def test_python_and_numba_kernels_give_the_same_trades(
    shared_data: Path,
    monkeypatch: pytest.MonkeyPatch,
    fill: Literal["open", "close"],
    strategy: str,
) -> None:
    candles = read_ohlcv(shared_data / "binance_BTC-USDT_1h.csv.gz").arrays
    engine = BacktestEngine(config=BacktestConfig.parse(fill=fill))
    sim = engine.simulation(create_strategy(strategy), candles, Timeframe.H1, bot=BotKind.SAFE)
    py, jit = _both(sim.run, monkeypatch, start=0, cash=1000.0, risk_ratio=0.02, max_events=-1)
    assert py.table.shape[0] > 300
    np.testing.assert_array_equal(py.table, jit.table)
    np.testing.assert_array_equal(py.refused, jit.refused)
    assert py.cash == jit.cash


def test_python_and_numba_kernels_agree_with_finer_candles_and_event_steps(
    shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hourly = read_ohlcv(shared_data / "binance_BTC-USDT_1h.csv.gz").arrays.slice(0, 30_000)
    bars = resample(hourly, Timeframe.H1, Timeframe.H4)
    sim = BacktestEngine().simulation(
        create_strategy("aggressive"),
        bars,
        Timeframe.H4,
        bot=BotKind.AGGRESSIVE,
        detail=Detail(hourly, Timeframe.H1),
    )
    start, cash, steps = 0, 500.0, 0
    while True:
        py, jit = _both(sim.run, monkeypatch, start=start, cash=cash, risk_ratio=0.03, max_events=1)
        np.testing.assert_array_equal(py.table, jit.table)
        np.testing.assert_array_equal(py.refused, jit.refused)
        assert (py.cash, py.next_start) == (jit.cash, jit.next_start)
        if py.table.shape[0] == 0 and py.refused.shape[0] == 0:
            break
        start, cash, steps = py.next_start, py.cash, steps + 1
    assert steps > 50


def test_a_short_run_in_a_process_without_numba_does_not_load_it() -> None:
    probe = (
        "import sys; from cryptotrader.engines.backtest import _kernel; "
        "print(_kernel.for_bars(72_540) is _kernel.simulate, 'numba' in sys.modules, "
        "_kernel.for_bars(_kernel.INTERPRETED_MAX_BARS + 1) is _kernel.simulate, "
        "'numba' in sys.modules, _kernel.for_bars(10) is _kernel.simulate)"
    )
    out = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=600
    )
    # short: Python; long: numba, which then serves every run of the process
    assert out.stdout.split() == ["True", "False", "False", "True", "False"]
