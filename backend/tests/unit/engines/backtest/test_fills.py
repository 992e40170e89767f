"""Fill conventions by hand: next-open fills, fees and slippage, intrabar stops, detail, sizing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cryptotrader.domain import ExitReason, Timeframe, Trade
from cryptotrader.domain.markets import MarketRules
from cryptotrader.engines.backtest import BacktestConfig, BacktestEngine, Detail
from cryptotrader.errors import UserInputError
from tests.support.scripted import ScriptedStrategy, candles, flat

# 1 unit steps and no minimum keep the arithmetic readable; slippage and fee are exact binary-ish.
RULES = MarketRules(amount_step=Decimal("0.001"), min_amount=Decimal(0), min_notional=Decimal(0))


def engine(**overrides: object) -> BacktestEngine:
    values: dict[str, object] = {
        "fee": Decimal("0.001"), "slippage": Decimal("0.0005"), "stop_loss": Decimal("0.02"),
        "take_profit": Decimal("0.10"), "stake": Decimal(1), "market": RULES,
    }  # fmt: skip
    values.update(overrides)
    return BacktestEngine(config=BacktestConfig.model_validate(values))


def test_run_when_signal_on_bar_fills_at_next_open_with_fee_and_slippage() -> None:
    rows = [
        *flat(3),
        (101.0, 101.5, 100.5, 101.0),
        (102.0, 102.5, 101.5, 102.0),
        (103.0, 103, 103, 103),
    ]
    strategy = ScriptedStrategy({"entries": (2,), "exits": (4,)})
    result = engine().run(candles(rows), strategy, 1000, Timeframe.H1)
    (trade,) = result.trades
    # Signal at the close of bar 2 -> buy at bar 3's open 101 + 0.05% slippage.
    assert trade.entry_price == Decimal("101.05050000")
    assert trade.entry_time.hour == 3
    # All in: 1000 / (101.0505 * 1.001) = 9.886... -> 9.886 (rounded down to 0.001).
    assert trade.quantity == Decimal("9.886")
    # Exit signal at bar 4's close -> sell at bar 5's open 103 - 0.05%.
    assert trade.exit_price == Decimal("102.94850000")
    assert trade.exit_reason is ExitReason.SIGNAL
    entry_fee = (Decimal("101.0505") * Decimal("9.886") * Decimal("0.001")).quantize(
        Decimal("1e-8")
    )
    exit_fee = (Decimal("102.9485") * Decimal("9.886") * Decimal("0.001")).quantize(Decimal("1e-8"))
    assert trade.fees == entry_fee + exit_fee
    expected = (Decimal("102.9485") - Decimal("101.0505")) * Decimal("9.886") - entry_fee - exit_fee
    assert trade.pnl == expected
    assert result.final_capital == (Decimal(1000) + expected).quantize(Decimal("1e-8"))
    assert result.metrics.fees_paid == entry_fee + exit_fee


def stop_take_run(bar: tuple[float, float, float, float], **overrides: object):  # type: ignore[no-untyped-def]
    # Entry at bar 1's open 100 (no slippage): stop 98, take-profit 110; ``bar`` is bar 2.
    rows = [(100.0,) * 4, (100.0, 100.5, 99.5, 100.0), bar, (100.0,) * 4]
    config = {"slippage": Decimal(0), "fee": Decimal(0), **overrides}
    return engine(**config).run(
        candles(rows), ScriptedStrategy({"entries": (0,)}), 1000, Timeframe.H1
    )


def test_run_when_bar_touches_stop_and_take_profit_assumes_stop_first() -> None:
    (trade,) = stop_take_run((100.0, 111.0, 97.0, 105.0)).trades
    assert trade.exit_reason is ExitReason.STOP_LOSS
    assert trade.exit_price == Decimal(98)


def test_run_when_open_gaps_through_stop_fills_at_open() -> None:
    (trade,) = stop_take_run((95.0, 96.0, 94.0, 95.5)).trades
    assert trade.exit_reason is ExitReason.STOP_LOSS
    assert trade.exit_price == Decimal(95)


def test_run_when_open_gaps_above_take_profit_fills_at_open() -> None:
    (trade,) = stop_take_run((112.0, 113.0, 111.0, 112.0)).trades
    assert trade.exit_reason is ExitReason.TAKE_PROFIT
    assert trade.exit_price == Decimal(112)


def test_run_when_high_reaches_take_profit_fills_at_take_profit_less_slippage() -> None:
    (trade,) = stop_take_run((100.0, 111.0, 99.0, 109.0), slippage=Decimal("0.001")).trades
    assert trade.exit_reason is ExitReason.TAKE_PROFIT
    # entry 100.1 -> take-profit 110.11, sold 0.1% lower
    assert trade.exit_price == Decimal("110.11") * Decimal("0.999")


def test_run_when_stop_gaps_fills_at_the_worse_of_stop_and_open_including_slippage() -> None:
    (trade,) = stop_take_run((97.5, 97.6, 90.0, 91.0), slippage=Decimal("0.001")).trades
    # entry 100.1 -> stop 98.0979; the open 97.5 is worse, minus 0.1% slippage
    assert trade.exit_price == Decimal("97.5") * Decimal("0.999")


def test_run_when_finer_candles_show_take_profit_first_uses_them() -> None:
    hour = candles(
        [(100.0,) * 4, (100.0, 100.5, 99.5, 100.0), (100.0, 111.0, 97.0, 105.0), (100.0,) * 4]
    )
    minutes = candles(
        [(100.0, 100.2, 99.9, 100.1)] * 120
        + [(100.0, 111.0, 100.0, 110.5), (110.5, 110.5, 97.0, 97.5)]
        + [(100.0,) * 4] * 118,
        step_ms=60_000,
    )
    config = BacktestConfig(
        fee=Decimal(0),
        slippage=Decimal(0),
        stop_loss=Decimal("0.02"),
        take_profit=Decimal("0.10"),
        stake=Decimal(1),
        market=RULES,
    )
    detail = Detail(minutes, Timeframe.M1)
    run = BacktestEngine(config=config).run(
        hour, ScriptedStrategy({"entries": (0,)}), 1000, Timeframe.H1, detail=detail
    )
    (trade,) = run.trades
    assert trade.exit_reason is ExitReason.TAKE_PROFIT
    assert trade.exit_price == Decimal(110)
    without = BacktestEngine(config=config).run(
        hour, ScriptedStrategy({"entries": (0,)}), 1000, Timeframe.H1
    )
    assert without.trades[0].exit_reason is ExitReason.STOP_LOSS


def test_run_when_fill_close_fills_at_the_signal_close() -> None:
    rows = [(100.0, 101.0, 99.0, 100.5), (101.0, 102.0, 100.0, 101.5), (102.0,) * 4, (103.0,) * 4]
    result = engine(fill="close", slippage=Decimal(0)).run(
        candles(rows), ScriptedStrategy({"entries": (0,), "exits": (2,)}), 1000, Timeframe.H1
    )
    (trade,) = result.trades
    assert trade.entry_price == Decimal("100.5")
    assert trade.exit_price == Decimal(102)
    assert trade.exit_time is not None
    assert trade.exit_time.hour == 3  # the close of bar 2 is 03:00


def test_run_when_position_open_at_the_end_closes_at_last_close() -> None:
    rows = [*flat(3), (101.0, 101.0, 101.0, 104.0)]
    (trade,) = (
        engine(slippage=Decimal(0))
        .run(candles(rows), ScriptedStrategy({"entries": (1,)}), 1000, Timeframe.H1)
        .trades
    )
    assert trade.exit_reason is ExitReason.END_OF_DATA
    assert trade.exit_price == Decimal(104)


def test_run_when_risk_sizing_buys_risk_amount_over_stop_distance() -> None:
    rows = flat(2) + [(100.0, 100.0, 100.0, 100.0)] * 3
    run = engine(stake=None, risk_ratio=Decimal("0.01"), slippage=Decimal(0)).run(
        candles(rows), ScriptedStrategy({"entries": (0,), "confidence": 0.5}), 1000, Timeframe.H1
    )
    # 1000 x 1% x 0.5 = 5 at risk over a 2% stop of 100 (2 per unit) -> 2.5 units
    assert run.trades[0].quantity == Decimal("2.500")


def test_run_when_below_min_notional_refuses_the_entry() -> None:
    rules = MarketRules(
        amount_step=Decimal("0.001"), min_amount=Decimal(0), min_notional=Decimal(300)
    )
    run = engine(stake=None, risk_ratio=Decimal("0.01"), market=rules).run(
        candles(flat(5)), ScriptedStrategy({"entries": (0,)}), 1000, Timeframe.H1
    )
    # 1000 x 1% / 2% = 500 of notional would be fine; capital 100 gives 50, below 300.
    assert run.trades
    assert run.refused_entries == 0
    small = engine(stake=None, risk_ratio=Decimal("0.01"), market=rules).run(
        candles(flat(5)), ScriptedStrategy({"entries": (0,)}), 100, Timeframe.H1
    )
    assert small.trades == ()
    assert small.refused_entries == 1
    assert small.final_capital == Decimal(100)


@pytest.mark.parametrize(
    ("overrides", "capital", "message"),
    [
        ({"fee": Decimal("0.2")}, 1000, "fee 0.2 is out of range"),
        ({"slippage": Decimal(-1)}, 1000, "slippage -1 is out of range"),
        ({}, 0, "capital 0 is out of range"),
        ({}, -5, "capital -5 is out of range"),
    ],
)
def test_run_when_capital_or_cost_out_of_range_refuses(
    overrides: dict[str, object], capital: int, message: str
) -> None:
    with pytest.raises(UserInputError, match=message):
        BacktestEngine(config=BacktestConfig.parse(**overrides)).run(
            candles(flat(5)), ScriptedStrategy(), capital, Timeframe.H1
        )


def test_run_when_data_shorter_than_warmup_refuses() -> None:
    from cryptotrader.strategies import create_strategy

    with pytest.raises(UserInputError, match="too few for 'sma_cross'"):
        BacktestEngine().run(candles(flat(30)), create_strategy("sma_cross"), 1000, Timeframe.H1)


def test_run_when_trades_are_built_they_equal_validated_trades() -> None:
    rows = [(100.0 + i, 101.0 + i, 99.0 + i, 100.5 + i) for i in range(12)]
    strategy = ScriptedStrategy({"entries": (0, 5), "exits": (3,)})
    result = engine().run(candles(rows), strategy, 1000, Timeframe.H1)
    assert len(result.trades) == 2
    for trade in result.trades:
        assert Trade.model_validate(trade.model_dump()) == trade
