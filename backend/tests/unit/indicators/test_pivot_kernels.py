"""Support/resistance's pivot loop in numpy against the plain loop, and when numba loads."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from cryptotrader.indicators import _kernels
from tests.support.builders import random_walk


@pytest.mark.parametrize(
    ("window", "max_levels", "lookback", "digits"),
    [
        (5, 12, 300, None),  # the defaults
        (2, 1, 2, None),  # one level, a lookback shorter than a pivot's confirmation
        (3, 100, 50, None),  # more levels than the lookback holds
        (2, 3, 1_000, -1),  # coarse prices: plateaus, ties between levels and the close
        (7, 12, 20, 0),
    ],
)
def test_levels_in_numpy_equal_the_loop(
    window: int, max_levels: int, lookback: int, digits: int | None
) -> None:
    candles = random_walk(3_000, seed=11)
    high, low, close = candles.high, candles.low, candles.close
    if digits is not None:
        high, low, close = (np.round(a, digits) for a in (high, low, close))
    is_high, is_low = _kernels.pivots(high, low, window)
    args = (high, low, close, is_high, is_low, window, max_levels, lookback)
    plain = _kernels._levels_py(*args)
    vectorised = _kernels._levels_np(*args)
    assert any(np.isfinite(plain[0]))  # levels were found
    assert any(np.isfinite(plain[1]))
    for a, b in zip(vectorised, plain, strict=True):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)


def test_levels_in_numpy_when_no_pivot_equal_the_loop() -> None:
    rising = np.arange(1.0, 2_001.0)  # strictly rising: no pivot at all
    is_high, is_low = _kernels.pivots(rising, rising, 5)
    args = (rising, rising, rising, is_high, is_low, 5, 12, 300)
    for a, b in zip(_kernels._levels_np(*args), _kernels._levels_py(*args), strict=True):
        np.testing.assert_array_equal(a, b)


_PROBE = """
import sys
import numpy as np
from cryptotrader.indicators._kernels import pivot_levels
close = 100 + np.cumsum(np.random.default_rng(3).normal(size={n}))
pivot_levels(close + 1, close - 1, close, 5, 12, 300)
print("numba" in sys.modules)
"""


@pytest.mark.parametrize(("n", "loaded"), [(2_500, False), (300, True)])
def test_pivot_levels_load_numba_only_for_a_short_input(n: int, loaded: bool) -> None:
    """A replay's long runs are computed without importing numba (~0.23 s of CPU); live loads it."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", _PROBE.format(n=n)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    assert done.stdout.strip() == str(loaded)


def test_pivot_levels_once_numba_is_loaded_stay_compiled(monkeypatch: pytest.MonkeyPatch) -> None:
    candles = random_walk(2_500, seed=9)
    short = random_walk(300, seed=9)
    _kernels.pivot_levels(short.high, short.low, short.close, 5, 12, 300)  # loads numba
    assert "numba" in sys.modules

    def refused(*args: object) -> object:
        raise AssertionError("numpy path taken with numba loaded")

    monkeypatch.setattr(_kernels, "_levels_np", refused)
    compiled = _kernels.pivot_levels(candles.high, candles.low, candles.close, 5, 12, 300)
    plain = _kernels.pivot_levels(
        candles.high, candles.low, candles.close, 5, 12, 300, compiled=False
    )
    for a, b in zip(compiled, plain, strict=True):
        np.testing.assert_array_equal(a, b)
