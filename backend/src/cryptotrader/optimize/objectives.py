"""What a study maximises or minimises, and the limits a trial must respect to count.

Several objectives at once give a Pareto front (NSGA-II by default). A trial with fewer trades
than ``min_trades`` or a drawdown beyond ``max_drawdown`` is infeasible: it is kept in the study
(the sampler learns from it, through Optuna's constraints) but never chosen as best.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from cryptotrader.errors import UserInputError
from cryptotrader.optimize.evaluate import TrialMetrics
from cryptotrader.plugins import did_you_mean

#: name -> (metric read, direction, help)
OBJECTIVES: dict[str, tuple[str, str, str]] = {
    "sharpe": ("sharpe", "maximize", "Sharpe ratio of the per-candle returns"),
    "sortino": ("sortino", "maximize", "Sortino ratio (downside deviation)"),
    "calmar": ("calmar", "maximize", "CAGR over maximum drawdown"),
    "profit": ("total_return", "maximize", "total return (cap the drawdown with --max-drawdown)"),
    "drawdown": ("max_drawdown", "minimize", "maximum drawdown"),
    "win_rate": ("win_rate", "maximize", "share of winning trades"),
}
#: Value given to a ratio that cannot be computed (no trade, flat equity): never preferred.
UNDEFINED = {"maximize": -1e9, "minimize": 1e9}


@dataclass(frozen=True, slots=True)
class Objectives:
    """The objectives of a study and the feasibility limits of its trials."""

    names: tuple[str, ...]
    min_trades: int = 1
    max_drawdown: float | None = None

    @property
    def directions(self) -> list[Literal["minimize", "maximize"]]:
        """Optuna's direction of each objective."""
        return ["maximize" if OBJECTIVES[n][1] == "maximize" else "minimize" for n in self.names]

    def values(self, metrics: TrialMetrics) -> list[float]:
        """The objective values of a trial."""
        out = []
        for name in self.names:
            attribute, direction, _ = OBJECTIVES[name]
            value = getattr(metrics, attribute)
            out.append(UNDEFINED[direction] if value is None else float(value))
        return out

    def violation(self, metrics: TrialMetrics) -> float:
        """How far a trial is from feasible (<= 0: feasible), for Optuna's constraints."""
        missing = max(0, self.min_trades - metrics.trades) / max(self.min_trades, 1)
        excess = 0.0
        if self.max_drawdown is not None:
            excess = max(0.0, metrics.max_drawdown - self.max_drawdown)
        return missing + excess if missing + excess > 0 else -1.0

    def why_infeasible(self, metrics: TrialMetrics) -> str | None:
        """The first limit a trial breaks, in words (None: feasible)."""
        if metrics.trades < self.min_trades:
            return f"{metrics.trades} trades < {self.min_trades}"
        if self.max_drawdown is not None and metrics.max_drawdown > self.max_drawdown:
            return f"drawdown {metrics.max_drawdown:.1%} > {self.max_drawdown:.1%}"
        return None


def parse_objectives(
    names: Sequence[str], *, min_trades: int = 1, max_drawdown: float | None = None
) -> Objectives:
    """Objectives by name (``sharpe`` when none).

    Raises:
        UserInputError: unknown or repeated objective, bad limits.
    """
    chosen = tuple(n.strip().lower() for name in names for n in name.split(",") if n.strip())
    chosen = chosen or ("sharpe",)
    for name in chosen:
        if name not in OBJECTIVES:
            raise UserInputError(
                f"unknown objective {name!r}{did_you_mean(name, OBJECTIVES)}; "
                f"choose from {', '.join(OBJECTIVES)}"
            )
    if len(set(chosen)) != len(chosen):
        raise UserInputError("an objective is given twice")
    if min_trades < 0:
        raise UserInputError(f"--min-trades {min_trades} must be >= 0")
    if max_drawdown is not None and not 0 < max_drawdown < 1:
        raise UserInputError(f"--max-drawdown {max_drawdown} must be between 0 and 1 (a fraction)")
    return Objectives(chosen, min_trades, max_drawdown)
