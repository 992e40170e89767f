"""A run's contributions computed a column at a time equal the row-by-row ones, bit for bit."""

from __future__ import annotations

from typing import Any

import numpy as np

from cryptotrader.engines.decision import row_contributions, rows_contributions


def test_rows_contributions_equal_row_contributions_bit_for_bit() -> None:
    rng = np.random.default_rng(7)
    n = 500
    strengths: dict[str, Any] = {
        "rsi": rng.uniform(-1, 1, n),
        "macd": rng.uniform(-1, 1, n),
        "narrow": rng.uniform(-1, 1, n).astype(np.float32),  # widened as float() widens it
        "unweighted": rng.uniform(-1, 1, n),
    }
    strengths["rsi"][::7] = np.nan  # not yet known: a share of 0
    weights = {"rsi": 0.3, "macd": 0.45, "narrow": 0.1, "unweighted": 0.0, "absent": 2.0}
    rows = sorted(int(i) for i in rng.choice(n, 200, replace=False))

    together = rows_contributions(strengths, weights, rows)

    alone = [row_contributions(strengths, weights, i) for i in rows]
    assert [list(r.items()) for r in together] == [list(r.items()) for r in alone]
    assert any(r["rsi"] == 0.0 for r in together)
    assert "unweighted" not in together[0]


def test_rows_contributions_without_positive_weight_are_empty() -> None:
    strengths = {"rsi": np.array([0.5, -0.5])}
    assert rows_contributions(strengths, {"rsi": 0.0}, [0, 1]) == [{}, {}]
    assert rows_contributions(strengths, {"rsi": 1.0}, []) == []
