"""``/api/backtest``: launch (runs in a worker pool), status, results, comparison."""

from __future__ import annotations

from fastapi import APIRouter, status

from cryptotrader.api.deps import BacktestServiceDep, CurrentActor, OriginDep
from cryptotrader.api.routes import ERROR_RESPONSES, IdPath, Limit, Offset
from cryptotrader.api.schemas.backtests import (
    BacktestCompareCreate,
    BacktestCreate,
    BacktestJobPublic,
    BacktestJobsPublic,
    BacktestRename,
    BacktestResultPublic,
    PortfolioBacktestCreate,
)

router = APIRouter(prefix="/api/backtest", tags=["backtest"], responses=ERROR_RESPONSES)


@router.post("", status_code=status.HTTP_202_ACCEPTED)
async def launch_backtest(
    body: BacktestCreate, actor: CurrentActor, backtests: BacktestServiceDep, origin: OriginDep
) -> BacktestJobPublic:
    """Backtest one strategy on stored candles; returns the queued job at once."""
    request = body.model_dump(mode="json")
    return BacktestJobPublic.model_validate(
        await backtests.launch(actor, "single", request, origin)
    )


@router.post("/compare", status_code=status.HTTP_202_ACCEPTED)
async def compare_strategies(
    body: BacktestCompareCreate,
    actor: CurrentActor,
    backtests: BacktestServiceDep,
    origin: OriginDep,
) -> BacktestJobPublic:
    """Backtest several strategies on the same candles, side by side; returns the job."""
    request = body.model_dump(mode="json")
    view = await backtests.launch(actor, "compare", request, origin)
    return BacktestJobPublic.model_validate(view)


@router.post("/portfolio", status_code=status.HTTP_202_ACCEPTED)
async def launch_portfolio_backtest(
    body: PortfolioBacktestCreate,
    actor: CurrentActor,
    backtests: BacktestServiceDep,
    origin: OriginDep,
) -> BacktestJobPublic:
    """Both bots with reallocation (one ratio, or a sweep of ratios); returns the job.

    With ``pairs``, both bots trade every pair together (merged candle times, the risk
    manager's limits across pairs), as ``backtest portfolio --stored PAIR`` repeated.
    """
    request = body.model_dump(mode="json")
    view = await backtests.launch(actor, "portfolio", request, origin)
    return BacktestJobPublic.model_validate(view)


@router.get("")
async def list_backtests(
    actor: CurrentActor, backtests: BacktestServiceDep, limit: Limit = 50, offset: Offset = 0
) -> BacktestJobsPublic:
    """Your backtest jobs, newest first."""
    found, total = await backtests.list(actor, limit=limit, offset=offset)
    return BacktestJobsPublic(
        data=[BacktestJobPublic.model_validate(j) for j in found], count=total
    )


@router.get("/{job_id}")
async def get_backtest(
    job_id: IdPath, actor: CurrentActor, backtests: BacktestServiceDep
) -> BacktestJobPublic:
    """One of your jobs: ``queued``, ``running``, ``succeeded`` or ``failed``."""
    view = await backtests.get(actor, job_id, with_result=False)
    return BacktestJobPublic.model_validate(view)


@router.get("/{job_id}/result")
async def get_backtest_result(
    job_id: IdPath, actor: CurrentActor, backtests: BacktestServiceDep
) -> BacktestResultPublic:
    """The reports of a finished job: metrics, trades and equity curve per strategy."""
    view = await backtests.result(actor, job_id)
    return BacktestResultPublic.model_validate(
        {
            "job": BacktestJobPublic.model_validate(view),
            "results": view.reports,
            "portfolio": (view.result or {}).get("portfolio", []),
            "multipair": (view.result or {}).get("multipair", []),
        }
    )


@router.patch("/{job_id}")
async def rename_backtest(
    job_id: IdPath,
    body: BacktestRename,
    actor: CurrentActor,
    backtests: BacktestServiceDep,
    origin: OriginDep,
) -> BacktestJobPublic:
    """Name one of your runs ("" clears the name)."""
    return BacktestJobPublic.model_validate(
        await backtests.rename(actor, job_id, body.name, origin)
    )


@router.delete("/{job_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_backtest(
    job_id: IdPath, actor: CurrentActor, backtests: BacktestServiceDep, origin: OriginDep
) -> None:
    """Delete one of your finished runs and its report (409 while it runs)."""
    await backtests.delete(actor, job_id, origin)
