"""The compiled indicator loops loaded before a live candle time (``indicators.warm``)."""

from __future__ import annotations

import logging
import sys
from typing import Any

import numpy as np
import pytest

from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.indicators import _across, _kernels
from cryptotrader.indicators.engine import IndicatorEngine
from cryptotrader.indicators.warm import made_up_windows, warm, warm_in_background
from cryptotrader.strategies import create_strategy
from cryptotrader.strategies.evaluation import build_indicator_engine

STRATEGIES = ("conservative", "aggressive")


def _signatures() -> dict[str, int]:
    """How many argument types each compiled loop has been compiled for."""
    loops: dict[str, Any] = {name: _across._compiled(name) for name in _across._PLAIN}
    loops["pivot levels"] = _kernels._compiled()
    return {name: len(loop.signatures) for name, loop in loops.items()}


def test_made_up_windows_are_candles() -> None:
    windows = made_up_windows(3, 200)
    assert len(windows) == 3
    for w in windows:
        assert len(w) == 200
        assert np.all(w.high >= np.maximum(w.open, w.close))
        assert np.all(w.low <= np.minimum(w.open, w.close))
        assert np.all(w.low > 0)
        assert np.all(np.diff(w.timestamps) == 60_000)


def test_after_warming_a_live_candle_time_compiles_nothing() -> None:
    warm([build_indicator_engine(create_strategy(name)) for name in STRATEGIES])
    assert "numba" in sys.modules
    warmed = _signatures()
    assert sum(warmed.values()) > 0  # the default strategies do read compiled loops
    live = [build_indicator_engine(create_strategy(name)) for name in STRATEGIES]
    windows = made_up_windows(5, 900)  # another count of pairs, another length
    for engine in live:
        engine.compute_rows(windows, Timeframe.M1, 1)
    assert _signatures() == warmed


class _Broken(IndicatorEngine):
    def compute_rows(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("broken on purpose")


def test_a_failed_warm_up_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="cryptotrader.indicators.warm"):
        warm_in_background([_Broken()]).join(timeout=60)
    assert "warming the compiled indicator loops failed" in caplog.text
