"""``OptimizationRequest``: one request from the command's options or the API's body, a stored
form that reads back equal, one-line refusals, and the checks that need the candles."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from cryptotrader.api.schemas.optimizations import OptimizationCreate
from cryptotrader.domain.market import CandleArrays
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.engines.backtest import BacktestConfig
from cryptotrader.errors import UnknownNameError, UserInputError
from cryptotrader.optimize.evaluate import Evaluator
from cryptotrader.optimize.pipeline import WalkForwardSpec
from cryptotrader.optimize.portfolio import PortfolioEvaluator
from cryptotrader.optimize.request import OptimizationRequest

BTC = Pair.parse("BTC/USDT")


def _request(**changes: Any) -> OptimizationRequest:
    values: dict[str, Any] = {
        "strategy": "sma_cross",
        "pair": BTC,
        "timeframe": Timeframe.H1,
        "ranges": {"fast": "5:20", "slow": "25:80"},
        "trials": 6,
        "seed": 4,
        "min_trades": 1,
        **changes,
    }
    return OptimizationRequest.parse(**values)


@pytest.mark.parametrize(
    "asked",
    [
        _request(),
        _request(
            capital=Decimal("2500.5"),
            config=BacktestConfig.parse(fee="0.002", stake="0.5", fill="close"),
            fixed={"slow": "60"},
            ranges={"fast": "5:20"},
            protection=False,
            objectives=("profit", "drawdown"),
            max_drawdown=0.4,
            sampler="nsga2",
            grid_points=7,
            timeout=30.0,
            walk_forward=WalkForwardSpec(1200, 600, 240, anchored=True),
            monte_carlo=0,
            study="api-0123456789abcdef",
        ),
        _request(strategy="portfolio", bots=("conservative", "aggressive"), ranges={}),
    ],
)
def test_request_when_stored_as_json_reads_back_equal(asked: OptimizationRequest) -> None:
    stored = json.loads(json.dumps(asked.as_json()))  # what the job row holds
    assert OptimizationRequest.from_json(stored) == asked
    assert OptimizationRequest.from_json(stored).as_json() == stored


def test_request_when_read_from_the_api_body_is_the_request_the_command_builds() -> None:
    body = OptimizationCreate.model_validate(
        {"pair": "BTC/USDT", "strategy": "sma_cross", "trials": 6, "seed": 4, "min_trades": 1,
         "ranges": {"fast": "5:20", "slow": "25:80"}, "fixed": {}}
    ).model_dump(mode="json")  # fmt: skip
    assert OptimizationRequest.from_json(body) == _request()


def test_request_when_the_job_adds_its_own_keys_they_are_ignored() -> None:
    stored = {**_request().as_json(), "exchange": "binance", "start": None, "windows": 3}
    assert OptimizationRequest.from_json(stored) == _request()


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"ranges": {"fats": "5:9"}}, "did you mean 'fast'"),
        ({"ranges": {"fast": "9:5"}}, "is inverted"),
        ({"objectives": ("sharp",)}, "did you mean 'sharpe'"),
        ({"sampler": "annealing"}, "unknown sampler 'annealing'"),
        ({"trials": 0}, "--trials 0 must be at least 1"),
        ({"capital": Decimal(0)}, "capital"),
        ({"monte_carlo": 5}, "at least 10 runs"),
        (
            {"strategy": "portfolio", "bots": ("conservative", "agressive"), "ranges": {}},
            "agressive",
        ),
    ],
)
def test_request_when_input_is_bad_is_refused_in_one_line(
    changes: dict[str, Any], words: str
) -> None:
    with pytest.raises((UserInputError, UnknownNameError)) as refused:
        _request(**changes)
    assert words in str(refused.value)
    assert "\n" not in str(refused.value)


def test_request_when_the_body_gives_durations_they_become_candles() -> None:
    body = {**_request().as_json(), "walk_forward": {"train": "50d", "test": 600, "step": None}}
    assert OptimizationRequest.from_json(body).walk_forward == WalkForwardSpec(1200, 600)
    wrong = {**body, "walk_forward": {"train": "3m", "test": "30d"}}
    with pytest.raises(UserInputError, match=r"walk_forward\.train '3m'"):
        OptimizationRequest.from_json(wrong)


def test_request_when_a_stored_field_has_the_wrong_kind_is_one_line() -> None:
    stored = {**_request().as_json(), "trials": "many"}
    with pytest.raises(UserInputError, match="optimisation request"):
        OptimizationRequest.from_json(stored)


def test_request_plan_when_unnamed_is_named_by_what_defines_it(btc_hourly: CandleArrays) -> None:
    asked = _request()
    first = asked.plan("sqlite:///unused", candles=btc_hourly)
    assert first.name.startswith("sma_cross-BTCUSDT-1h-")
    assert asked.plan("sqlite:///other", candles=btc_hourly).name == first.name
    other = _request(trials=7, seed=5).plan("sqlite:///unused", candles=btc_hourly)
    assert other.name != first.name  # another seed: another study
    assert first.context["data"]["candles"] == len(btc_hourly)
    named = _request(study="mine").plan("sqlite:///unused", candles=btc_hourly)
    assert named.name == "mine"


def test_request_check_when_walk_forward_counts_its_windows(btc_hourly: CandleArrays) -> None:
    walk = _request(walk_forward=WalkForwardSpec(2000, 2000))
    assert walk.check(btc_hourly) == 3
    assert _request(study="s").study_names(3) == ["s-wf0", "s-wf1", "s-wf2"]
    assert _request(study="s").study_names(None) == ["s"]
    assert _request().check(btc_hourly) is None
    too_long = _request(walk_forward=WalkForwardSpec(8760, 720))
    with pytest.raises(UserInputError, match="do not fit the data"):
        too_long.check(btc_hourly)
    with pytest.raises(UserInputError, match="too few"):
        _request().check(btc_hourly.slice(0, 10))


def test_request_evaluator_when_bots_are_named_scores_the_portfolio(
    btc_hourly: CandleArrays,
) -> None:
    both = _request(strategy="portfolio", bots=("conservative", "aggressive"), ranges={})
    assert isinstance(both.evaluator(btc_hourly), PortfolioEvaluator)
    single = _request(capital=Decimal(500)).evaluator(btc_hourly)
    assert isinstance(single, Evaluator)
    assert single.capital == 500.0
