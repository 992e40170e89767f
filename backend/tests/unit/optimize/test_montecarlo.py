"""Monte Carlo of trade sequences: reshuffling keeps the return, resampling spreads it."""

from __future__ import annotations

import numpy as np
import pytest

from cryptotrader.errors import UserInputError
from cryptotrader.optimize.montecarlo import monte_carlo


def test_monte_carlo_when_reshuffled_keeps_the_final_return_and_spreads_drawdown() -> None:
    returns = np.array([0.05, -0.03, 0.02, -0.04, 0.06, -0.01, 0.03, -0.02] * 10)
    mc = monte_carlo(returns, runs=500, seed=1)
    final = float(np.prod(1 + returns) - 1)
    assert mc.reshuffled.total_return[5] == pytest.approx(final)
    assert mc.reshuffled.total_return[95] == pytest.approx(final)
    assert mc.reshuffled.max_drawdown[5] < mc.reshuffled.max_drawdown[95]
    assert mc.resampled.total_return[5] < final < mc.resampled.total_return[95]
    assert 0 <= mc.resampled.probability_of_loss <= 1
    assert mc.samples[0].shape == (500,)


def test_monte_carlo_when_seeded_is_reproducible_and_bounded_in_memory_chunks() -> None:
    returns = np.random.default_rng(0).normal(0.001, 0.02, 3_000)
    first = monte_carlo(returns, runs=1_500, seed=9)
    assert first.as_dict() == monte_carlo(returns, runs=1_500, seed=9).as_dict()


def test_monte_carlo_when_too_few_trades_or_runs_is_refused() -> None:
    with pytest.raises(UserInputError, match="at least 2 trades"):
        monte_carlo(np.array([0.1]))
    with pytest.raises(UserInputError, match="at least 10 runs"):
        monte_carlo(np.array([0.1, -0.1]), runs=5)
