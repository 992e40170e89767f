"""TA-Lib imported without pandas.

TA-Lib's package imports pandas (and polars) when they are installed, only to accept their Series;
the indicators pass numpy arrays, and pandas costs a third of a second of every cold backtest. So
TA-Lib is imported here first, with pandas hidden, unless pandas is already loaded. The functions
are the same C functions; a pandas Series given to them later comes back as an array.
"""

from __future__ import annotations

import sys
import threading

_lock = threading.Lock()


def load() -> None:
    """Import ``talib`` (once) without letting it import pandas."""
    with _lock:
        if "talib" in sys.modules or "pandas" in sys.modules:
            import talib  # noqa: PLC0415 - the package's own import, pandas and all

            return
        sys.modules["pandas"] = None  # type: ignore[assignment]  # talib's import fails softly
        try:
            import talib  # noqa: F401, PLC0415
        finally:
            del sys.modules["pandas"]


load()
