"""The push channels: Web Push (browsers), Expo (iOS/Android app), ntfy; one HTTP POST each."""

from cryptotrader.notify.channels.base import Notification, Outcome, Status
from cryptotrader.notify.channels.expo import ExpoChannel, is_expo_token
from cryptotrader.notify.channels.ntfy import NtfyChannel, NtfyTarget
from cryptotrader.notify.channels.webpush import VapidKeys, WebPushChannel, WebPushSubscription

CHANNELS = ("webpush", "expo", "ntfy")
"""Every channel's name, as preferences and delivery records spell it."""

__all__ = [
    "CHANNELS",
    "ExpoChannel",
    "Notification",
    "NtfyChannel",
    "NtfyTarget",
    "Outcome",
    "Status",
    "VapidKeys",
    "WebPushChannel",
    "WebPushSubscription",
    "is_expo_token",
]
