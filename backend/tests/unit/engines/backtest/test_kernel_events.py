"""The kernel stopped after each event and resumed reproduces one uninterrupted run.

Portfolio backtests drive the kernel one event at a time; its buffers are sized by the events
allowed (not by the signals left in the series), so each call costs the bars it walks.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from cryptotrader.domain.enums import BotKind
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.engines.backtest import BacktestEngine
from cryptotrader.engines.backtest.simulation import Simulation
from cryptotrader.marketdata.io import read_ohlcv
from cryptotrader.strategies import create_strategy


def _stepwise(sim: Simulation, cash: float) -> tuple[np.ndarray, np.ndarray, float]:
    rows, refused, start = [], [], 0
    while True:
        out = sim.run(start=start, cash=cash, risk_ratio=0.02, max_events=1)
        if out.table.shape[0] == 0 and out.refused.shape[0] == 0:
            break
        rows.append(out.table)
        refused.append(out.refused)
        cash, start = out.cash, out.next_start
    return np.concatenate(rows), np.concatenate(refused), cash


def test_kernel_when_run_event_by_event_gives_the_same_trades(shared_data: Path) -> None:
    candles = read_ohlcv(shared_data / "binance_BTC-USDT_1h.csv.gz").arrays.slice(0, 20_000)
    sim = BacktestEngine().simulation(
        create_strategy("aggressive"), candles, Timeframe.H1, bot=BotKind.AGGRESSIVE
    )
    whole = sim.run(start=0, cash=300.0, risk_ratio=0.02, max_events=-1)
    table, refused, cash = _stepwise(sim, 300.0)
    assert whole.table.shape[0] > 50
    np.testing.assert_array_equal(table, whole.table)
    np.testing.assert_array_equal(refused, whole.refused)
    assert cash == whole.cash


def test_run_when_reporting_progress_gives_the_same_result_and_counts_up_to_every_candle(
    shared_data: Path,
) -> None:
    candles = read_ohlcv(shared_data / "binance_BTC-USDT_1h.csv.gz").arrays.slice(0, 20_000)
    engine = BacktestEngine()
    strategy = create_strategy("aggressive")
    seen: list[tuple[int, int]] = []
    reported = engine.run(
        candles, strategy, 300, Timeframe.H1, progress=lambda d, t: seen.append((d, t))
    )
    plain = engine.run(candles, strategy, 300, Timeframe.H1)
    assert reported.trades == plain.trades
    assert reported.final_capital == plain.final_capital
    assert len(seen) > 3  # more than a start and an end
    assert seen[0] == (0, 20_000)
    assert seen[-1] == (20_000, 20_000)
    done = [d for d, _ in seen]
    assert done == sorted(done)
