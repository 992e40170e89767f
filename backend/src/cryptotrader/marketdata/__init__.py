"""Market data: the candle frame, file I/O with validation, and resampling.

Downloads from exchanges live in ``exchanges.ccxt.download``.
"""

from cryptotrader.marketdata.frames import candle_arrays, candle_frame, timestamps_ms, utc_index
from cryptotrader.marketdata.io import OhlcvFile, read_ohlcv, write_frame, write_ohlcv
from cryptotrader.marketdata.resample import resample, resample_frame
from cryptotrader.marketdata.validation import Gap, find_gaps, infer_timeframe, validate_arrays

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
