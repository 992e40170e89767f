"""The bridge between decisions and the compiled kernel: arrays in, a trade table out."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from cryptotrader.domain.market import CandleArrays, FloatArray, IntArray
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.engines.backtest import _kernel
from cryptotrader.engines.backtest.config import BacktestConfig
from cryptotrader.errors import UserInputError
from cryptotrader.strategies.base import Decisions

_EMPTY_F = np.zeros(0)
_UNLIMITED = 1 << 62


@dataclass(frozen=True, slots=True)
class Detail:
    """Finer candles that resolve what happened first inside a bar (``--detail 1m``)."""

    candles: CandleArrays
    timeframe: Timeframe


@dataclass(frozen=True, slots=True)
class KernelRun:
    """One kernel call's output: closed trades, refused entry bars, cash, where to resume."""

    table: FloatArray
    refused: IntArray
    cash: float
    next_start: int


@dataclass(frozen=True, slots=True)
class Simulation:
    """Everything the kernel needs for one strategy on one series, except capital and risk."""

    candles: CandleArrays
    decisions: Decisions
    config: BacktestConfig
    stop_loss: float
    take_profit: float
    detail_start: IntArray
    detail_stop: IntArray
    detail: CandleArrays | None

    def run(self, *, start: int, cash: float, risk_ratio: float, max_events: int) -> KernelRun:
        """Simulate from bar ``start`` (flat) with ``cash``; stop after ``max_events`` (<= 0: no).

        An event is a closed trade or a refused entry.
        """
        c, cfg, d = self.candles, self.config, self.detail
        max_events = max_events if max_events > 0 else _UNLIMITED
        kernel = _kernel.for_bars(len(c) - start)
        table, refused, cash_left, next_start = kernel(
            c.open, c.high, c.low, c.close,
            self.decisions.entries, self.decisions.exits, self.decisions.confidence,
            start, cash, float(cfg.fee), float(cfg.slippage), self.stop_loss, self.take_profit,
            risk_ratio, float(cfg.stake or 0), float(cfg.market.amount_step),
            float(cfg.market.min_amount), float(cfg.market.min_notional), cfg.fill == "close",
            d.open if d else _EMPTY_F, d.high if d else _EMPTY_F, d.low if d else _EMPTY_F,
            self.detail_start, self.detail_stop, d is not None, max_events,
        )  # fmt: skip
        return KernelRun(table, refused, float(cash_left), int(next_start))


def detail_index(
    candles: CandleArrays, timeframe: Timeframe, detail: Detail | None
) -> tuple[IntArray, IntArray]:
    """For each bar, the range of finer candles inside it (empty ranges without detail).

    Raises:
        UserInputError: the detail timeframe is not finer than, and a divisor of, the bars'.
    """
    n = len(candles)
    if detail is None:
        return np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    if detail.timeframe is timeframe or not detail.timeframe.divides(timeframe):
        raise UserInputError(
            f"--detail {detail.timeframe} must be a finer timeframe than {timeframe} dividing it"
        )
    finer = detail.candles.timestamps
    ends = timeframe.bucket_end(candles.timestamps)
    start = np.searchsorted(finer, candles.timestamps, side="left").astype(np.int64)
    stop = np.searchsorted(finer, ends, side="left").astype(np.int64)
    return start, stop


def make_simulation(
    *,
    candles: CandleArrays,
    timeframe: Timeframe,
    decisions: Decisions,
    config: BacktestConfig,
    stops: tuple[Decimal, Decimal],
    detail: Detail | None = None,
) -> Simulation:
    """A ready-to-run simulation."""
    start, stop = detail_index(candles, timeframe, detail)
    return Simulation(
        candles=candles,
        decisions=decisions,
        config=config,
        stop_loss=float(stops[0]),
        take_profit=float(stops[1]),
        detail_start=start,
        detail_stop=stop,
        detail=detail.candles if detail else None,
    )
