"""A backtest job: the API's body read once, stored as JSON, read back equal by the worker."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from pydantic import BaseModel

from cryptotrader.api.schemas.backtests import (
    BacktestCompareCreate,
    BacktestCreate,
    PortfolioBacktestCreate,
)
from cryptotrader.config import TradingSettings
from cryptotrader.domain import Timeframe
from cryptotrader.domain.pairs import Pair
from cryptotrader.engines.backtest.job import BacktestJob, Kind
from cryptotrader.engines.backtest.portfolio_sweep import PortfolioSweep
from cryptotrader.engines.backtest.requests import CompareBacktest, SingleBacktest
from cryptotrader.errors import UnknownNameError, UserInputError

TRADING = TradingSettings()
SPAN = {"start": datetime(2024, 1, 1, tzinfo=UTC), "end": datetime(2024, 3, 1, tzinfo=UTC)}

BODIES: list[tuple[Kind, BaseModel]] = [
    ("single", BacktestCreate(pair="ETH/USDT", strategy="sma_cross", params={"fast": 5})),
    (
        "single",
        BacktestCreate(
            pair="BTC/USDT", strategy="conservative", timeframe=Timeframe.M15, fee="0.002",
            slippage="0", stop_loss="0.03", take_profit="0.09", risk_ratio="0.02", stake="0.5",
            initial_capital="250.5", **SPAN,
        ),
    ),
    ("compare", BacktestCompareCreate(pair="BTC/USDT", strategies=["sma_cross", "aggressive"])),
    ("portfolio", PortfolioBacktestCreate(pair="BTC/USDT")),
    (
        "portfolio",
        PortfolioBacktestCreate(
            pair="ETH/USDT", pairs=["BTC/USDT", "ETH/USDT"], sweep="0.1:0.3:0.1",
            safe_capital="800", on_deep_streak="pause", fill="close", exchange="kraken", **SPAN,
        ),
    ),
    ("portfolio", PortfolioBacktestCreate(pair="BTC/USDT", reallocation="0.45")),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "body"), BODIES)
def test_a_job_reads_back_from_its_stored_form_equal(kind: Kind, body: BaseModel) -> None:
    job = BacktestJob.from_json(kind, body.model_dump(mode="json"), TRADING)
    stored = json.loads(json.dumps(job.as_json()))  # what the job row's JSON column holds
    assert BacktestJob.from_json(kind, stored, TRADING) == job
    assert job.kind == kind
    assert stored == job.as_json()


def test_the_body_becomes_the_kinds_own_request() -> None:
    single = BacktestJob.from_json("single", BODIES[1][1].model_dump(mode="json"), TRADING)
    assert single.asked == SingleBacktest.parse(strategy="conservative", capital="250.5")
    assert single.market.timeframe is Timeframe.M15
    assert single.market.start == SPAN["start"]
    assert (single.config.fee, single.config.stake) == (Decimal("0.002"), Decimal("0.5"))
    compare = BacktestJob.from_json("compare", BODIES[2][1].model_dump(mode="json"), TRADING)
    assert compare.asked == CompareBacktest.parse(
        strategies=["sma_cross", "aggressive"], capital=1000
    )
    assert compare.runs() == 2


def test_a_portfolio_job_stores_its_defaults_resolved() -> None:
    body = BODIES[4][1].model_dump(mode="json")
    job = BacktestJob.from_json("portfolio", body, TRADING)
    assert job.asked == PortfolioSweep.parse(
        TRADING, safe_capital="800", sweep="0.1:0.3:0.1", on_deep_streak="pause"
    )
    assert job.pairs == (Pair.parse("BTC/USDT"), Pair.parse("ETH/USDT"))
    assert job.runs() == 3
    stored = job.as_json()
    assert stored["ratios"] == ["0.1", "0.2", "0.3"]
    assert stored["aggressive_capital"] == str(TRADING.aggressive.capital)
    assert (stored["fill"], stored["exchange"]) == ("close", "kraken")


def test_a_job_stored_before_the_typed_request_still_reads() -> None:
    """Rows written before (the API body as it came) are read as the body is."""
    old = {
        "exchange": "binance", "pair": "BTC/USDT", "timeframe": "1h", "start": None,
        "end": None, "fee": None, "slippage": None, "initial_capital": "1000",
        "stop_loss": None, "take_profit": None, "risk_ratio": None, "stake": None,
        "strategy": "sma_cross", "params": {"fast": 7},
    }  # fmt: skip
    job = BacktestJob.from_json("single", old, TRADING)
    assert job.asked == SingleBacktest.parse(strategy="sma_cross", capital=1000, params={"fast": 7})


@pytest.mark.parametrize(
    ("kind", "change", "error", "message"),
    [
        ("single", {"pair": "nonsense"}, UserInputError, "nonsense"),
        ("single", {"strategy": "sma_crss"}, UnknownNameError, "sma_crss"),
        ("single", {"fee": "0.9"}, UserInputError, "fee 0.9 is out of range"),
        ("single", {"start": "yesterday"}, UserInputError, "not an ISO 8601 time"),
        ("compare", {"strategies": []}, UserInputError, "at least one strategy"),
        ("portfolio", {"ratios": ["0.9"]}, UserInputError, "ratio 0.9 is out of range"),
        ("portfolio", {"ratios": ["x"]}, UserInputError, "'x' is not a number"),
        ("sideways", {}, UserInputError, "unknown backtest kind"),
    ],
)
def test_a_bad_job_is_refused_in_one_line(
    kind: str, change: dict[str, object], error: type[Exception], message: str
) -> None:
    body = {"pair": "BTC/USDT", "strategy": "sma_cross", "strategies": ["sma_cross"]} | change
    with pytest.raises(error, match=message) as caught:
        BacktestJob.from_json(kind, body, TRADING)
    assert "\n" not in str(caught.value)
