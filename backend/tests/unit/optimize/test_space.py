"""The search space: declared ranges, command-line overrides, and one-line refusals."""

from __future__ import annotations

import pytest

from cryptotrader.errors import UnknownNameError, UserInputError
from cryptotrader.optimize.space import Dimension, build_space


def test_space_when_defaults_comes_from_the_strategy_declared_ranges_and_protection() -> None:
    space = build_space("sma_cross")
    dims = {d.name: d for d in space.dimensions}
    assert dims["fast"] == Dimension("fast", "int", 5, 50, accepted=(1, 10_000))
    assert dims["slow"] == Dimension("slow", "int", 20, 200, accepted=(2, 10_000))
    assert set(dims) == {"fast", "slow", "stop_loss", "take_profit", "risk_ratio"}
    assert dims["stop_loss"].log


def test_space_when_overridden_narrows_fixes_and_drops_sizing_with_a_stake() -> None:
    space = build_space(
        "aggressive", ranges={"buy_threshold": "0.1:0.3:0.05"}, fixed={"stop_loss": "0.03"},
        sizing=False,
    )  # fmt: skip
    dims = {d.name: d for d in space.dimensions}
    assert dims["buy_threshold"] == Dimension(
        "buy_threshold", "float", 0.1, 0.3, 0.05, accepted=(0, 1)
    )
    assert dims["buy_threshold"].grid(5) == [0.1, 0.15, 0.2, 0.25, 0.3]
    assert "stop_loss" not in dims
    assert "risk_ratio" not in dims
    params, protection = space.split({"buy_threshold": 0.2, "sell_threshold": -0.1})
    assert params == {"buy_threshold": 0.2, "sell_threshold": -0.1}
    assert protection == {"stop_loss": 0.03}


@pytest.mark.parametrize(
    ("ranges", "fixed", "message"),
    [
        ({"fats": "5:10"}, {}, "unknown parameter 'fats' for 'sma_cross'; did you mean 'fast'?"),
        ({"fast": "10:10"}, {}, "--range fast=10:10 is empty: use --fix fast=10"),
        ({"fast": "20:10"}, {}, "--range fast=20:10 is inverted: LOW must be below HIGH"),
        ({"fast": "0:10"}, {}, "--range fast=0:10 leaves what fast accepts: [1, 10000]"),
        ({"stop_loss": "0:0.1"}, {}, "--range stop_loss=0:0.1 leaves what stop_loss accepts"),
        ({"fast": "5:10.5"}, {}, "--range fast: '10.5' must be a whole number"),
        ({"fast": "a:10"}, {}, "--range fast: 'a' is not a number"),
        ({"fast": "5"}, {}, "--range fast=5: write it LOW:HIGH or LOW:HIGH:STEP"),
        ({"fast": "5:10:0"}, {}, "the step must be > 0"),
        ({"fast": "5:10"}, {"fast": "7"}, "'fast' is given both --range and --fix"),
    ],
)
def test_space_when_bad_range_refuses_with_one_line(
    ranges: dict[str, str], fixed: dict[str, str], message: str
) -> None:
    with pytest.raises(UserInputError) as info:
        build_space("sma_cross", ranges=ranges, fixed=fixed)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_space_when_everything_is_fixed_has_nothing_to_search() -> None:
    with pytest.raises(UserInputError, match="nothing to search"):
        build_space("sma_cross", fixed={"fast": "5", "slow": "20"}, protection=False)


def test_space_when_strategy_is_unknown_suggests_the_closest() -> None:
    with pytest.raises(UnknownNameError, match="sma_cross"):
        build_space("sma_cros")


def test_dimension_grid_when_no_step_spreads_points_over_the_range() -> None:
    assert Dimension("fast", "int", 5, 50).grid(4) == [5, 20, 35, 50]
    assert Dimension("x", "float", 0.0, 1.0).grid(3) == [0.0, 0.5, 1.0]
