"""THE cross-check: SmaCrossStrategy through the engine vs a deliberately simple reference loop.

The reference is written here, independently of the engine: pandas rolling means instead of
TA-Lib, ``Decimal`` prices and cash instead of floats, the sizing of ``risk.sizing`` (DESIGN.md's
formulas) instead of the kernel's, one readable loop per candle with the documented conventions.
On real BTC/USDT candles both must give the same trades and the same P&L to the cent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cryptotrader.domain import CandleArrays, ExitReason, Timeframe
from cryptotrader.domain.markets import MarketRules
from cryptotrader.domain.values import utc_from_ms
from cryptotrader.engines.backtest import BacktestConfig, BacktestEngine
from cryptotrader.marketdata import read_ohlcv
from cryptotrader.risk import size_position, size_stake
from cryptotrader.strategies import create_strategy

pytestmark = pytest.mark.shared_data
CENT = Decimal("0.01")


@dataclass
class RefTrade:
    entry_time: datetime
    entry_price: Decimal
    quantity: Decimal
    exit_time: datetime | None = None
    exit_price: Decimal | None = None
    reason: ExitReason | None = None
    pnl: Decimal | None = None


@dataclass(frozen=True)
class Setup:
    fee: Decimal
    slip: Decimal
    stop: Decimal
    take: Decimal
    risk: Decimal
    stake: Decimal | None
    close_fill: bool
    rules: MarketRules


def fee(price: Decimal, qty: Decimal, rate: Decimal) -> Decimal:
    return (price * qty * rate).quantize(Decimal("1e-8"), rounding=ROUND_HALF_UP)


class Reference:
    """One candle at a time, in the order things happen: open fills, stops, close signals."""

    def __init__(self, c: CandleArrays, s: Setup, capital: Decimal, hour_ms: int) -> None:
        self.c, self.s, self.hour_ms = c, s, hour_ms
        closes = pd.Series(c.close)
        self.fast = closes.rolling(20).mean().to_numpy()
        self.slow = closes.rolling(50).mean().to_numpy()
        self.cash = capital
        self.trades: list[RefTrade] = []
        self.open: RefTrade | None = None
        self.pending: str | None = None
        self.stop = self.take = Decimal(0)

    def buy(self, price: float, when: int) -> None:
        s = self.s
        entry = Decimal(price) * (1 + s.slip)
        self.stop, self.take = entry * (1 - s.stop), entry * (1 + s.take)
        if s.stake is not None:
            size = size_stake(
                stake=s.stake, entry=entry, available=self.cash, rules=s.rules, fee_rate=s.fee
            )
        else:
            size = size_position(
                capital=self.cash, risk_ratio=s.risk, confidence=Decimal(1), entry=entry,
                stop_loss=self.stop, available=self.cash, rules=s.rules, fee_rate=s.fee,
            )  # fmt: skip
        if size.accepted:
            self.open = RefTrade(utc_from_ms(when), entry, size.quantity)

    def sell(self, price: Decimal, when: int, reason: ExitReason) -> None:
        trade, rate = self.open, self.s.fee
        assert trade is not None
        trade.exit_price = price * (1 - self.s.slip)
        q = trade.quantity
        fees = fee(trade.entry_price, q, rate) + fee(trade.exit_price, q, rate)
        trade.pnl = (trade.exit_price - trade.entry_price) * q - fees
        trade.exit_time, trade.reason = utc_from_ms(when), reason
        self.cash += trade.pnl
        self.trades.append(trade)
        self.open = None

    def protect(self, t: int) -> None:
        o, h, lo = Decimal(self.c.open[t]), Decimal(self.c.high[t]), Decimal(self.c.low[t])
        when = int(self.c.timestamps[t])
        if o <= self.stop:
            self.sell(o, when, ExitReason.STOP_LOSS)
        elif o >= self.take:
            self.sell(o, when, ExitReason.TAKE_PROFIT)
        elif lo <= self.stop:
            self.sell(self.stop, when, ExitReason.STOP_LOSS)
        elif h >= self.take:
            self.sell(self.take, when, ExitReason.TAKE_PROFIT)

    def signals(self, t: int) -> None:
        f, sl = self.fast, self.slow
        closes_at = int(self.c.timestamps[t]) + self.hour_ms
        up = t > 0 and f[t] > sl[t] and f[t - 1] <= sl[t - 1]
        down = t > 0 and f[t] < sl[t] and f[t - 1] >= sl[t - 1]
        if self.open is not None and down:
            if self.s.close_fill:
                self.sell(Decimal(self.c.close[t]), closes_at, ExitReason.SIGNAL)
            else:
                self.pending = "sell"
        elif self.open is None and up and t < len(self.c) - 1:
            if self.s.close_fill:
                self.buy(float(self.c.close[t]), closes_at)
            else:
                self.pending = "buy"

    def run(self) -> tuple[list[RefTrade], Decimal]:
        for t in range(len(self.c)):
            opened_at = int(self.c.timestamps[t])
            if self.pending == "sell":
                self.sell(Decimal(self.c.open[t]), opened_at, ExitReason.SIGNAL)
            elif self.pending == "buy":
                self.buy(float(self.c.open[t]), opened_at)
            self.pending = None
            # A position bought at this candle's close is protected from the next candle on.
            if self.open is not None and self.open.entry_time <= utc_from_ms(opened_at):
                self.protect(t)
            self.signals(t)
        if self.open is not None:
            last = int(self.c.timestamps[-1]) + self.hour_ms
            self.sell(Decimal(self.c.close[-1]), last, ExitReason.END_OF_DATA)
        return self.trades, self.cash


@pytest.fixture(scope="module")
def hours(shared_data: Path) -> CandleArrays:
    return read_ohlcv(shared_data / "binance_BTC-USDT_1h.csv.gz").arrays


RULES = MarketRules()
CASES = {
    "risk 1%, next open": Setup(
        Decimal("0.001"),
        Decimal("0.0005"),
        Decimal("0.02"),
        Decimal("0.10"),
        Decimal("0.01"),
        None,
        False,
        RULES,
    ),
    "stake 1.0, next open": Setup(
        Decimal("0.001"),
        Decimal("0.0005"),
        Decimal("0.02"),
        Decimal("0.10"),
        Decimal("0.03"),
        Decimal(1),
        False,
        RULES,
    ),
    "stake 0.5, fill close": Setup(
        Decimal("0.001"),
        Decimal("0.0005"),
        Decimal("0.03"),
        Decimal("0.06"),
        Decimal("0.03"),
        Decimal("0.5"),
        True,
        RULES,
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_sma_cross_when_run_on_real_btc_hours_matches_reference_loop_to_the_cent(
    hours: CandleArrays, case: str
) -> None:
    s = CASES[case]
    config = BacktestConfig(
        fee=s.fee,
        slippage=s.slip,
        stop_loss=s.stop,
        take_profit=s.take,
        risk_ratio=s.risk,
        stake=s.stake,
        fill="close" if s.close_fill else "open",
        market=s.rules,
    )
    capital = Decimal(10_000)
    result = BacktestEngine(config=config).run(
        hours, create_strategy("sma_cross"), capital, Timeframe.H1
    )
    expected, cash = Reference(hours, s, capital, 3_600_000).run()

    assert len(result.trades) == len(expected) > 500
    for ours, ref in zip(result.trades, expected, strict=True):
        assert (ours.entry_time, ours.exit_time, ours.exit_reason) == (
            ref.entry_time,
            ref.exit_time,
            ref.reason,
        )
        assert ours.quantity == ref.quantity
        assert ours.entry_price == ref.entry_price.quantize(Decimal("1e-8"))
        assert ref.exit_price is not None
        assert ref.pnl is not None
        assert ours.pnl is not None
        assert abs(ours.exit_price - ref.exit_price) <= Decimal("1e-8")  # type: ignore[operator]
        assert ours.pnl.quantize(CENT) == ref.pnl.quantize(CENT)
    assert result.final_capital.quantize(CENT) == cash.quantize(CENT)
    reasons = {t.exit_reason for t in result.trades}
    assert {ExitReason.SIGNAL, ExitReason.STOP_LOSS} <= reasons
    assert np.isclose(float(result.equity.values[-1]), float(cash), rtol=1e-9)
