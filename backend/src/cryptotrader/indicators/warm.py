"""The compiled indicator loops loaded before the first live candle time, not inside it.

numba is imported, and the loops of ``_across`` and the pivot kernel compiled (or read from
their on-disk cache), on their first call: about a second or two of CPU that a live process
would otherwise spend inside its first candle time of many pairs (``compute_rows``), delaying
that candle time's orders. ``cryptotrader run`` and ``engine`` warm them in a thread of their
own once the engines are built, live only: a replay never loads numba for them (its long runs
take the numpy paths, ``_kernels.NUMPY_FROM``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable

import numpy as np

from cryptotrader.domain.market import CandleArrays
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.indicators.engine import IndicatorEngine

log = logging.getLogger(__name__)

CANDLES = 600
"""Each made-up window's length: longer than every built-in indicator's rows pad and period."""


def made_up_windows(pairs: int = 2, length: int = CANDLES) -> list[CandleArrays]:
    """``pairs`` random-walk windows of 1m candles on one timeline (fixed seed).

    Inputs of the shapes and types a live candle time gives ``compute_rows``, not market data.
    """
    rng = np.random.default_rng(7)
    stamps = 1_700_000_040_000 + 60_000 * np.arange(length, dtype=np.int64)
    windows = []
    for _ in range(pairs):
        close = 100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.002, length)))
        open_ = np.concatenate(([close[0]], close[:-1]))
        spread = np.abs(rng.normal(0.0, 0.001, length))
        high = np.maximum(open_, close) * (1.0 + spread)
        low = np.minimum(open_, close) * (1.0 - spread)
        volume = rng.uniform(1.0, 10.0, length)
        windows.append(CandleArrays(stamps, open_, high, low, close, volume))
    return windows


def warm(engines: Iterable[IndicatorEngine]) -> None:
    """Run each engine's candle time of several pairs once, on made-up windows.

    Its compiled loops are loaded, and compiled for the argument types the live path passes.
    """
    windows = made_up_windows()
    for engine in engines:
        engine.compute_rows(windows, Timeframe.M1, 1)


def warm_in_background(engines: Iterable[IndicatorEngine]) -> threading.Thread:
    """``warm`` in a daemon thread; a failure is logged (the first live call compiles then)."""
    chosen = list(engines)

    def run() -> None:
        try:
            warm(chosen)
        except Exception:  # warming is an optimisation: the live path compiles on first use
            log.warning("warming the compiled indicator loops failed", exc_info=True)

    thread = threading.Thread(target=run, name="warm-indicator-loops", daemon=True)
    thread.start()
    return thread
