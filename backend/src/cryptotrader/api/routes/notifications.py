"""``/api/notifications``: the caller's push devices, choices, ntfy topic and test pushes."""

from __future__ import annotations

from fastapi import APIRouter, Body, status

from cryptotrader.api.deps import CurrentActor, NotificationServiceDep, OriginDep
from cryptotrader.api.routes import ERROR_RESPONSES, IdPath, Limit
from cryptotrader.api.schemas.notifications import (
    DeviceCreate,
    NotificationDeliveriesPublic,
    NotificationDeliveryPublic,
    NotificationDevicePublic,
    NotificationPreferencesUpdate,
    NotificationSettingsPublic,
    NotificationTestPublic,
    NotificationTestResultPublic,
    NtfyPut,
    VapidKeyPublic,
    WebPushDeviceCreate,
)
from cryptotrader.notify.channels import WebPushSubscription
from cryptotrader.services.notifications import DeviceRequest, NotificationsView

router = APIRouter(prefix="/api/notifications", tags=["notifications"], responses=ERROR_RESPONSES)


@router.get("")
async def get_notification_settings(
    actor: CurrentActor, notifications: NotificationServiceDep
) -> NotificationSettingsPublic:
    """Your devices, which events go to which channel, your ntfy topic, the platform switch."""
    return _settings(await notifications.overview(actor))


@router.patch("/preferences")
async def update_notification_preferences(
    body: NotificationPreferencesUpdate,
    actor: CurrentActor,
    notifications: NotificationServiceDep,
    origin: OriginDep,
) -> NotificationSettingsPublic:
    """Turn events on or off per channel (only those named change); set the language."""
    events: dict[str, dict[str, bool]] | None = None
    if body.events is not None:
        events = {
            event: {str(c): on for c, on in chosen.items()} for event, chosen in body.events.items()
        }
    view = await notifications.update_preferences(
        actor, origin, events=events, language=body.language
    )
    return _settings(view)


@router.put("/ntfy")
async def put_ntfy(
    body: NtfyPut, actor: CurrentActor, notifications: NotificationServiceDep, origin: OriginDep
) -> NotificationSettingsPublic:
    """Send your notifications to an ntfy topic; the token is stored encrypted, never returned."""
    token = None if body.token is None else body.token.get_secret_value()
    view = await notifications.set_ntfy(
        actor, origin, base_url=body.base_url, topic=body.topic, token=token
    )
    return _settings(view)


@router.delete("/ntfy", status_code=status.HTTP_204_NO_CONTENT)
async def delete_ntfy(
    actor: CurrentActor, notifications: NotificationServiceDep, origin: OriginDep
) -> None:
    """Stop sending to ntfy (the token is forgotten)."""
    await notifications.clear_ntfy(actor, origin)


@router.get("/vapid-public-key")
async def get_vapid_public_key(
    actor: CurrentActor, notifications: NotificationServiceDep
) -> VapidKeyPublic:
    """The ``applicationServerKey`` a browser subscribes with (Web Push)."""
    return VapidKeyPublic(public_key=await notifications.vapid_public_key(actor))


@router.get("/devices")
async def list_notification_devices(
    actor: CurrentActor, notifications: NotificationServiceDep
) -> list[NotificationDevicePublic]:
    """Your registered devices."""
    view = await notifications.overview(actor)
    return [NotificationDevicePublic.model_validate(d) for d in view.devices]


@router.post("/devices", status_code=status.HTTP_201_CREATED)
async def register_notification_device(
    actor: CurrentActor,
    notifications: NotificationServiceDep,
    origin: OriginDep,
    body: DeviceCreate = Body(),  # noqa: B008 - FastAPI's way to take a discriminated union
) -> NotificationDevicePublic:
    """Register this browser (its push subscription) or this phone (its Expo push token).

    Registering the same subscription or token again refreshes it (and moves it to you).
    """
    if isinstance(body, WebPushDeviceCreate):
        keys = body.subscription.keys
        subscription = WebPushSubscription(body.subscription.endpoint, keys.p256dh, keys.auth)
        request = DeviceRequest("webpush", subscription=subscription, label=body.label)
    else:
        request = DeviceRequest("expo", token=body.token, label=body.label)
    view = await notifications.register_device(actor, origin, request)
    return NotificationDevicePublic.model_validate(view)


@router.delete("/devices/{device_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_notification_device(
    device_id: IdPath,
    actor: CurrentActor,
    notifications: NotificationServiceDep,
    origin: OriginDep,
) -> None:
    """Stop pushing to one of your devices (on logout, or when the browser unsubscribes)."""
    await notifications.unregister_device(actor, origin, device_id)


@router.post("/test")
async def send_test_notification(
    actor: CurrentActor, notifications: NotificationServiceDep, origin: OriginDep
) -> NotificationTestPublic:
    """Push a test notification to each of your channels now; a dead device is removed."""
    results = await notifications.send_test(actor, origin)
    data = [NotificationTestResultPublic.model_validate(r) for r in results]
    return NotificationTestPublic(data=data, count=len(data))


@router.get("/deliveries")
async def list_notification_deliveries(
    actor: CurrentActor, notifications: NotificationServiceDep, limit: Limit = 50
) -> NotificationDeliveriesPublic:
    """Your newest notifications and what became of each (sent, retrying, failed, gone)."""
    rows = await notifications.deliveries(actor, limit)
    data = [NotificationDeliveryPublic.model_validate(r) for r in rows]
    return NotificationDeliveriesPublic(data=data, count=len(data))


def _settings(view: NotificationsView) -> NotificationSettingsPublic:
    return NotificationSettingsPublic.model_validate(view)
