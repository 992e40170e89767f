"""The garbage collector of a running trading process: rarer collections, none of start-up.

CPython collects its youngest generation every 700 container allocations and the whole heap
every few hundred thousand. A live candle time of 50 pairs allocates that many (messages,
readings, arrays, decisions): on ``bench.indicator_stage`` the collector took a fifth of the
stage's CPU, and a full collection in the middle of a candle time is the slowest candle times'
extra hundreds of ms (docs/BENCHMARKS.md, issue 15). Once the runtime is up (engines built, the
first candles' history loaded), its objects are frozen (never walked again: they live as long as
the process) and the young generation is collected every ``YOUNG`` allocations instead.
Reference cycles are still collected; only less often, and without walking the start-up heap.

Settling walks only the young generations before freezing: a full collection there cost a
replay ~0.1 s (200k objects walked) and found nothing to free (0 unreachable objects at a
replay's first run); start-up cycles already in the oldest generation, if any, are kept. It
may be called more than once (``run``: once the engines are built, again once market data
flows): each call freezes what was built since.

Only a command that owns its process does it (``cli.main`` on the process's own command line):
in a test process that runs many commands, nothing changes.
"""

from __future__ import annotations

import gc

YOUNG = 20_000
"""Container allocations between collections of the youngest generation (CPython: 700)."""
OLDER = 20
"""Collections of a generation between collections of the next (CPython: 10)."""


_OWNED: list[bool] = []


def own_process() -> None:
    """The command running owns the process: ``settle`` may tune its collector."""
    _OWNED.append(True)


def settle(*, owned: bool = False) -> bool:
    """Collect the young generations, freeze what is alive, and collect less often from now on.

    Returns False (and does nothing) unless ``own_process`` was called or ``owned`` says the
    caller owns the process (a benchmark's own process).
    """
    if not (owned or _OWNED):
        return False
    gc.collect(1)  # not the oldest generation: see the module docstring
    gc.freeze()
    gc.set_threshold(YOUNG, OLDER, OLDER)
    return True
