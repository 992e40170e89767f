"""A self-contained HTML report of an optimisation: inline SVG, no script, no CDN.

Sections: warnings, the best trials, parameter importance, parallel coordinates of the trials
(one line per trial across the parameters' axes, the better the darker), the Pareto front with
several objectives, the walk-forward windows with the stitched out-of-sample equity, and the
Monte Carlo percentiles.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np

from cryptotrader.engines.backtest.html import Line, svg_chart
from cryptotrader.optimize.report import OptimisationReport, ranked
from cryptotrader.optimize.runner import Optimisation
from cryptotrader.optimize.study import trial_metrics

WIDTH, HEIGHT, PAD = 1000, 320, 48
MAX_LINES = 400
_STYLE = """
body{font-family:system-ui,sans-serif;margin:24px;color:#111;max-width:1060px}
h1{font-size:20px}h2{font-size:16px;margin-top:28px}
table{border-collapse:collapse;font-size:13px}td,th{padding:3px 10px;border-bottom:1px solid #ddd}
td{text-align:right;font-variant-numeric:tabular-nums}td:first-child{text-align:left}
svg{background:#fafafa;border:1px solid #eee}.warn{color:#b45309}
"""


def _e(value: object) -> str:
    return html.escape(str(value))


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return "-" if value is None else str(value)


def _pct(value: float | None) -> str:
    return "n/a" if value is None or not np.isfinite(value) else f"{value * 100:+.2f}%"


def _table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def importance_svg(importance: dict[str, float]) -> str:
    """Horizontal bars, most important first."""
    items = sorted(importance.items(), key=lambda kv: -kv[1])
    height = 24 * len(items) + 16
    parts = [f'<svg width="{WIDTH}" height="{height}" xmlns="http://www.w3.org/2000/svg">']
    for i, (name, share) in enumerate(items):
        y = 8 + 24 * i
        width = max(1.0, share * (WIDTH - 260))
        parts.append(f'<text x="8" y="{y + 14}" font-size="12">{_e(name)}</text>')
        parts.append(f'<rect x="160" y="{y}" width="{width:.1f}" height="16" fill="#2563eb"/>')
        parts.append(f'<text x="{166 + width:.1f}" y="{y + 13}" font-size="11">{share:.1%}</text>')
    parts.append("</svg>")
    return "".join(parts)


def parallel_svg(result: Optimisation) -> str:
    """Parallel coordinates of the complete trials: one axis per parameter, then the objective."""
    dims = result.plan.space.dimensions
    trials = ranked(result)[:MAX_LINES]
    if not trials or not dims:
        return "<p>no complete trial</p>"
    axes = [*(d.name for d in dims), result.plan.objectives.names[0]]
    lows = [*(d.low for d in dims)]
    highs = [*(d.high for d in dims)]
    objective = np.array([t.values[0] for t in trials])
    lows.append(float(objective.min()))
    highs.append(float(objective.max()))
    w, h = WIDTH - 2 * PAD, HEIGHT - 2 * PAD
    gap = w / max(len(axes) - 1, 1)
    parts = [f'<svg width="{WIDTH}" height="{HEIGHT}" xmlns="http://www.w3.org/2000/svg">']
    for i, name in enumerate(axes):
        x = PAD + i * gap
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{PAD}" y2="{PAD + h}" stroke="#999"/>')
        parts.append(f'<text x="{x - 20:.1f}" y="{PAD - 12}" font-size="11">{_e(name)}</text>')
        parts.append(f'<text x="{x + 3:.1f}" y="{PAD + h + 14}" font-size="9">{lows[i]:.3g}</text>')
        parts.append(f'<text x="{x + 3:.1f}" y="{PAD - 2}" font-size="9">{highs[i]:.3g}</text>')
    count = len(trials)
    for rank, trial in reversed(list(enumerate(trials))):
        values = [float(trial.params[d.name]) for d in dims] + [float(trial.values[0])]
        points = []
        for i, value in enumerate(values):
            span = highs[i] - lows[i]
            y = PAD + h - ((value - lows[i]) / span * h if span > 0 else h / 2)
            points.append(f"{PAD + i * gap:.1f},{y:.1f}")
        shade = 0.15 + 0.85 * (1 - rank / max(count - 1, 1))
        colour = "#dc2626" if rank == 0 else "#2563eb"
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-opacity="{shade:.2f}" '
            f'stroke-width="{2.5 if rank == 0 else 1}" points="{" ".join(points)}"/>'
        )
    parts.append("</svg>")
    return "".join(parts)


def pareto_svg(result: Optimisation) -> str:
    """Every feasible trial on the first two objectives; the Pareto front in red."""
    names = result.plan.objectives.names
    trials = ranked(result)
    if len(names) < 2 or not trials:
        return ""
    xs = np.array([t.values[0] for t in trials])
    ys = np.array([t.values[1] for t in trials])
    front = {c.number for c in result.chosen}
    w, h = WIDTH - 2 * PAD, HEIGHT - 2 * PAD
    x0, x1, y0, y1 = xs.min(), xs.max(), ys.min(), ys.max()

    def at(x: float, y: float) -> tuple[float, float]:
        sx = (x - x0) / (x1 - x0) * w if x1 > x0 else w / 2
        sy = (y - y0) / (y1 - y0) * h if y1 > y0 else h / 2
        return PAD + sx, PAD + h - sy

    parts = [f'<svg width="{WIDTH}" height="{HEIGHT}" xmlns="http://www.w3.org/2000/svg">']
    parts.append(f'<text x="{WIDTH / 2:.0f}" y="{HEIGHT - 8}" font-size="12">{_e(names[0])}</text>')
    parts.append(f'<text x="4" y="{PAD - 16}" font-size="12">{_e(names[1])}</text>')
    for trial, x, y in zip(trials, xs.tolist(), ys.tolist(), strict=True):
        cx, cy = at(x, y)
        on_front = trial.number in front
        parts.append(
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{4 if on_front else 2.5}" '
            f'fill="{"#dc2626" if on_front else "#93c5fd"}"><title>trial {trial.number}: '
            f"{x:.4g}, {y:.4g}</title></circle>"
        )
    for value, label in ((x0, f"{x0:.3g}"), (x1, f"{x1:.3g}")):
        cx, _ = at(value, y0)
        parts.append(f'<text x="{cx:.1f}" y="{PAD + h + 14}" font-size="10">{label}</text>')
    for value in (y0, y1):
        _, cy = at(x0, value)
        parts.append(f'<text x="2" y="{cy:.1f}" font-size="10">{value:.3g}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _study_sections(result: Optimisation) -> list[str]:
    plan = result.plan
    names = list(plan.space.names)
    rows = []
    for trial in ranked(result)[:20]:
        metrics = trial_metrics(trial)
        assert metrics is not None  # a complete trial recorded its metrics
        rows.append(
            [
                trial.number,
                *(_cell(trial.params.get(n)) for n in names),
                *(_cell(v) for v in trial.values),
                _pct(metrics.total_return),
                _pct(-metrics.max_drawdown),
                metrics.trades,
            ]
        )
    c = result.counts
    out = [
        f"<p>Study <b>{_e(plan.name)}</b>: {_e(plan.space.strategy)}, objectives "
        f"{_e(', '.join(plan.objectives.names))}, sampler {_e(plan.sampler)}, seed "
        f"{_e(plan.seed)}; {c.complete} complete, {c.pruned} pruned, {c.infeasible} infeasible "
        f"(min trades {plan.objectives.min_trades}, max drawdown "
        f"{_e(plan.objectives.max_drawdown)}), {c.failed} failed.</p>",
        "<h2>Best trials</h2>",
        _table(["#", *names, *plan.objectives.names, "return", "max DD", "trades"], rows),
    ]
    if result.chosen and result.chosen[0].exact is not None:
        from cryptotrader.engines.backtest.html import portfolio_html, result_html  # noqa: PLC0415
        from cryptotrader.engines.backtest.portfolio import PortfolioResult  # noqa: PLC0415

        exact = result.chosen[0].exact
        body = portfolio_html([exact]) if isinstance(exact, PortfolioResult) else result_html(exact)
        start = body.find("<table")
        out += [
            "<h2>Best trial, backtested again exactly</h2>",
            body[start : body.rfind("</body>")],
        ]
    if result.importance:
        out += ["<h2>Parameter importance</h2>", importance_svg(result.importance)]
    out += ["<h2>Parallel coordinates (best trial in red)</h2>", parallel_svg(result)]
    if len(plan.objectives.names) > 1:
        out += ["<h2>Pareto front</h2>", pareto_svg(result)]
    return out


def optimisation_html(report: OptimisationReport) -> str:
    """The whole report as one HTML page."""
    body: list[str] = []
    if report.warnings:
        items = "".join(f'<li class="warn">{_e(w)}</li>' for w in report.warnings)
        body.append(f"<h2>Warnings</h2><ul>{items}</ul>")
    if report.study is not None:
        body += _study_sections(report.study)
    wf = report.walk_forward
    if wf is not None:
        names = sorted({k for r in wf.results for k in (*r.params, *r.protection)})
        rows = [
            [
                r.window.index + 1,
                *(_cell({**r.params, **r.protection}.get(n)) for n in names),
                _pct(r.in_sample.total_return),
                _pct(r.out_of_sample.total_return),
                _cell(r.in_sample.sharpe),
                _cell(r.out_of_sample.sharpe),
                _pct(-r.out_of_sample.max_drawdown),
                r.out_of_sample.trades,
            ]
            for r in wf.results
        ]
        eff = "n/a" if wf.efficiency is None else f"{wf.efficiency:.0%}"
        body += [
            f"<h2>Walk-forward ({'anchored' if wf.anchored else 'rolling'}), efficiency {eff}</h2>",
            _table(
                [
                    "window",
                    *names,
                    "IS return",
                    "OOS return",
                    "IS Sharpe",
                    "OOS Sharpe",
                    "OOS max DD",
                    "OOS trades",
                ],
                rows,
            ),
            svg_chart("Stitched out-of-sample equity", [Line("equity", wf.times, wf.stitched)]),
            "<h2>Parameter stability across windows</h2>",
            _table(
                ["parameter", "mean", "std", "coefficient of variation"],
                [
                    [k, _cell(f["mean"]), _cell(f["std"]), _cell(f["cv"])]
                    for k, f in sorted(wf.stability.items())
                ],
            ),
        ]
    mc = report.monte_carlo
    if mc is not None:
        rows = []
        for label, dist in (("reshuffled", mc.reshuffled), ("resampled", mc.resampled)):
            rows.append(
                [
                    f"{label}: return",
                    *(_pct(dist.total_return[p]) for p in (5, 25, 50, 75, 95)),
                    f"{dist.probability_of_loss:.1%}",
                ]
            )
            rows.append(
                [
                    f"{label}: max drawdown",
                    *(_pct(-dist.max_drawdown[p]) for p in (5, 25, 50, 75, 95)),
                    "",
                ]
            )
        body += [
            f"<h2>Monte Carlo of {mc.trades} trades ({mc.resampled.runs} runs each)</h2>",
            _table(["", "p5", "p25", "p50", "p75", "p95", "P(loss)"], rows),
        ]
    title = report.title
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{_e(title)}</title>'
        f"<style>{_STYLE}</style></head><body><h1>{_e(title)}</h1>"
        + "".join(body)
        + "</body></html>"
    )
