"""``/api/strategies``: every registered strategy with its parameter schema (forms)."""

from __future__ import annotations

from fastapi import APIRouter

from cryptotrader.api.deps import CurrentActor
from cryptotrader.api.routes import ERROR_RESPONSES
from cryptotrader.api.schemas.strategies import StrategiesPublic, StrategySpecPublic
from cryptotrader.services.context import Permission
from cryptotrader.strategies.schema import strategy_specs

router = APIRouter(prefix="/api/strategies", tags=["strategies"], responses=ERROR_RESPONSES)


@router.get("")
async def list_strategies(actor: CurrentActor) -> StrategiesPublic:
    """Every registered strategy (plugins included): parameters with types, bounds, defaults."""
    actor.require(Permission.READ)
    data = [StrategySpecPublic.model_validate(spec) for spec in strategy_specs()]
    return StrategiesPublic(data=data, count=len(data))
