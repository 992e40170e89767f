"""Market data: the candle frame, file I/O with validation, and resampling.

Downloads from exchanges live in ``exchanges.ccxt.download``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# ``resample`` and ``validation`` (numpy only) load now: ``resample`` is also the name of a module
# here, and a lazy name would be shadowed by the module once anything imports it.
from cryptotrader.marketdata.resample import resample, resample_frame
from cryptotrader.marketdata.validation import Gap, find_gaps, infer_timeframe, validate_arrays

if TYPE_CHECKING:
    from cryptotrader.marketdata.frames import (
        candle_arrays,
        candle_frame,
        timestamps_ms,
        utc_index,
    )
    from cryptotrader.marketdata.io import OhlcvFile, read_ohlcv, write_frame, write_ohlcv

# The other names load on first use (PEP 562): a backtest reading a plain CSV must not pay for
# pandas (the frames) or anything a download needs.
_WHERE = {
    "candle_arrays": "frames",
    "candle_frame": "frames",
    "timestamps_ms": "frames",
    "utc_index": "frames",
    "OhlcvFile": "io",
    "read_ohlcv": "io",
    "write_frame": "io",
    "write_ohlcv": "io",
}

__all__ = [
    "Gap",
    "OhlcvFile",
    "candle_arrays",
    "candle_frame",
    "find_gaps",
    "infer_timeframe",
    "read_ohlcv",
    "resample",
    "resample_frame",
    "timestamps_ms",
    "utc_index",
    "validate_arrays",
    "write_frame",
    "write_ohlcv",
]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        module = importlib.import_module(f"{__name__}.{_WHERE[name]}")
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
