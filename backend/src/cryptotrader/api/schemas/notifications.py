"""A user's push notifications: devices, per-event and per-channel choices, ntfy, test pushes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, SecretStr

from cryptotrader.api.schemas.common import Input, Schema

Channel = Literal["webpush", "expo", "ntfy"]
Language = Literal["en", "fr"]


class ChannelChoices(Schema):
    """Whether an event goes to each channel."""

    webpush: bool
    expo: bool
    ntfy: bool


class NotificationEventPublic(Schema):
    """One notifiable event and where it goes."""

    event: str = Field(examples=["trade_closed"])
    description: str
    channels: ChannelChoices


class NtfyPublic(Schema):
    """The ntfy topic notifications go to; the access token is never returned."""

    base_url: str = Field(examples=["https://ntfy.sh"])
    topic: str
    token_set: bool


class NotificationDevicePublic(Schema):
    """A registered device; ``address_masked`` is the push service's host or the token masked."""

    id: int
    channel: Literal["webpush", "expo"]
    label: str | None
    address_masked: str
    created_at: datetime
    last_sent_at: datetime | None


class NotificationSettingsPublic(Schema):
    """The caller's notifications.

    ``push_enabled`` is the platform's switch (an admin's ``PATCH /config/notifications``): off,
    nothing is pushed whatever the choices. ``web_push_available`` is False when the server has
    no encryption key (it could not keep a VAPID private key).
    """

    push_enabled: bool
    web_push_available: bool
    language: Language
    events: list[NotificationEventPublic]
    ntfy: NtfyPublic | None
    devices: list[NotificationDevicePublic]


class NotificationPreferencesUpdate(Input):
    """Per-event, per-channel switches (only those named change) and the notifications' language.

    Example: ``{"events": {"trade_opened": {"expo": false}}, "language": "fr"}``.
    """

    events: dict[Annotated[str, Field(max_length=32)], dict[Channel, bool]] | None = Field(
        default=None, max_length=50
    )
    language: Language | None = None


class NtfyPut(Input):
    """Send notifications to an ntfy topic (self-hosted or ntfy.sh)."""

    base_url: str = Field(
        min_length=8, max_length=512, description="e.g. https://ntfy.sh or your own server"
    )
    topic: str = Field(pattern=r"^[-_A-Za-z0-9]{1,64}$", examples=["alice-trades"])
    token: SecretStr | None = Field(
        default=None, max_length=256, description="an ntfy access token; stored encrypted"
    )


class PushSubscriptionKeys(Input):
    """The subscription's keys, base64url as the browser gives them."""

    p256dh: str = Field(min_length=80, max_length=100)
    auth: str = Field(min_length=16, max_length=32)


class PushSubscriptionIn(Input):
    """``PushSubscription.toJSON()`` exactly as the browser returns it."""

    endpoint: str = Field(min_length=10, max_length=1024)
    expirationTime: float | None = None  # noqa: N815 - the browser's spelling
    keys: PushSubscriptionKeys


class WebPushDeviceCreate(Input):
    """Register this browser for Web Push."""

    channel: Literal["webpush"]
    subscription: PushSubscriptionIn
    label: str | None = Field(default=None, max_length=64, examples=["Firefox on my laptop"])


class ExpoDeviceCreate(Input):
    """Register this phone for native push (``getExpoPushTokenAsync``)."""

    channel: Literal["expo"]
    token: str = Field(max_length=255, examples=["ExponentPushToken[xxxxxxxxxxxxxxxxxxxxxx]"])
    label: str | None = Field(default=None, max_length=64, examples=["Pixel 8"])


DeviceCreate = Annotated[WebPushDeviceCreate | ExpoDeviceCreate, Field(discriminator="channel")]


class VapidKeyPublic(Schema):
    """The ``applicationServerKey`` for ``pushManager.subscribe`` (base64url, P-256 point)."""

    public_key: str


class NotificationTestResultPublic(Schema):
    """What one channel said to the test.

    ``sent``; ``retry`` (busy or rate limited: try later); ``gone`` (the device no longer exists
    and was removed); ``failed`` (refused; ``detail`` says why).
    """

    channel: Channel
    device_id: int | None
    status: Literal["sent", "retry", "gone", "failed"]
    detail: str


class NotificationTestPublic(Schema):
    """The test notification's result on each channel."""

    data: list[NotificationTestResultPublic]
    count: int


class NotificationDeliveryPublic(Schema):
    """One notification sent (or being sent) to one device or topic."""

    id: int
    event: str
    channel: Channel
    device_id: int | None
    title: str
    status: Literal["pending", "sending", "sent", "failed", "gone"]
    attempts: int
    created_at: datetime
    sent_at: datetime | None
    last_error: str | None


class NotificationDeliveriesPublic(Schema):
    """The caller's newest deliveries, newest first."""

    data: list[NotificationDeliveryPublic]
    count: int
