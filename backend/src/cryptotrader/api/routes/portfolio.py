"""``/api/portfolio``: capital and results per bot, reallocations, risk state."""

from __future__ import annotations

from fastapi import APIRouter

from cryptotrader.api.deps import CurrentActor, PortfolioServiceDep
from cryptotrader.api.routes import ERROR_RESPONSES, Limit, Offset
from cryptotrader.api.schemas.portfolio import (
    PortfolioPublic,
    ReallocationPublic,
    ReallocationsPublic,
)

router = APIRouter(prefix="/api/portfolio", tags=["portfolio"], responses=ERROR_RESPONSES)


@router.get("")
async def get_portfolio(actor: CurrentActor, portfolio: PortfolioServiceDep) -> PortfolioPublic:
    """The portfolio: each bot's capital, realised P&L, win rate and risk state.

    Also the totals, the 10 latest reallocations and the trading mode.
    """
    return PortfolioPublic.model_validate(await portfolio.portfolio(actor))


@router.get("/reallocations")
async def list_reallocations(
    actor: CurrentActor, portfolio: PortfolioServiceDep, limit: Limit = 50, offset: Offset = 0
) -> ReallocationsPublic:
    """Capital moved from the aggressive to the safe bot, newest first."""
    found, total = await portfolio.reallocations(actor, limit=limit, offset=offset)
    return ReallocationsPublic(
        data=[ReallocationPublic.model_validate(r) for r in found], count=total
    )
