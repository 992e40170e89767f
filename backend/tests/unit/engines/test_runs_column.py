"""``runs.column``: a column from the wire as floats, whichever way it came (floats or nulls)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cryptotrader.engines.workers.runs import column


@pytest.mark.parametrize(
    "values",
    [
        [1.5, -2.0, 3.25],
        [1.5, math.nan, 3.0],  # the in-process bus: the producer's floats, NaN kept
        [None, None, 1.0, 2.0],  # Redis: JSON's nulls
        [1, 2.5, True],
        [],
    ],
)
def test_column_when_floats_or_nulls_gives_asarrays_floats(values: list[float | None]) -> None:
    got = column(values)
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, np.asarray(values, dtype=np.float64))


def test_column_when_a_value_is_not_a_number_raises() -> None:
    with pytest.raises(ValueError, match="could not convert"):
        column([1.0, "x"])  # type: ignore[list-item]
