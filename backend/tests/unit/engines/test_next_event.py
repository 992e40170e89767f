"""``_Run.next_event``: the first candle where something may happen, as per-candle tests find it.

The trading worker skips the candle times before it at once (``_quiet_until``, ``_skip``); a
candle found too late would skip a stop, a take-profit, an exit or an entry. Checked against
the per-candle definition: a bot holding a position sells, one that may enter buys, or the
candle ``touch``es one of the resting stop / take-profit pairs (several pairs: the highest stop
and the lowest take-profit stand for them all).
"""

from __future__ import annotations

import math
import random
from types import SimpleNamespace
from typing import Any

import pytest

from cryptotrader.domain.enums import BotKind
from cryptotrader.domain.fills import touch
from cryptotrader.engines.workers.decisions import BUY, SELL
from cryptotrader.engines.workers.trading import _Run

_BOTS = (BotKind.AGGRESSIVE, BotKind.SAFE)


def _run(rng: random.Random, n: int) -> tuple[_Run, dict[str, list[float]]]:
    closes = [100.0]
    for _ in range(n - 1):
        closes.append(closes[-1] * math.exp(rng.gauss(0.0, 0.02)))
    opens = [c * math.exp(rng.gauss(0.0, 0.005)) for c in closes]
    highs = [
        max(o, c) * math.exp(abs(rng.gauss(0.0, 0.01))) for o, c in zip(opens, closes, strict=True)
    ]
    lows = [
        min(o, c) * math.exp(-abs(rng.gauss(0.0, 0.01))) for o, c in zip(opens, closes, strict=True)
    ]
    if rng.random() < 0.5:  # an open outside the candle's range (bad data): tested as given
        i = rng.randrange(n)
        opens[i] = highs[i] * 1.05 if rng.random() < 0.5 else lows[i] * 0.95
    actions = {
        bot: [rng.choice((0, 0, 0, 0, 0, 0, 0, 0, 0, BUY, SELL)) for _ in range(n)] for bot in _BOTS
    }
    run: Any = _Run.__new__(_Run)
    run.message = SimpleNamespace(candles=SimpleNamespace(open=opens, high=highs, low=lows))
    run.actions = tuple(actions.items())
    run.n, run.k = n, 0
    run._reach, run._actions, run._buys, run._sells = None, {}, {}, {}
    return run, {"open": opens, "high": highs, "low": lows}


def _expected(
    run: _Run,
    prices: dict[str, list[float]],
    sells: list[BotKind],
    buys: list[BotKind],
    levels: list[tuple[float, float]],
) -> int:
    actions = dict(run.actions)
    for j in range(run.k, run.n):
        if any(actions[bot][j] == SELL for bot in sells):
            return j
        if any(actions[bot][j] == BUY for bot in buys):
            return j
        o, h, lo = prices["open"][j], prices["high"][j], prices["low"][j]
        if any(touch(o, h, lo, stop, take)[0] for stop, take in levels):
            return j
    return run.n


@pytest.mark.parametrize("seed", range(40))
def test_next_event_is_the_first_candle_a_step_would_act_on(seed: int) -> None:
    rng = random.Random(seed)
    run, prices = _run(rng, rng.choice((9, 64, 65, 500)))  # spans scanned in Python and numpy
    for _ in range(30):
        run.k = rng.randrange(run.n)
        price = prices["open"][run.k]
        levels = [
            (
                price * (1 - rng.uniform(0.005, 0.2)),
                math.inf if rng.random() < 0.2 else price * (1 + rng.uniform(0.005, 0.3)),
            )
            for _ in range(rng.choice((0, 1, 1, 2, 3)))
        ]
        sells = [bot for bot in _BOTS if rng.random() < 0.4]
        buys = [bot for bot in _BOTS if bot not in sells and rng.random() < 0.4]
        expected = _expected(run, prices, sells, buys, levels)
        assert run.next_event(sells, buys, levels) == expected
        bound = rng.randrange(run.k, run.n + 1)  # no further than an event found on another pair
        assert run.next_event(sells, buys, levels, bound) == min(expected, bound)
