"""The TA-Lib part of a live candle time, 50 pairs: batch calls over a window against streams.

Run from ``backend/``: ``../.venv/bin/python -m bench.indicator_streams [PAIRS TIMED WINDOW]``
(needs ../shared/data; default 50 pairs, 200 timed candle times, a 1,263-candle window, the
built-in set's memory).

Every TA-Lib function (with the built-ins' parameters) the built-in indicators call, for every
pair of a candle time, two ways: (a) as the live engines call them today, one batch call per
pair over the window of history kept; (b) ``indicators.streaming.PairStreams``, every pair's
stream stepped by its new candle. Same values on the newest candle (checked, bit for bit; the
window's recursive values are those of the window, the streams' of the whole series, so the
check is on the finite-memory functions and the streams against a whole-series batch). Printed:
CPU per candle time of each, and the ratio. Only the TA-Lib calls: the indicators' own
arithmetic, strengths, context and messages are not in either figure.
"""

from __future__ import annotations

import sys
import time
from typing import Any

import numpy as np
import talib

from bench._common import load, machine, today
from bench.runtime_pairs import MINUTES, build
from cryptotrader.domain.market import CandleArrays
from cryptotrader.indicators.streaming import PairStreams
from cryptotrader.marketdata import read_ohlcv

PAIRS, TIMED, WINDOW = 50, 200, 1_263

#: (function, inputs, outputs, parameters), as the built-in set calls them.
CALLS: list[tuple[str, tuple[str, ...], int, dict[str, Any]]] = [
    ("RSI", ("close",), 1, {"timeperiod": 14}),
    ("EMA", ("close",), 1, {"timeperiod": 50}),
    ("SMA", ("close",), 1, {"timeperiod": 200}),
    ("SMA", ("close",), 1, {"timeperiod": 1}),
    ("ATR", ("high", "low", "close"), 1, {"timeperiod": 14}),
    ("TRANGE", ("high", "low", "close"), 1, {}),
    ("MACD", ("close",), 3, {"fastperiod": 12, "slowperiod": 26, "signalperiod": 9}),
    ("BBANDS", ("close",), 3, {"timeperiod": 20, "nbdevup": 2.0, "nbdevdn": 2.0, "matype": 0}),
    ("STOCHRSI", ("close",), 2, {"timeperiod": 14, "fastk_period": 14, "fastd_period": 3}),
    ("SMA", ("volume",), 1, {"timeperiod": 20}),
    ("OBV", ("close", "volume"), 1, {}),
    ("AD", ("high", "low", "close", "volume"), 1, {}),
    ("SUM", ("volume",), 1, {"timeperiod": 20}),
    ("MAX", ("high",), 1, {"timeperiod": 100}),
    ("MIN", ("low",), 1, {"timeperiod": 100}),
    ("MAXINDEX", ("high",), 1, {"timeperiod": 100}),
    ("MININDEX", ("low",), 1, {"timeperiod": 100}),
    ("SUM", ("high",), 1, {"timeperiod": 14}),
    ("MAX", ("high",), 1, {"timeperiod": 14}),
    ("MIN", ("low",), 1, {"timeperiod": 14}),
    ("MAX", ("high",), 1, {"timeperiod": 5}),
    ("MIN", ("low",), 1, {"timeperiod": 5}),
]


def last(values: Any) -> tuple[float, ...]:
    """The newest candle's value of each output."""
    parts = values if isinstance(values, tuple) else (values,)
    return tuple(float(v[-1]) for v in parts)


def run(pairs: int, timed: int, window: int) -> None:
    series = build([read_ohlcv(MINUTES).arrays], pairs, 2 * window + timed, 60_000)
    history = 2 * window  # the streams open over this; the window path reads its last `window`
    streams = []
    for function, fields, outputs, params in CALLS:
        group = PairStreams(function, inputs=len(fields), outputs=outputs, **params)
        for c in series:
            group.add(*(getattr(c, f)[:history] for f in fields))
        streams.append(group)
    batch_cpu = stream_cpu = 0.0
    for t in range(history, history + timed):
        started = time.process_time()
        windowed = [
            [
                last(
                    getattr(talib, function)(
                        *(getattr(c, f)[t + 1 - window : t + 1] for f in fields), **params
                    )
                )
                for function, fields, _, params in CALLS
            ]
            for c in series
        ]
        batch_cpu += time.process_time() - started
        started = time.process_time()
        stepped = []
        for (_, fields, _, _), group in zip(CALLS, streams, strict=True):
            row = [np.array([getattr(c, f)[t] for c in series]) for f in fields]
            stepped.append(group.step(*row))
        stream_cpu += time.process_time() - started
        if t == history + timed - 1:
            check(series, t, windowed, stepped)
    print(
        f"  {pairs} pairs, {len(CALLS)} TA-Lib functions, {timed} candle times: batch calls over "
        f"a {window:,}-candle window {batch_cpu / timed * 1000:,.2f} ms of CPU per candle time, "
        f"streams {stream_cpu / timed * 1000:,.2f} ms ({batch_cpu / stream_cpu:,.0f}x) ({load()})"
    )


def check(series: list[CandleArrays], t: int, windowed: list[Any], stepped: list[Any]) -> None:
    """The streams equal a batch call over each pair's whole series (and the window's, when
    the function's memory is finite)."""
    for k, (function, fields, _, params) in enumerate(CALLS):
        for p, c in enumerate(series):
            whole = last(
                getattr(talib, function)(*(getattr(c, f)[: t + 1] for f in fields), **params)
            )
            got = tuple(float(part[p]) for part in stepped[k])
            assert np.array_equal(got, whole, equal_nan=True), (function, p)
            if function in {"SMA", "TRANGE", "MAX", "MIN", "SUM"}:
                assert np.allclose(got, windowed[p][k], rtol=1e-12, equal_nan=True), (function, p)


def main() -> None:
    pairs = int(sys.argv[1]) if len(sys.argv) > 1 else PAIRS
    timed = int(sys.argv[2]) if len(sys.argv) > 2 else TIMED
    window = int(sys.argv[3]) if len(sys.argv) > 3 else WINDOW
    print(
        f"TA-Lib per live candle time, batch over a window against streams, {today()}, {machine()}"
    )
    run(pairs, timed, window)


if __name__ == "__main__":
    main()
