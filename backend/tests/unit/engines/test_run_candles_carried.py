"""The inputs of a run carry the run's own ``CandleRun``: what ``candle_run`` of its arrays gave.

``IndicatorWorker._finished`` used to rebuild the candles from the arrays it made of them
(``candle_run(run_arrays(message.candles))``); it now carries the message's frozen
``CandleRun``. The two are the same values, by type and bit: floats (NaN, signed zeros,
infinities, the largest and smallest), open times as ints.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cryptotrader.bus.messages import CandleRun
from cryptotrader.engines.workers.runs import candle_run, run_arrays

floats = st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from([-0.0, 0.0, 5e-324])


@settings(max_examples=200, deadline=None)
@given(
    size=st.integers(1, 5),
    data=st.data(),
)
def test_a_runs_candles_rebuilt_from_its_arrays_are_the_run_itself(
    size: int, data: st.DataObject
) -> None:
    def column(values: st.SearchStrategy[float] = floats) -> list[float]:
        return data.draw(st.lists(values, min_size=size, max_size=size))

    run = CandleRun(
        open_times=data.draw(st.lists(st.integers(0, 2**62), min_size=size, max_size=size)),
        open=column(),
        high=column(),
        low=column(),
        close=column(),
        volume=column(st.integers(0, 10**6) | floats),  # ints validate to floats
    )
    rebuilt = candle_run(run_arrays(run))
    assert repr(rebuilt) == repr(run)  # repr: NaN equal to NaN, -0.0 told from 0.0
    assert rebuilt.model_dump_json() == run.model_dump_json()
    assert all(
        type(a) is type(b)
        for name in CandleRun.model_fields
        for a, b in zip(getattr(rebuilt, name), getattr(run, name), strict=True)
    )
