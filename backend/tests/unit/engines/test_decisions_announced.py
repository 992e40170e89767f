"""The decision worker's announced verdict carries each indicator's share, a hold included."""

from __future__ import annotations

from pathlib import Path

from cryptotrader.domain.enums import BotKind
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.engines.decision import DecisionEngine
from cryptotrader.engines.workers.decisions import BUY, HOLD, SELL, decide
from cryptotrader.engines.workers.indicators import _rule_inputs
from cryptotrader.marketdata.io import read_ohlcv
from cryptotrader.strategies import create_strategy
from cryptotrader.strategies.evaluation import build_indicator_engine, compute_strategy_indicators


def test_decide_when_the_last_candle_holds_gives_its_contributions(shared_data: Path) -> None:
    history = read_ohlcv(shared_data / "binance_BTC-USDT_1h.csv.gz").arrays
    strategy = create_strategy("conservative")
    engine = DecisionEngine(
        strategy=strategy, pair=Pair(base="BTC", quote="USDT"), target_bot=BotKind.SAFE
    )
    for end in range(600, 700):  # the first run (of 20 candles) whose last candle holds
        candles = history.slice(0, end)
        _, rows = compute_strategy_indicators(
            strategy, build_indicator_engine(strategy), candles, Timeframe.H1
        )
        inputs = _rule_inputs(strategy, rows, len(candles) - 20)
        decisions = decide(engine, inputs)
        last = len(decisions.actions) - 1
        if decisions.actions[last] == HOLD:
            break
    assert decisions.actions[last] == HOLD
    shares = decisions.contributions[str(last)]
    assert shares
    assert set(shares) <= set(inputs.weights)
    assert any(value != 0 for value in shares.values())


def test_decide_gives_the_shares_of_every_buy_and_the_last_row_only(shared_data: Path) -> None:
    """An entry records its signal's shares; a sale's are never read, so none are computed."""
    candles = read_ohlcv(shared_data / "binance_BTC-USDT_1h.csv.gz").arrays.slice(0, 3000)
    strategy = create_strategy("aggressive")
    engine = DecisionEngine(
        strategy=strategy, pair=Pair(base="BTC", quote="USDT"), target_bot=BotKind.AGGRESSIVE
    )
    _, rows = compute_strategy_indicators(
        strategy, build_indicator_engine(strategy), candles, Timeframe.H1
    )
    decisions = decide(engine, _rule_inputs(strategy, rows, 1000))
    actions = decisions.actions
    buys = {i for i, a in enumerate(actions) if a == BUY}
    assert buys
    assert any(a == SELL for a in actions)
    assert set(decisions.contributions) == {str(i) for i in buys | {len(actions) - 1}}
