"""Self-contained HTML reports: inline SVG charts (no script, no CDN), tables of figures.

Charts: the price with every trade (entries green, exits red; beyond ``MAX_TRADES`` trades, one
dot per period for the trades that exited in it, as on the PNG), the equity curve beside
buy-and-hold's, and the drawdown. Long series are reduced to ``MAX_POINTS`` points by keeping
each bucket's lowest and highest value, so spikes and troughs stay visible.
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from cryptotrader.domain.market import FloatArray, IntArray
from cryptotrader.engines.backtest import _kernel as k
from cryptotrader.engines.backtest.metrics import Metrics
from cryptotrader.engines.backtest.multipair import MultiPairResult
from cryptotrader.engines.backtest.portfolio import PortfolioResult
from cryptotrader.engines.backtest.report import (
    ROWS,
    benchmark,
    hold_curve,
    iso,
    pair_benchmark,
    portfolio_benchmark,
    trade_dict,
    trade_periods,
)
from cryptotrader.engines.backtest.result import BacktestResult

MAX_POINTS = 1600
MAX_TRADES = 150
"""Above this many trades, the price chart shows one dot per period instead of each trade."""
PERIODS = 120
MAX_TRADE_ROWS = 500
WIDTH, HEIGHT, PAD = 1000, 260, 48
COLOURS = ("#2563eb", "#d97706", "#059669", "#7c3aed", "#dc2626", "#0891b2")
_STYLE = """
body{font-family:system-ui,sans-serif;margin:24px;color:#111;max-width:1060px}
h1{font-size:20px}h2{font-size:16px;margin-top:28px}
table{border-collapse:collapse;font-size:13px}td,th{padding:3px 10px;border-bottom:1px solid #ddd}
td.n{text-align:right;font-variant-numeric:tabular-nums}
svg{background:#fafafa;border:1px solid #eee}
.legend span{margin-right:14px;font-size:13px}
"""


@dataclass(frozen=True, slots=True)
class Line:
    """One line of a chart: epoch-ms times and values."""

    label: str
    times: IntArray
    values: FloatArray


def reduce_points(
    times: IntArray, values: FloatArray, limit: int = MAX_POINTS
) -> tuple[IntArray, FloatArray]:
    """At most about ``limit`` points: each bucket's min and max, in time order."""
    n = values.shape[0]
    if n <= limit:
        return times, values
    edges = np.linspace(0, n, limit // 2 + 1).astype(np.int64)
    keep = []
    for lo, hi in itertools.pairwise(edges):
        if hi > lo:
            chunk = values[lo:hi]
            keep.extend(sorted({lo + int(np.argmin(chunk)), lo + int(np.argmax(chunk))}))
    index = np.asarray(keep, dtype=np.int64)
    return times[index], values[index]


def _scale(value: float, low: float, high: float, size: float) -> float:
    return 0.0 if high <= low else (value - low) / (high - low) * size


def svg_chart(
    title: str,
    lines: Sequence[Line],
    markers: Sequence[tuple[int, float, str, float]] = (),
    *,
    percent: bool = False,
) -> str:
    """An SVG line chart with a time axis; ``markers`` are ``(time ms, value, colour, radius)``."""
    reduced = [reduce_points(line.times, line.values) for line in lines]
    all_t = np.concatenate([t for t, _ in reduced]) if reduced else np.zeros(1, dtype=np.int64)
    all_v = np.concatenate([v for _, v in reduced]) if reduced else np.zeros(1)
    finite = all_v[np.isfinite(all_v)]
    t0, t1 = int(all_t.min()), int(all_t.max())
    v0, v1 = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    w, h = WIDTH - 2 * PAD, HEIGHT - 2 * PAD

    def xy(t: float, v: float) -> str:
        return f"{PAD + _scale(t, t0, t1, w):.1f},{PAD + h - _scale(v, v0, v1, h):.1f}"

    parts = [f'<svg width="{WIDTH}" height="{HEIGHT}" xmlns="http://www.w3.org/2000/svg">']
    parts.append(f'<text x="{PAD}" y="20" font-size="14">{html.escape(title)}</text>')
    for value in (v0, (v0 + v1) / 2, v1):
        label = f"{value * 100:.1f}%" if percent else f"{value:,.2f}"
        y = PAD + h - _scale(value, v0, v1, h)
        parts.append(
            f'<line x1="{PAD}" x2="{PAD + w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e5e5e5"/>'
        )
        parts.append(f'<text x="2" y="{y + 4:.1f}" font-size="10">{label}</text>')
    for moment in (t0, (t0 + t1) // 2, t1):
        x = PAD + _scale(moment, t0, t1, w)
        day = (iso_ms(moment) or "")[:10]
        parts.append(f'<text x="{x - 30:.1f}" y="{HEIGHT - 14}" font-size="10">{day}</text>')
    for i, (t, v) in enumerate(reduced):
        points = " ".join(xy(a, b) for a, b in zip(t.tolist(), v.tolist(), strict=True))
        colour = COLOURS[i % len(COLOURS)]
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="1.2" points="{points}"/>'
        )
    for moment, value, colour, radius in markers:
        cx, cy = xy(moment, value).split(",")
        parts.append(
            f'<circle cx="{cx}" cy="{cy}" r="{radius:.1f}" fill="{colour}" fill-opacity="0.7"/>'
        )
    parts.append("</svg>")
    if len(lines) > 1:
        legend = "".join(
            f'<span style="color:{COLOURS[i % len(COLOURS)]}">&#9632; '
            f"{html.escape(line.label)}</span>"
            for i, line in enumerate(lines)
        )
        parts.append(f'<div class="legend">{legend}</div>')
    return "".join(parts)


def iso_ms(moment: int) -> str | None:
    """Epoch milliseconds as ISO-8601 UTC."""
    return str(np.datetime64(int(moment), "ms").astype("datetime64[s]")) + "Z"


def _metrics_table(columns: Sequence[tuple[str, Metrics]]) -> str:
    head = "".join(f"<th>{html.escape(name)}</th>" for name, _ in columns)
    rows = [f"<tr><th></th>{head}</tr>"]
    for label, show in ROWS:
        cells = "".join(f'<td class="n">{html.escape(show(m))}</td>' for _, m in columns)
        rows.append(f"<tr><td>{label}</td>{cells}</tr>")
    return f"<table>{''.join(rows)}</table>"


def _table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """An HTML table of the first ``MAX_TRADE_ROWS`` rows (cells escaped)."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(cell))}</td>" for cell in row) + "</tr>"
        for row in rows[:MAX_TRADE_ROWS]
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def _trades_table(result: BacktestResult) -> str:
    keys = ("entry_time", "entry_price", "exit_time", "exit_price", "quantity", "pnl", "reason")
    head = "".join(f"<th>{key}</th>" for key in keys)
    body = []
    for trade in result.trades[:MAX_TRADE_ROWS]:
        row = trade_dict(trade)
        body.append(
            "<tr>" + "".join(f"<td>{html.escape(str(row[key]))}</td>" for key in keys) + "</tr>"
        )
    more = len(result.trades) - MAX_TRADE_ROWS
    note = f"<p>{more} more trades in the JSON report.</p>" if more > 0 else ""
    return f"<table><tr>{head}</tr>{''.join(body)}</table>{note}"


def _price_chart(result: BacktestResult) -> str:
    candles = result.candles
    table = result.table
    times = candles.timestamps
    markers: list[tuple[int, float, str, float]] = []
    title = f"{result.pair.symbol} {result.timeframe} close, "
    if table.shape[0] <= MAX_TRADES:
        title += "trades (entries green, exits red)"
        for row in table:
            entry, exit_ = int(row[k.COL_ENTRY_BAR]), int(row[k.COL_EXIT_BAR])
            markers.append((int(times[entry]), float(row[k.COL_ENTRY_PRICE]), "#16a34a", 2.6))
            markers.append((int(times[exit_]), float(row[k.COL_EXIT_PRICE]), "#dc2626", 2.6))
    else:
        title += (
            f"{table.shape[0]:,} trades: one dot per period, net gain green, loss red, "
            "size = trades"
        )
        for period in trade_periods(result, PERIODS):
            colour = "#16a34a" if period.net_pnl > 0 else "#dc2626"
            radius = 2.0 + float(np.sqrt(period.count))
            markers.append((int(times[period.bar]), period.price, colour, radius))
    return svg_chart(title, [Line("close", times, candles.close)], markers)


def _page(title: str, body: Sequence[str]) -> str:
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}'
        f"</title><style>{_STYLE}</style></head><body><h1>{html.escape(title)}</h1>"
        + "".join(body)
        + "</body></html>"
    )


def result_html(result: BacktestResult) -> str:
    """One backtest: figures, price with trades, equity, drawdown, trades."""
    equity = result.equity
    return _page(
        f"Backtest {result.strategy} - {result.pair.symbol} {result.timeframe}",
        [
            _metrics_table(
                [(result.strategy_name, result.metrics), ("buy & hold", benchmark(result))]
            ),
            "<h2>Price and trades</h2>",
            _price_chart(result),
            "<h2>Equity</h2>",
            svg_chart(
                "equity",
                [
                    Line(result.strategy_name, equity.times, equity.values),
                    Line("buy & hold", result.candles.timestamps, hold_curve(result)),
                ],
            ),
            "<h2>Drawdown</h2>",
            svg_chart("drawdown", [Line("drawdown", equity.times, -equity.drawdown)], percent=True),
            "<h2>Trades</h2>",
            _trades_table(result),
        ],
    )


def comparison_html(results: Sequence[BacktestResult]) -> str:
    """Several strategies on the same data, side by side."""
    lines = [Line(r.strategy, r.equity.times, r.equity.values) for r in results]
    drawdowns = [Line(r.strategy, r.equity.times, -r.equity.drawdown) for r in results]
    first = results[0]
    return _page(
        f"Strategy comparison - {first.pair.symbol} {first.timeframe}",
        [
            _metrics_table(
                [*((r.strategy, r.metrics) for r in results), ("buy & hold", benchmark(results[0]))]
            ),
            "<h2>Equity</h2>",
            svg_chart("equity", lines),
            "<h2>Drawdown</h2>",
            svg_chart("drawdown", drawdowns, percent=True),
        ],
    )


def portfolio_html(results: Sequence[PortfolioResult]) -> str:
    """A portfolio backtest (or a sweep of reallocation ratios)."""
    body: list[str] = []
    columns = [(f"ratio {r.reallocation_ratio}", r.combined) for r in results]
    body.append(_metrics_table([*columns, ("buy & hold", portfolio_benchmark(results[0]))]))
    body.append("<h2>Combined equity</h2>")
    body.append(
        svg_chart(
            "combined equity",
            [
                Line(
                    f"ratio {r.reallocation_ratio}",
                    r.combined_equity.times,
                    r.combined_equity.values,
                )
                for r in results
            ],
        )
    )
    main = results[len(results) // 2]
    body.append(f"<h2>Bots at ratio {main.reallocation_ratio}</h2>")
    body.append(
        _metrics_table(
            [
                ("safe", main.safe.metrics),
                ("aggressive", main.aggressive.metrics),
                ("combined", main.combined),
                ("buy & hold", portfolio_benchmark(main)),
            ]
        )
    )
    body.append(
        svg_chart(
            "equity per bot",
            [
                Line("safe", main.safe.equity.times, main.safe.equity.values),
                Line("aggressive", main.aggressive.equity.times, main.aggressive.equity.values),
            ],
        )
    )
    body.append(f"<h2>Risk changes ({len(main.risk_changes)})</h2>")
    body.append(
        _table(
            ("time", "bot", "before", "after", "reason"),
            [(iso(c.time), c.bot, c.before, c.after, c.reason) for c in main.risk_changes],
        )
    )
    body.append(f"<h2>Reallocations ({len(main.reallocations)})</h2>")
    body.append(
        _table(
            ("time", "amount", "aggressive trade"),
            [(iso(r.time), r.amount, r.trade_index) for r in main.reallocations],
        )
    )
    return _page(f"Portfolio backtest - {main.safe.pair.symbol} {main.safe.timeframe}", body)


def multipair_html(result: MultiPairResult, fee: Decimal) -> str:
    """A portfolio backtest over several pairs: per bot, per pair and combined."""
    safe, aggressive = result.safe, result.aggressive
    body = [
        _metrics_table(
            [
                ("safe", safe.metrics),
                ("aggressive", aggressive.metrics),
                ("combined", result.combined),
            ]
        ),
        "<h2>Equity</h2>",
        svg_chart(
            "equity",
            [
                Line("combined", result.combined_equity.times, result.combined_equity.values),
                Line("safe", safe.equity.times, safe.equity.values),
                Line("aggressive", aggressive.equity.times, aggressive.equity.values),
            ],
        ),
        "<h2>Drawdown</h2>",
        svg_chart(
            "combined drawdown",
            [Line("combined", result.combined_equity.times, -result.combined_equity.drawdown)],
            percent=True,
        ),
        "<h2>Per pair</h2>",
        _table(
            ("pair", "bot", "trades", "win rate", "net P&L", "fees", "refused", "buy & hold"),
            [
                (
                    share.pair.symbol,
                    share.bot,
                    len(share.trades),
                    "n/a" if share.win_rate is None else f"{share.win_rate:.2%}",
                    f"{share.net_pnl:+,.2f}",
                    f"{share.fees_paid:,.2f}",
                    share.refused_entries,
                    f"{pair_benchmark(result, series, fee).total_return:+.2%}",
                )
                for index, series in enumerate(result.series)
                for share in (safe.pairs[index], aggressive.pairs[index])
            ],
        ),
    ]
    body.append(f"<h2>Risk changes ({len(result.risk_changes)})</h2>")
    body.append(
        _table(
            ("time", "bot", "pair", "before", "after", "reason"),
            [
                (iso(c.time), c.bot, c.pair, c.before, c.after, c.reason)
                for c in result.risk_changes
            ],
        )
    )
    body.append(f"<h2>Reallocations ({len(result.reallocations)})</h2>")
    body.append(
        _table(
            ("time", "pair", "amount", "aggressive trade"),
            [(iso(r.time), r.pair, r.amount, r.trade_index) for r in result.reallocations],
        )
    )
    keys = ("entry_time", "entry_price", "exit_time", "exit_price", "quantity", "pnl", "reason")
    body.append("<h2>Trades</h2>")
    body.append(
        _table(
            ("pair", "bot", *keys),
            [(t.pair.symbol, t.bot, *(trade_dict(t)[key] for key in keys)) for t in result.trades],
        )
    )
    symbols = ", ".join(p.symbol for p in result.pairs)
    return _page(f"Portfolio backtest - {symbols} {result.timeframe}", body)
