"""Monte Carlo of a trade sequence: how lucky was the order of the trades?

The same trades in another order end with the same return but not the same drawdown
(``reshuffled``); trades drawn with replacement (``resampled``, a bootstrap) vary both. Each run
compounds per-trade returns on equity, so the figures read like the backtest's.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from cryptotrader.domain.market import FloatArray
from cryptotrader.errors import UserInputError

PERCENTILES = (5, 25, 50, 75, 95)
#: Runs simulated at once (bounds memory: runs x trades floats per chunk).
CHUNK_CELLS = 2_000_000


@dataclass(frozen=True, slots=True)
class Distribution:
    """Percentiles of the final return and the maximum drawdown over the runs."""

    runs: int
    total_return: dict[int, float]
    max_drawdown: dict[int, float]
    probability_of_loss: float

    def as_dict(self) -> dict[str, Any]:
        """JSON form (percentile keys as ``p5``, ``p50``...)."""
        raw = asdict(self)
        for key in ("total_return", "max_drawdown"):
            raw[key] = {f"p{p}": v for p, v in raw[key].items()}
        return raw


@dataclass(frozen=True, slots=True)
class MonteCarlo:
    """Both simulations of one trade sequence."""

    trades: int
    reshuffled: Distribution
    resampled: Distribution
    #: Final returns and drawdowns of the resampled runs (histograms).
    samples: tuple[FloatArray, FloatArray]

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "trades": self.trades,
            "reshuffled": self.reshuffled.as_dict(),
            "resampled": self.resampled.as_dict(),
        }


def _paths(returns: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Final return and max drawdown of each row of per-trade returns (rows compounded)."""
    growth = np.cumprod(1.0 + returns, axis=1)
    start = np.ones((growth.shape[0], 1))
    curve = np.concatenate((start, growth), axis=1)
    peaks = np.maximum.accumulate(curve, axis=1)
    depth = 1.0 - curve / peaks
    return curve[:, -1] - 1.0, depth.max(axis=1)


def _simulate(
    returns: FloatArray, runs: int, rng: np.random.Generator, *, resample: bool
) -> tuple[FloatArray, FloatArray]:
    n = returns.shape[0]
    per_chunk = max(1, CHUNK_CELLS // max(n, 1))
    finals, drawdowns = [], []
    done = 0
    while done < runs:
        size = min(per_chunk, runs - done)
        if resample:
            rows = returns[rng.integers(0, n, size=(size, n))]
        else:
            rows = rng.permuted(np.broadcast_to(returns, (size, n)), axis=1)
        final, depth = _paths(rows)
        finals.append(final)
        drawdowns.append(depth)
        done += size
    return np.concatenate(finals), np.concatenate(drawdowns)


def _distribution(finals: FloatArray, drawdowns: FloatArray) -> Distribution:
    return Distribution(
        runs=int(finals.shape[0]),
        total_return={p: float(np.percentile(finals, p)) for p in PERCENTILES},
        max_drawdown={p: float(np.percentile(drawdowns, p)) for p in PERCENTILES},
        probability_of_loss=float((finals < 0).mean()),
    )


def monte_carlo(trade_returns: FloatArray, *, runs: int = 1000, seed: int = 0) -> MonteCarlo:
    """Reshuffle and resample ``trade_returns`` (fractions of equity) ``runs`` times each.

    Raises:
        UserInputError: fewer than 2 trades, or fewer than 10 runs.
    """
    returns = np.asarray(trade_returns, dtype=np.float64)
    if returns.shape[0] < 2:
        raise UserInputError(f"Monte Carlo needs at least 2 trades, got {returns.shape[0]}")
    if runs < 10:
        raise UserInputError(f"--monte-carlo {runs}: at least 10 runs")
    rng = np.random.default_rng(seed)
    shuffled = _simulate(returns, runs, rng, resample=False)
    resampled = _simulate(returns, runs, rng, resample=True)
    return MonteCarlo(
        trades=int(returns.shape[0]),
        reshuffled=_distribution(*shuffled),
        resampled=_distribution(*resampled),
        samples=resampled,
    )
