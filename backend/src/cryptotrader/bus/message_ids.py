"""Deterministic message ids for the runs of candles, so that a run handled twice is one message.

A worker that dies after publishing a run's result but before acking the run leaves it to the
partition's next owner (``bus.partitions``), which publishes the same result again: with the
id a function of what the message is about (its kind, series and candles), a consumer sees the
same ``message_id`` twice and can drop the second (``persistence.repositories.inbox``, or the
per-series high-water marks the engines keep).
"""

from __future__ import annotations

import hashlib


def run_message_id(kind: str, *about: str | int) -> str:
    """The id of the ``kind`` message about ``about``.

    ``about``: a series and its run (exchange, symbol, timeframe, first and last open ms), then
    whatever tells two messages of one run apart (a bot).
    """
    text = "|".join((kind, *map(str, about)))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
