"""Backtest benchmark against vectorbt and backtesting.py, on 1,000,000 one-minute candles.

Run: ``.venv/bin/python -m bench.backtest`` from backend/ (needs ../shared/data and the ``bench``
extra: ``uv pip install -e 'backend[bench]'``). Same process, identical signals (our SMA 20/50
cross) and conventions (SL 2% / TP 10%, fee 0.1%, slippage 0.05% per fill, all-in sizing).
Targets (issue "Decision engine, strategies and a backtest engine"): end to end <= 0.25 s warm and
< 1 s cold; plain-Python per-bar strategy > 1M candles/s; conservative / aggressive with the full
indicator set on 1M candles < 1 s; portfolio of both bots on 8 years of 1h < 0.5 s; sweep of 5
reallocation ratios < 2 s; peak memory < 2 GiB.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bench._common import SHARED_DATA, best_of, btc_minutes_extended, machine, peak_rss_mib
from cryptotrader.domain import CandleArrays, Timeframe
from cryptotrader.domain.markets import MarketRules
from cryptotrader.engines.backtest import BacktestConfig, BacktestEngine, BacktestResult
from cryptotrader.engines.backtest.portfolio import PortfolioBacktest, parse_sweep
from cryptotrader.marketdata import read_ohlcv
from cryptotrader.sentiment import load_fear_greed_csv
from cryptotrader.strategies import IndicatorSpec, PerBarStrategy, create_strategy
from cryptotrader.strategies.evaluation import evaluate_rule
from cryptotrader.strategies.sma_cross import SmaCrossParams

SL, TP, FEE, SLIP = 0.02, 0.10, 0.001, 0.0005
# The references know no amount step or minimum notional: neither do our comparison runs.
FREE = MarketRules(amount_step=Decimal("1e-8"), min_amount=Decimal(0), min_notional=Decimal(0))
ALL_IN = BacktestConfig(
    stake=Decimal(1), stop_loss=Decimal("0.02"), take_profit=Decimal("0.10"), market=FREE
)
CLOSE_ALL_IN = ALL_IN.model_copy(update={"fill": "close"})


def fresh(candles: CandleArrays) -> CandleArrays:
    """A new object over the same arrays: nothing computed on the previous run is reused."""
    return dataclasses.replace(candles)


# 2024's minute SMA cross loses almost everything after fees: a large start keeps the last trades'
# quantities far above the 1e-8 step, so both engines still trade the same amounts at the end.
CAPITAL = 1_000_000_000


def ours(candles: CandleArrays, config: BacktestConfig = ALL_IN) -> BacktestResult:
    """End to end: indicators, decisions, simulation, Decimal trades, equity curve, metrics."""
    return BacktestEngine(config=config).run(
        fresh(candles), create_strategy("sma_cross"), CAPITAL, Timeframe.M1
    )


def vectorbt_run(
    candles: CandleArrays, entries: Any, exits: Any, engine: str | None, stats: bool
) -> Any:
    import vectorbt as vbt

    index = pd.DatetimeIndex(candles.timestamps.astype("datetime64[ms]"))
    close = pd.Series(candles.close, index=index)
    portfolio = vbt.Portfolio.from_signals(
        close, entries, exits, open=candles.open, high=candles.high, low=candles.low,
        sl_stop=SL, tp_stop=TP, fees=FEE, slippage=SLIP, init_cash=float(CAPITAL), freq="1min",
        stop_entry_price="fillprice",  # ours: stops are fractions of the entry fill price
        **({"engine": engine} if engine else {}),
    )  # fmt: skip
    if stats:
        portfolio.stats()
    return portfolio


def backtesting_py(candles: CandleArrays, entries: Any, exits: Any) -> Any:
    from backtesting import Backtest, Strategy

    frame = pd.DataFrame(
        {"Open": candles.open, "High": candles.high, "Low": candles.low, "Close": candles.close,
         "Volume": candles.volume},
        index=pd.DatetimeIndex(candles.timestamps.astype("datetime64[ms]")),
    )  # fmt: skip

    class Signals(Strategy):  # type: ignore[misc]
        def init(self) -> None:
            self.entry = self.I(lambda: entries.astype(float), plot=False)
            self.exit = self.I(lambda: exits.astype(float), plot=False)

        def next(self) -> None:
            price = self.data.Close[-1]
            if self.position and self.exit[-1]:
                self.position.close()
            elif not self.position and self.entry[-1]:
                self.buy(sl=price * (1 - SL), tp=price * (1 + TP))

    run = Backtest(frame, Signals, cash=CAPITAL, commission=FEE, spread=SLIP, finalize_trades=True)
    return run.run()


class PlainPythonCross(PerBarStrategy[SmaCrossParams]):
    """The SMA cross written for one candle, as a user would, in plain Python."""

    name = "plain_python_cross"
    params_model = SmaCrossParams
    columns = ("sma_20", "sma_50")

    @property
    def indicators(self) -> tuple[IndicatorSpec, ...]:
        return (IndicatorSpec("sma", {"period": 20}), IndicatorSpec("sma", {"period": 50}))

    @staticmethod
    def on_bar(now: Any, before: Any) -> int:
        if now[0] > now[1] and before[0] <= before[1]:
            return 1
        if now[0] < now[1] and before[0] >= before[1]:
            return -1
        return 0


def per_bar_plain_python(candles: CandleArrays) -> tuple[float, float, int]:
    """Candles per second of a plain-Python per-candle rule: the rule alone, and end to end."""
    strategy = PlainPythonCross()
    engine = BacktestEngine(config=ALL_IN)
    inputs = engine.inputs(strategy, candles, Timeframe.M1)
    rule = best_of(5, lambda: evaluate_rule(strategy, inputs))
    whole = best_of(
        5,
        lambda: BacktestEngine(config=ALL_IN).run(fresh(candles), strategy, CAPITAL, Timeframe.M1),
    )
    trades = (
        BacktestEngine(config=ALL_IN)
        .run(candles, strategy, CAPITAL, Timeframe.M1)
        .metrics.total_trades
    )
    return len(candles) / rule, len(candles) / whole, trades


def same_trades(ours_result: BacktestResult, portfolio: Any) -> str:
    """How far our trades and vectorbt's agree (entry and exit candles), and where they part."""
    records = portfolio.trades.records
    vb = np.c_[records["entry_idx"].to_numpy(), records["exit_idx"].to_numpy()]
    mine = ours_result.table[:, [0, 3]].astype(np.int64)
    m = min(len(vb), len(mine))
    differ = np.flatnonzero((vb[:m] != mine[:m]).any(axis=1))
    if differ.size == 0 and len(vb) == len(mine):
        return f"all {m} trades identical"
    first = int(differ[0]) if differ.size else m
    equity = ours_result.equity.values[int(mine[min(first, len(mine) - 1), 0])]
    return f"first {first} trades identical; they part where the equity is down to {equity:.6f}"


