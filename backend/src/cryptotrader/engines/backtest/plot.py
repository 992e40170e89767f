"""``--plot FILE.png``: price with trades, equity and drawdown, drawn by matplotlib (Agg)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from cryptotrader.engines.backtest import _kernel as k
from cryptotrader.engines.backtest.result import BacktestResult


def plot_result(result: BacktestResult, path: Path) -> None:
    """Write a three-panel PNG of ``result`` to ``path``."""
    import matplotlib as mpl  # noqa: PLC0415 - deferred: only --plot needs matplotlib

    mpl.use("Agg")
    from matplotlib import pyplot as plt  # noqa: PLC0415

    candles = result.candles
    times = candles.timestamps.astype("datetime64[ms]")
    curve_times = result.equity.times.astype("datetime64[ms]")
    figure, (price, equity, drawdown) = plt.subplots(
        3, 1, figsize=(12, 9), sharex=True, gridspec_kw={"height_ratios": [3, 2, 1]}
    )
    price.plot(times, candles.close, linewidth=0.7, color="#333333")
    table = result.table
    if table.shape[0]:
        entries = table[:, k.COL_ENTRY_BAR].astype(np.int64)
        exits = table[:, k.COL_EXIT_BAR].astype(np.int64)
        price.scatter(times[entries], table[:, k.COL_ENTRY_PRICE], s=10, marker="^", color="green")
        price.scatter(times[exits], table[:, k.COL_EXIT_PRICE], s=10, marker="v", color="red")
    price.set_title(f"{result.strategy_name} - {result.pair.symbol} {result.timeframe}")
    price.set_ylabel(result.pair.quote)
    equity.plot(curve_times, result.equity.values, linewidth=0.9, color="#2563eb")
    equity.set_ylabel("equity")
    drawdown.fill_between(curve_times, -result.equity.drawdown * 100, 0, color="#dc2626", alpha=0.4)
    drawdown.set_ylabel("drawdown %")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
