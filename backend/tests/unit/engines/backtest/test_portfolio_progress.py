"""A portfolio backtest's progress (one pair or several, one ratio or a sweep) as it goes.

The app's progress bar shows ``candles done / total``: a run reports as its simulation advances,
not once per reallocation ratio, and the reports change nothing in the results.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from cryptotrader.api.schemas.backtests import PortfolioBacktestCreate
from cryptotrader.config import TradingSettings
from cryptotrader.domain import Timeframe
from cryptotrader.domain.pairs import Pair
from cryptotrader.engines.backtest import BacktestEngine
from cryptotrader.engines.backtest.multipair import PairSeries, PortfolioRequest, run_portfolio
from cryptotrader.engines.backtest.portfolio_sweep import PortfolioSweep
from cryptotrader.engines.backtest.report import multipair_dict, portfolio_dict
from cryptotrader.services import backtest_worker
from cryptotrader.strategies import create_strategy
from tests.support.builders import random_walk

HOUR = 3_600_000
BTC, ETH = Pair.parse("BTC/USDT"), Pair.parse("ETH/USDT")


class Reports:
    """Every ``progress(done, total)`` call."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, int]] = []

    def __call__(self, done: int, total: int) -> None:
        self.calls.append((done, total))

    @property
    def done(self) -> list[int]:
        return [done for done, _ in self.calls]


def _series() -> tuple[PairSeries, ...]:
    return (
        PairSeries(BTC, random_walk(3_000, seed=3, step_ms=HOUR)),
        # ETH starts later: the merged steps are not each pair's bars
        PairSeries(
            ETH, random_walk(2_000, seed=4, step_ms=HOUR, start_ms=1_704_067_200_000 + 500 * HOUR)
        ),
    )


def _request(series: tuple[PairSeries, ...]) -> PortfolioRequest:
    return PortfolioRequest(
        series=series,
        timeframe=Timeframe.H1,
        safe=create_strategy("conservative"),
        aggressive=create_strategy("aggressive"),
    )


def _within(done: list[int], start: int, end: int) -> list[int]:
    """Reports strictly between two boundaries (what a per-ratio report never gives)."""
    return [d for d in done if start < d < end]


def test_multipair_run_reports_the_candles_its_merged_loop_has_passed_as_it_goes() -> None:
    series = _series()
    reports = Reports()
    reported = run_portfolio(_request(series), progress=reports)
    total = 3_000 + 2_000
    assert {t for _, t in reports.calls} == {total}
    assert reports.done == sorted(reports.done)
    assert reports.done[-1] == total
    assert len(set(_within(reports.done, 0, total))) >= 10
    # reporting changes nothing
    fee = Decimal("0.001")
    quiet = run_portfolio(_request(series))
    assert multipair_dict(reported, fee=fee) == multipair_dict(quiet, fee=fee)


def test_portfolio_sweep_reports_inside_each_ratios_run() -> None:
    candles = random_walk(3_000, seed=5, step_ms=HOUR)
    sweep = PortfolioSweep.parse(TradingSettings(), sweep="0.1:0.3:0.1")
    reports = Reports()
    engine = BacktestEngine()
    results = sweep.run(engine, candles, Timeframe.H1, progress=reports)
    n = len(candles)
    assert {t for _, t in reports.calls} == {3 * n}
    assert reports.done == sorted(reports.done)
    assert reports.done[-1] == 3 * n
    for i in range(3):
        assert len(set(_within(reports.done, i * n, (i + 1) * n))) >= 5, f"ratio {i}"
    quiet = sweep.run(engine, candles, Timeframe.H1)
    assert [portfolio_dict(r) for r in results] == [portfolio_dict(r) for r in quiet]


def test_a_multipair_sweep_job_reports_inside_each_ratio(monkeypatch: pytest.MonkeyPatch) -> None:
    reports = Reports()

    def writer(path: str | None) -> Any:
        assert path == "progress"
        return reports

    monkeypatch.setattr(backtest_worker, "progress_writer", writer)
    series = _series()
    body = PortfolioBacktestCreate(
        pair="BTC/USDT", pairs=["BTC/USDT", "ETH/USDT"], sweep="0.2:0.4:0.2"
    )
    out = backtest_worker.run_portfolio(
        body.model_dump(mode="json"),
        tuple((s.pair.symbol, s.candles) for s in series),
        TradingSettings(),
        progress_file="progress",
    )
    assert [r["reallocation_ratio"] for r in out["multipair"]] == ["0.2", "0.4"]
    per_ratio = 5_000
    assert {t for _, t in reports.calls} == {2 * per_ratio}
    assert reports.done == sorted(reports.done)
    assert reports.done[-1] == 2 * per_ratio
    for i in range(2):
        assert len(set(_within(reports.done, i * per_ratio, (i + 1) * per_ratio))) >= 10
