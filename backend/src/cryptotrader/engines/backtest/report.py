"""Backtest results as JSON-ready dicts (decimals as strings, ISO-8601 UTC) and rich tables."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import numpy as np
from rich.table import Table

from cryptotrader.domain.market import FloatArray
from cryptotrader.domain.trades import Trade
from cryptotrader.domain.values import utc_from_ms
from cryptotrader.engines.backtest import _kernel as k
from cryptotrader.engines.backtest.metrics import Metrics, buy_and_hold
from cryptotrader.engines.backtest.multipair import MultiPairResult, PairSeries
from cryptotrader.engines.backtest.portfolio import (
    BothBots,
    PortfolioResult,
    Reallocation,
    RiskEvent,
)
from cryptotrader.engines.backtest.result import BacktestResult, EquityCurve

JsonDict = dict[str, Any]


def iso(moment: datetime | None) -> str | None:
    """``2024-01-01T00:00:00Z`` (None stays None): the wall time to the second.

    ``isoformat``, not ``strftime``: the same text for years 1000-9999, ~20 times faster (a
    report formats two times a trade: with ``strftime`` that was most of the report's time).
    """
    return None if moment is None else moment.isoformat(timespec="seconds")[:19] + "Z"


def _number(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else value


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def metrics_dict(metrics: Metrics) -> JsonDict:
    """Every metric; money as strings, ratios as numbers (null when undefined)."""
    dd = metrics.max_drawdown
    return {
        "initial_capital": str(metrics.initial_capital),
        "final_capital": str(metrics.final_capital),
        "net_profit": str(metrics.net_profit),
        "total_return": _number(metrics.total_return),
        "cagr": _number(metrics.cagr),
        "max_drawdown": _number(dd.depth),
        "max_drawdown_peak": iso(dd.peak),
        "max_drawdown_trough": iso(dd.trough),
        "max_drawdown_recovery": iso(dd.recovery),
        "sharpe_ratio": _number(metrics.sharpe_ratio),
        "sortino_ratio": _number(metrics.sortino_ratio),
        "win_rate": _number(metrics.win_rate),
        "profit_factor": _number(metrics.profit_factor),
        "expectancy": _text(metrics.expectancy),
        "exposure": _number(metrics.exposure),
        "fees_paid": str(metrics.fees_paid),
        "total_trades": metrics.total_trades,
        "best_trade": _number(metrics.best_trade),
        "worst_trade": _number(metrics.worst_trade),
        "average_trade": _number(metrics.average_trade),
    }


def trade_dict(trade: Trade) -> JsonDict:
    """One closed trade: times, prices, quantity, fees, net P&L and why it closed."""
    percent = trade.pnl_percent
    return {
        "entry_time": iso(trade.entry_time),
        "entry_price": str(trade.entry_price),
        "exit_time": iso(trade.exit_time),
        "exit_price": _text(trade.exit_price),
        "quantity": str(trade.quantity),
        "fees": str(trade.fees),
        "pnl": _text(trade.booked_pnl),
        "pnl_percent": None if percent is None else float(percent),
        "reason": None if trade.exit_reason is None else str(trade.exit_reason),
        "stop_loss": _text(trade.stop_loss),
        "take_profit": _text(trade.take_profit),
        "confidence": None if trade.confidence is None else float(trade.confidence),
    }


def curve_points(curve: EquityCurve, limit: int = 0) -> list[JsonDict]:
    """``[{"time", "equity"}]``; ``limit`` > 0 keeps about that many evenly spaced points + last."""
    index = np.arange(len(curve))
    if 0 < limit < len(curve):
        index = np.unique(np.linspace(0, len(curve) - 1, limit).astype(np.int64))
    stamps = np.datetime_as_string(curve.times[index].astype("datetime64[ms]"), unit="s")
    values = curve.values[index]
    return [
        {"time": f"{stamp}Z", "equity": f"{value:.8f}"}
        for stamp, value in zip(stamps.tolist(), values.tolist(), strict=True)
    ]


def benchmark(result: BacktestResult, initial_capital: Decimal | None = None) -> Metrics:
    """Buy-and-hold of the result's market over its candles, with its capital and fee."""
    return buy_and_hold(
        opens=result.candles.open,
        closes=result.candles.close,
        times=result.equity.times,
        timeframe=result.timeframe,
        initial_capital=initial_capital or result.metrics.initial_capital,
        fee=result.config.fee,
    )


def hold_curve(result: BacktestResult) -> FloatArray:
    """Buy-and-hold's equity at each candle's close: bought at the first open, after its fee."""
    initial = float(result.metrics.initial_capital)
    candles = result.candles
    units = initial * (1 - float(result.config.fee)) / float(candles.open[0])
    return np.asarray(units * candles.close, dtype=np.float64)


@dataclass(frozen=True, slots=True)
class TradePeriod:
    """The trades that exited in one period of a long chart: one marker instead of many."""

    bar: int
    """The median exit candle: where the marker goes."""
    price: float
    """The mean exit price."""
    net_pnl: float
    count: int


def trade_periods(result: BacktestResult, periods: int) -> list[TradePeriod]:
    """The trades grouped by exit into ``periods`` equal spans of candles (empty spans left out).

    Thousands of trades drawn one by one make a band of colour; per period, a chart shows
    where the strategy gained or lost and how often it traded.
    """
    table = result.table
    if not table.shape[0]:
        return []
    exits = table[:, k.COL_EXIT_BAR].astype(np.int64)
    prices = table[:, k.COL_EXIT_PRICE]
    pnl = np.array([float(t.pnl or 0) for t in result.trades], dtype=np.float64)
    edges = np.linspace(0, len(result.candles), periods + 1).astype(np.int64)
    span = np.searchsorted(edges, exits, side="right") - 1
    found = []
    for index in np.unique(span):
        inside = span == index
        found.append(
            TradePeriod(
                bar=int(np.median(exits[inside])),
                price=float(np.mean(prices[inside])),
                net_pnl=float(pnl[inside].sum()) if pnl.shape[0] == table.shape[0] else 0.0,
                count=int(inside.sum()),
            )
        )
    return found


def portfolio_benchmark(result: PortfolioResult) -> Metrics:
    """Buy-and-hold with both bots' initial capital."""
    return benchmark(result.safe, result.initial_capital)


def result_dict(result: BacktestResult, *, curve_limit: int = 0) -> JsonDict:
    """The ``--json`` object of one backtest."""
    cfg = result.config
    candles = result.candles
    return {
        "strategy": result.strategy,
        "bot": str(result.bot),
        "pair": result.pair.symbol,
        "timeframe": str(result.timeframe),
        "start": iso(utc_from_ms(int(candles.timestamps[0]))),
        "end": iso(utc_from_ms(int(result.equity.times[-1]))) if len(result.equity) else None,
        "candles": len(candles),
        "settings": {
            "fee": str(cfg.fee),
            "slippage": str(cfg.slippage),
            "stop_loss": str(result.stop_loss),
            "take_profit": str(result.take_profit),
            "risk_ratio": str(result.risk_ratio),
            "stake": _text(cfg.stake),
            "fill": cfg.fill,
            "amount_step": str(cfg.market.amount_step),
            "min_notional": str(cfg.market.min_notional),
        },
        **metrics_dict(result.metrics),
        "buy_and_hold": metrics_dict(benchmark(result)),
        "refused_entries": result.refused_entries,
        "trades": [trade_dict(t) for t in result.trades],
        "equity_curve": curve_points(result.equity, curve_limit),
    }


def portfolio_dict(result: PortfolioResult, *, curve_limit: int = 0) -> JsonDict:
    """The ``--json`` object of a portfolio backtest."""
    return {
        "reallocation_ratio": str(result.reallocation_ratio),
        **metrics_dict(result.combined),
        "buy_and_hold": metrics_dict(portfolio_benchmark(result)),
        "equity_curve": curve_points(result.combined_equity, curve_limit),
        "bots": {
            "safe": result_dict(result.safe, curve_limit=curve_limit),
            "aggressive": result_dict(result.aggressive, curve_limit=curve_limit),
        },
        **moves_dict(result, with_pair=False),
    }


def moves_dict(result: BothBots[Any], *, with_pair: bool) -> JsonDict:
    """``reallocations`` and ``risk_changes`` of a portfolio report (each with its ``pair``)."""
    reallocations, changes = result.reallocations, result.risk_changes

    def pair(event: Reallocation | RiskEvent) -> JsonDict:
        if not with_pair:
            return {}
        return {"pair": None if event.pair is None else event.pair.symbol}

    return {
        "reallocations": [
            {
                "time": iso(r.time),
                **pair(r),
                "amount": str(r.amount),
                "profit": str(r.profit.quantize(Decimal("1e-8"))),
                "aggressive_trade": r.trade_index,
            }
            for r in reallocations
        ],
        "risk_changes": [
            {
                "time": iso(c.time),
                "bot": str(c.bot),
                **pair(c),
                "risk_before": str(c.before),
                "risk_after": str(c.after),
                "reason": c.reason,
            }
            for c in changes
        ],
    }


def pair_benchmark(result: MultiPairResult, series: PairSeries, fee: Decimal) -> Metrics:
    """Buy-and-hold of one pair over its candles, with both bots' initial capital."""
    candles = series.candles
    return buy_and_hold(
        opens=candles.open,
        closes=candles.close,
        times=result.timeframe.bucket_end(candles.timestamps),
        timeframe=result.timeframe,
        initial_capital=result.initial_capital,
        fee=fee,
    )


def multipair_dict(result: MultiPairResult, *, fee: Decimal, curve_limit: int = 0) -> JsonDict:
    """The ``--json`` object of a multi-pair portfolio backtest: per bot, per pair, combined."""
    times = result.combined_equity.times
    bots: JsonDict = {}
    for outcome in (result.safe, result.aggressive):
        bots[str(outcome.bot)] = {
            "strategy": outcome.strategy,
            **metrics_dict(outcome.metrics),
            "refused_entries": outcome.refused_entries,
            "pairs": {
                share.pair.symbol: {
                    "total_trades": len(share.trades),
                    "win_rate": _number(share.win_rate),
                    "net_pnl": str(share.net_pnl.quantize(Decimal("1e-8"))),
                    "fees_paid": str(share.fees_paid),
                    "refused_entries": share.refused_entries,
                }
                for share in outcome.pairs
            },
            "trades": [{"pair": t.pair.symbol, **trade_dict(t)} for t in outcome.trades],
            "equity_curve": curve_points(outcome.equity, curve_limit),
        }
    return {
        "reallocation_ratio": str(result.reallocation_ratio),
        "pairs": [p.symbol for p in result.pairs],
        "timeframe": str(result.timeframe),
        "start": iso(utc_from_ms(int(times[0]))) if len(times) else None,
        "end": iso(utc_from_ms(int(times[-1]))) if len(times) else None,
        **metrics_dict(result.combined),
        "buy_and_hold": {
            s.pair.symbol: metrics_dict(pair_benchmark(result, s, fee)) for s in result.series
        },
        "equity_curve": curve_points(result.combined_equity, curve_limit),
        "bots": bots,
        **moves_dict(result, with_pair=True),
    }


def pairs_table(result: MultiPairResult, fee: Decimal) -> Table:
    """Per pair and bot: trades, win rate, net P&L, fees, refused entries; buy & hold per pair."""
    table = Table(title="per pair (buy & hold: the pair bought with both bots' capital)")
    for column in ("pair", "bot", "trades", "win rate", "net P&L", "fees", "refused"):
        table.add_column(column, justify="left" if column in ("pair", "bot") else "right")
    for index, series in enumerate(result.series):
        for outcome in (result.safe, result.aggressive):
            share = outcome.pairs[index]
            table.add_row(
                share.pair.symbol,
                str(share.bot),
                str(len(share.trades)),
                _share(share.win_rate),
                f"{share.net_pnl:+,.2f}",
                f"{share.fees_paid:,.2f}",
                str(share.refused_entries),
            )
        held = pair_benchmark(result, series, fee).total_return
        table.add_row(series.pair.symbol, "buy & hold", "", "", _pct(held), "", "")
    return table


def _pct(value: float | None) -> str:
    return "n/a" if value is None or not math.isfinite(value) else f"{value * 100:+.2f}%"


def _share(value: float | None) -> str:
    return "n/a" if value is None or not math.isfinite(value) else f"{value * 100:.2f}%"


def _ratio(value: float | None) -> str:
    return "n/a" if value is None or not math.isfinite(value) else f"{value:.2f}"


def _day(moment: datetime | None) -> str:
    return "-" if moment is None else f"{moment:%Y-%m-%d}"


def _recovery(metrics: Metrics) -> str:
    if metrics.max_drawdown.trough is None:
        return "-"
    recovery = metrics.max_drawdown.recovery
    return "not yet" if recovery is None else _day(recovery)


#: (label, how to show it) of each row of the terminal table.
ROWS: tuple[tuple[str, Any], ...] = (
    ("final capital", lambda m: f"{m.final_capital:,.2f}"),
    ("total return", lambda m: _pct(m.total_return)),
    ("CAGR", lambda m: _pct(m.cagr)),
    ("max drawdown", lambda m: _pct(-m.max_drawdown.depth)),
    ("drawdown peak", lambda m: _day(m.max_drawdown.peak)),
    ("drawdown trough", lambda m: _day(m.max_drawdown.trough)),
    ("drawdown recovery", _recovery),
    ("Sharpe", lambda m: _ratio(m.sharpe_ratio)),
    ("Sortino", lambda m: _ratio(m.sortino_ratio)),
    ("trades", lambda m: "n/a" if m.holds else str(m.total_trades)),
    ("win rate", lambda m: _share(m.win_rate)),
    ("profit factor", lambda m: _ratio(m.profit_factor)),
    ("expectancy", lambda m: "n/a" if m.expectancy is None else f"{m.expectancy:,.2f}"),
    ("exposure", lambda m: _share(m.exposure)),
    ("fees paid", lambda m: f"{m.fees_paid:,.2f}"),
    ("best trade", lambda m: _pct(m.best_trade)),
    ("worst trade", lambda m: _pct(m.worst_trade)),
    ("average trade", lambda m: _pct(m.average_trade)),
)


def metrics_table(title: str, columns: Sequence[tuple[str, Metrics]]) -> Table:
    """Metrics side by side, one column per run."""
    table = Table(title=title)
    table.add_column("metric")
    for name, _ in columns:
        table.add_column(name, justify="right")
    for label, show in ROWS:
        table.add_row(label, *(show(metrics) for _, metrics in columns))
    return table
