"""What runs in the worker process for an optimisation job: a request in, the report out.

The job stores its ``OptimizationRequest`` as JSON (``as_json``, beside the job's candle range
and walk-forward window count); the worker reads it back with ``from_json``, the request the
API's body was read into. The study lives in the Optuna storage the API was configured with
(never the application's database); its progress is read from there by
``services.optimizations``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cryptotrader.config import TradingSettings
from cryptotrader.domain.market import CandleArrays
from cryptotrader.optimize.pipeline import run_optimisation
from cryptotrader.optimize.report import report_dict
from cryptotrader.optimize.request import OptimizationRequest


def check(request: dict[str, Any], candles: CandleArrays) -> dict[str, Any]:
    """Refuse a stored request its candles cannot serve; returns what the job records with it.

    ``windows``: the walk-forward's window count (None: a single study).

    Raises:
        UserInputError: bad request, windows that do not fit, or too few candles.
    """
    return {"windows": OptimizationRequest.from_json(request).check(candles)}


def run_optimize(
    request: Mapping[str, Any], candles: CandleArrays, trading: TradingSettings, *, storage: str
) -> dict[str, Any]:
    """Run the optimisation a stored request describes; returns the report (``report_dict``).

    Raises:
        UserInputError: bad request, or no feasible trial in a walk-forward window.
    """
    asked = OptimizationRequest.from_json(request)
    report = run_optimisation(
        asked.plan(storage, candles=candles),
        asked.evaluator(candles, trading),
        title=asked.title(len(candles)),
        walk=asked.walk_forward,
        monte_carlo_runs=asked.monte_carlo,
        pair=asked.pair,
    )
    return report_dict(report, candles.timestamps)
