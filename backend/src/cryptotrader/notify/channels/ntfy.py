"""ntfy (https://ntfy.sh or a self-hosted server): one JSON POST per notification.

JSON publishing (``POST <base>/`` with the topic in the body) rather than headers, so that
titles in French keep their accents; an access token goes as ``Authorization: Bearer``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx

from cryptotrader.notify.channels.base import (
    Notification,
    Outcome,
    http_outcome,
    network_outcome,
)

_PRIORITY = {"info": 3, "warning": 4, "critical": 5}
_TAGS = {"info": "information_source", "warning": "warning", "critical": "rotating_light"}


@dataclass(frozen=True, slots=True)
class NtfyTarget:
    """Where one user's ntfy notifications go; ``repr`` never shows the token."""

    base_url: str
    topic: str
    token: str | None = field(default=None, repr=False)


class NtfyChannel:
    """Publishes to ntfy.

    Args:
        client: the HTTP client (its timeout applies).

    Example:
        outcome = await NtfyChannel(client).send(
            NtfyTarget("https://ntfy.sh", "my-trades"), notification
        )
    """

    name = "ntfy"

    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client

    async def send(self, target: NtfyTarget, notification: Notification) -> Outcome:
        """Publish ``notification`` on the target's topic."""
        body: dict[str, object] = {
            "topic": target.topic,
            "title": notification.title,
            "message": notification.body,
            "priority": _PRIORITY[notification.severity],
            "tags": [_TAGS[notification.severity], notification.event],
        }
        headers = {"Authorization": f"Bearer {target.token}"} if target.token else {}
        try:
            response = await self._client.post(
                target.base_url.rstrip("/") + "/", json=body, headers=headers
            )
        except httpx.HTTPError as exc:
            return network_outcome(exc, "ntfy")
        return http_outcome(response, "ntfy")
