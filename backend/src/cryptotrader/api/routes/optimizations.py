"""``/api/optimize``: launch an optimisation (worker pool), progress, report, apply to a bot."""

from __future__ import annotations

from fastapi import APIRouter, status

from cryptotrader.api.deps import CurrentActor, OptimizationServiceDep, OriginDep
from cryptotrader.api.routes import ERROR_RESPONSES, IdPath, Limit, Offset
from cryptotrader.api.schemas.backtests import BacktestJobPublic
from cryptotrader.api.schemas.bots import BotPublic
from cryptotrader.api.schemas.optimizations import (
    OptimizationApply,
    OptimizationCreate,
    OptimizationJobPublic,
    OptimizationJobsPublic,
    OptimizationProgressPublic,
    OptimizationResultPublic,
)

router = APIRouter(prefix="/api/optimize", tags=["optimize"], responses=ERROR_RESPONSES)


@router.post("", status_code=status.HTTP_202_ACCEPTED)
async def launch_optimization(
    body: OptimizationCreate,
    actor: CurrentActor,
    optimizations: OptimizationServiceDep,
    origin: OriginDep,
) -> BacktestJobPublic:
    """Optimise a strategy on stored candles; returns the queued job at once.

    Progress: ``GET /api/optimize/{id}`` or the ``optimizations`` topic of ``/ws``.
    """
    request = body.model_dump(mode="json")
    return BacktestJobPublic.model_validate(await optimizations.launch(actor, request, origin))


@router.get("")
async def list_optimizations(
    actor: CurrentActor,
    optimizations: OptimizationServiceDep,
    limit: Limit = 50,
    offset: Offset = 0,
) -> OptimizationJobsPublic:
    """Your optimisation jobs, newest first."""
    found, total = await optimizations.list(actor, limit=limit, offset=offset)
    return OptimizationJobsPublic(
        data=[BacktestJobPublic.model_validate(j) for j in found], count=total
    )


@router.get("/{job_id}")
async def get_optimization(
    job_id: IdPath, actor: CurrentActor, optimizations: OptimizationServiceDep
) -> OptimizationJobPublic:
    """One of your jobs and its progress (trials finished, best value so far)."""
    view, progress = await optimizations.get(actor, job_id)
    return OptimizationJobPublic(
        job=BacktestJobPublic.model_validate(view),
        progress=OptimizationProgressPublic.model_validate(progress),
    )


@router.get("/{job_id}/result")
async def get_optimization_result(
    job_id: IdPath, actor: CurrentActor, optimizations: OptimizationServiceDep
) -> OptimizationResultPublic:
    """The report of a finished job."""
    view = await optimizations.result(actor, job_id)
    return OptimizationResultPublic.model_validate(
        {"job": BacktestJobPublic.model_validate(view), **(view.result or {})}
    )


@router.post("/{job_id}/apply")
async def apply_optimization(
    job_id: IdPath,
    body: OptimizationApply,
    actor: CurrentActor,
    optimizations: OptimizationServiceDep,
    origin: OriginDep,
) -> BotPublic:
    """Give a bot the chosen parameters and protection (audited; applied at its next start)."""
    view = await optimizations.apply(actor, job_id, body.bot, body.trial, origin)
    return BotPublic.model_validate(view)
