"""The order engine's batch gathering (``Gathered``) tells what the set expression it replaced told.

``TradingWorker.handle`` traded a batch once ``set(gathered) >=
message.batch.members().intersection(self.lanes)``, building those sets at every run (100 pairs:
100 runs a candle time, each building two sets of 100). ``Gathered`` keeps the pairs still
missing instead: for any order of runs, repeats, runs naming another batch, and lanes joined on
the way, it must answer as the expression does.
"""

from __future__ import annotations

from typing import cast

from hypothesis import given, settings
from hypothesis import strategies as st

from cryptotrader.bus.messages import Batch, DecisionsMade
from cryptotrader.engines.workers.trading import Gathered

SYMBOLS = [f"C{k:02d}/USDT" for k in range(6)]
RUN = cast(DecisionsMade, object())  # the run itself is only kept, never read here

_steps = st.lists(
    st.one_of(
        st.tuples(st.just("join"), st.sampled_from(SYMBOLS)),
        st.tuples(
            st.just("run"),
            st.sampled_from(SYMBOLS),
            st.lists(st.sampled_from(SYMBOLS), min_size=1, max_size=6),
        ),
    ),
    max_size=40,
)


@settings(max_examples=400, deadline=None)
@given(first_lanes=st.sets(st.sampled_from(SYMBOLS)), steps=_steps, fresh_batch=st.booleans())
def test_gathered_when_runs_come_in_any_order_answers_as_the_set_expression(
    first_lanes: set[str], steps: list[tuple[object, ...]], fresh_batch: bool
) -> None:
    lanes: dict[str, object] = dict.fromkeys(sorted(first_lanes))
    gathered, runs = Gathered(), dict[str, DecisionsMade]()
    for step in steps:
        if step[0] == "join":  # as ``_join``: a new dict, never changed in place
            lanes = dict(sorted({**lanes, cast(str, step[1]): None}.items()))
            continue
        symbol, batch = cast(str, step[1]), Batch.of(cast(list[str], step[2]))
        if fresh_batch:  # each run decoded apart: an equal batch, not the same one
            batch = Batch(batch.text)
        runs[symbol] = RUN
        expected = set(runs) >= batch.members().intersection(lanes)

        assert gathered.add(symbol, RUN, batch, lanes) is expected
        assert set(gathered.runs) == set(runs)
        if expected:  # traded: the worker forgets it, the batch's next run starts anew
            gathered, runs = Gathered(), {}
