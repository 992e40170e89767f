"""The single backtest end to end against vectorbt-rust with its statistics, side by side.

Run: ``.venv/bin/python -W ignore -m bench.single_backtest`` from backend/ (needs ../shared/data
and the ``bench`` extra). Target (issue 18): ours end to end (indicators, decisions, kernel,
exact ``Decimal`` capital and fees, equity curve, every metric) at least 4x faster than
vectorbt's Rust engine ``from_signals`` + ``stats()`` on the same signals, in the same run.

The machine is shared: each round times both (best of 5 each, interleaved), prints the ratio
and the load average; the figure to quote is the median ratio over the rounds. The ``Trade``
objects are built only when read (a JSON or HTML report): their cost is printed apart.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from decimal import Decimal

from bench._common import best_of, btc_minutes_extended, machine, today
from bench.backtest import ALL_IN, CAPITAL, fresh, ours, vectorbt_run
from cryptotrader.domain import CandleArrays, Timeframe
from cryptotrader.engines.backtest import BacktestEngine
from cryptotrader.engines.backtest.ledger import FillTimes, TradeBook, build_ledger, equity_curve
from cryptotrader.engines.backtest.metrics import compute_metrics
from cryptotrader.engines.backtest.report import result_dict
from cryptotrader.strategies import Decisions, create_strategy

ROUNDS = 5


def stages(candles: CandleArrays) -> dict[str, float]:
    """Best-of-5 seconds of each stage of ``ours`` on warm caches (what the total is made of)."""
    strategy = create_strategy("sma_cross")
    engine = BacktestEngine(config=ALL_IN)
    sim = engine.simulation(strategy, candles, Timeframe.M1, bot=strategy.target_bot)
    table = sim.run(start=0, cash=float(CAPITAL), risk_ratio=0.03, max_events=-1).table
    closes = candles.close
    stops = (Decimal("0.02"), Decimal("0.10"))
    times = FillTimes(candles.timestamps, Timeframe.M1)

    def book() -> TradeBook:
        return TradeBook(
            table, fee_rate=ALL_IN.fee, amount_step=ALL_IN.market.amount_step, stops=stops,
            times=times, bot=strategy.target_bot, pair=engine.pair,
        )  # fmt: skip

    ledger = build_ledger(book(), initial_capital=Decimal(CAPITAL))
    curve, _ = equity_curve(table, closes, initial_capital=float(CAPITAL), fee=0.001, step=1e-8)
    bar_ends = Timeframe.M1.bucket_end(candles.timestamps)
    return {
        "indicators and decisions": best_of(
            5,
            lambda: BacktestEngine(config=ALL_IN).decisions(
                strategy,
                fresh(candles),
                Timeframe.M1,
            ),
        ),
        "kernel": best_of(
            5, lambda: sim.run(start=0, cash=float(CAPITAL), risk_ratio=0.03, max_events=-1)
        ),
        "exact capital, fees, trade figures": best_of(
            5, lambda: build_ledger(book(), initial_capital=Decimal(CAPITAL))
        ),
        "equity curve": best_of(
            5,
            lambda: equity_curve(
                table, closes, initial_capital=float(CAPITAL), fee=0.001, step=1e-8
            ),
        ),
        "metrics (returns, ratios, drawdown, trades)": best_of(
            5,
            lambda: compute_metrics(
                equity=curve,
                times=bar_ends,
                timeframe=Timeframe.M1,
                initial_capital=Decimal(CAPITAL),
                final_capital=ledger.final_capital,
                fees_paid=ledger.fees_paid,
                trades=ledger.outcomes,
                exposure=0.5,
            ),
        ),
        "Trade objects (read by JSON/HTML only)": best_of(5, lambda: book().trades),
    }


def one_round(candles: CandleArrays, decisions: Decisions) -> tuple[float, float]:
    """Best-of-5 seconds of ours and of vectorbt-rust with ``stats()``, one after the other."""
    mine = best_of(5, lambda: ours(candles))
    theirs = best_of(
        5, lambda: vectorbt_run(candles, decisions.entries, decisions.exits, "rust", stats=True)
    )
    return mine, theirs


def main() -> None:
    sizes = [int(arg) for arg in sys.argv[1:]] or [1_000_000, 5_000_000]
    print(f"date: {today()}  machine: {machine()}")
    for n in sizes:
        candles, what = btc_minutes_extended(n)
        strategy = create_strategy("sma_cross")
        decisions = BacktestEngine(config=ALL_IN).decisions(strategy, candles, Timeframe.M1)
        result = ours(candles)
        print(f"\ndata: {what}; {result.metrics.total_trades} trades")
        ratios = []
        for index in range(ROUNDS):
            load = os.getloadavg()[0]
            mine, theirs = one_round(candles, decisions)
            ratios.append(theirs / mine)
            print(
                f"round {index + 1}: ours {mine * 1e3:7.1f} ms   vectorbt-rust + stats()"
                f" {theirs * 1e3:7.1f} ms   ratio {theirs / mine:5.2f}x   load {load:4.1f}"
            )
        print(
            f"median ratio {statistics.median(ratios):.2f}x (min {min(ratios):.2f}x,"
            f" max {max(ratios):.2f}x; target >= 4x)"
        )
        for label, seconds in stages(candles).items():
            print(f"  {label:<40}{seconds * 1e3:8.1f} ms")
        began = time.perf_counter()
        result_dict(ours(candles))
        print(f"  {'end to end + JSON report with trades':<40}"
              f"{(time.perf_counter() - began) * 1e3:8.1f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
