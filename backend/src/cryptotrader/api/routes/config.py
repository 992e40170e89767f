"""``/config``: trading pairs, exchange API keys, notifications, the live-trading switch."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, status

from cryptotrader.api.deps import (
    CurrentActor,
    ExchangeKeyServiceDep,
    LiveTradingServiceDep,
    OriginDep,
    PlatformConfigServiceDep,
)
from cryptotrader.api.routes import ERROR_RESPONSES, IdPath
from cryptotrader.api.schemas.config import (
    ApiKeyPublic,
    ApiKeyPut,
    ApiKeysPublic,
    LiveTradingPublic,
    LiveTradingUpdate,
    NotificationsPublic,
    NotificationsUpdate,
    PairCreate,
    PairPublic,
    PairsPublic,
    PairUpdate,
    RotationPublic,
)
from cryptotrader.security.keys import ExchangeCredentials
from cryptotrader.services.platform_config import NotificationView

router = APIRouter(prefix="/config", tags=["config"], responses=ERROR_RESPONSES)
ExchangePath = Annotated[str, Path(pattern=r"^[a-z0-9_]{2,32}$", examples=["binance"])]


@router.get("/pairs")
async def list_pairs(actor: CurrentActor, platform: PlatformConfigServiceDep) -> PairsPublic:
    """Every known trading pair, active or not."""
    data = [PairPublic.model_validate(p) for p in await platform.list_pairs(actor)]
    return PairsPublic(data=data, count=len(data))


@router.post("/pairs", status_code=status.HTTP_201_CREATED)
async def add_pair(
    body: PairCreate, actor: CurrentActor, platform: PlatformConfigServiceDep, origin: OriginDep
) -> PairPublic:
    """Add a trading pair (or reactivate a known one).

    A running live runtime (started without ``--pair``) checks its history and trades it from
    its next candle (``pairs_applied`` alert), or says why not (``pair_refused``); the change is
    announced through the outbox (sent later if the message bus is down).
    """
    return PairPublic.model_validate(
        await platform.add_pair(actor, body.exchange, body.symbol, origin)
    )


@router.patch("/pairs/{pair_id}")
async def update_pair(
    pair_id: IdPath,
    body: PairUpdate,
    actor: CurrentActor,
    platform: PlatformConfigServiceDep,
    origin: OriginDep,
) -> PairPublic:
    """Activate or deactivate a trading pair.

    A running live runtime applies it from the next candle: a deactivated pair opens nothing
    new, and is fed until its open positions close (their stops keep working); the change is
    announced through the outbox (sent later if the message bus is down).
    """
    view = await platform.set_pair_active(actor, pair_id, body.is_active, origin)
    return PairPublic.model_validate(view)


@router.get("/exchange-keys")
async def list_exchange_keys(actor: CurrentActor, keys: ExchangeKeyServiceDep) -> ApiKeysPublic:
    """Stored exchange API keys, masked (admins)."""
    data = [ApiKeyPublic.model_validate(k) for k in await keys.list(actor)]
    return ApiKeysPublic(data=data, count=len(data))


@router.put("/exchange-keys/{exchange}")
async def put_exchange_key(
    exchange: ExchangePath,
    body: ApiKeyPut,
    actor: CurrentActor,
    keys: ExchangeKeyServiceDep,
    origin: OriginDep,
) -> ApiKeyPublic:
    """Store or replace an exchange's API key, encrypted; it is never returned, only masked."""
    credentials = ExchangeCredentials(
        api_key=body.api_key.get_secret_value(),
        api_secret=body.api_secret.get_secret_value(),
        passphrase=None if body.passphrase is None else body.passphrase.get_secret_value(),
    )
    return ApiKeyPublic.model_validate(await keys.put(actor, exchange, credentials, origin))


@router.delete("/exchange-keys/{exchange}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_exchange_key(
    exchange: ExchangePath, actor: CurrentActor, keys: ExchangeKeyServiceDep, origin: OriginDep
) -> None:
    """Forget an exchange's API key."""
    await keys.delete(actor, exchange, origin)


@router.post("/exchange-keys/rotate")
async def rotate_exchange_keys(
    actor: CurrentActor, keys: ExchangeKeyServiceDep, origin: OriginDep
) -> RotationPublic:
    """Re-encrypt every stored secret (exchange keys, Discord webhook) with the newest key.

    Put the new key first in CRYPTOTRADER_SECURITY__ENCRYPTION_KEYS, call this, then remove the
    old key.
    """
    return RotationPublic(re_encrypted=await keys.rotate(actor, origin))


@router.get("/notifications")
async def get_notifications(
    actor: CurrentActor, platform: PlatformConfigServiceDep
) -> NotificationsPublic:
    """Which alerts are sent, and where."""
    return _notifications(await platform.notifications(actor))


@router.patch("/notifications")
async def update_notifications(
    body: NotificationsUpdate,
    actor: CurrentActor,
    platform: PlatformConfigServiceDep,
    origin: OriginDep,
) -> NotificationsPublic:
    """Change notification settings (admins); a Discord webhook URL is stored encrypted."""
    changes = body.model_dump(exclude_unset=True, exclude={"discord_webhook_url"})
    if body.discord_webhook_url is not None:
        changes["discord_webhook_url"] = body.discord_webhook_url.get_secret_value()
    return _notifications(await platform.update_notifications(actor, changes, origin))


@router.get("/live-trading")
async def get_live_trading(actor: CurrentActor, live: LiveTradingServiceDep) -> LiveTradingPublic:
    """The live-trading switch and everything else that still blocks real orders."""
    return LiveTradingPublic.model_validate(await live.state(actor))


@router.put("/live-trading")
async def switch_live_trading(
    body: LiveTradingUpdate, actor: CurrentActor, live: LiveTradingServiceDep, origin: OriginDep
) -> LiveTradingPublic:
    """Turn live trading on or off (admins).

    Turning it on needs ``confirmation`` equal to the phrase from GET (``enable live trading on
    <exchange>``) and your password; every other blocker must be cleared first.
    """
    password = None if body.password is None else body.password.get_secret_value()
    state = await live.switch(
        actor,
        enabled=body.enabled,
        confirmation=body.confirmation,
        password=password,
        origin=origin,
    )
    return LiveTradingPublic.model_validate(state)


def _notifications(view: NotificationView) -> NotificationsPublic:
    settings = view.settings
    return NotificationsPublic(
        enabled=settings.enabled,
        min_severity=settings.min_severity,
        muted_kinds=settings.muted_kinds,
        discord_enabled=settings.discord_enabled,
        push_enabled=settings.push_enabled,
        discord_webhook=view.discord_webhook_masked,
    )
