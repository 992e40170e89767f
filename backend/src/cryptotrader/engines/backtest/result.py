"""What a backtest returns: the trades, the equity curve and the metrics, with their settings."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from cryptotrader.domain.enums import BotKind
from cryptotrader.domain.market import CandleArrays, FloatArray, IntArray
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.domain.trades import Trade
from cryptotrader.engines.backtest import _kernel as k
from cryptotrader.engines.backtest.config import BacktestConfig
from cryptotrader.engines.backtest.ledger import FillTimes, TradeBook
from cryptotrader.engines.backtest.metrics import Metrics, TradeOutcomes
from cryptotrader.strategies.base import BoolArray


@dataclass(frozen=True, slots=True)
class EquityCurve:
    """Equity (quote currency, float) at the close of every candle; ``times`` are close times.

    ``held`` is True at the closes where a position is open.
    """

    times: IntArray
    values: FloatArray
    held: BoolArray

    def __len__(self) -> int:
        return int(self.values.shape[0])

    @property
    def drawdown(self) -> FloatArray:
        """Fall from the running high at every close, as a positive fraction."""
        peaks = np.maximum.accumulate(self.values)
        with np.errstate(divide="ignore", invalid="ignore"):
            result: FloatArray = np.where(peaks > 0, 1.0 - self.values / peaks, 0.0)
        return result


@dataclass(frozen=True, slots=True)
class BacktestResult:
    """One strategy on one candle series.

    ``table`` is the kernel's float trade table (bars, phases, prices, steps, reasons), kept for
    charts and cross-checks; ``outcomes`` each of its trades' exact P&L and return; ``trades``
    are the same trades with exact ``Decimal`` money, built from it when first read (the metrics
    do not need them).
    """

    strategy: str
    strategy_name: str
    bot: BotKind
    pair: Pair
    timeframe: Timeframe
    config: BacktestConfig
    stop_loss: Decimal
    take_profit: Decimal
    risk_ratio: Decimal
    candles: CandleArrays
    book: TradeBook
    equity: EquityCurve
    metrics: Metrics
    refused_entries: int
    table: FloatArray
    outcomes: TradeOutcomes

    def trade_times(self) -> tuple[IntArray, IntArray]:
        """Entry and exit times (epoch ms) of each trade, in the table's order, without trades."""
        times = FillTimes(self.candles.timestamps, self.timeframe)
        bars = self.table[:, [k.COL_ENTRY_BAR, k.COL_ENTRY_PHASE, k.COL_EXIT_BAR,
                              k.COL_EXIT_PHASE]].astype(np.int64)  # fmt: skip
        return times.many_ms(bars[:, 0], bars[:, 1]), times.many_ms(bars[:, 2], bars[:, 3])

    @property
    def trades(self) -> tuple[Trade, ...]:
        """Every closed trade, in the order they closed."""
        return self.book.trades

    @property
    def total_return(self) -> float:
        """Final capital over initial, minus one."""
        return self.metrics.total_return

    @property
    def final_capital(self) -> Decimal:
        """Capital after every trade closed (exact)."""
        return self.metrics.final_capital
