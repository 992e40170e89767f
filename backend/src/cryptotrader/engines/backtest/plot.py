"""``--plot FILE.png``: price with trades, equity and drawdown, drawn by matplotlib (Agg)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from cryptotrader.engines.backtest import _kernel as k
from cryptotrader.engines.backtest.report import benchmark, hold_curve, trade_periods
from cryptotrader.engines.backtest.result import BacktestResult

MAX_MARKERS = 150
"""Above this many trades, trades are drawn per time bucket (one marker: net P&L, count)."""
BUCKETS = 120
WIDE_RANGE = 8.0
"""A price or equity whose high is this many times its low is drawn on a log scale."""


def plot_result(result: BacktestResult, path: Path) -> None:
    """Write a three-panel PNG of ``result`` to ``path``, readable at any length.

    Price and equity go to a log scale when their range is wide; beyond ``MAX_MARKERS`` trades
    the exits are aggregated per time bucket (green: net gain, red: net loss, size: how many);
    buy-and-hold's equity is drawn beside the strategy's and the key figures head the chart.
    """
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
    _trades(price, result, times)
    _maybe_log(price, candles.close)
    price.set_title(_headline(result), fontsize=10, loc="left")
    price.set_ylabel(result.pair.quote)
    held = hold_curve(result)
    equity.plot(curve_times, result.equity.values, linewidth=0.9, color="#2563eb", label="strategy")
    equity.plot(curve_times, held, linewidth=0.7, color="#9ca3af", label="buy & hold")
    equity.legend(loc="upper left", fontsize=8)
    _maybe_log(equity, np.concatenate((result.equity.values, held)))
    equity.set_ylabel("equity")
    drawdown.fill_between(curve_times, -result.equity.drawdown * 100, 0, color="#dc2626", alpha=0.4)
    drawdown.set_ylabel("drawdown %")
    figure.suptitle(
        f"{result.strategy_name} - {result.pair.symbol} {result.timeframe} - "
        f"{len(candles):,} candles",
        fontsize=12,
    )
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def _headline(result: BacktestResult) -> str:
    m, held = result.metrics, benchmark(result)
    dd = m.max_drawdown
    sharpe = "n/a" if m.sharpe_ratio is None else f"{m.sharpe_ratio:.2f}"
    held_sharpe = "n/a" if held.sharpe_ratio is None else f"{held.sharpe_ratio:.2f}"
    return (
        f"return {m.total_return:+.1%} (buy & hold {held.total_return:+.1%})   "
        f"max drawdown {-dd.depth:.1%} (buy & hold {-held.max_drawdown.depth:.1%})   "
        f"Sharpe {sharpe} (buy & hold {held_sharpe})   {m.total_trades} trades"
    )


def _maybe_log(axes: Any, values: Any) -> None:
    positive = values[values > 0]
    if positive.shape[0] and float(positive.max()) / float(positive.min()) >= WIDE_RANGE:
        axes.set_yscale("log")


def _trades(price: Any, result: BacktestResult, times: Any) -> None:
    table = result.table
    if not table.shape[0]:
        return
    entries = table[:, k.COL_ENTRY_BAR].astype(np.int64)
    exits = table[:, k.COL_EXIT_BAR].astype(np.int64)
    if table.shape[0] <= MAX_MARKERS:
        price.scatter(times[entries], table[:, k.COL_ENTRY_PRICE], s=10, marker="^", color="green")
        price.scatter(times[exits], table[:, k.COL_EXIT_PRICE], s=10, marker="v", color="red")
        return
    for period in trade_periods(result, BUCKETS):
        price.scatter(
            times[period.bar],
            period.price,
            s=8 + 4 * period.count,
            marker="o",
            color="#16a34a" if period.net_pnl > 0 else "#dc2626",
            alpha=0.6,
            edgecolors="none",
        )
    price.text(
        0.01, 0.97, f"{table.shape[0]} trades: one dot per period, net gain green, loss red, "
        "size = trades", transform=price.transAxes, fontsize=8, va="top",
    )  # fmt: skip
