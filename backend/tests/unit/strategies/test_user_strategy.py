"""The worked example of docs/strategies.md, run as written: no engine change needed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

import pytest

from cryptotrader.domain import MarketContext, Pair, Timeframe
from cryptotrader.engines.backtest import BacktestEngine
from cryptotrader.engines.decision import DecisionEngine
from cryptotrader.errors import UserInputError
from cryptotrader.strategies import available_strategies, create_strategy, unregister_strategy
from cryptotrader.strategies.evaluation import build_indicator_engine
from tests.conftest import REPO_ROOT
from tests.support.builders import random_walk

DOC = REPO_ROOT / "docs" / "strategies.md"


@pytest.fixture
def user_strategy() -> Iterator[None]:
    block = re.search(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)
    assert block is not None
    exec(compile(block.group(1), str(DOC), "exec"), {"__name__": "user_strategies"})  # noqa: S102 - the doc's own example
    yield
    unregister_strategy("rsi_dip")


@pytest.mark.usefixtures("user_strategy")
def test_user_strategy_when_registered_runs_in_backtest_and_decision_engine() -> None:
    assert "rsi_dip" in available_strategies()
    strategy = create_strategy("rsi_dip", {"oversold": 35})
    candles = random_walk(3000, seed=4, step_ms=3_600_000)
    result = BacktestEngine().run(candles, strategy, Decimal(1000), Timeframe.H1)
    assert result.metrics.total_trades > 0
    assert result.strategy == "rsi_dip(period=14, oversold=35.0, recovered=55.0)"
    indicators = build_indicator_engine(strategy).compute(candles, Timeframe.H1)
    signal = DecisionEngine(strategy=strategy, pair=Pair.parse("BTC/USDT")).evaluate(
        indicators, MarketContext()
    )
    assert signal.strategy == "rsi_dip"
    assert set(signal.contributions) == {"rsi_14"}  # the SMA has weight 0: a filter, not a reason


@pytest.mark.usefixtures("user_strategy")
def test_user_strategy_when_parameter_misspelt_suggests() -> None:
    with pytest.raises(UserInputError, match="did you mean 'oversold'"):
        create_strategy("rsi_dip", {"oversld": 20})
