"""The typed backtest requests: the CLI's options and an API job's body read into the same one."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cryptotrader.api.schemas.backtests import BacktestCompareCreate, BacktestCreate
from cryptotrader.config import TradingSettings
from cryptotrader.domain import Timeframe
from cryptotrader.engines.backtest import BacktestEngine
from cryptotrader.engines.backtest.report import result_dict
from cryptotrader.engines.backtest.requests import CompareBacktest, SingleBacktest, split_params
from cryptotrader.errors import UnknownNameError, UserInputError
from cryptotrader.services import backtest_worker
from cryptotrader.strategies import create_strategy
from tests.support.builders import random_walk

TRADING = TradingSettings()


def test_a_single_jobs_body_reads_as_the_cli_reads_its_options() -> None:
    body = BacktestCreate(
        pair="BTC/USDT", strategy="sma_cross", params={"fast": 5, "slow": 20}, initial_capital=500
    )
    from_job = backtest_worker.read_job("single", body.model_dump(mode="json"), TRADING).asked
    from_cli = SingleBacktest.parse(
        strategy="sma_cross", capital=Decimal(500), params={"fast": 5, "slow": 20}
    )
    assert from_job == from_cli
    assert from_job.capital == Decimal(500)


def test_a_compare_jobs_body_reads_as_the_cli_reads_its_options() -> None:
    body = BacktestCompareCreate(pair="BTC/USDT", strategies=["sma_cross", "aggressive"])
    from_job = backtest_worker.read_job("compare", body.model_dump(mode="json"), TRADING).asked
    assert from_job == CompareBacktest.parse(
        strategies=["sma_cross", "aggressive"], capital=Decimal(1000)
    )


def test_the_single_job_runs_what_the_engine_runs() -> None:
    candles = random_walk(1_200, seed=5, step_ms=3_600_000)
    asked = SingleBacktest.parse(strategy="sma_cross", capital="1000", params={"fast": 5})
    by_request = asked.run(BacktestEngine(), candles, Timeframe.H1)
    direct = BacktestEngine().run(
        candles, create_strategy("sma_cross", {"fast": 5}), Decimal(1000), Timeframe.H1
    )
    assert result_dict(by_request) == result_dict(direct)
    assert by_request.trades


def test_compare_gives_each_strategy_its_own_parameters() -> None:
    asked = CompareBacktest.parse(
        strategies=["sma_cross", "aggressive"], capital=1000, params={"sma_cross.fast": "7"}
    )
    sma, aggressive = asked.build()
    assert sma.params.fast == 7
    assert aggressive.params == create_strategy("aggressive").params


def test_split_params_refuses_a_parameter_of_no_strategy_being_run() -> None:
    assert split_params(["sma_cross"], {"fast": "3"}) == [{"fast": "3"}]
    with pytest.raises(UserInputError, match="names no strategy being run"):
        split_params(["sma_cross", "aggressive"], {"rsi.period": "3"})


@pytest.mark.parametrize(
    ("asked", "error", "message"),
    [
        ({"strategy": "sma_crss", "capital": 1}, UnknownNameError, "unknown strategy 'sma_crss'"),
        ({"strategy": "sma_cross", "capital": 0}, UserInputError, "capital 0 is out of range"),
        ({"strategy": "sma_cross", "capital": "lots"}, UserInputError, "is not a number"),
        (
            {"strategy": "sma_cross", "capital": 1, "params": {"fast": "x"}},
            UserInputError,
            "fast",
        ),
    ],
)
def test_a_bad_single_request_is_refused_in_one_line(
    asked: dict[str, object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        SingleBacktest.parse(**asked)  # type: ignore[arg-type]


def test_a_compare_request_needs_a_strategy() -> None:
    with pytest.raises(UserInputError, match="at least one strategy"):
        CompareBacktest.parse(strategies=[], capital=1000)