COLD = """
import json, resource, sys, time
start = time.perf_counter()
import numpy as np
from cryptotrader.domain import CandleArrays, Timeframe
from cryptotrader.engines.backtest import BacktestConfig, BacktestEngine
from cryptotrader.strategies import create_strategy
from decimal import Decimal
imported = time.perf_counter()
data = np.load(sys.argv[1])
names = ("timestamps", "open", "high", "low", "close", "volume")
candles = CandleArrays(*(np.ascontiguousarray(data[k]) for k in names))
loaded = time.perf_counter()
config = BacktestConfig.model_validate(json.loads(sys.argv[2]))
strategy = create_strategy("sma_cross")
result = BacktestEngine(config=config).run(candles, strategy, 10**9, Timeframe.M1)
done = time.perf_counter()
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
figures = {"imports": imported - start, "run": done - loaded, "rss": rss}
print(json.dumps(figures | {"trades": result.metrics.total_trades}))
"""


def cold_start(candles: CandleArrays) -> dict[str, float]:
    """A fresh interpreter: imports, then the first run (numba loads its on-disk cache)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "candles.npz"
        np.savez(
            path,
            **{
                k: getattr(candles, k)
                for k in ("timestamps", "open", "high", "low", "close", "volume")
            },
        )
        config = ALL_IN.model_dump_json()
        began = time.perf_counter()
        out = subprocess.run(  # noqa: S603 - our own interpreter on our own script
            [sys.executable, "-c", COLD, str(path), config],
            capture_output=True,
            text=True,
            check=True,
        )
        total = time.perf_counter() - began
    figures: dict[str, float] = json.loads(out.stdout)
    figures["process"] = total
    return figures


def main() -> None:  # noqa: PLR0915 - one script printing every figure
    candles, what = btc_minutes_extended()
    hours = read_ohlcv(SHARED_DATA / "binance_BTC-USDT_1h.csv.gz").arrays
    fear_greed = load_fear_greed_csv(SHARED_DATA / "alternative-me_fear-greed_1d.csv")
    print(f"date: {dt.datetime.now(dt.UTC):%Y-%m-%d}  machine: {machine()}")
    print(f"data: {what}")

    result = ours(candles)
    warm = best_of(5, lambda: ours(candles))
    warm_close = best_of(5, lambda: ours(candles, CLOSE_ALL_IN))
    risk_sized = best_of(5, lambda: ours(candles, BacktestConfig()))
    engine = BacktestEngine(config=ALL_IN)
    strategy = create_strategy("sma_cross")
    sim = engine.simulation(strategy, candles, Timeframe.M1, bot=strategy.target_bot)
    kernel = best_of(
        5, lambda: sim.run(start=0, cash=float(CAPITAL), risk_ratio=0.03, max_events=0)
    )
    decisions = engine.decisions(strategy, candles, Timeframe.M1)
    entries, exits = decisions.entries, decisions.exits
    cold = cold_start(candles)
    rule_rate, whole_rate, per_bar_trades = per_bar_plain_python(candles)

    close_result = ours(candles, CLOSE_ALL_IN)
    t = time.perf_counter()
    import vectorbt  # noqa: F401 - import time reported apart

    vbt_import = time.perf_counter() - t
    vbt_numba = best_of(3, lambda: vectorbt_run(candles, entries, exits, "numba", stats=False))
    vbt_numba_stats = best_of(3, lambda: vectorbt_run(candles, entries, exits, "numba", stats=True))
    try:
        vbt_rust = best_of(3, lambda: vectorbt_run(candles, entries, exits, "rust", stats=False))
        vbt_rust_stats = best_of(
            3, lambda: vectorbt_run(candles, entries, exits, "rust", stats=True)
        )
    except Exception as exc:  # noqa: BLE001 - report that the Rust engine is unavailable
        print(f"vectorbt-rust unavailable: {exc!r}")
        vbt_rust = vbt_rust_stats = float("nan")
    pf = vectorbt_run(candles, entries, exits, None, stats=False)
    t = time.perf_counter()
    bt_stats = backtesting_py(candles, entries, exits)
    bt = time.perf_counter() - t

    conservative = create_strategy("conservative")
    aggressive = create_strategy("aggressive")
    deps = {"fear_greed": fear_greed}
    full_cons = best_of(
        3,
        lambda: BacktestEngine(dependencies=deps).run(
            fresh(candles), conservative, 1000, Timeframe.M1
        ),
    )
    full_aggr = best_of(
        3,
        lambda: BacktestEngine(dependencies=deps).run(
            fresh(candles), aggressive, 1000, Timeframe.M1
        ),
    )

    def portfolio(ratios: str | None) -> Any:
        backtest = PortfolioBacktest(engine=BacktestEngine(dependencies=deps))
        setup = backtest.setup(fresh(hours), Timeframe.H1, safe=conservative, aggressive=aggressive)
        return backtest.sweep(setup, parse_sweep(ratios) if ratios else [Decimal("0.30")])

    one = best_of(3, lambda: portfolio(None))
    five = best_of(3, lambda: portfolio("0.1:0.5:0.1"))
    sample = portfolio(None)[0]

    m, c = result.metrics, close_result.metrics
    print(f"start capital {CAPITAL:,}")
    print(f"ours, next-open fills: {m.total_trades} trades, final {m.final_capital:.4f}")
    print(f"ours, close fills:     {c.total_trades} trades, final {c.final_capital:.4f}")
    print(f"vectorbt, close fills: {len(pf.trades.records)} trades, final {pf.final_value():.4f}")
    print(f"ours (close fills) vs vectorbt: {same_trades(close_result, pf)}")
    print(
        f"backtesting.py (next-open fills, SL/TP from the signal close): "
        f"{bt_stats['# Trades']} trades, return {bt_stats['Return [%]']:.2f}%"
    )
    print()
    line("ours end to end, warm (next open)", warm, "target <= 250 ms")
    line("ours end to end, warm (close fills)", warm_close)
    line("ours end to end, warm, risk-based sizing", risk_sized)
    line("ours simulation kernel only", kernel)
    print(
        f"ours cold: fresh process {cold['process']:.2f} s = imports {cold['imports']:.2f} s"
        f" + first run {cold['run']:.2f} s + interpreter and data load   (target < 1 s)"
    )
    line("vectorbt import", vbt_import)
    for label, seconds in (
        ("vectorbt numba engine, simulation", vbt_numba),
        ("vectorbt numba engine, + stats()", vbt_numba_stats),
        ("vectorbt rust engine, simulation", vbt_rust),
        ("vectorbt rust engine, + stats()", vbt_rust_stats),
    ):
        line(label, seconds, f"ours/vectorbt {warm / seconds:5.2f}x")
    line("backtesting.py", bt, f"backtesting.py/ours {bt / warm:5.1f}x (target > 30x)")
    print(f"plain-Python per-candle rule alone          {rule_rate / 1e6:8.2f} M candles/s")
    print(
        f"plain-Python per-candle rule, end to end    {whole_rate / 1e6:8.2f} M candles/s,"
        f" {per_bar_trades} trades  (target > 1 M/s)"
    )
    line("conservative, full set, 1M candles", full_cons, "target < 1000 ms")
    line("aggressive, full set, 1M candles", full_aggr, "target < 1000 ms")
    line(
        f"portfolio, both bots, {len(hours)} 1h candles",
        one,
        f"target < 500 ms; {sample.combined.total_trades} trades,"
        f" {len(sample.reallocations)} reallocations",
    )
    line("sweep of 5 reallocation ratios", five, "target < 2000 ms")
    print(
        f"peak RSS, ours alone (cold process)         {cold['rss']:8.0f} MiB  (target < 2048 MiB)"
    )
    print(f"peak RSS, this whole benchmark              {peak_rss_mib():8.0f} MiB")


def line(label: str, seconds: float, note: str = "") -> None:
    print(f"{label:<44}{seconds * 1e3:8.1f} ms   {note}")


if __name__ == "__main__":
    main()
