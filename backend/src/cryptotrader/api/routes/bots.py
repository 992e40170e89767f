"""``/api/bots``: state, control (start, stop, pause, resume), settings and pairs of the bots."""

from __future__ import annotations

from fastapi import APIRouter

from cryptotrader.api.deps import BotServiceDep, CurrentActor, OriginDep
from cryptotrader.api.routes import ERROR_RESPONSES
from cryptotrader.api.schemas.bots import (
    BotPairsPublic,
    BotPairsUpdate,
    BotPublic,
    BotSettingsUpdate,
    BotsPublic,
)
from cryptotrader.domain.enums import BotKind

router = APIRouter(prefix="/api/bots", tags=["bots"], responses=ERROR_RESPONSES)


@router.get("")
async def list_bots(actor: CurrentActor, bots: BotServiceDep) -> BotsPublic:
    """Both bots: run state, requested state, capital, risk and configuration."""
    data = [BotPublic.model_validate(view) for view in await bots.list_bots(actor)]
    return BotsPublic(data=data, count=len(data))


@router.get("/{bot}")
async def get_bot(bot: BotKind, actor: CurrentActor, bots: BotServiceDep) -> BotPublic:
    """One bot."""
    return BotPublic.model_validate(await bots.get_bot(actor, bot))


@router.post("/{bot}/start")
async def start_bot(
    bot: BotKind, actor: CurrentActor, bots: BotServiceDep, origin: OriginDep
) -> BotPublic:
    """Ask the runtime to start the bot (``requested`` shows the request at once)."""
    return BotPublic.model_validate(await bots.control(actor, bot, "start", origin))


@router.post("/{bot}/stop")
async def stop_bot(
    bot: BotKind, actor: CurrentActor, bots: BotServiceDep, origin: OriginDep
) -> BotPublic:
    """Ask the runtime to stop the bot."""
    return BotPublic.model_validate(await bots.control(actor, bot, "stop", origin))


@router.post("/{bot}/pause")
async def pause_bot(
    bot: BotKind, actor: CurrentActor, bots: BotServiceDep, origin: OriginDep
) -> BotPublic:
    """Ask the runtime to pause the bot (no new positions; protection stays in place)."""
    return BotPublic.model_validate(await bots.control(actor, bot, "pause", origin))


@router.post("/{bot}/resume")
async def resume_bot(
    bot: BotKind, actor: CurrentActor, bots: BotServiceDep, origin: OriginDep
) -> BotPublic:
    """Ask the runtime to resume a paused bot."""
    return BotPublic.model_validate(await bots.control(actor, bot, "resume", origin))


@router.patch("/{bot}/settings")
async def update_bot_settings(
    bot: BotKind,
    body: BotSettingsUpdate,
    actor: CurrentActor,
    bots: BotServiceDep,
    origin: OriginDep,
) -> BotPublic:
    """Change strategy, strategy parameters, risk ratio, stop-loss or take-profit.

    Parameters are checked by the strategy's own model (unknown names get a "did you mean").
    The runtime applies them when the bot next starts or resumes.
    """
    changes = body.model_dump(exclude_unset=True, mode="json")
    return BotPublic.model_validate(await bots.update_settings(actor, bot, changes, origin))


@router.get("/{bot}/pairs")
async def get_bot_pairs(bot: BotKind, actor: CurrentActor, bots: BotServiceDep) -> BotPairsPublic:
    """The pairs the bot opens positions on: as chosen, and the active ones that means now."""
    return BotPairsPublic.model_validate(await bots.pairs(actor, bot))


@router.put("/{bot}/pairs")
async def set_bot_pairs(
    bot: BotKind,
    body: BotPairsUpdate,
    actor: CurrentActor,
    bots: BotServiceDep,
    origin: OriginDep,
) -> BotPairsPublic:
    """Choose the pairs the bot opens positions on (null: every active pair).

    Each pair must be known to /config/pairs (422 otherwise). A running runtime applies the
    change at its next candle and says so (``bot_pairs_applied`` alert, audit row): a pair taken
    off opens nothing new, and its open position keeps its protection until it closes.
    """
    return BotPairsPublic.model_validate(await bots.set_pairs(actor, bot, body.pairs, origin))
