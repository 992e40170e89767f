"""Indicator engine benchmark against TA-Lib called directly, on 1,000,000 one-minute candles.

Run: ``.venv/bin/python backend/bench/indicators.py`` (needs ../shared/data).
Targets (issue "Core"): the classic set through the engine within 1.3x of TA-Lib direct; the full
engine (every indicator and the interpretations) under 0.3 s; multi-timeframe 1m -> 5m, 15m, 1h,
4h, 1d with every indicator on each under 1.0 s; peak memory under 1 GiB.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from collections.abc import Callable

import numpy as np
import talib
from talib._ta_lib import MA_Type

from bench._common import SHARED_DATA, best_of, btc_minutes_extended, machine, peak_rss_mib, today
from cryptotrader.config import load_settings
from cryptotrader.domain import CandleArrays, Timeframe
from cryptotrader.indicators.engine import IndicatorEngine
from cryptotrader.sentiment import load_sentiment

CLASSIC = ["rsi", "macd", "bollinger", "ema", "sma", "stoch_rsi", "adi", "atr"]
HIGHER = [Timeframe.M5, Timeframe.M15, Timeframe.H1, Timeframe.H4, Timeframe.D1]


def talib_direct(c: CandleArrays) -> list[object]:
    """The classic set, straight from TA-Lib; the results are returned (and so kept)."""
    return [
        talib.RSI(c.close, 14),
        talib.MACD(c.close, 12, 26, 9),
        talib.BBANDS(c.close, 20, 2.0, 2.0, MA_Type.SMA),
        talib.EMA(c.close, 50),
        talib.SMA(c.close, 200),
        talib.STOCHRSI(c.close, 14, 14, 3, MA_Type.SMA),
        talib.AD(c.high, c.low, c.close, c.volume),
        talib.ATR(c.high, c.low, c.close, 14),
    ]


class Keeper:
    """Holds the last two results of a call, as a caller using them would.

    Timing a call whose result is dropped at once measures glibc handing the same freed pages
    back, not the work: a result that is kept needs fresh pages (page faults), as the engine's do.
    """

    def __init__(self, fn: Callable[[], object]) -> None:
        self.fn = fn
        self.kept: list[object] = []

    def __call__(self) -> None:
        self.kept = [*self.kept[-1:], self.fn()]


def main() -> None:
    candles, what = btc_minutes_extended()

    def fresh() -> CandleArrays:
        # A new object over the same arrays: the engine's per-series memo (ATR) starts empty.
        return dataclasses.replace(candles)

    # Real Fear & Greed history from ../shared/data; Google Trends is unreachable here (weight 0).
    fear_greed_file = SHARED_DATA / "alternative-me_fear-greed_1d.csv"
    dependencies = load_sentiment(load_settings(), fear_greed_file, names=["fear_greed"])
    classic = IndicatorEngine.with_default_set(CLASSIC)
    full = IndicatorEngine.with_default_set(**dependencies)

    anchor = best_of(5, lambda: np.diff(candles.close))
    direct_dropped = best_of(5, lambda: talib_direct(candles))
    direct = best_of(5, Keeper(lambda: talib_direct(candles)))
    ours_classic = best_of(5, Keeper(lambda: classic.compute(fresh(), Timeframe.M1)))
    ours_classic_lean = best_of(
        5, Keeper(lambda: classic.compute(fresh(), Timeframe.M1, with_strengths=False))
    )
    ours_full = best_of(5, Keeper(lambda: full.compute(fresh(), Timeframe.M1)))
    ours_multi = best_of(3, Keeper(lambda: full.compute_from_base(fresh(), Timeframe.M1, HIGHER)))

    rows = [
        ("numpy pass over the closes (anchor)", anchor, ""),
        ("TA-Lib direct, classic set, results dropped", direct_dropped, ""),
        ("TA-Lib direct, classic set, results kept", direct, "the reference"),
        (
            "engine, classic set, latest reading",
            ours_classic_lean,
            f"{ours_classic_lean / direct:.2f}x TA-Lib (target <= 1.3x)",
        ),
        (
            "engine, classic set, every candle scored",
            ours_classic,
            f"{ours_classic / direct:.2f}x TA-Lib",
        ),
        ("engine, full set + interpretations", ours_full, "target < 300 ms"),
        ("multi-timeframe 1m->5m,15m,1h,4h,1d, full set", ours_multi, "target < 1000 ms"),
    ]
    print(f"date: {today()}  machine: {machine()}")
    print(f"data: {what}; {len(full.indicators)} indicators in the full set")
    for label, seconds, note in rows:
        print(f"{label:48s} {seconds * 1e3:8.1f} ms  {note}")
    memory = subprocess.run(
        [sys.executable, "-m", "bench.indicators", "--memory"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    print(f"{'peak RSS, fresh process, multi-timeframe once':48s} {memory} MiB (target < 1024 MiB)")


def measure_memory() -> None:
    """Peak resident memory of one multi-timeframe computation of the full set, in MiB."""
    candles, _ = btc_minutes_extended()
    fear_greed_file = SHARED_DATA / "alternative-me_fear-greed_1d.csv"
    dependencies = load_sentiment(load_settings(), fear_greed_file, names=["fear_greed"])
    engine = IndicatorEngine.with_default_set(**dependencies)
    engine.compute_from_base(candles, Timeframe.M1, HIGHER)
    print(f"{peak_rss_mib():.0f}")


if __name__ == "__main__":
    if "--memory" in sys.argv:
        measure_memory()
    else:
        main()
