"""Warnings about overfitting: what a careful trader checks before trusting an optimum."""

from __future__ import annotations

from cryptotrader.optimize.montecarlo import MonteCarlo
from cryptotrader.optimize.runner import Optimisation
from cryptotrader.optimize.walkforward import WalkForward

#: Fewer trades than this: the figures are mostly chance.
FEW_TRADES = 30
#: Out-of-sample annual return below this share of the in-sample one: the optimum did not hold.
LOW_EFFICIENCY = 0.5
#: Coefficient of variation of a parameter across windows above this: unstable.
UNSTABLE_CV = 0.5
#: Share of a range's width near its ends where a best value is "at the edge".
EDGE = 0.02


def study_warnings(result: Optimisation) -> list[str]:
    """Warnings about the chosen trials of a study."""
    found: list[str] = []
    if not result.chosen:
        return ["no trial met --min-trades and --max-drawdown: nothing to trust"]
    best = result.chosen[0]
    values = {**best.params, **best.protection}
    for dim in result.plan.space.dimensions:
        value = values.get(dim.name)
        if value is None:
            continue
        width = dim.high - dim.low
        lowest, highest = dim.accepted
        at_low = value <= dim.low + EDGE * width and dim.low > lowest
        at_high = value >= dim.high - EDGE * width and dim.high < highest
        if at_low or at_high:
            found.append(
                f"best {dim.name}={value:.4g} is at the edge of its range "
                f"{dim.low:g}..{dim.high:g}: widen it (--range) before trusting it"
            )
    if best.metrics.trades < FEW_TRADES:
        found.append(
            f"the best trial made only {best.metrics.trades} trades: its figures are mostly chance"
        )
    c = result.counts
    if c.complete and c.infeasible / c.complete > 0.8:
        found.append(
            f"{c.infeasible} of {c.complete} trials broke the limits: the space is mostly "
            "unusable, narrow it"
        )
    return found


def walk_forward_warnings(wf: WalkForward) -> list[str]:
    """Warnings about how much of the in-sample result survived out of sample."""
    found: list[str] = []
    if wf.efficiency is not None and wf.efficiency < LOW_EFFICIENCY:
        found.append(
            f"out of sample keeps only {wf.efficiency:.0%} of the in-sample annual return "
            "(walk-forward efficiency, median of the windows): likely overfitted"
        )
    losing = sum(r.out_of_sample.total_return < 0 for r in wf.results)
    if losing * 2 > len(wf.results):
        found.append(f"{losing} of {len(wf.results)} test windows lost money")
    for name, figures in sorted(wf.stability.items()):
        if figures["cv"] > UNSTABLE_CV:
            found.append(
                f"{name} moves a lot between windows (coefficient of variation "
                f"{figures['cv']:.2f}): the optimum is not stable"
            )
    if wf.stitched_metrics.trades < FEW_TRADES:
        found.append(
            f"only {wf.stitched_metrics.trades} out-of-sample trades in all: too few to judge"
        )
    return found


def monte_carlo_warnings(mc: MonteCarlo, drawdown: float) -> list[str]:
    """Warnings when the order of the trades flattered the backtest's drawdown."""
    worst = mc.reshuffled.max_drawdown[95]
    if drawdown > 0 and worst > 1.5 * drawdown:
        return [
            f"1 trade order in 20 has a drawdown beyond {worst:.1%} against {drawdown:.1%} in the "
            "backtest: plan for the deeper one"
        ]
    if mc.resampled.probability_of_loss > 0.25:
        return [f"{mc.resampled.probability_of_loss:.0%} of resampled trade sequences lose money"]
    return []
