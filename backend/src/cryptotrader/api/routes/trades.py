"""``/api/trades``: trades with filters and pagination."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AwareDatetime

from cryptotrader.api.deps import CurrentActor, TradeServiceDep
from cryptotrader.api.routes import ERROR_RESPONSES, IdPath, Limit, Offset
from cryptotrader.api.schemas.trades import TradeDetailPublic, TradePublic, TradesPublic
from cryptotrader.domain.enums import BotKind, TradeStatus
from cryptotrader.domain.pairs import Pair
from cryptotrader.persistence.repositories.trade_queries import TradeFilter

router = APIRouter(prefix="/api/trades", tags=["trades"], responses=ERROR_RESPONSES)


@router.get("")
async def list_trades(
    *,
    actor: CurrentActor,
    trades: TradeServiceDep,
    bot: BotKind | None = None,
    status: TradeStatus | None = None,
    pair: Annotated[str | None, Query(max_length=25, examples=["BTC/USDT"])] = None,
    since: Annotated[AwareDatetime | None, Query(description="opened at or after")] = None,
    until: Annotated[AwareDatetime | None, Query(description="opened before")] = None,
    closed_since: Annotated[
        AwareDatetime | None, Query(description="closed at or after (open trades excluded)")
    ] = None,
    closed_until: Annotated[
        AwareDatetime | None, Query(description="closed before (open trades excluded)")
    ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> TradesPublic:
    """Trades, newest first; ``count`` is the number matching the filters in all."""
    where = TradeFilter(
        bot=bot,
        status=status,
        symbol=None if pair is None else Pair.parse(pair).symbol,
        opened_from=since,
        opened_until=until,
        closed_from=closed_since,
        closed_until=closed_until,
    )
    found, total = await trades.search(actor, where, limit=limit, offset=offset)
    return TradesPublic(data=[TradePublic.model_validate(t) for t in found], count=total)


@router.get("/{trade_id}")
async def get_trade(
    trade_id: IdPath, actor: CurrentActor, trades: TradeServiceDep
) -> TradeDetailPublic:
    """One trade, with the indicator snapshot taken when it opened."""
    return TradeDetailPublic.model_validate(await trades.get(actor, trade_id))
