"""Web Push (RFC 8030) for the app's web build: an aes128gcm payload signed with VAPID.

pywebpush encrypts the payload for the browser's subscription keys (RFC 8291, through
http_ece) and py_vapid signs the ``Authorization: vapid t=...,k=...`` header (RFC 8292); the
request itself goes through our httpx client like every other channel. The push service answers
201 when it took the message, 404 or 410 when the subscription is gone (unsubscribed, expired),
429 to slow down.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02
from pywebpush import WebPusher, WebPushException

from cryptotrader.notify.channels.base import (
    Notification,
    Outcome,
    Status,
    http_outcome,
    network_outcome,
)

DEFAULT_TTL_S = 24 * 3600
"""How long a push service keeps a message for an offline browser: a day, then it is stale."""
MAX_PAYLOAD_BYTES = 3000
"""Below the 4096-byte record limit once encrypted, with room for the push service's needs."""


@dataclass(frozen=True, slots=True)
class WebPushSubscription:
    """A browser's ``PushSubscription.toJSON()``: endpoint and its two keys (base64url)."""

    endpoint: str
    p256dh: str
    auth: str

    def as_info(self) -> dict[str, Any]:
        """The shape pywebpush takes."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


class VapidKeys:
    """The platform's VAPID key pair (P-256); ``public_key`` is what browsers subscribe with.

    Args:
        private_pem: the private key in PEM (PKCS8).
    """

    def __init__(self, private_pem: str) -> None:
        self._vapid = Vapid02.from_pem(private_pem.encode())
        raw = self._vapid.public_key.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        self.public_key: str = _b64url(raw)
        """The application server key (base64url, uncompressed point) for ``subscribe()``."""

    @classmethod
    def generate(cls) -> VapidKeys:
        """A new key pair."""
        key = ec.generate_private_key(ec.SECP256R1())
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        return cls(pem.decode())

    @property
    def private_pem(self) -> str:
        """The private key in PEM, to be stored encrypted."""
        pem: bytes = self._vapid.private_pem()
        return pem.decode()

    def authorization(self, endpoint: str, subject: str) -> str:
        """The ``Authorization`` header for a push to ``endpoint``."""
        parts = urlsplit(endpoint)
        claims = {"aud": f"{parts.scheme}://{parts.netloc}", "sub": subject}
        headers: dict[str, str] = self._vapid.sign(claims)
        return headers["Authorization"]


def check_subscription(subscription: WebPushSubscription) -> None:
    """Raise ``ValueError`` unless the subscription's keys can encrypt a payload."""
    if urlsplit(subscription.endpoint).scheme not in ("https", "http"):
        raise ValueError("endpoint must be an http(s) URL")
    try:
        WebPusher(subscription.as_info())
        p256dh = base64.urlsafe_b64decode(_pad(subscription.p256dh))
        auth = base64.urlsafe_b64decode(_pad(subscription.auth))
    except (WebPushException, ValueError) as exc:
        raise ValueError(f"unusable subscription keys: {exc}") from None
    if len(p256dh) != 65 or p256dh[0] != 4 or len(auth) != 16:
        raise ValueError("keys.p256dh must be a P-256 point (65 bytes), keys.auth 16 bytes")


class WebPushChannel:
    """Sends encrypted pushes to browsers' push services.

    Args:
        client: the HTTP client (its timeout applies).
        keys: the platform's VAPID keys.
        subject: the VAPID ``sub`` claim: a ``mailto:`` or ``https:`` contact for the operator.
        ttl_s: how long push services keep a message for an offline browser.
    """

    name = "webpush"

    def __init__(
        self, client: httpx.AsyncClient, *, keys: VapidKeys, subject: str,
        ttl_s: int = DEFAULT_TTL_S,
    ) -> None:  # fmt: skip
        self._client = client
        self._keys = keys
        self._subject = subject
        self._ttl = ttl_s

    async def send(self, subscription: WebPushSubscription, notification: Notification) -> Outcome:
        """Encrypt ``notification`` for ``subscription`` and post it to its push service."""
        try:
            body = WebPusher(subscription.as_info()).encode(payload(notification), "aes128gcm")
        except (WebPushException, ValueError) as exc:
            return Outcome(Status.GONE, f"Web Push: unusable subscription keys: {exc}")
        headers = {
            "Authorization": self._keys.authorization(subscription.endpoint, self._subject),
            "Content-Encoding": "aes128gcm",
            "Content-Type": "application/octet-stream",
            "TTL": str(self._ttl),
            "Urgency": "high" if notification.severity == "critical" else "normal",
        }
        if notification.tag:
            headers["Topic"] = _topic(notification.tag)
        try:
            response = await self._client.post(
                subscription.endpoint, content=body["body"], headers=headers
            )
        except httpx.HTTPError as exc:
            return network_outcome(exc, "Web Push service")
        if response.status_code in (404, 410):
            return Outcome(
                Status.GONE, f"Web Push: subscription gone (HTTP {response.status_code})"
            )
        return http_outcome(response, "Web Push service")


def payload(notification: Notification) -> bytes:
    """The JSON the service worker receives (``event.data.json()``), cut to fit a push."""
    document = {
        "title": notification.title,
        "body": notification.body,
        "event": notification.event,
        "severity": notification.severity,
        "tag": notification.tag,
        "data": notification.data,
    }
    encoded = json.dumps(document, ensure_ascii=False).encode()
    if len(encoded) > MAX_PAYLOAD_BYTES:
        document["data"] = {}
        document["body"] = notification.body[:500]
        encoded = json.dumps(document, ensure_ascii=False).encode()
    return encoded


def _topic(tag: str) -> str:
    # A Topic is at most 32 characters of the base64url alphabet.
    cleaned = "".join(c if c.isalnum() or c in "-_" else "_" for c in tag)
    return cleaned[:32]


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _pad(text: str) -> str:
    return text + "=" * (-len(text) % 4)
