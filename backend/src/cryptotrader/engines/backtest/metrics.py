r"""Performance metrics of a backtest, with their formulas.

With ``E_0`` the initial capital and ``E_t`` the equity at the close of candle ``t``
(``t = 1..N``), per-candle returns are ``r_t = E_t / E_{t-1} - 1`` and ``P`` is the number of
candles in a year for the timeframe (crypto trades all year: ``P = 365.25 days / candle width``;
1h -> 8766, 1d -> 365.25, a month counts 30 days):

* total return ``E_N / E_0 - 1`` (from the exact ``Decimal`` final capital);
* CAGR ``(E_N / E_0) ** (1 / years) - 1`` with ``years = N / P``;
* max drawdown ``max_t (1 - E_t / max_{s<=t} E_s)`` (a positive fraction), with the peak, the
  trough and the recovery (first close back at the peak; None if never) dates;
* Sharpe ``mean(r) / std(r) * sqrt(P)`` (sample std, ddof=1; risk-free rate 0);
* Sortino ``mean(r) / sqrt(mean(min(r, 0)^2)) * sqrt(P)`` (downside deviation over every
  candle, target 0);
* win rate ``winners / trades`` (a winner has net P&L > 0); profit factor ``gross profit / gross
  loss`` of the net P&Ls (None without a losing trade); expectancy = mean net P&L per trade;
* exposure = fraction of candles closing with an open position; best / worst / average trade =
  net P&L as a fraction of the entry notional.
Ratios that cannot be computed (no trade, constant equity) are None.

Buy-and-hold, the benchmark beside every result: the whole initial capital buys at the first
candle's open (one fee), is held, and sells at the last close (one fee); its equity is marked at
every close, so its drawdown and Sharpe read like the strategy's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

import numpy as np

from cryptotrader.domain.market import FloatArray, IntArray
from cryptotrader.domain.timeframes import DAY_MS, Timeframe
from cryptotrader.domain.trades import Trade
from cryptotrader.domain.values import utc_from_ms

YEAR_MS = 365.25 * DAY_MS


@dataclass(frozen=True, slots=True)
class Drawdown:
    """The deepest fall of the equity from a previous high."""

    depth: float
    peak: datetime | None
    trough: datetime | None
    recovery: datetime | None


@dataclass(frozen=True, slots=True)
class Metrics:
    """Every figure of a backtest report; money in ``Decimal``, ratios as floats."""

    initial_capital: Decimal
    final_capital: Decimal
    net_profit: Decimal
    total_return: float
    cagr: float | None
    max_drawdown: Drawdown
    sharpe_ratio: float | None
    sortino_ratio: float | None
    win_rate: float | None
    profit_factor: float | None
    expectancy: Decimal | None
    exposure: float
    fees_paid: Decimal
    total_trades: int
    best_trade: float | None
    worst_trade: float | None
    average_trade: float | None
    holds: bool = False
    """Buy-and-hold: bought once and held, no strategy trading; reports show its trades as n/a."""


def periods_per_year(timeframe: Timeframe) -> float:
    """Candles of ``timeframe`` in a year of 365.25 days."""
    return YEAR_MS / timeframe.milliseconds


def drawdown(equity: FloatArray, times: IntArray) -> Drawdown:
    """Deepest drawdown of ``equity`` (stamped ``times``, epoch ms)."""
    if equity.shape[0] == 0:
        return Drawdown(0.0, None, None, None)
    peaks = np.maximum.accumulate(equity)
    if peaks[0] > 0 and np.isfinite(peaks[-1]):  # then every peak is (they never fall)
        depth = np.divide(equity, peaks)
        np.subtract(1.0, depth, out=depth)
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            depth = np.where(peaks > 0, 1.0 - equity / peaks, 0.0)
    trough = int(np.argmax(depth))
    if depth[trough] <= 0:
        return Drawdown(0.0, None, None, None)
    high = peaks[trough]
    peak = trough - int(np.argmax(equity[trough::-1] == high))  # the last close at that high
    back = equity[trough:] >= high
    first_back = int(np.argmax(back))
    recovery = utc_from_ms(int(times[trough + first_back])) if back[first_back] else None
    return Drawdown(
        float(depth[trough]),
        utc_from_ms(int(times[peak])),
        utc_from_ms(int(times[trough])),
        recovery,
    )


def _ratios(returns: FloatArray, per_year: float) -> tuple[float | None, float | None]:
    if returns.shape[0] < 2:
        return None, None
    mean = float(np.mean(returns))
    std = float(np.std(returns, ddof=1))
    down = np.minimum(returns, 0.0)
    downside = math.sqrt(float(np.mean(np.square(down, out=down))))
    scale = math.sqrt(per_year)
    sharpe = mean / std * scale if std > 0 else None
    sortino = mean / downside * scale if downside > 0 else None
    return sharpe, sortino


@dataclass(frozen=True, slots=True)
class TradeOutcomes:
    """Each closed trade's exact net P&L and its return on the entry notional.

    P&L ``i`` is ``pnl_units[i] * 10**-scale``; its return is ``float(pnl) / (float(entry
    price) * float(quantity))``. What the trade metrics need, without a ``Trade`` per trade:
    the backtest computes it from the kernel's table (``ledger.build_ledger``), anything else
    from its trades.
    """

    pnl_units: Sequence[int]
    scale: int
    returns: Sequence[float]

    @classmethod
    def of_trades(cls, trades: Sequence[Trade]) -> TradeOutcomes:
        """The outcomes of closed ``Trade`` objects."""
        pnls = [t.pnl or Decimal(0) for t in trades]
        scale = max((max(0, -int(p.as_tuple().exponent)) for p in pnls), default=0)
        returns = [
            float(p) / (float(t.entry_price) * float(t.quantity))
            for p, t in zip(pnls, trades, strict=True)
        ]
        return cls([int(p.scaleb(scale)) for p in pnls], scale, returns)

    @classmethod
    def joined(cls, parts: Sequence[TradeOutcomes], order: Sequence[int]) -> TradeOutcomes:
        """Several runs' outcomes as one: ``order`` indexes the concatenated trades.

        The P&Ls move to the finest scale (exact); what ``of_trades`` gives for the same trades
        in that order, without them (the portfolio's combined figures).
        """
        scale = max((part.scale for part in parts), default=0)
        units = [u * 10 ** (scale - part.scale) for part in parts for u in part.pnl_units]
        returns = [r for part in parts for r in part.returns]
        return cls([units[i] for i in order], scale, [returns[i] for i in order])


def _trade_figures(
    outcomes: TradeOutcomes,
) -> tuple[float | None, float | None, Decimal | None]:
    """Win rate, profit factor and expectancy, summed exactly in integers."""
    units = outcomes.pnl_units
    if not units:
        return None, None, None
    wins = [u for u in units if u > 0]
    gross_profit = sum(wins)
    gross_loss = gross_profit - sum(units)
    profit_factor = float(Decimal(gross_profit) / Decimal(gross_loss)) if gross_loss > 0 else None
    mean = (Decimal(sum(units)) / len(units)).scaleb(-outcomes.scale)
    return len(wins) / len(units), profit_factor, mean.quantize(Decimal("1e-8"))


def _cagr(growth: float, years: float) -> float | None:
    """Annual growth; None when undefined or beyond a float (a few hours' gain, annualised)."""
    if years <= 0 or growth <= 0:
        return None
    try:
        return float(growth ** (1.0 / years)) - 1.0
    except OverflowError:
        return None


def compute_metrics(
    *,
    equity: FloatArray,
    times: IntArray,
    timeframe: Timeframe,
    initial_capital: Decimal,
    final_capital: Decimal,
    fees_paid: Decimal,
    trades: TradeOutcomes | Sequence[Trade],
    exposure: float,
) -> Metrics:
    """All metrics of a run; see the module docstring for the formulas.

    ``trades``: the closed trades, or their ``TradeOutcomes`` (the same figures).
    """
    outcomes = trades if isinstance(trades, TradeOutcomes) else TradeOutcomes.of_trades(trades)
    per_year = periods_per_year(timeframe)
    returns = np.empty_like(equity, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        if returns.shape[0]:
            returns[0] = equity[0] / float(initial_capital)
            np.divide(equity[1:], equity[:-1], out=returns[1:])
        returns -= 1.0
    finite = np.isfinite(returns)
    if not finite.all():
        returns = returns[finite]
    sharpe, sortino = _ratios(returns, per_year)
    growth = final_capital / initial_capital
    years = equity.shape[0] / per_year
    cagr = _cagr(float(growth), years)
    win_rate, profit_factor, expectancy = _trade_figures(outcomes)
    trade_returns = outcomes.returns
    return Metrics(
        initial_capital=initial_capital,
        final_capital=final_capital.quantize(Decimal("1e-8")),
        net_profit=(final_capital - initial_capital).quantize(Decimal("1e-8")),
        total_return=float(growth - 1),
        cagr=cagr,
        max_drawdown=drawdown(equity, times),
        sharpe_ratio=sharpe,
        sortino_ratio=sortino,
        win_rate=win_rate,
        profit_factor=profit_factor,
        expectancy=expectancy,
        exposure=exposure,
        fees_paid=fees_paid,
        total_trades=len(outcomes.pnl_units),
        best_trade=max(trade_returns) if trade_returns else None,
        worst_trade=min(trade_returns) if trade_returns else None,
        average_trade=sum(trade_returns) / len(trade_returns) if trade_returns else None,
    )


def buy_and_hold(
    *,
    opens: FloatArray,
    closes: FloatArray,
    times: IntArray,
    timeframe: Timeframe,
    initial_capital: Decimal,
    fee: Decimal,
) -> Metrics:
    """The same market bought at the first open and sold at the last close (see above)."""
    if closes.shape[0] == 0 or opens[0] <= 0:
        held = compute_metrics(
            equity=closes.astype(float), times=times, timeframe=timeframe,
            initial_capital=initial_capital, final_capital=initial_capital,
            fees_paid=Decimal(0), trades=(), exposure=0.0,
        )  # fmt: skip
        return replace(held, holds=True)
    keep = 1.0 - float(fee)
    units = float(initial_capital) * keep / float(opens[0])
    equity = units * closes.astype(float)
    exit_fee = float(equity[-1]) * float(fee)
    equity[-1] -= exit_fee
    final = Decimal(f"{float(equity[-1]):.8f}")
    fees = (initial_capital * fee + Decimal(f"{exit_fee:.8f}")).quantize(Decimal("1e-8"))
    held = compute_metrics(
        equity=equity, times=times, timeframe=timeframe, initial_capital=initial_capital,
        final_capital=final, fees_paid=fees, trades=(), exposure=1.0,
    )  # fmt: skip
    return replace(held, holds=True)
