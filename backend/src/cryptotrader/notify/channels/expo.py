"""Native push for the iOS and Android app through Expo's push service.

Protocol (https://docs.expo.dev/push-notifications/sending-notifications/): ``POST <base>/send``
with a JSON list of messages answers ``{"data": [ticket, ...]}``, one ticket per message in
order: ``{"status": "ok", "id": ...}`` or ``{"status": "error", "details": {"error": CODE}}``.
``DeviceNotRegistered`` means the app was uninstalled or the token expired (remove it);
``MessageRateExceeded`` means this device gets too much (back off). A whole request can be
refused with HTTP 429 (too many requests: back off, honouring ``Retry-After``), 5xx (retry) or
4xx ``{"errors": [...]}`` (a malformed request: give up). ``POST <base>/getReceipts`` later
tells whether Apple or Google accepted a ticket, with the same error codes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import httpx

from cryptotrader.notify.channels.base import (
    Notification,
    Outcome,
    Status,
    http_outcome,
    network_outcome,
    retry_after,
)

DEFAULT_EXPO_PUSH_URL = "https://exp.host/--/api/v2/push"
MAX_MESSAGES_PER_REQUEST = 100
"""Expo's limit on one ``send`` request."""

_TOKEN = re.compile(r"^Expo(nent)?PushToken\[[A-Za-z0-9_\-:.]{10,200}\]$")
_GONE = frozenset({"DeviceNotRegistered"})
_RETRY = frozenset({"MessageRateExceeded"})


def is_expo_token(token: str) -> bool:
    """True for an Expo push token (``ExponentPushToken[...]`` or ``ExpoPushToken[...]``)."""
    return _TOKEN.match(token) is not None


class ExpoChannel:
    """Sends to Expo push tokens.

    Args:
        client: the HTTP client (its timeout applies).
        base_url: the push API root (``https://exp.host/--/api/v2/push``; a local server in tests).
        access_token: the project's push access token, when "enhanced security" is on.
    """

    name = "expo"

    def __init__(
        self, client: httpx.AsyncClient, *, base_url: str = DEFAULT_EXPO_PUSH_URL,
        access_token: str | None = None,
    ) -> None:  # fmt: skip
        self._client = client
        self._base = base_url.rstrip("/")
        self._headers = {"Accept": "application/json"}
        if access_token:
            self._headers["Authorization"] = f"Bearer {access_token}"

    async def send(self, token: str, notification: Notification) -> Outcome:
        """Send ``notification`` to one device."""
        return (await self.send_many([token], notification))[0]

    async def send_many(self, tokens: Sequence[str], notification: Notification) -> list[Outcome]:
        """Send ``notification`` to each token; one outcome per token, in order."""
        outcomes: list[Outcome] = []
        for start in range(0, len(tokens), MAX_MESSAGES_PER_REQUEST):
            chunk = tokens[start : start + MAX_MESSAGES_PER_REQUEST]
            outcomes.extend(await self._send_chunk(chunk, notification))
        return outcomes

    async def receipts(self, ticket_ids: Sequence[str]) -> dict[str, Outcome]:
        """What became of tickets: ``sent`` (delivered to Apple/Google), ``gone`` (dead token).

        Tickets whose receipt is not ready yet are absent from the answer; a failed request
        answers an empty mapping (ask again later).
        """
        try:
            response = await self._client.post(
                f"{self._base}/getReceipts", json={"ids": list(ticket_ids)}, headers=self._headers
            )
        except httpx.HTTPError:
            return {}
        if response.status_code != 200:
            return {}
        data = _json(response).get("data")
        if not isinstance(data, dict):
            return {}
        return {key: _ticket_outcome(value) for key, value in data.items()}

    async def _send_chunk(self, tokens: Sequence[str], notification: Notification) -> list[Outcome]:
        messages = [_message(token, notification) for token in tokens]
        try:
            response = await self._client.post(
                f"{self._base}/send", json=messages, headers=self._headers
            )
        except httpx.HTTPError as exc:
            return [network_outcome(exc, "Expo push")] * len(tokens)
        if response.status_code == 429:
            wait = retry_after(response)
            return [Outcome(Status.RETRY, "Expo push: too many requests (429)", wait)] * len(tokens)
        if response.status_code != 200:
            return [_request_failure(response)] * len(tokens)
        tickets = _json(response).get("data")
        if not isinstance(tickets, list) or len(tickets) != len(tokens):
            failed = Outcome(Status.RETRY, "Expo push: an answer without one ticket per message")
            return [failed] * len(tokens)
        return [_ticket_outcome(ticket) for ticket in tickets]


def _message(token: str, notification: Notification) -> dict[str, Any]:
    message: dict[str, Any] = {
        "to": token,
        "title": notification.title,
        "body": notification.body,
        "data": {"event": notification.event, **notification.data},
        "sound": "default",
        "priority": "high" if notification.severity == "critical" else "default",
    }
    if notification.tag is not None:
        message["collapseId"] = notification.tag[:64]
    return message


def _ticket_outcome(ticket: object) -> Outcome:
    if not isinstance(ticket, dict):
        return Outcome(Status.RETRY, "Expo push: a malformed ticket")
    if ticket.get("status") == "ok":
        receipt = ticket.get("id")
        return Outcome(Status.SENT, receipt=receipt if isinstance(receipt, str) else None)
    details = ticket.get("details")
    code = details.get("error") if isinstance(details, dict) else None
    message = " ".join(str(ticket.get("message", "")).split())[:160]
    detail = f"Expo push: {code or 'error'}: {message}"
    if code in _GONE:
        return Outcome(Status.GONE, detail)
    if code in _RETRY:
        return Outcome(Status.RETRY, detail)
    return Outcome(Status.FAILED, detail)


def _request_failure(response: httpx.Response) -> Outcome:
    errors = _json(response).get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        first = errors[0]
        detail = f"Expo push refused the request: {first.get('code')}: {first.get('message')}"
        if response.status_code >= 500:
            return Outcome(Status.RETRY, detail[:200], retry_after(response))
        return Outcome(Status.FAILED, detail[:200])
    return http_outcome(response, "Expo push")


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        value = response.json()
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
